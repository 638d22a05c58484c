"""The web app (issue 13) driven through a real browser and a real server, on SQLite and PostgreSQL:
the clerk hands out links, agencies report, one agency never reaches another's data, the clerk
regenerates and downloads the summary report with the agencies' figures."""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from docx import Document

from web_support import CLERK, PASSWORD, Http, browser, server  # noqa: F401 (a fixture)

pytestmark = pytest.mark.skipif(not shutil.which("chromedriver"), reason="chromium-driver chưa cài (.ci/run cài)")

A, B = "TCKH", "GDDT"
SCREENSHOTS = os.environ.get("KEHOACH_SCREENSHOTS")


@pytest.fixture
def driver():
    d = browser()
    yield d
    d.quit()


def by_css(driver, css):
    from selenium.webdriver.common.by import By
    return driver.find_element(By.CSS_SELECTOR, css)


def all_css(driver, css):
    from selenium.webdriver.common.by import By
    return driver.find_elements(By.CSS_SELECTOR, css)


def submit(driver, css):
    """Click a submit button and wait until the page it leads to has loaded (a new document: the
    mark set on this one is gone)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait
    driver.execute_script("window.__trang_cu = true")
    by_css(driver, css).click()
    WebDriverWait(driver, 60, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script("return !window.__trang_cu && document.readyState === 'complete'"))


def sign_in(driver, srv):
    driver.get(srv.url + "/")
    assert "/dang-nhap/" in driver.current_url
    by_css(driver, "#id_username").send_keys(CLERK)
    by_css(driver, "#id_password").send_keys(PASSWORD)
    submit(driver, "main form button[type=submit]")
    assert driver.current_url.endswith("/ke-hoach/tien-lu-2024/"), driver.current_url


def issue_links(driver, srv, codes) -> dict[str, str]:
    driver.get(srv.url + "/ke-hoach/tien-lu-2024/lien-ket/")
    for code in codes:
        by_css(driver, f"#chon-{code}").click()
    submit(driver, "button[value=cap]")
    return {row.get_attribute("data-ma"): row.find_element("css selector", "input").get_attribute("value")
            for row in all_css(driver, "#lien-ket-moi tr[data-ma]")}


def field(kind, key, ma):
    return f"{kind}--{key}--{ma}"


def test_the_results_loop_in_a_browser(server, driver, tmp_path):
    srv = server
    sign_in(driver, srv)
    links = issue_links(driver, srv, [A, B])
    assert set(links) == {A, B} and all(u.startswith(srv.url + "/co-quan/") for u in links.values())
    assert links[A] != links[B]

    # agency A, in a browser of its own (no clerk session)
    agency = browser()
    try:
        agency_reports(srv, agency, links[A])
        agency.set_window_size(390, 844)        # and on a phone: one card per row, nothing cut
        agency.get(links[A])
        assert agency.execute_script("return document.documentElement.scrollWidth") <= 390
        if SCREENSHOTS:
            agency.save_screenshot(str(Path(SCREENSHOTS) / "co-quan-dien-thoai.png"))
    finally:
        agency.quit()
    stored = yaml.safe_load((srv.plan / "ket-qua" / f"{A}.yaml").read_text("utf-8"))
    assert stored["chi_tieu"]["thu-ns"]["uoc_thuc_hien"] == "612,5"
    assert stored["nhiem_vu"]["nv07"] == {"trang_thai": "Hoàn thành", "ket_qua": "Đã xong & <đúng hạn> \"quý II\""}

    # the clerk sees A as reported, B as missing, regenerates, downloads the summary
    driver.get(srv.url + "/ke-hoach/tien-lu-2024/")
    assert "Đã gửi" in by_css(driver, f"#co-quan tr[data-ma={A}]").text
    assert "Chưa gửi" in by_css(driver, f"#co-quan tr[data-ma={B}]").text
    if SCREENSHOTS:
        driver.save_screenshot(str(Path(SCREENSHOTS) / "van-thu.png"))
    submit(driver, "form[action$='/dung-lai/'] button")
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(driver, 120).until(lambda d: d.find_elements("css selector", "#ket-qua"))
    assert by_css(driver, "#ket-qua").text.startswith("Xong: dựng lại"), by_css(driver, "main").text
    clerk = Http(srv.url)
    clerk.adopt(driver)
    status, headers, body = clerk.request("/ke-hoach/tien-lu-2024/tai/tong-hop.docx")
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    doc = Document(io.BytesIO(body))
    rows = [[c.text for c in r.cells] for t in doc.tables for r in t.rows]
    thu_ns = next(r for r in rows if any(c.startswith("Thu ngân sách trên địa bàn") for c in r))
    assert "612,5" in thu_ns and "Vượt" in " ".join(thu_ns), thu_ns
    chi_ns = next(r for r in rows if any(c.startswith("Chi ngân sách") for c in r))
    assert "700,1" in chi_ns, chi_ns

    # the history keeps the submission, with who sent it
    driver.get(srv.url + "/ke-hoach/tien-lu-2024/lich-su/")
    history = by_css(driver, "#lich-su").text
    assert A in history and "Gửi báo cáo" in history and "liên kết cấp ngày" in history

    # agency B's link shows B only, on every route
    check_isolation(srv, links)


def agency_reports(srv, driver, link):
    """Agency A: one figure refused with the message ``collect`` gives for it, then corrected and sent."""
    from selenium.webdriver.support.ui import Select
    driver.get(link)
    assert by_css(driver, "h1").text == "Phòng Tài chính - Kế hoạch"
    assert "Chưa gửi" in by_css(driver, "main").text and "Đăng xuất" not in by_css(driver, "body").text
    by_css(driver, "#" + field("ct", "uoc", "thu-ns")).send_keys("khoảng sáu trăm")
    by_css(driver, "#" + field("ct", "uoc", "chi-ns")).send_keys("700,1")
    Select(by_css(driver, "#" + field("nv", "trang_thai", "nv07"))).select_by_visible_text("Hoàn thành")
    by_css(driver, "#" + field("nv", "ket_qua", "nv07")).send_keys("Đã xong & <đúng hạn> \"quý II\"")
    submit(driver, "button[value=gui]")
    error = by_css(driver, f"#{field('ct', 'uoc', 'thu-ns')}-loi")
    assert error.text == ("«khoảng sáu trăm» không phải kết quả đo được để so với mục tiêu «559,8»; "
                          "cần dạng 8,7 (giải thích ghi ở ghi chú)")
    assert "Chưa gửi: có 1 ô cần sửa" in by_css(driver, ".messages").text
    assert not (srv.plan / "ket-qua" / f"{A}.yaml").exists()       # nothing stored from a refused form
    if SCREENSHOTS:
        driver.execute_script("document.getElementById('chi-tieu').scrollIntoView()")
        driver.save_screenshot(str(Path(SCREENSHOTS) / "co-quan.png"))
    # what was typed is kept for the correction
    assert by_css(driver, "#" + field("ct", "uoc", "chi-ns")).get_attribute("value") == "700,1"
    box = by_css(driver, "#" + field("ct", "uoc", "thu-ns"))
    box.clear()
    box.send_keys("612,5")
    submit(driver, "button[value=gui]")
    assert "Đã gửi báo cáo" in by_css(driver, ".messages").text
    assert "Đã gửi" in by_css(driver, "main p[role=status]").text


def check_isolation(srv, links):
    """B's token against every agency route, A's data asked for by every parameter: only B answers.
    The clerk's routes answer an agency's browser with the sign-in page."""
    # every route the app declares (read from its source: this process has no Django settings)
    import kehoach_docs.web as web_pkg
    routes = re.findall(r'name="(\w+)"', (Path(web_pkg.__file__).parent / "urls.py").read_text("utf-8"))
    b = Http(srv.url)
    token_b = links[B].rstrip("/").rsplit("/", 1)[1]
    token_a = links[A].rstrip("/").rsplit("/", 1)[1]
    tested = set()

    status, _, page = b.request(f"/co-quan/{token_b}/?co_quan={A}&ma={A}")
    page = page.decode()
    assert status == 200 and "Phòng Giáo dục và Đào tạo" in page and "Phòng Tài chính - Kế hoạch</h1>" not in page
    assert "thu-ns" not in page and "612,5" not in page
    # posting A's fields through B's link stores nothing for A, nothing of A's for B
    before = (srv.plan / "ket-qua" / f"{A}.yaml").read_bytes()
    status, _, _ = b.post(f"/co-quan/{token_b}/", {"hanh_dong": "gui", field("ct", "uoc", "thu-ns"): "1",
                                                    "co_quan": A, field("ct", "uoc", "tre-5t"): "99"})
    assert status == 302
    assert (srv.plan / "ket-qua" / f"{A}.yaml").read_bytes() == before
    stored_b = yaml.safe_load((srv.plan / "ket-qua" / f"{B}.yaml").read_text("utf-8"))
    assert stored_b["co_quan"] == B and "thu-ns" not in stored_b.get("chi_tieu", {})
    tested.add("agency")

    for kind in ("bao-cao.docx", "so-nhap.xlsx") + (("bao-cao.pdf",) if shutil.which("soffice") else ()):
        status, headers, body = b.request(f"/co-quan/{token_b}/{kind}?co_quan={A}")
        assert status == 200 and f"{B}-{kind}" in headers["Content-Disposition"], (kind, status)
        if kind.endswith(".docx"):
            text = "\n".join(p.text for p in Document(io.BytesIO(body)).paragraphs)
            assert "GIÁO DỤC" in text.upper() and "TÀI CHÍNH - KẾ HOẠCH" not in text.upper()
    tested.add("agency_document")

    # A's workbook sent through B's link is refused, and stores nothing
    status, _, body = Http(srv.url).request(f"/co-quan/{token_a}/so-nhap.xlsx")
    assert status == 200
    status, headers, _ = b.upload(f"/co-quan/{token_b}/tai-len/", "so_nhap", "so-nhap.xlsx", body)
    assert status == 302
    status, _, page = b.request(f"/co-quan/{token_b}/")
    assert "sổ này là của cơ quan khác (TCKH)" in page.decode()
    assert (srv.plan / "ket-qua" / f"{A}.yaml").read_bytes() == before
    tested.add("agency_upload")

    # a made-up or revoked token opens nothing
    for path in ("/co-quan/khong-co/", "/co-quan/khong-co/bao-cao.docx", f"/co-quan/{token_a[:-1]}x/"):
        assert b.request(path)[0] == 404

    # the clerk's routes: an agency's browser (no session) is sent to sign in, on every one
    clerk_paths = {"home": "/", "plan": "/ke-hoach/tien-lu-2024/", "regenerate": "/ke-hoach/tien-lu-2024/dung-lai/",
                   "progress": "/ke-hoach/tien-lu-2024/tien-do/1/", "close": "/ke-hoach/tien-lu-2024/ky-bao-cao/",
                   "links": "/ke-hoach/tien-lu-2024/lien-ket/", "history": "/ke-hoach/tien-lu-2024/lich-su/",
                   "plan_file": "/ke-hoach/tien-lu-2024/tai/tong-hop.docx"}
    for name, path in clerk_paths.items():
        for status, headers, _ in (b.request(path), b.post(path, {"dong": "1", "co_quan": A, "hanh_dong": "cap"})):
            # a POST-only route may refuse a GET outright; otherwise: sign in first
            assert status == 405 or (status == 302 and "/dang-nhap/" in headers["Location"]), (name, status)
        tested.add(name)
    tested |= {"login", "logout"}       # open to all by design
    assert tested == set(routes), set(routes) - tested
