"""Value columns declared per plan (``cot`` in phu-luc-i.yaml): a previous-year column beside one
figure, a five-year plan's target per year. Every document, workbook, reader, evaluation and
comparison follows the declaration; nothing in the code names those columns."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from conftest import FIXTURES, build_plan, build_reports, docx_text_blocks
from kehoach_docs.cli import main
from kehoach_docs.context.summary_doc import indicator_table
from kehoach_docs.model.evaluation import assess
from kehoach_docs.problems import InvalidInput
from kehoach_docs.source.plan_dir import load_plan


def _appendix_table(path: Path):
    doc = Document(str(path))
    return next(t for t in doc.tables if [c.text for c in t.rows[0].cells][:2] == ["STT", "Chỉ tiêu"])


def _row(table, name: str) -> list[str]:
    return next([c.text for c in r.cells] for r in table.rows if r.cells[1].text == name)


def test_one_figure_beside_the_previous_year(tmp_path):
    _, outcome = build_plan(FIXTURES / "tinh-qd-2026", tmp_path)
    t = _appendix_table(tmp_path / "tinh-qd-2026" / "quyet-dinh.docx")
    assert [c.text for c in t.rows[0].cells] == ["STT", "Chỉ tiêu", "Đơn vị tính", "Thực hiện năm 2025",
                                                "Kế hoạch năm 2026", "Cơ quan chủ trì theo dõi, đánh giá"]
    assert _row(t, "Thu ngân sách nhà nước trên địa bàn") == ["4", "Thu ngân sách nhà nước trên địa bàn", "tỷ đồng",
                                                              "40.120", "42.500", "Sở Tài chính"]
    # two peer indicators under one number; the note for the marker "[1]" under the table
    assert _row(t, "Số bác sĩ trên 10.000 dân")[0] == "2" and _row(t, "Số giường bệnh trên 10.000 dân")[0] == ""
    assert _row(t, "Tỷ lệ trường đạt chuẩn quốc gia")[0] == "3"
    blocks = docx_text_blocks(tmp_path / "tinh-qd-2026" / "quyet-dinh.docx")
    assert "[1] Không kể bác sĩ hành nghề y học cổ truyền tư nhân." in blocks
    # the grid follows the cells (no stray column left from the template's loop)
    assert len(t.columns) == 6
    widths = [int(g.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}w"))
              for g in t._tbl.tblGrid.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}gridCol")]
    assert widths[1] == max(widths) and min(widths) >= 800


def test_five_year_plan_with_a_target_per_year(tmp_path):
    build_plan(FIXTURES / "tinh-kem-theo-2026-2030", tmp_path)
    build_reports(FIXTURES / "tinh-kem-theo-2026-2030", tmp_path)
    folder = tmp_path / "tinh-kem-theo-2026-2030"
    t = _appendix_table(folder / "quyet-dinh.docx")
    assert [c.text for c in t.rows[0].cells][3:9] == ["Mục tiêu đến năm 2030", "Năm 2026", "Năm 2027", "Năm 2028",
                                                     "Năm 2029", "Năm 2030"]
    assert _row(t, "Tỷ lệ đô thị hóa")[3:9] == ["từ 40 trở lên", "33", "35", "37", "39", "40"]
    # the report tables print the period's target and this year's, which results are judged against
    summary = _appendix_table(folder / "tong-hop.docx")
    assert [c.text for c in summary.rows[0].cells][3:6] == ["Mục tiêu đến năm 2030", "Năm 2026", "Ước thực hiện"]
    wb = openpyxl.load_workbook(folder / "bao-cao" / "SXD.xlsx")
    ws = wb["Chỉ tiêu"]
    assert [c.value for c in ws[4]][:6] == ["Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Mục tiêu đến năm 2030",
                                            "Năm 2026", "Ước thực hiện"]


def test_results_judged_against_the_declared_basis():
    plan = load_plan(FIXTURES / "tinh-kem-theo-2026-2030")
    ct, policy = plan.chi_tieu["do-thi"], plan.ke_hoach.danh_gia
    assert assess(ct, "34", policy).verdict.value == "Vượt"         # against 2026's 33, not 2030's 40
    assert assess(ct, "32", policy).verdict.value == "Không đạt"
    hn = plan.chi_tieu["ho-ngheo"]
    assert assess(hn, "giảm 4,2%", policy).verdict.value == "Vượt"   # "giảm 4%" this year


@pytest.mark.parametrize("name", ["tinh-qd-2026", "tinh-kem-theo-2026-2030", "xa-pl2-2026", "xa-2027"])
def test_workbook_round_trip_gives_the_same_plan(tmp_path, name):
    plan = load_plan(FIXTURES / name)
    build_plan(FIXTURES / name, tmp_path / "out")
    copy = tmp_path / "wb" / name
    shutil.copytree(FIXTURES / name, copy)
    for stem in ("phu-luc-i", "phu-luc-ii"):
        if (copy / f"{stem}.yaml").exists():
            (copy / f"{stem}.yaml").unlink()
            shutil.copy(tmp_path / "out" / name / f"{stem}.xlsx", copy / f"{stem}.xlsx")
    back = load_plan(copy)
    assert back.phu_luc_i == plan.phu_luc_i and back.phu_luc_ii == plan.phu_luc_ii
    assert [r["danh_gia"] for r in indicator_table(back)] == [r["danh_gia"] for r in indicator_table(plan)]


def test_damaged_column_declaration_in_the_workbook_is_located(tmp_path):
    build_plan(FIXTURES / "tinh-qd-2026", tmp_path / "out")
    copy = tmp_path / "wb" / "tinh-qd-2026"
    shutil.copytree(FIXTURES / "tinh-qd-2026", copy)
    (copy / "phu-luc-i.yaml").unlink()
    wb = openpyxl.load_workbook(tmp_path / "out" / "tinh-qd-2026" / "phu-luc-i.xlsx")
    ws = wb.active
    cell = next(c for c in ws[2] if isinstance(c.value, str) and c.value.startswith("[{"))
    cell.value = "[{hỏng"
    wb.save(copy / "phu-luc-i.xlsx")
    with pytest.raises(InvalidInput) as exc:
        load_plan(copy)
    assert f"[Phụ lục I!{cell.coordinate}]" in str(exc.value.problems.errors[0])


def test_diff_names_a_declared_column(tmp_path):
    old = tmp_path / "old" / "tinh-kem-theo-2026-2030"
    new = tmp_path / "new" / "tinh-kem-theo-2026-2030"
    shutil.copytree(FIXTURES / "tinh-kem-theo-2026-2030", old)
    shutil.copytree(FIXTURES / "tinh-kem-theo-2026-2030", new)
    p = new / "phu-luc-i.yaml"
    p.write_text(p.read_text("utf-8").replace('nam_2027: "35"', 'nam_2027: "36"'), "utf-8")
    res = CliRunner().invoke(main, ["diff", str(old), str(new), "-o", str(tmp_path / "ss" / "so-sanh.docx")])
    assert res.exit_code == 0, res.output
    assert "Tỷ lệ đô thị hóa: Năm 2027" in res.output and "35" in res.output and "36" in res.output


@pytest.mark.parametrize("edit, words", [
    (('nam_2026: "33"', 'nam_2026: "33", nam_2031: "45"'), "cột «nam_2031» không có trong khai báo cot"),
    (('ke_hoach: "từ 40 trở lên"', 'ke_hoach: "từ 40 trở lên", muc_tieu: "41"'),
     "chỉ tiêu có muc_tieu nhưng Phụ lục I không in cột này"),
    (('  - {ma: nam_2027, tieu_de: "Năm 2027"}\n', '  - {ma: nam_2027}\n'), "cần tieu_de"),
    (('  - {ma: nam_2027, tieu_de: "Năm 2027"}\n', '  - {ma: nam_2026, tieu_de: "Năm 2027"}\n'), "khai báo hai lần"),
])
def test_declaration_errors_are_located(tmp_path, edit, words):
    plan = tmp_path / "p"
    shutil.copytree(FIXTURES / "tinh-kem-theo-2026-2030", plan)
    p = plan / "phu-luc-i.yaml"
    text = p.read_text("utf-8")
    assert edit[0] in text
    p.write_text(text.replace(edit[0], edit[1], 1), "utf-8")
    with pytest.raises(InvalidInput) as exc:
        load_plan(plan)
    msg = "\n".join(map(str, exc.value.problems.errors))
    assert words in msg and "phu-luc-i.yaml:" in msg


def test_basis_must_be_a_declared_column(tmp_path):
    plan = tmp_path / "p"
    shutil.copytree(FIXTURES / "tinh-kem-theo-2026-2030", plan)
    p = plan / "ke-hoach.yaml"
    p.write_text(p.read_text("utf-8").replace("can_cu: nam_2026", "can_cu: nam_2035"), "utf-8")
    with pytest.raises(InvalidInput) as exc:
        load_plan(plan)
    msg = str(exc.value.problems.errors[0])
    assert "ke-hoach.yaml:" in msg and "danh_gia.can_cu" in msg and "nam_2026" in msg
