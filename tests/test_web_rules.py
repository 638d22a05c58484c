"""The web app's rules, through a real server (issue 13): uploads checked as ``collect`` checks them,
links renewed and revoked, drafts and the append-only history, the closed period, throttling,
CSRF, another plan's clerk, and clear errors instead of tracebacks."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import EXAMPLE, FIXTURES, fill
from kehoach_docs.cli import main
from web_support import Http, issue_links, start_server, submissions, token_of


@pytest.fixture
def srv(tmp_path):
    s = start_server(EXAMPLE, tmp_path, None)
    yield s
    s.stop()


@pytest.fixture
def clerk(srv):
    c = Http(srv.url)
    c.login()
    return c


def page_text(body: bytes) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", body.decode()))


def test_an_uploaded_workbook_is_checked_as_collect_checks_it(srv, clerk, tmp_path):
    token = token_of(issue_links(clerk, "tien-lu-2024", ["TCKH"])["TCKH"])
    agency = Http(srv.url)
    status, _, blank = agency.request(f"/co-quan/{token}/so-nhap.xlsx")
    assert status == 200 and blank[:2] == b"PK"
    (tmp_path / "blank.xlsx").write_bytes(blank)
    bad = fill(tmp_path / "blank.xlsx", tmp_path / "TCKH (2).xlsx", indicators={"thu-ns": ("sáu trăm", "")},
               tasks={"nv07": ("Xong rồi", "")})
    agency.request(f"/co-quan/{token}/")
    status, _, _ = agency.upload(f"/co-quan/{token}/tai-len/", "so_nhap", bad.name, bad.read_bytes())
    assert status == 302
    page = page_text(agency.request(f"/co-quan/{token}/")[2])
    # collect, on a copy of the plan, says the same of the same cells
    plan = tmp_path / "ban-sao" / "tien-lu-2024"
    shutil.copytree(EXAMPLE, plan)
    said = CliRunner().invoke(main, ["collect", str(plan), str(bad), "-o", str(tmp_path / "out")])
    assert said.exit_code != 0
    lines = [ln.replace(str(bad), bad.name) for ln in said.output.splitlines() if "Chỉ tiêu!" in ln or "Nhiệm vụ!" in ln]
    assert len(lines) == 2, said.output
    for line in lines:
        assert line.split(": ", 1)[1] in page, (line, page)
    assert not (srv.plan / "ket-qua" / "TCKH.yaml").exists()

    good = fill(tmp_path / "blank.xlsx", tmp_path / "TCKH.xlsx", indicators={"thu-ns": (612.5, "ước")},
                tasks={"nv07": ("Hoàn thành", "Xong")})
    agency.upload(f"/co-quan/{token}/tai-len/", "so_nhap", good.name, good.read_bytes())
    assert "Đã nhận sổ TCKH.xlsx" in page_text(agency.request(f"/co-quan/{token}/")[2])
    assert "uoc_thuc_hien: 612,5" in (srv.plan / "ket-qua" / "TCKH.yaml").read_text("utf-8")
    history = page_text(clerk.request("/ke-hoach/tien-lu-2024/lich-su/")[2])
    assert "Gửi sổ nhập" in history and "TCKH.xlsx" in history

    # not a workbook, too large, or nothing chosen: refused with a reason, nothing stored
    for name, content, words in (("bao-cao.docx", b"PK\x03\x04", "không phải tệp Excel .xlsx"),
                                 ("hong.xlsx", b"PK\x03\x04 hong", "hong.xlsx"),
                                 ("lon.xlsx", b"0" * (5 * 1024 * 1024 + 10), "quá lớn")):
        status, _, _ = agency.upload(f"/co-quan/{token}/tai-len/", "so_nhap", name, content)
        assert status in (302, 400, 413), (name, status)
        if status == 302:
            assert words in page_text(agency.request(f"/co-quan/{token}/")[2]), name
    assert "uoc_thuc_hien: 612,5" in (srv.plan / "ket-qua" / "TCKH.yaml").read_text("utf-8")


def test_links_renewed_and_revoked(srv, clerk):
    first = token_of(issue_links(clerk, "tien-lu-2024", ["VP"])["VP"])
    agency = Http(srv.url)
    assert agency.request(f"/co-quan/{first}/")[0] == 200
    second = token_of(issue_links(clerk, "tien-lu-2024", ["VP"])["VP"])
    assert agency.request(f"/co-quan/{first}/")[0] == 404          # the old link stops at renewal
    assert agency.request(f"/co-quan/{second}/")[0] == 200
    status, _, _ = clerk.post("/ke-hoach/tien-lu-2024/lien-ket/", {"hanh_dong": "thu-hoi", "co_quan": "VP"})
    assert status == 302
    assert agency.request(f"/co-quan/{second}/")[0] == 404
    # links are kept hashed: no token in the database
    import sqlite3
    with sqlite3.connect(srv.plan / ".kehoach" / "web.sqlite3") as conn:
        dump = "\n".join(conn.iterdump())
    assert first not in dump and second not in dump


def test_drafts_history_and_the_closed_period(srv, clerk):
    token = token_of(issue_links(clerk, "tien-lu-2024", ["GDDT"])["GDDT"])
    agency = Http(srv.url)
    url = f"/co-quan/{token}/"
    page = agency.request(url)[2].decode()
    ma = re.search(r'name="ct--uoc--([^"]+)"', page)[1]
    # a draft keeps even a figure that cannot be sent yet, and says so
    agency.post(url, {"hanh_dong": "nhap", f"ct--uoc--{ma}": "chưa rõ"})
    page = page_text(agency.request(url)[2])
    assert "Bản nháp lưu lúc" in page and "Chưa gửi" in page
    assert 'value="chưa rõ"' in agency.request(url)[2].decode()
    assert not (srv.plan / "ket-qua" / "GDDT.yaml").exists()
    agency.post(url, {"hanh_dong": "gui", f"ct--uoc--{ma}": "95"})
    agency.post(url, {"hanh_dong": "gui", f"ct--uoc--{ma}": "96"})
    kinds = [(code, kind) for _, code, kind, _ in submissions(srv)]
    assert kinds == [("GDDT", "nhap"), ("GDDT", "gui"), ("GDDT", "gui")]     # nothing erased
    assert [r[3]["chi_tieu"][ma]["uoc_thuc_hien"] for r in submissions(srv)[1:]] == ["95", "96"]

    clerk.post("/ke-hoach/tien-lu-2024/ky-bao-cao/", {"dong": "1"})
    page = agency.request(url)[2].decode()
    assert "Kỳ báo cáo đã đóng" in page and "<fieldset" in page and " disabled>" in page
    agency.post(url, {"hanh_dong": "gui", f"ct--uoc--{ma}": "10"})
    assert "96" in (srv.plan / "ket-qua" / "GDDT.yaml").read_text("utf-8")
    assert "Kỳ báo cáo đã đóng; không sửa được" in page_text(agency.request(url)[2])
    clerk.post("/ke-hoach/tien-lu-2024/ky-bao-cao/", {"dong": "0"})
    agency.post(url, {"hanh_dong": "gui", f"ct--uoc--{ma}": "97"})
    assert "97" in (srv.plan / "ket-qua" / "GDDT.yaml").read_text("utf-8")

    # results stored by collect (outside the web) enter the history when the clerk looks
    text = (srv.plan / "ket-qua" / "GDDT.yaml").read_text("utf-8").replace('"97"', '"98"').replace("'97'", "'98'")
    (srv.plan / "ket-qua" / "GDDT.yaml").write_text(text, "utf-8")
    history = page_text(clerk.request("/ke-hoach/tien-lu-2024/lich-su/")[2])
    assert "kehoach collect hoặc sửa tay" in history
    assert submissions(srv)[-1][3]["chi_tieu"][ma]["uoc_thuc_hien"] == "98"


def test_guessing_links_is_throttled_and_forms_need_their_token(srv, clerk):
    token = token_of(issue_links(clerk, "tien-lu-2024", ["VP"])["VP"])
    agency = Http(srv.url)
    assert agency.request(f"/co-quan/{token}/")[0] == 200
    # a POST without the page's CSRF token is refused, in Vietnamese
    status, _, body = Http(srv.url).request(f"/co-quan/{token}/", {"hanh_dong": "gui"})
    assert status == 403 and "Trang đã hết hạn" in page_text(body)
    guesser = Http(srv.url)
    for i in range(20):
        assert guesser.request(f"/co-quan/doan-thu-{i}/")[0] == 404
    # after too many wrong links from this address, links are answered «wait» (a right guess too) ...
    status, _, body = guesser.request(f"/co-quan/{token}/")
    assert status == 429 and "chờ 15 phút" in page_text(body)
    # ... except in a browser that had opened that very link before: an office behind one address goes on
    assert agency.request(f"/co-quan/{token}/")[0] == 200
    # and wrong passwords are counted per account: the clerk still signs in from the same address
    for _ in range(20):
        assert guesser.post("/dang-nhap/", {"username": "ai-do", "password": "sai"})[0] == 200
    assert guesser.post("/dang-nhap/", {"username": "ai-do", "password": "sai"})[0] == 429
    Http(srv.url).login()


def test_careless_clicks_on_the_links_page(srv, clerk):
    first = issue_links(clerk, "tien-lu-2024", ["VP"])["VP"]
    # reloading the page that showed the links issues nothing new: the printed link still works
    status, _, page = clerk.request("/ke-hoach/tien-lu-2024/lien-ket/")
    assert status == 200 and Http(srv.url).request(first.split(srv.url, 1)[1])[0] == 200
    clerk.post("/ke-hoach/tien-lu-2024/lien-ket/", {"hanh_dong": "thu-hoi", "co_quan": ["KHONG-CO", "VP", "TCKH"]})
    text = page_text(clerk.request("/ke-hoach/tien-lu-2024/lien-ket/")[2])
    assert "Đã thu hồi liên kết của 1 cơ quan." in text
    clerk.post("/ke-hoach/tien-lu-2024/lien-ket/", {"hanh_dong": "cap"})
    assert "Chưa chọn cơ quan nào." in page_text(clerk.request("/ke-hoach/tien-lu-2024/lien-ket/")[2])


def test_foreign_names_are_kept_and_changes_are_said(srv, clerk):
    token = token_of(issue_links(clerk, "tien-lu-2024", ["VP"])["VP"])
    agency = Http(srv.url)
    agency.request(f"/co-quan/{token}/")
    names = "Jürgen Müller, Zoë, Françoise Ñúñez, Søren Ærø"
    agency.post(f"/co-quan/{token}/", {"hanh_dong": "gui", "kho_khan": names, "de_xuat": "Thùc hiÖn kÕ ho¹ch"})
    stored = (srv.plan / "ket-qua" / "VP.yaml").read_text("utf-8")
    assert names in stored and "Thực hiện kế hoạch" in stored
    assert "bảng mã TCVN3, đã chuyển sang Unicode" in page_text(agency.request(f"/co-quan/{token}/")[2])


def test_no_debug_pages_and_no_secrets_in_errors(srv, clerk):
    status, _, body = Http(srv.url).request("/khong-co-trang-nay/")
    assert status == 404 and b"Traceback" not in body and b"DEBUG" not in body and b"urlpatterns" not in body
    assert 'lang="vi"' in body.decode() and "Không tìm thấy" in page_text(body)
    status, _, body = Http(srv.url).request("/dang-xuat/")
    assert status == 405 and "chỉ nhận biểu mẫu" in page_text(body)
    assert clerk.request("/ke-hoach/tien-lu-2024/lich-su/?co_quan=%00")[0] == 200
    # a signed-in clerk gets «not found» for files outside what the app serves
    for path in ("/ke-hoach/tien-lu-2024/tai/../../ke-hoach.yaml", "/ke-hoach/tien-lu-2024/tai/bao-cao/KHONG.docx"):
        assert clerk.request(path)[0] == 404, path


def test_a_clerk_sees_only_their_plans(tmp_path):
    commune = tmp_path / "xa-2027"
    shutil.copytree(FIXTURES / "xa-2027", commune)
    srv = start_server(EXAMPLE, tmp_path, None)
    try:
        # a second clerk, for the commune's plan only, and the server serving both plans
        # (in the server's database: by default the first served plan's), given the commune's plan only
        db = f"sqlite:///{srv.plan / '.kehoach' / 'web.sqlite3'}"
        subprocess.run([sys.executable, "-m", "kehoach_docs", "clerk", "xa", "--ke-hoach", str(commune),
                        "--db", db, "--mat-khau-stdin"], input="Xa-mat-khau-2027\n", text=True,
                       check=True, capture_output=True)
    finally:
        srv.stop()
    port = srv.url.rsplit(":", 1)[1]
    proc = subprocess.Popen([sys.executable, "-m", "kehoach_docs", "serve", str(srv.plan), str(commune),
                             "--port", port, "-o", str(tmp_path / "out")], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        import time
        xa = Http(srv.url)
        for _ in range(100):
            try:
                xa.request("/dang-nhap/")
                break
            except OSError:
                time.sleep(0.1)
        xa.request("/dang-nhap/")
        status, _, _ = xa.post("/dang-nhap/", {"username": "xa", "password": "Xa-mat-khau-2027"})
        assert status == 302
        assert xa.request("/ke-hoach/xa-2027/")[0] == 200
        # the clerk of tien-lu-2024 cannot be impersonated; the commune clerk does not see it
        assert xa.request("/ke-hoach/tien-lu-2024/")[0] == 404
        assert xa.request("/ke-hoach/tien-lu-2024/tai/tong-hop.docx")[0] == 404
        assert xa.post("/ke-hoach/tien-lu-2024/lien-ket/", {"hanh_dong": "cap", "co_quan": "VP"})[0] == 404
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.parametrize("args, words", [
    (["--db", "mysql://x/y"], "--db «mysql://x/y»: không hiểu «mysql»"),
    (["--db", "postgresql://nobody:x@127.0.0.1:1/khong"], "Không mở được cơ sở dữ liệu"),
])
def test_bad_database_is_a_clear_error(tmp_path, args, words):
    plan = tmp_path / "tien-lu-2024"
    shutil.copytree(EXAMPLE, plan)
    res = subprocess.run([sys.executable, "-m", "kehoach_docs", "serve", str(plan), "--port", "1", *args],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode != 0 and words in res.stderr + res.stdout, res.stderr
    assert "Traceback" not in res.stderr


def test_the_clerk_filters_and_downloads(srv, clerk):
    import io
    import zipfile

    from docx import Document
    token = token_of(issue_links(clerk, "tien-lu-2024", ["TCKH"])["TCKH"])
    agency = Http(srv.url)
    agency.post(f"/co-quan/{token}/", {"hanh_dong": "gui", "ct--uoc--thu-ns": "612,5", "ct--uoc--chi-ns": "600"})
    page = clerk.request("/ke-hoach/tien-lu-2024/?danh_gia=V%C6%B0%E1%BB%A3t")[2].decode()
    table = page.split('id="chi-tieu"', 1)[1]
    assert "Thu ngân sách trên địa bàn" in table and "Chi ngân sách địa phương" not in table
    page = clerk.request("/ke-hoach/tien-lu-2024/?danh_gia=Kh%C3%B4ng%20%C4%91%E1%BA%A1t")[2].decode()
    table = page.split('id="chi-tieu"', 1)[1]
    assert "Chi ngân sách địa phương" in table and "Thu ngân sách trên địa bàn" not in table
    page = clerk.request("/ke-hoach/tien-lu-2024/?co_quan=GDDT")[2].decode()
    table = page.split('id="chi-tieu"', 1)[1]
    assert "Thu ngân sách" not in table and "tbody" in table

    status, headers, body = clerk.request("/ke-hoach/tien-lu-2024/tai/bao-cao/TCKH.docx")
    assert status == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(body)).paragraphs)
    assert "612,5" in text or any("612,5" in c.text for t in Document(io.BytesIO(body)).tables
                                  for r in t.rows for c in r.cells)
    status, headers, body = clerk.request("/ke-hoach/tien-lu-2024/tai/tat-ca.zip")
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert status == 200 and "tien-lu-2024/bao-cao/TCKH.docx" in names
