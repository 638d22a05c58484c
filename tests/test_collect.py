"""The results loop: fill the workbooks with openpyxl, collect them, read the reports (issue 4)."""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from docx import Document

from conftest import FIXTURES, docx_text_blocks, fill, row_of
from kehoach_docs.cli import main
from kehoach_docs.nd30.check import check_docx

RUN = CliRunner()


def cli(*args):
    return RUN.invoke(main, [str(a) for a in args])


@pytest.fixture
def setup(plan_copy, tmp_path):
    """The example plan (one target turned into words), its blank workbooks, and where outputs go."""
    pl1 = plan_copy / "phu-luc-i.yaml"
    text = pl1.read_text("utf-8")
    old = 'ke_hoach: "100", muc_tieu: "100", co_quan: TNMT}'
    assert old in text
    pl1.write_text(text.replace(old, 'ke_hoach: "100", muc_tieu: Cơ bản hoàn thành, co_quan: TNMT}'), "utf-8")
    out = tmp_path / "out"
    res = cli("reports", plan_copy, "-o", out, "-j", "1")
    assert res.exit_code == 0, res.output
    blank = tmp_path / "blank"
    shutil.copytree(out / "tien-lu-2024" / "bao-cao", blank)
    return plan_copy, out / "tien-lu-2024", blank


def test_round_trip(setup, tmp_path):
    plan, out, blank = setup
    tckh = fill(blank / "TCKH.xlsx", tmp_path / "tckh-filled.xlsx",
                indicators={"thu-ns": (600, ""), "chi-ns": (654.247, "Đúng dự toán"), "chi-dt": (150, "Chậm giải ngân")},
                tasks={"nv07": ("Hoàn thành", "Chi đúng dự toán & <tiết kiệm> 5%"),
                       "nv16": ("Đang thực hiện", "Đã giải ngân 80%")},
                general={4: dt.datetime(2024, 12, 15), 5: "Nguồn thu đất giảm.\nGiá vật liệu tăng.",
                         6: "Đề nghị bổ sung vốn."})
    nv = fill(blank / "NV.xlsx", tmp_path / "nv.xlsx",
              indicators={"par": ("4/10", ""), "sipas": ("5/10", "Giảm 2 bậc")})
    vp = fill(blank / "VP.xlsx", tmp_path / "vp.xlsx", indicators={"cc-nn": ("10,5", ""), "gtsx": (8.61, "")})
    ld = fill(blank / "LDTBXH.xlsx", tmp_path / "ld.xlsx", indicators={"ho-ngheo": ("0,8", "")})
    tn = fill(blank / "TNMT.xlsx", tmp_path / "tn.xlsx", indicators={"da-bvmt": ("Đã hoàn thành", "")})
    res = cli("collect", plan, nv, tckh, vp, ld, tn, "-o", out.parent, "-j", "1")
    assert res.exit_code == 0, res.output
    assert "Chưa gửi báo cáo:" in res.output

    stored = yaml.safe_load((plan / "ket-qua" / "TCKH.yaml").read_text("utf-8"))
    assert stored["chi_tieu"]["thu-ns"] == {"uoc_thuc_hien": "600"}
    assert stored["chi_tieu"]["chi-ns"]["uoc_thuc_hien"] == "654,247"
    assert stored["nhiem_vu"]["nv07"] == {"trang_thai": "Hoàn thành", "ket_qua": "Chi đúng dự toán & <tiết kiệm> 5%"}
    assert stored["ngay_bao_cao"] == "15/12/2024"

    doc = Document(str(out / "bao-cao" / "TCKH.docx"))
    blocks = docx_text_blocks(out / "bao-cao" / "TCKH.docx")
    assert "Tiên Lữ, ngày 15 tháng 12 năm 2024" in blocks
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in doc.tables[-2].rows[1:]}
    assert rows["Thu ngân sách trên địa bàn"][5:] == ["600", "107,2", "Vượt"]
    assert rows["Chi ngân sách địa phương"][5:] == ["654,247", "100", "Đạt"]
    assert rows["Chi ngân sách địa phương: Chi đầu tư"][5:] == ["150", "96,6", "Không đạt"]
    assert rows["Chi ngân sách địa phương: Chi thường xuyên"][5:] == ["[…]", "", "Chưa có kết quả"]
    assert "- Tình trạng: Hoàn thành." in blocks and "- Kết quả: Chi đúng dự toán & <tiết kiệm> 5%" in blocks
    assert "- Tình trạng: Đang thực hiện." in blocks
    assert ["Nguồn thu đất giảm.", "Giá vật liệu tăng."] == blocks[blocks.index("III. KHÓ KHĂN, VƯỚNG MẮC") + 1:][:2]
    assert "Đề nghị bổ sung vốn./." in blocks
    assert "Tổng số 5 chỉ tiêu: 1 vượt, 1 đạt, 1 không đạt; 2 chưa có kết quả." in blocks
    assert [f for f in check_docx(out / "bao-cao" / "TCKH.docx") if f.level == "error"] == []

    summary = Document(str(out / "tong-hop.docx"))
    table = {r.cells[1].text: [c.text for c in r.cells] for r in summary.tables[-1].rows[1:]}
    assert table["Thu ngân sách trên địa bàn"][5:8] == ["600", "107,2", "Vượt"]
    assert table["Tỷ lệ hộ nghèo"][5:8] == ["0,8", "", "Đạt"]                # <1 met by 0,8
    assert table["Chỉ số Cải cách hành chính (PAR INDEX)"][5:8] == ["4/10", "", "Vượt"]   # rank 5/10, got 4/10
    assert table["Nông lâm nghiệp và thủy sản"][5:8] == ["10,5", "93,9", "Vượt"]          # lower is better
    assert table["Tốc độ tăng giá trị sản xuất theo giá so sánh"][5:8] == ["8,61", "100", "Đạt"]
    manual = table["Tỷ lệ số dự án đầu tư đáp ứng yêu cầu bảo vệ môi trường"]
    assert manual[7] == "Cần đánh giá thủ công"                              # a target in words
    sipas = [k for k in table if k.startswith("Chỉ số đánh giá sự hài lòng")][0]
    assert table[sipas][7] == "Không đạt"
    body = "\n".join(docx_text_blocks(out / "tong-hop.docx"))
    assert "Đã có 5/19 cơ quan, đơn vị gửi báo cáo." in body
    assert "- Phòng Tài chính - Kế hoạch;" not in body and "- Phòng Kinh tế và Hạ tầng;" in body
    assert "Phòng Tài chính - KH (khó khăn): Nguồn thu đất giảm." in body
    assert "Chi đầu tư: mục tiêu 155,282 tỷ đồng, ước thực hiện 150 tỷ đồng;" in body
    tckh_row = [r for r in summary.tables[1].rows if r.cells[1].text == "Phòng Tài chính - KH"][0]
    assert [c.text for c in tckh_row.cells[2:]] == ["3", "1", "1", "0", "1"]
    assert [f for f in check_docx(out / "tong-hop.docx") if f.level == "error"] == []

    # The workbook is rebuilt pre-filled, so the agency can correct and resend it.
    again = openpyxl.load_workbook(out / "bao-cao" / "TCKH.xlsx")["Chỉ tiêu"]
    assert again.cell(row=row_of(again, "thu-ns"), column=6).value == 600

    # A resubmission replaces the earlier one; other agencies' reports stay as they were.
    before = (out / "bao-cao" / "VP.docx").read_bytes()
    fixed = fill(out / "bao-cao" / "TCKH.xlsx", tmp_path / "tckh-2.xlsx", indicators={"chi-dt": (160, "")})
    res = cli("collect", plan, fixed, "-o", out.parent, "-j", "1")
    assert res.exit_code == 0, res.output
    assert "thay cho lần gửi trước" in res.output
    assert "bao-cao/VP.docx" not in res.output and "bao-cao/TCKH.docx" in res.output
    assert (out / "bao-cao" / "VP.docx").read_bytes() == before
    stored = yaml.safe_load((plan / "ket-qua" / "TCKH.yaml").read_text("utf-8"))
    assert stored["chi_tieu"]["chi-dt"]["uoc_thuc_hien"] == "160" and stored["chi_tieu"]["thu-ns"]["uoc_thuc_hien"] == "600"
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in Document(str(out / "bao-cao" / "TCKH.docx")).tables[-2].rows[1:]}
    assert rows["Chi ngân sách địa phương: Chi đầu tư"][5:] == ["160", "103", "Vượt"]


def test_later_workbook_in_one_call_wins(setup, tmp_path):
    plan, out, blank = setup
    a = fill(blank / "TK.xlsx", tmp_path / "a.xlsx", indicators={"ds-tn": ("0,9", "")})
    b = fill(blank / "TK.xlsx", tmp_path / "b.xlsx", indicators={"ds-tn": ("1,2", "")})
    res = cli("collect", plan, a, b, "-o", out.parent, "-j", "1")
    assert res.exit_code == 0, res.output
    assert yaml.safe_load((plan / "ket-qua" / "TK.yaml").read_text("utf-8"))["chi_tieu"]["ds-tn"]["uoc_thuc_hien"] == "1,2"


def test_results_written_by_hand_are_read(setup):
    plan, out, _ = setup
    (plan / "ket-qua").mkdir()
    (plan / "ket-qua" / "TK.yaml").write_text(
        "co_quan: TK\nchi_tieu:\n  ds-tn: {uoc_thuc_hien: '1,5', ghi_chu: Sinh nhiều}\n", "utf-8")
    res = cli("reports", plan, "-o", out.parent, "-j", "1")
    assert res.exit_code == 0, res.output
    row = Document(str(out / "bao-cao" / "TK.docx")).tables[-2].rows[1]
    assert [c.text for c in row.cells][5:] == ["1,5", "", "Không đạt"]


@pytest.mark.parametrize("tamper, where, words", [
    (lambda wb: wb["Chỉ tiêu"].cell(row=5, column=2, value="Thu ngân sách (đã sửa)"), "[Chỉ tiêu!B5]", "cột khóa"),
    (lambda wb: wb["Chỉ tiêu"].cell(row=5, column=6, value="trên 600"), "[Chỉ tiêu!F5]", "cần dạng 8,7"),
    (lambda wb: wb["Nhiệm vụ"].cell(row=5, column=5, value="Xong"), "[Nhiệm vụ!E5]", "tình trạng «Xong»"),
    (lambda wb: wb["kehoach"].cell(row=1, column=2, value="xa-2027"), "[kehoach!B1]", "thuộc kế hoạch «xa-2027»"),
    (lambda wb: wb["kehoach"].cell(row=2, column=2, value="VP"), "[Chỉ tiêu!A5]", "không thuộc phần giao"),
    (lambda wb: wb["Khó khăn - Đề xuất"].cell(row=4, column=2, value="31/02/2024"), "[Khó khăn - Đề xuất!B4]",
     "dd/mm/yyyy"),
    (lambda wb: wb["Chỉ tiêu"].delete_rows(6), "[Chỉ tiêu]", "thiếu dòng"),
    (lambda wb: wb["Chỉ tiêu"].cell(row=5, column=6, value="=500+100"), "[Chỉ tiêu!F5]", "công thức"),
])
def test_bad_workbooks_are_refused_with_their_cell(setup, tmp_path, tamper, where, words):
    plan, out, blank = setup
    wb = openpyxl.load_workbook(blank / "TCKH.xlsx")
    tamper(wb)
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    good = fill(blank / "VP.xlsx", tmp_path / "vp.xlsx", indicators={"gtsx": (8.7, "")})
    res = cli("collect", plan, good, bad, "-o", out.parent)
    assert res.exit_code == 1
    assert where in res.output and words in res.output, res.output
    assert "Traceback" not in res.output
    assert not (plan / "ket-qua").exists()     # all or nothing: the good workbook waits for the bad one


def test_a_figure_that_may_be_a_decimal_is_warned_with_its_cell(setup, tmp_path):
    """«654.247» is six hundred and fifty-four thousand in Vietnamese, but maybe a decimal typed the
    English way: stored as read, and warned with its cell, as in the appendix workbooks (found by a
    tester: accepted silently, then printed as exceeded by a million per cent)."""
    plan, out, blank = setup
    book = fill(blank / "TCKH.xlsx", tmp_path / "tckh.xlsx", indicators={"thu-ns": ("654.247", ""),
                                                                       "chi-ns": (1000, ""),
                                                                       "chi-dt": ("12.345.678", "")})
    res = cli("-v", "collect", plan, book, "-o", out.parent, "-j", "1")
    assert res.exit_code == 0, res.output
    cell = f"F{row_of(openpyxl.load_workbook(book)['Chỉ tiêu'], 'thu-ns')}"
    assert (f"tckh.xlsx [Chỉ tiêu!{cell}]: cảnh báo: chi_tieu.thu-ns.uoc_thuc_hien: ước thực hiện ghi «654.247»: "
            "đọc là 654.247 với dấu chấm ngăn cách hàng nghìn; nếu đó là số thập phân hãy ghi 654,247") in res.output
    # «12.345.678» can be no English decimal, and a number cell (1000) holds a number
    # however it was typed (found by an attack: «1.000 … hãy ghi 1,000»)
    assert res.output.count("dấu chấm ngăn cách hàng nghìn") == 1, res.output


def test_a_percentage_cell_under_the_unit_percent_prints_as_its_neighbours(setup, tmp_path):
    """0,008 in a cell formatted as % under the unit «%» is «0,8», not «0,8%» beside figures typed plain
    (found by a tester; the appendix workbooks already did so)."""
    plan, out, blank = setup
    book = fill(blank / "LDTBXH.xlsx", tmp_path / "ld.xlsx", indicators={"ho-ngheo": (0.008, "")})
    wb = openpyxl.load_workbook(book)
    ws = wb["Chỉ tiêu"]
    ws.cell(row=row_of(ws, "ho-ngheo"), column=6).number_format = "0.0%"
    wb.save(book)
    res = cli("collect", plan, book, "-o", out.parent, "-j", "1")
    assert res.exit_code == 0, res.output
    stored = yaml.safe_load((plan / "ket-qua" / "LDTBXH.yaml").read_text("utf-8"))
    assert stored["chi_tieu"]["ho-ngheo"]["uoc_thuc_hien"] == "0,8"


def test_not_a_workbook(setup, tmp_path):
    plan, out, _ = setup
    bad = tmp_path / "x.xlsx"
    bad.write_text("hello")
    res = cli("collect", plan, bad, "-o", out.parent)
    assert res.exit_code == 1 and "không phải tệp Office" in res.output


def test_workbook_of_another_plan(setup, tmp_path):
    plan, out, _ = setup
    res = cli("reports", FIXTURES / "xa-2027", "-o", tmp_path / "xa", "-j", "1")
    assert res.exit_code == 0
    res = cli("collect", plan, tmp_path / "xa" / "xa-2027" / "bao-cao" / "KT.xlsx", "-o", out.parent)
    assert res.exit_code == 1 and "[kehoach!B1]" in res.output and "«xa-2027»" in res.output


def test_workbook_from_before_an_amendment(setup, tmp_path):
    """Filled before a target changed: what still matches is accepted, the change is said plainly
    (old and new target, the cell), and --nhan-ket-qua-ban-cu takes the changed row too."""
    plan, out, blank = setup
    filled = fill(blank / "TCKH.xlsx", tmp_path / "tckh.xlsx",
                  indicators={"thu-ns": (600, ""), "chi-ns": (650, "")})
    pl1 = plan / "phu-luc-i.yaml"
    text = pl1.read_text("utf-8")
    old = '{ma: thu-ns, ten: Thu ngân sách trên địa bàn, don_vi: tỷ đồng, ke_hoach: "559,8", muc_tieu: "559,8"'
    assert old in text
    pl1.write_text(text.replace(old, old.replace('muc_tieu: "559,8"', 'muc_tieu: "580"')), "utf-8")
    res = cli("collect", plan, filled, "-o", out.parent)
    assert res.exit_code == 0, res.output
    assert "kế hoạch đã điều chỉnh sau khi gửi sổ này" in res.output
    assert "kế hoạch ghi «580», sổ nhập ghi «559,8»" in res.output and "[Chỉ tiêu!E" in res.output
    stored = (plan / "ket-qua" / "TCKH.yaml").read_text("utf-8")
    assert "chi-ns" in stored and "thu-ns" not in stored          # the unchanged row only
    res = cli("collect", plan, filled, "-o", out.parent, "--nhan-ket-qua-ban-cu")
    assert res.exit_code == 0, res.output
    assert "thu-ns" in (plan / "ket-qua" / "TCKH.yaml").read_text("utf-8")


def test_an_edited_locked_cell_is_still_an_error(setup, tmp_path):
    plan, out, blank = setup
    wb = openpyxl.load_workbook(blank / "TCKH.xlsx")
    wb["Chỉ tiêu"].cell(row=row_of(wb["Chỉ tiêu"], "thu-ns"), column=5).value = "1000"
    wb.save(tmp_path / "bad.xlsx")
    res = cli("collect", plan, tmp_path / "bad.xlsx", "-o", out.parent)
    assert res.exit_code == 1 and "cột khóa «Mục tiêu phấn đấu»" in res.output
