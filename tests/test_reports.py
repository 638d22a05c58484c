"""Agency report drafts, result-entry workbooks and the summary, built from the example (issue 4)."""

from __future__ import annotations

import re

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from docx import Document

from conftest import EXAMPLE, FIXTURES, build_reports, docx_text_blocks
from kehoach_docs.cli import main
from kehoach_docs.nd30.check import check_docx

# Who was assigned what, read straight from the data files (not through the model under test).
PL1 = yaml.safe_load((EXAMPLE / "phu-luc-i.yaml").read_text("utf-8"))
PL2 = yaml.safe_load((EXAMPLE / "phu-luc-ii.yaml").read_text("utf-8"))
REGISTRY = {a["ma"]: a for a in yaml.safe_load((EXAMPLE / "co-quan.yaml").read_text("utf-8"))["co_quan"]}


def indicators_of(code):
    out = []
    for g in PL1["nhom"]:
        for ct in g["chi_tieu"]:
            for x in [ct, *ct.get("chi_tiet", [])]:
                if x.get("co_quan") == code:
                    out.append(x)
    return out


def tasks_of(code):
    return [t for t in PL2["nhiem_vu"] if t["chu_tri"] == code or code in (t.get("phoi_hop") or [])]


def agencies_with_work():
    codes = {x.get("co_quan") for g in PL1["nhom"] for ct in g["chi_tieu"]
             for x in [ct, *ct.get("chi_tiet", [])]}
    for t in PL2["nhiem_vu"]:
        codes.add(t["chu_tri"])
        codes.update(t.get("phoi_hop") or [])
    return {c for c in codes if c and not REGISTRY[c].get("nhom")}


def test_one_draft_and_workbook_per_agency(reports_out):
    drafts = {p.stem for p in (reports_out / "bao-cao").glob("*.docx")}
    books = {p.stem for p in (reports_out / "bao-cao").glob("*.xlsx")}
    assert drafts == books == agencies_with_work()
    assert "XA" not in drafts            # "UBND các xã" is a group, not an agency that reports
    assert (reports_out / "tong-hop.docx").exists()


def test_every_draft_passes_the_nd30_check(reports_out):
    for path in [*sorted((reports_out / "bao-cao").glob("*.docx")), reports_out / "tong-hop.docx"]:
        errors = [f for f in check_docx(path) if f.level == "error"]
        assert errors == [], (path.name, [str(e) for e in errors])


@pytest.mark.parametrize("code", ["TCKH", "VP", "KTHT", "TK", "BHXH", "TTR"])
def test_draft_holds_exactly_the_agencys_tasks_and_indicators(reports_out, code):
    doc = Document(str(reports_out / "bao-cao" / f"{code}.docx"))
    body = "\n".join(docx_text_blocks(reports_out / "bao-cao" / f"{code}.docx"))
    mine = tasks_of(code)
    for t in PL2["nhiem_vu"]:
        head = t["noi_dung"].rstrip(" .;")[:60]
        assert (head in body) == (t in mine), (code, t["ma"])
    led = [t for t in mine if t["chu_tri"] == code]
    numbered = re.findall(r"^(\d+)\.(\d+)\. ", body, re.M)
    assert len(numbered) == len(mine)
    assert ("1. Nhiệm vụ chủ trì thực hiện" in body) == bool(led)
    # section II: the indicator table holds exactly this agency's indicators, in order
    tables = [t for t in doc.tables if t.rows[0].cells[0].text == "STT"]
    names = [ct["ten"] for ct in indicators_of(code)]
    if names:
        rows = tables[0].rows[1:]
        assert len(rows) == len(names)
        for row, ct in zip(rows, indicators_of(code)):
            cells = [c.text for c in row.cells]
            assert cells[1].endswith(ct["ten"])
            assert cells[3] == str(ct.get("ke_hoach", "")) and cells[4] == str(ct.get("muc_tieu", ""))
            assert cells[5] == "[…]" and cells[7] in ("Chưa có kết quả", "Chưa có mục tiêu")
    else:
        assert not tables
        assert "Cơ quan không được giao theo dõi chỉ tiêu trong Phụ lục I của Kế hoạch." in body


def test_draft_header_signature_and_fill_in_marks(reports_out):
    blocks = docx_text_blocks(reports_out / "bao-cao" / "TCKH.docx")
    body = "\n".join(blocks)
    assert blocks[:3] == ["UBND HUYỆN TIÊN LỮ", "PHÒNG TÀI CHÍNH -", "KẾ HOẠCH"]   # broken where a reader would
    assert re.search(r"^Số:\s+/BC-TCKH$", body, re.M)
    assert "BÁO CÁO" in blocks
    assert "Kết quả thực hiện Kế hoạch hành động số" in body and "của Ủy ban nhân dân huyện Tiên Lữ" in body
    assert "Kính gửi: Ủy ban nhân dân huyện Tiên Lữ." in blocks
    for title in ("I. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ ĐƯỢC GIAO", "II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU",
                  "III. KHÓ KHĂN, VƯỚNG MẮC", "IV. ĐỀ XUẤT, KIẾN NGHỊ"):
        assert title in blocks
    nn = blocks.index("Nơi nhận:")
    assert blocks[nn + 1:nn + 3] == ["- Như trên;", "- Lưu: VT."]
    assert "TRƯỞNG PHÒNG" in blocks
    assert "None" not in body
    assert body.count("- Kết quả: [cần bổ sung]") == len(tasks_of("TCKH"))
    assert "[cần bổ sung]./." in blocks
    # the mark is highlighted so it cannot pass for finished text
    doc = Document(str(reports_out / "bao-cao" / "TCKH.docx"))
    marks = [r for p in doc.paragraphs for r in p.runs if r.text == "[cần bổ sung]"]
    assert marks and all(r.font.highlight_color is not None for r in marks)


def test_agency_outside_the_district_keeps_its_own_parent_body(reports_out):
    blocks = docx_text_blocks(reports_out / "bao-cao" / "BHXH.docx")
    assert blocks[:3] == ["BẢO HIỂM XÃ HỘI TỈNH HƯNG YÊN", "BẢO HIỂM XÃ HỘI", "HUYỆN TIÊN LỮ"]
    assert "GIÁM ĐỐC" in blocks


def test_summary_lists_every_indicator_and_every_agency_missing(reports_out):
    doc = Document(str(reports_out / "tong-hop.docx"))
    body = "\n".join(docx_text_blocks(reports_out / "tong-hop.docx"))
    assert re.search(r"^Số:\s+/BC-UBND$", body, re.M)
    assert "Chưa có cơ quan, đơn vị nào gửi báo cáo (0/19)." in body
    for code in agencies_with_work():
        assert f"- {REGISTRY[code]['ten']}" in body
    appendix = doc.tables[-1]
    codes = [x["ma"] for g in PL1["nhom"] for ct in g["chi_tieu"] for x in [ct, *ct.get("chi_tiet", [])]]
    assert len(appendix.rows) == 1 + len(PL1["nhom"]) + len(codes)
    assert "Tổng số 33 nhiệm vụ: 0 hoàn thành, 0 đang thực hiện, 0 chưa thực hiện; 33 nhiệm vụ chưa có báo cáo." \
        in body


def test_workbook_is_protected_and_validated(reports_out):
    wb = openpyxl.load_workbook(reports_out / "bao-cao" / "VP.xlsx")
    assert wb.sheetnames == ["Hướng dẫn", "Chỉ tiêu", "Nhiệm vụ", "Khó khăn - Đề xuất", "kehoach"]
    assert wb["kehoach"].sheet_state == "hidden"
    ind, tasks = wb["Chỉ tiêu"], wb["Nhiệm vụ"]
    assert ind.protection.sheet and tasks.protection.sheet
    assert [ind.cell(row=r, column=1).value for r in range(5, ind.max_row + 1)] == \
        [ct["ma"] for ct in indicators_of("VP")]
    assert ind["A5"].protection.locked and ind["B5"].protection.locked
    # aligned as the appendices align the columns: names left, units and figures centred (a reviewer
    # found the plan's figures, kept as text, printed left)
    assert ind["B5"].alignment.horizontal == "left" and ind["C5"].alignment.horizontal == "center"
    assert ind["D5"].alignment.horizontal == "center" and ind["F5"].alignment.horizontal == "center"
    assert not ind["F5"].protection.locked and not ind["G5"].protection.locked
    kinds = {dv.type: str(dv.sqref) for dv in ind.data_validations.dataValidation}
    assert "decimal" in kinds and "F5" in kinds["decimal"]
    status = [dv for dv in tasks.data_validations.dataValidation if dv.type == "list"]
    assert status and status[0].formula1 == '"Hoàn thành,Đang thực hiện,Chưa thực hiện"'
    assert "E5" in str(status[0].sqref)
    assert [tasks.cell(row=r, column=1).value for r in range(5, tasks.max_row + 1)] == \
        [t["ma"] for t in tasks_of("VP")]
    assert "Cách điền:" in [c.value for c in wb["Hướng dẫn"]["A"]]
    # a rank indicator takes text such as 4/10, never a date
    pl = openpyxl.load_workbook(reports_out / "bao-cao" / "NV.xlsx")["Chỉ tiêu"]
    rank_rows = [r for r in range(5, pl.max_row + 1) if pl.cell(row=r, column=3).value == "Xếp hạng"]
    assert rank_rows and all(pl.cell(row=r, column=6).number_format == "@" for r in rank_rows)


def test_only_the_last_section_is_kept_with_the_signature(reports_out):
    """«III. KHÓ KHĂN, VƯỚNG MẮC» and its text do not chain to the signature: chained, LibreOffice
    broke the long chain after the heading and left it alone at a page foot (found on the pages)."""
    paras = Document(reports_out / "bao-cao" / "VP.docx").paragraphs
    texts = [p.text for p in paras]
    iii, iv = texts.index("III. KHÓ KHĂN, VƯỚNG MẮC"), texts.index("IV. ĐỀ XUẤT, KIẾN NGHỊ")

    def kept(p):
        own = p.paragraph_format.keep_with_next
        return own if own is not None else bool(p.style.paragraph_format.keep_with_next)
    assert kept(paras[iii]) and not any(kept(p) for p in paras[iii + 1:iv])
    assert kept(paras[iv]) and kept(paras[iv + 1])      # the last section stays with the signature


def test_workbook_pages_are_numbered_as_nd30_numbers_a_document(reports_out):
    """Every printed sheet (agency workbook, the plan's appendices) is numbered at the top centre in
    Times New Roman, page 1 without a number, the number clear of the table; no footer (a reviewer
    found «1/2» from page 1, clipped at the foot, in the default font)."""
    books = [reports_out / "bao-cao" / "VP.xlsx", reports_out / "bao-cao" / "TCKH.xlsx"]
    for book in books:
        for ws in openpyxl.load_workbook(book).worksheets:
            if ws.sheet_state == "hidden":
                continue
            assert ws.HeaderFooter.differentFirst, (book.name, ws.title)
            assert ws.oddHeader.center.text == "&P" and ws.oddHeader.center.font == "Times New Roman,Regular"
            assert ws.oddHeader.center.size in (13, 14)
            assert not ws.oddFooter.center.text and not ws.firstHeader.center.text
            assert ws.page_margins.header + 0.25 <= ws.page_margins.top


def test_agency_option_builds_only_that_agency(tmp_path):
    res = CliRunner().invoke(main, ["reports", str(EXAMPLE), "-o", str(tmp_path), "--agency", "TK", "-j", "1"])
    assert res.exit_code == 0, res.output
    files = sorted(p.relative_to(tmp_path / "tien-lu-2024").as_posix()
                   for p in (tmp_path / "tien-lu-2024").rglob("*") if p.is_file() and not p.name.startswith("."))
    assert files == ["bao-cao/TK.docx", "bao-cao/TK.xlsx"]


def test_unknown_agency_is_a_clear_error(tmp_path):
    res = CliRunner().invoke(main, ["reports", str(EXAMPLE), "-o", str(tmp_path), "--agency", "XYZ"])
    assert res.exit_code == 1
    assert "XYZ" in res.output and "TCKH" in res.output and "Traceback" not in res.output


def test_commune_plan_reports(tmp_path):
    plan, outcome = build_reports(FIXTURES / "xa-2027", tmp_path)
    assert not outcome.failed
    folder = tmp_path / "xa-2027"
    blocks = docx_text_blocks(folder / "bao-cao" / "KT.docx")
    assert blocks[0] == plan.ke_hoach.co_quan_ban_hanh.ten_cap_tren
    assert "huyện" not in "\n".join(blocks).lower().replace("huyện tiên lữ", "")
    for p in [*folder.glob("bao-cao/*.docx"), folder / "tong-hop.docx"]:
        assert [f for f in check_docx(p) if f.level == "error"] == []


def test_line_breaks_and_tabs_in_values_become_word_breaks():
    from kehoach_docs.context.report_doc import report_context
    from kehoach_docs.render.docx_engine import prepared
    from kehoach_docs.source.plan_dir import load_plan
    from conftest import TEMPLATES
    ctx = report_context(load_plan(EXAMPLE), "TK")
    ctx["mo_dau"] = "Dòng 1\nDòng 2\tsau & <tab>"
    xml = prepared(str(TEMPLATES / "bao-cao.docx")).render_parts(ctx)["word/document.xml"].decode()
    assert "<w:br/>" in xml
    assert "<w:tab/>" in xml and "&amp; &lt;tab&gt;" in xml
    plain = prepared(str(TEMPLATES / "bao-cao.docx")).render_parts(report_context(load_plan(EXAMPLE), "TK"))
    assert "<w:br/>" not in plain["word/document.xml"].decode()


def test_values_without_line_breaks_skip_the_search_for_them(monkeypatch):
    """The line end after a part's XML declaration is not a break in a value: a document without
    any is not searched text by text for one (a pattern's walk, a fifth of its render)."""
    from kehoach_docs.context.report_doc import report_context
    from kehoach_docs.render import docx_engine
    from kehoach_docs.source.plan_dir import load_plan
    from conftest import TEMPLATES
    tpl = docx_engine.PreparedTemplate(TEMPLATES / "bao-cao.docx")
    assert re.match(rb"<\?xml [^>]*\?>\r?\n<", tpl.parts["word/document.xml"])

    class NotNeeded:
        def search(self, xml):
            raise AssertionError("a document without line breaks searched for them")
    monkeypatch.setattr(docx_engine, "_BREAK_IN_TEXT", NotNeeded())
    xml = tpl.render_parts(report_context(load_plan(EXAMPLE), "TK"))["word/document.xml"].decode()
    assert "<w:br/>" not in xml and "Kính gửi" in xml
