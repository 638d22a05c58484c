"""``kehoach diff``: an amended copy against the example lists exactly the changes made (issue 5)."""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from conftest import EXAMPLE, docx_text_blocks
from kehoach_docs.cli import main

NEW_TASK = """  - ma: nv34
    noi_dung: Tổ chức Đại hội Thể dục thể thao huyện lần thứ X & <giải> "bóng đá"
    thuoc: quoc-phong-an-ninh
    chu_tri: VHTT
    phoi_hop: [XA]
    thoi_han: Quý III/2024
"""

# (part, where, kind, old, new) of every change the amendment makes
EXPECTED = [
    ("Căn cứ", "Căn cứ thứ 1", "Sửa",
     "Căn cứ Nghị quyết số 01/NQ-CP", "Căn cứ Nghị quyết số 01/NQ-CP"),
    ("Nội dung", "Mục II.1.", "Sửa", "- Thu ngân sách Nhà nước trên địa bàn huyện 559,8 tỷ đồng",
     "- Thu ngân sách Nhà nước trên địa bàn huyện 600 tỷ đồng"),
    ("Nội dung", "Mục III.2.1.", "Sửa", "- Đẩy mạnh thanh tra, kiểm tra thuế.", "- Đẩy mạnh thanh tra, kiểm tra về thuế."),
    ("Chỉ tiêu (Phụ lục I)", "Phụ lục I, I.3", "Sửa", "559,8", "600"),
    ("Nhiệm vụ (Phụ lục II)", "Phụ lục II, STT 7", "Sửa", "Phòng Tài chính - KH", "Phòng Nội vụ huyện"),
    ("Nhiệm vụ (Phụ lục II)", "Phụ lục II, STT 34", "Thêm", "", "Tổ chức Đại hội Thể dục thể thao huyện lần thứ X & <giải> \"bóng đá\""),
]


def amend(folder):
    def edit(name, old, new):
        p = folder / name
        text = p.read_text("utf-8")
        assert text.count(old) == 1, old
        p.write_text(text.replace(old, new), "utf-8")
    edit("phu-luc-i.yaml", 'muc_tieu: "559,8", co_quan: TCKH', 'muc_tieu: "600", co_quan: TCKH')
    edit("phu-luc-ii.yaml", "    chu_tri: TCKH\n    phoi_hop: [VP, XA]", "    chu_tri: NV\n    phoi_hop: [VP, XA]")
    (folder / "phu-luc-ii.yaml").write_text((folder / "phu-luc-ii.yaml").read_text("utf-8") + NEW_TASK, "utf-8")
    edit("ke-hoach.yaml", "Đẩy mạnh thanh tra, kiểm tra thuế.", "Đẩy mạnh thanh tra, kiểm tra về thuế.")
    edit("ke-hoach.yaml", "    van_ban: [nq01-cp, kl726-tu]", "    van_ban: [nq01-cp]")


def check_rows(rows):
    """``rows``: (part, where, kind, old, new) as the output shows them."""
    assert len(rows) == len(EXPECTED), rows
    for got, exp in zip(rows, EXPECTED):
        assert got[:3] == exp[:3], (got, exp)
        assert got[3].startswith(exp[3]) and got[4].startswith(exp[4]), (got, exp)
    basis_old, basis_new = rows[0][3], rows[0][4]
    assert "Kết luận số 726-KL/TU" in basis_old and "726-KL/TU" not in basis_new


@pytest.fixture
def amended(tmp_path):
    dst = tmp_path / "tien-lu-2024"
    shutil.copytree(EXAMPLE, dst, ignore=shutil.ignore_patterns("ket-qua"))
    amend(dst)
    return dst


def test_diff_lists_exactly_the_changes(amended, tmp_path):
    out = tmp_path / "bang" / "so-sanh.docx"
    res = CliRunner().invoke(main, ["diff", str(EXAMPLE), str(amended), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "Chỉ tiêu (Phụ lục I): 1 sửa" in res.output
    assert "Nhiệm vụ (Phụ lục II): 1 sửa, 1 thêm" in res.output
    assert "[Sửa] Phụ lục I, I.3 – Thu ngân sách trên địa bàn: Mục tiêu phấn đấu: «559,8» → «600»" in res.output
    # an official attachment: versions named as documents, no folder, revision or internal code
    blocks = docx_text_blocks(out)
    assert "So sánh bản đã ban hành với bản điều chỉnh: có 6 nội dung thay đổi, cụ thể:" in blocks
    text = "\n".join(blocks)
    assert str(EXAMPLE) not in text and "thu-ns" not in text and "nv07" not in text and "@" not in text
    assert "- Nhiệm vụ (Phụ lục II): 1 sửa, 1 thêm./." in blocks     # the text ends as ND30 asks

    table = Document(str(out)).tables[-1]
    rows, part = [], None
    for row in table.rows[1:]:
        cells = [c.text for c in row.cells]
        if cells[2] == cells[3] == "" and cells[4] == "":
            part = cells[1]
            continue
        rows.append((part, row.cells[1].paragraphs[0].text, cells[4], cells[2], cells[3]))
    check_rows(rows)
    # the changed words are marked in the document, the rest is plain
    moi = table.rows[-1 - 3].cells[3]      # the thu-ns row, new value
    assert [(r.text, bool(r.bold)) for r in moi.paragraphs[0].runs if r.text] == [("600", True)]
    blocks = docx_text_blocks(out)
    assert "BẢNG SO SÁNH" in blocks
    assert any(b.startswith("Nội dung điều chỉnh Kế hoạch hành động số") for b in blocks)

    ws = openpyxl.load_workbook(out.with_suffix(".xlsx"))["Bảng so sánh"]
    xrows = [tuple(c.value or "" for c in r[1:]) for r in ws.iter_rows(min_row=5)]
    check_rows([(r[0], r[1], r[5], r[3], r[4]) for r in xrows])


def test_diff_against_a_git_revision(amended, tmp_path):
    repo = tmp_path
    git = ["git", "-c", "user.name=Văn thư", "-c", "user.email=vt@example.vn", "-C", str(repo)]
    plan = repo / "plans" / "tien-lu-2024"
    plan.parent.mkdir()
    shutil.copytree(EXAMPLE, plan, ignore=shutil.ignore_patterns("ket-qua"))
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "plans"], check=True)
    subprocess.run([*git, "commit", "-qm", "ban đầu"], check=True)
    amend(plan)
    out = tmp_path / "so-sanh.docx"
    res = CliRunner().invoke(main, ["diff", "HEAD", str(plan), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "Nhiệm vụ (Phụ lục II): 1 sửa, 1 thêm" in res.output
    # the versions carry the clerk's names, not the revision
    res = CliRunner().invoke(main, ["diff", "HEAD", str(plan), "-o", str(out), "--ten-ban-cu",
                                    "Kế hoạch số 05/KH-UBND", "--ten-ban-moi", "dự thảo điều chỉnh lần 1"])
    blocks = docx_text_blocks(out)
    assert any(b.startswith("So sánh Kế hoạch số 05/KH-UBND với dự thảo điều chỉnh lần 1:") for b in blocks)
    assert not any("HEAD" in b for b in blocks)

    res = CliRunner().invoke(main, ["diff", "khong-co-phien-ban", str(plan), "-o", str(out)])
    assert res.exit_code == 1
    assert "không có phiên bản git «khong-co-phien-ban»" in res.output and "Traceback" not in res.output


def test_same_plan_has_no_changes(tmp_path):
    out = tmp_path / "so-sanh.docx"
    res = CliRunner().invoke(main, ["diff", str(EXAMPLE), str(EXAMPLE), "-o", str(out)])
    assert res.exit_code == 0
    assert "Hai phiên bản không khác nhau." in res.output
    assert len(Document(str(out)).tables) == 1       # the header table only


def test_neither_argument_is_a_folder(tmp_path):
    res = CliRunner().invoke(main, ["diff", "HEAD", "HEAD~1"])
    assert res.exit_code == 1 and "đều không phải thư mục" in res.output, res.output


def _received_workbook(example_out, dst, target):
    """The example's Phụ lục I as a clerk receives it back: «thu-ns» set to ``target``, saved elsewhere."""
    from kehoach_docs.model.tables import INDICATORS
    keys = [c.key for c in INDICATORS.columns]
    wb = openpyxl.load_workbook(example_out / "phu-luc-i.xlsx")
    ws = wb.active
    row = next(r for r in ws.iter_rows(min_row=INDICATORS.header_row + 1) if r[keys.index("ma")].value == "thu-ns")
    row[keys.index("muc_tieu")].value = target
    dst.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dst)
    return dst


def test_diff_of_two_workbooks_without_git(example_out, tmp_path, monkeypatch):
    """Two versions of phu-luc-i.xlsx received by mail, compared without a folder per version and
    without git; the file names do not decide which appendix a workbook is."""
    mail = tmp_path / "thu-den"
    old = mail / "phu-luc-i.xlsx"
    shutil.copy(example_out / "phu-luc-i.xlsx", mail.mkdir() or old)
    new = _received_workbook(example_out, mail / "phu-luc-i (2).xlsx", "600")
    out = tmp_path / "so-sanh.docx"
    res = CliRunner().invoke(main, ["diff", str(old), str(new), "--ke-hoach", str(EXAMPLE), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "Chỉ tiêu (Phụ lục I): 1 sửa" in res.output
    # the section text quotes the target through {ct:thu-ns}, so it changes with it; nothing else does
    assert "Nội dung: 1 sửa" in res.output and "Phụ lục II" not in res.output
    rows = [[c.text for c in r.cells] for r in Document(str(out)).tables[-1].rows]
    assert any(r[1].startswith("Phụ lục I, I.3") and r[2] == "559,8" and r[3] == "600" for r in rows), rows
    assert not any("thu-den" in b or ".xlsx" in b for b in docx_text_blocks(out))

    # inside the plan folder, the plan is the current one; a folder against a workbook works too
    plan = tmp_path / "tien-lu-2024"
    shutil.copytree(EXAMPLE, plan, ignore=shutil.ignore_patterns("ket-qua"))
    monkeypatch.chdir(plan)
    res = CliRunner().invoke(main, ["diff", str(old), str(new), "-o", str(out)])
    assert res.exit_code == 0 and "Chỉ tiêu (Phụ lục I): 1 sửa" in res.output, res.output
    res = CliRunner().invoke(main, ["diff", str(plan), str(new), "-o", str(out)])
    assert res.exit_code == 0 and "Chỉ tiêu (Phụ lục I): 1 sửa" in res.output, res.output


def test_diff_of_workbooks_says_what_is_wrong(example_out, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    old = tmp_path / "phu-luc-i.xlsx"
    shutil.copy(example_out / "phu-luc-i.xlsx", old)
    # no plan to read them into
    res = CliRunner().invoke(main, ["diff", str(old), str(old)])
    assert res.exit_code != 0 and "--ke-hoach THƯ_MỤC_KẾ_HOẠCH" in res.output, res.output
    # a workbook that is no appendix, and a damaged one
    other = tmp_path / "khac.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Danh sách"
    wb.save(other)
    res = CliRunner().invoke(main, ["diff", str(other), str(old), "--ke-hoach", str(EXAMPLE)])
    assert res.exit_code != 0 and "khac.xlsx" in res.output and "không phải sổ phụ lục" in res.output, res.output
    (tmp_path / "hong.xlsx").write_bytes(b"PK\x03\x04 not a zip")
    res = CliRunner().invoke(main, ["diff", "hong.xlsx", str(old), "--ke-hoach", str(EXAMPLE)])
    assert res.exit_code != 0 and "hong.xlsx" in res.output, res.output
    # a bad figure in the received workbook is named by its cell in that workbook
    bad = _received_workbook(example_out, tmp_path / "moi.xlsx", "=A1*2")
    res = CliRunner().invoke(main, ["diff", str(old), str(bad), "--ke-hoach", str(EXAMPLE)])
    assert res.exit_code != 0 and "moi.xlsx" in res.output, res.output
    for r in (res,):
        assert "Traceback" not in r.output


def test_the_screen_summary_shows_where_a_long_text_changed():
    """Found by a tester: a task reworded near its end showed «…sử dụng dự p…» → «…sử dụng dự p…»."""
    from kehoach_docs.cli import _shown_change
    head = "Rà soát, đề xuất điều chỉnh, bổ sung quy hoạch xây dựng vùng đến năm 2045 và sử dụng dự "
    old, new = _shown_change(head + "phòng ngân sách", head + "toán chi thường xuyên")
    assert old.endswith("dự phòng ngân sách»") and new.endswith("dự toán chi thường xuyên»")
    assert old.startswith("«…") and len(old) <= 64
    assert _shown_change("8,61", "9,2") == ("«8,61»", "«9,2»")
    assert _shown_change("", "Phòng Tư pháp") == ("(không có)", "«Phòng Tư pháp»")
