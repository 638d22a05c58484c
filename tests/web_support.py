"""A real ``kehoach serve`` process, a real browser, and a plain HTTP client, for the web tests."""

from __future__ import annotations

import http.cookiejar
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

#: An administrator's URL on a PostgreSQL server (``.ci/run`` starts one and sets it); each test
#: gets a database of its own there.
PG_ADMIN = os.environ.get("KEHOACH_TEST_PG")
CLERK, PASSWORD = "vanthu", "Mat-khau-van-thu-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(kind: str, tmp_path: Path) -> str | None:
    """None: the default (SQLite in the plan's state folder); else a new PostgreSQL database."""
    if kind == "sqlite":
        return None
    if not PG_ADMIN:
        pytest.skip("KEHOACH_TEST_PG chưa đặt (.ci/run cài và khởi động PostgreSQL)")
    import psycopg
    name = f"kehoach_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


@dataclass
class Server:
    url: str
    plan: Path
    output: Path
    process: subprocess.Popen
    db: str | None

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_server(plan_src: Path, tmp_path: Path, db: str | None) -> Server:
    plan = tmp_path / plan_src.name
    shutil.copytree(plan_src, plan, ignore=shutil.ignore_patterns("ket-qua", ".kehoach"))
    cmd = [sys.executable, "-m", "kehoach_docs"]
    extra = ["--db", db] if db else []
    subprocess.run([*cmd, "clerk", CLERK, "--ke-hoach", str(plan), "--mat-khau-stdin", *extra],
                   input=PASSWORD + "\n", text=True, check=True, capture_output=True, cwd=tmp_path)
    return launch(plan, tmp_path / "output", db, free_port())


def launch(plan: Path, output: Path, db: str | None, port: int) -> Server:
    """``kehoach serve`` on an existing plan folder (and database); returns once it answers."""
    tmp_path = plan.parent
    cmd = [sys.executable, "-m", "kehoach_docs"]
    extra = ["--db", db] if db else []
    log = open(tmp_path / "serve.log", "a")
    proc = subprocess.Popen([*cmd, "serve", str(plan), "--port", str(port), "-o", str(output), *extra],
                            stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/dang-nhap/", timeout=2)
            break
        except (urllib.error.URLError, ConnectionError):
            if proc.poll() is not None:
                raise RuntimeError((tmp_path / "serve.log").read_text())
            time.sleep(0.1)
    return Server(url, plan, output, proc, db)


class Http:
    """A cookie-keeping HTTP client (an agency's or a clerk's browser without JavaScript)."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  _NoRedirect())

    def request(self, path: str, data: dict | list | None = None, headers: dict | None = None,
                body: bytes | None = None):
        """(status, headers, body bytes); redirects are returned, not followed."""
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
        req = urllib.request.Request(self.base + path if path.startswith("/") else path, data=body,
                                     headers={"Referer": self.base + "/", **(headers or {})})
        try:
            with self.opener.open(req, timeout=60) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def post(self, path: str, data: dict | list):
        """POST as the page's form would, with the CSRF token it carries."""
        if not self.csrf():
            self.request(path)
        items = list(data.items()) if isinstance(data, dict) else list(data)
        return self.request(path, [("csrfmiddlewaretoken", self.csrf()), *items])

    def upload(self, path: str, field: str, name: str, content: bytes):
        """POST a file as an upload form does (multipart), with the CSRF token."""
        boundary = "----kehoach-test"
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
                f"{self.csrf()}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
                f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n').encode() \
            + content + f"\r\n--{boundary}--\r\n".encode()
        return self.request(path, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}, body=body)

    def login(self) -> None:
        self.request("/dang-nhap/")
        status, headers, _ = self.post("/dang-nhap/", {"username": CLERK, "password": PASSWORD})
        assert status == 302, status

    def adopt(self, driver) -> None:
        """Take over a browser's session (to download what it would download)."""
        host = urllib.parse.urlsplit(self.base).hostname
        for c in driver.get_cookies():
            self.jar.set_cookie(http.cookiejar.Cookie(
                0, c["name"], c["value"], None, False, host, False, False, "/", True, False, None, False,
                None, None, {}))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def browser(screen=(1280, 900)):
    """Debian's Chromium through its own ChromeDriver, headless, with no network of its own."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--window-size={screen[0]},{screen[1]}", "--lang=vi"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"),
                            options=options)


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request, tmp_path):
    """The example plan served by ``kehoach serve``, on each database the app supports."""
    from conftest import EXAMPLE
    srv = start_server(EXAMPLE, tmp_path, database_url(request.param, tmp_path))
    yield srv
    srv.stop()


def issue_links(clerk: "Http", plan: str, codes: list[str]) -> dict[str, str]:
    """The clerk issues links for ``codes`` (as the links page's form does); code -> URL."""
    import re
    status, headers, _ = clerk.post(f"/ke-hoach/{plan}/lien-ket/", [("hanh_dong", "cap"), *[("co_quan", c) for c in codes]])
    assert status == 302, status
    status, _, page = clerk.request(headers["Location"])
    assert status == 200, status
    # shown once: the page shows them no more
    assert "Liên kết mới cấp" not in clerk.request(headers["Location"])[2].decode()
    return dict(re.findall(r'<tr data-ma="([^"]+)"><td>[^<]*</td><td><input type="text" readonly value="([^"]+)"',
                           page.decode()))


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def submissions(srv: Server) -> list[tuple]:
    """(id, code, kind, results) of every history row, oldest first, read from the database itself."""
    import json
    sql = "SELECT id, code, kind, results FROM kehoach_web_submission ORDER BY id"
    if srv.db is None:
        import sqlite3
        with sqlite3.connect(srv.plan / ".kehoach" / "web.sqlite3") as conn:
            return [(i, c, k, json.loads(r) if r else None) for i, c, k, r in conn.execute(sql)]
    import psycopg
    with psycopg.connect(srv.db) as conn:
        return list(conn.execute(sql))
