"""Many agencies submitting at once through the web, with a regeneration in between (issue 13):
every submission is in the history, and the stored results are the last accepted ones."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor

import yaml

from kehoach_docs.model.results import KetQuaCoQuan

from web_support import Http, issue_links, server, submissions, token_of  # noqa: F401 (a fixture)

AGENCIES = ["VP", "TCKH", "GDDT", "NNPTNT", "VHTT", "TNMT"]
ROUNDS = 6


def first_task(client: Http, token: str) -> str:
    status, _, page = client.request(f"/co-quan/{token}/")
    assert status == 200
    return re.search(r'name="nv--ket_qua--([^"]+)"', page.decode())[1]


def test_simultaneous_submissions_and_a_regeneration(server):
    srv = server
    clerk = Http(srv.url)
    clerk.login()
    links = issue_links(clerk, "tien-lu-2024", AGENCIES)
    assert set(links) == set(AGENCIES)
    clients = {code: Http(srv.url) for code in AGENCIES}
    tasks = {code: first_task(clients[code], token_of(url)) for code, url in links.items()}

    def send(code: str, n: int):
        status, headers, _ = clients[code].post(f"/co-quan/{token_of(links[code])}/", {
            "hanh_dong": "gui", f"nv--trang_thai--{tasks[code]}": "Đang thực hiện",
            f"nv--ket_qua--{tasks[code]}": f"{code} lần {n}"})
        return status

    with ThreadPoolExecutor(len(AGENCIES) * 2) as pool:
        futures = [pool.submit(send, code, n) for n in range(ROUNDS // 2) for code in AGENCIES]
        status, headers, _ = clerk.post("/ke-hoach/tien-lu-2024/dung-lai/", {})
        assert status == 302
        progress = headers["Location"]
        futures += [pool.submit(send, code, n) for n in range(ROUNDS // 2, ROUNDS) for code in AGENCIES]
        assert [f.result() for f in futures] == [302] * len(futures)

    deadline = time.monotonic() + 120
    while "Xong" not in clerk.request(progress)[2].decode():
        assert time.monotonic() < deadline
        time.sleep(0.3)

    history = submissions(srv)
    sent = [h for h in history if h[2] == "gui"]
    assert len(sent) == len(AGENCIES) * ROUNDS
    for code in AGENCIES:
        mine = [h for h in sent if h[1] == code]
        assert {h[3]["nhiem_vu"][tasks[code]]["ket_qua"] for h in mine} == {f"{code} lần {n}" for n in range(ROUNDS)}
        stored = yaml.safe_load((srv.plan / "ket-qua" / f"{code}.yaml").read_text("utf-8"))
        assert stored["nhiem_vu"] == mine[-1][3]["nhiem_vu"], code
    # nothing else was recorded: no history row without a submission behind it
    assert len(history) == len(sent)


def test_a_server_killed_mid_submission_loses_nothing(server):
    """The server process is killed (no clean shutdown) while agencies submit; after a restart the
    stored results are whole, and the history's last accepted submission is what is stored."""
    import signal
    from web_support import launch
    srv = server
    clerk = Http(srv.url)
    clerk.login()
    links = issue_links(clerk, "tien-lu-2024", AGENCIES)
    clients = {code: Http(srv.url) for code in AGENCIES}
    tasks = {code: first_task(clients[code], token_of(url)) for code, url in links.items()}

    def send(code: str, n: int):
        try:
            return clients[code].post(f"/co-quan/{token_of(links[code])}/", {
                "hanh_dong": "gui", f"nv--ket_qua--{tasks[code]}": f"{code} lần {n}"})[0]
        except OSError:
            return None     # the server went away mid-request

    with ThreadPoolExecutor(len(AGENCIES)) as pool:
        futures = [pool.submit(send, code, n) for n in range(30) for code in AGENCIES]
        time.sleep(1.0)
        srv.process.send_signal(signal.SIGKILL)
        srv.process.wait(10)
        [f.result() for f in futures]
    port = int(srv.url.rsplit(":", 1)[1])
    again = launch(srv.plan, srv.output, srv.db, port)
    try:
        clerk = Http(again.url)
        clerk.login()
        assert clerk.request("/ke-hoach/tien-lu-2024/lich-su/")[0] == 200     # the history catches up
        sent = [h for h in submissions(srv) if h[2] != "nhap"]
        for code in AGENCIES:
            path = srv.plan / "ket-qua" / f"{code}.yaml"
            if not path.exists():
                assert not [h for h in sent if h[1] == code]
                continue
            stored = yaml.safe_load(path.read_text("utf-8"))        # whole, never half-written
            assert stored["co_quan"] == code
            stored = KetQuaCoQuan.model_validate(stored).model_dump(mode="json")
            assert [h for h in sent if h[1] == code][-1][3] == stored
    finally:
        again.stop()
