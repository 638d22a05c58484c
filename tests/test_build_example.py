"""Issue 2: the built-in example reproduces the Tiên Lữ 2024 plan."""

from __future__ import annotations

import difflib
import re
import unicodedata

import openpyxl
import yaml
from docx import Document

from conftest import EXAMPLE, FIXTURES, build_plan, docx_text_blocks

SEED = FIXTURES / "seed-tien-lu-2024.txt"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def words(text: str) -> list[str]:
    return unicodedata.normalize("NFC", text).replace("\u00a0", " ").split()


def seed_rows():
    """The Phụ lục I rows of the seed: (name, unit, council, target, agency)."""
    lines = SEED.read_text("utf-8").splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("ST T"))
    rows = []
    for line in lines[start + 1:]:
        cells = line.split("\t")
        if len(cells) < 3 or not re.fullmatch(r"\d+|-", cells[0]):
            continue
        cells += [""] * (6 - len(cells))
        name = re.sub(r"</?i>", "", cells[1])
        rows.append((name, cells[2], cells[3], cells[4], cells[5]))
    return rows


def test_seed_words_in_order(example_out):
    seed = words(SEED.read_text("utf-8").replace("<i>", "").replace("</i>", "").replace("\t", " "))
    doc = words("\n".join(docx_text_blocks(example_out / "ke-hoach.docx")))
    sm = difflib.SequenceMatcher(None, seed, doc, autojunk=False)
    matched = sum(b.size for b in sm.get_matching_blocks())
    assert matched / len(seed) >= 0.97, matched / len(seed)


def _agency_names():
    data = yaml.safe_load((EXAMPLE / "co-quan.yaml").read_text("utf-8"))
    names = {}
    for a in data["co_quan"]:
        shown = a.get("ten_ngan") or a["ten"]
        for n in [shown, a["ten"], *a.get("ten_khac", [])]:
            names[n] = shown
    return names


def test_every_indicator_row_of_the_seed(example_out):
    names = _agency_names()
    doc = Document(str(example_out / "ke-hoach.docx"))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "STT" and len(t.columns) == 6)
    docx_rows = [tuple(c.text for c in r.cells[1:]) for r in table.rows[1:]]
    ws = openpyxl.load_workbook(example_out / "phu-luc-i.xlsx").active
    xlsx_rows = [tuple("" if v is None else str(v) for v in row[1:6])
                 for row in ws.iter_rows(min_row=6, values_only=True)]
    rows = seed_rows()
    assert len(rows) == 45
    for name, unit, council, target, agency in rows:
        expected_agency = names.get(agency, agency) if agency else ""
        expected = (name, unit, council, target, expected_agency)
        assert expected in docx_rows, expected
        assert expected in xlsx_rows, expected
    # italic sub-rows stay italic
    sub = next(r for r in table.rows if r.cells[1].text == "Chi đầu tư")
    assert all(run.italic for run in sub.cells[1].paragraphs[0].runs)


def test_figures_exactly_as_written(example_out):
    text = "\n".join(docx_text_blocks(example_out / "ke-hoach.docx"))
    for figure in ("8,61", "654,247", "<1", "105/100", "5/10", "<1%"):
        assert figure in text
    assert "Tổng giá trị sản xuất tăng 8,61%." in text        # from {ct:gtsx}
    assert "Tỷ lệ hộ nghèo dưới 1%" in text                   # from {ct:ho-ngheo:chu}


def test_page_layout(example_out):
    doc = Document(str(example_out / "ke-hoach.docx"))
    first, *appendices = doc.sections
    assert (first.page_width.twips, first.page_height.twips) == (11906, 16838)
    assert 1134 <= first.top_margin.twips <= 1417 and 1701 <= first.left_margin.twips <= 1984
    assert 850 <= first.right_margin.twips <= 1134
    assert first._sectPr.find(W + "titlePg") is not None
    header = first.header._element
    assert "PAGE" in "".join(t.text or "" for t in header.iter(W + "instrText"))
    assert header.find(f".//{W}jc").get(W + "val") == "center"
    assert not "".join(t.text or "" for t in first.first_page_header._element.iter(W + "instrText"))
    assert len(appendices) == 2
    for sec in appendices:
        assert sec.page_width.twips == 16838 and sec.page_height.twips == 11906
        assert sec._sectPr.find(W + "pgNumType").get(W + "start") == "1"


def test_header_block_rules_and_tables(example_out):
    doc = Document(str(example_out / "ke-hoach.docx"))
    head = doc.tables[0]
    left, right = head.rows[0].cells
    assert [p.text for p in right.paragraphs[:2]] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                                      "Độc lập - Tự do - Hạnh phúc"]
    assert [p.text for p in left.paragraphs if p.text] == ["ỦY BAN NHÂN DÂN", "HUYỆN TIÊN LỮ"]

    def has_rule(cell_or_doc, after_text):
        paras = cell_or_doc.paragraphs
        i = max(i for i, p in enumerate(paras) if p.text == after_text)
        return paras[i + 1]._p.find(f"{W}pPr/{W}pBdr/{W}bottom") is not None

    assert has_rule(left, "HUYỆN TIÊN LỮ")
    assert has_rule(right, "Độc lập - Tự do - Hạnh phúc")
    trich_yeu = next(p.text for p in doc.paragraphs if p.text.startswith("Thực hiện Chương trình"))
    assert has_rule(doc, trich_yeu)
    assert head.rows[1].cells[0].text.replace("\u00a0", " ").split() == ["Số:", "/KH-UBND"]
    for table in doc.tables[2:]:
        assert table.rows[0]._tr.find(f"{W}trPr/{W}tblHeader") is not None
        assert table._tbl.find(f"{W}tblPr/{W}tblBorders/{W}insideH").get(W + "val") == "single"
    texts = [p.text for p in doc.paragraphs]
    assert "Phụ lục I" in texts and "Phụ lục II" in texts
    kem = [t for t in texts if t.startswith("(Kèm theo Kế hoạch hành động số")]
    assert len(kem) == 2 and all("của Ủy ban nhân dân huyện Tiên Lữ)" in k for k in kem)


def test_appendix_workbooks_head_in_nd30_sizes(example_out):
    """«Phụ lục I» 14 pt bold, its title bold and «(Kèm theo …)» italic at 13–14 pt (ND30 III.1c), as in
    the .docx (a reviewer found the reference line at 12 pt in every appendix workbook)."""
    for name in ("phu-luc-i.xlsx", "phu-luc-ii.xlsx"):
        ws = openpyxl.load_workbook(example_out / name).active
        number, title, ref = ws["A1"], ws["A2"], ws["A3"]
        assert number.value.startswith("Phụ lục") and number.font.sz == 14 and number.font.b
        assert ref.value.startswith("(Kèm theo") and ref.font.i and 13 <= ref.font.sz <= 14
        assert title.font.b and 13 <= title.font.sz <= 14


def test_tasks_appendix_matches_data(example_out):
    data = yaml.safe_load((EXAMPLE / "phu-luc-ii.yaml").read_text("utf-8"))
    ws = openpyxl.load_workbook(example_out / "phu-luc-ii.xlsx").active
    codes = [r[5] for r in ws.iter_rows(min_row=6, values_only=True) if r[5]]
    assert codes == [t["ma"] for t in data["nhiem_vu"]]
    assert ws.freeze_panes == "A6" and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_commune_plan_builds_without_code_change(commune_out):
    text = docx_text_blocks(commune_out / "ke-hoach.docx")
    joined = "\n".join(text)
    for line in ("ỦY BAN NHÂN DÂN", "XÃ QUANG HƯNG", "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH",
                 "PHÓ CHỦ TỊCH", "Trần Văn An", "Số: 07/KH-UBND",
                 "Quang Hưng, ngày 15 tháng 01 năm 2027"):
        assert line in text, line
    assert "HUYỆN" not in joined
    can_cu = [t for t in text if t.startswith("Căn cứ")]
    assert can_cu == ["Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
                      "Căn cứ Nghị quyết số 05/NQ-HĐND ngày 20/12/2026 của Hội đồng nhân dân xã "
                      "Quang Hưng về nhiệm vụ phát triển kinh tế - xã hội năm 2027."]
    assert [t for t in text if re.match(r"^[IVX]+\. ", t)] == [
        "I. MỤC ĐÍCH, YÊU CẦU", "II. NHIỆM VỤ, GIẢI PHÁP", "III. TỔ CHỨC THỰC HIỆN"]
    # & and < come out as themselves
    assert any("hộ kinh doanh & hợp tác xã" in t for t in text)
    assert any("<50 lao động" in t for t in text)


def test_rebuild_renders_nothing_and_is_deterministic(tmp_path):
    _, first = build_plan(EXAMPLE, tmp_path / "a")
    _, again = build_plan(EXAMPLE, tmp_path / "a")
    assert len(first.built) == 3 and again.built == [] and len(again.unchanged) == 3
    build_plan(EXAMPLE, tmp_path / "b")
    for name in ("ke-hoach.docx", "phu-luc-i.xlsx", "phu-luc-ii.xlsx"):
        assert (tmp_path / "a/tien-lu-2024" / name).read_bytes() == \
            (tmp_path / "b/tien-lu-2024" / name).read_bytes()
