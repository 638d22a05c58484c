"""The fast paths give the same documents as the plain ones (issue 14): each agency's prepared
workbook holds exactly what openpyxl's own writer makes (every cell, style, height, validation and
print setting), and report-draft grids fitted as strings equal the XML path's."""

from __future__ import annotations

import io
import shutil

import openpyxl
import pytest
from lxml import etree

from conftest import EXAMPLE, FIXTURES, TEMPLATES
from kehoach_docs.documents import jobs_for, templates_dir
from kehoach_docs.model.results import KetQuaCoQuan
from kehoach_docs.render import docx_engine
from kehoach_docs.render.package import Deflated, pack
from kehoach_docs.render.xlsx_prepared import entry_parts
from kehoach_docs.render.xlsx_result_entry import write_result_entry
from kehoach_docs.results.entry import entry_data
from kehoach_docs.results.store import save_results
from kehoach_docs.source.plan_dir import load_plan


def describe(data: bytes) -> dict:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    out = {}
    for ws in wb.worksheets:
        d = {"state": ws.sheet_state, "freeze": ws.freeze_panes, "print_area": ws.print_area,
             "titles": ws.print_title_rows, "protected": ws.protection.sheet, "dims": ws.dimensions,
             "merged": sorted(map(str, ws.merged_cells.ranges)),
             "widths": {k: v.width for k, v in ws.column_dimensions.items()},
             "heights": {k: v.height for k, v in ws.row_dimensions.items() if v.height},
             "validations": sorted((dv.type, str(dv.sqref), dv.formula1, dv.prompt, dv.errorStyle)
                                   for dv in ws.data_validations.dataValidation),
             "setup": (ws.page_setup.orientation, ws.page_setup.fitToWidth, ws.page_setup.paperSize)}
        for row in ws.iter_rows():
            for c in row:
                d[c.coordinate] = (c.value, c.data_type, c.number_format, c.font.b, c.font.i, c.font.sz,
                                   c.fill.fgColor.rgb, c.protection.locked, c.alignment.wrap_text,
                                   c.alignment.horizontal, c.border.left.style)
        out[ws.title] = d
    return out


@pytest.fixture(scope="module")
def filled_plan(tmp_path_factory):
    """The example with results for every agency: numbers, ranks, words, dates, long and hostile text."""
    folder = tmp_path_factory.mktemp("filled") / "tien-lu-2024"
    shutil.copytree(EXAMPLE, folder)
    plan = load_plan(folder)
    for i, a in enumerate(plan.agencies_with_work()):
        d = entry_data(plan, a.ma)
        ct = {}
        for j, r in enumerate(d["chi_tieu"]):
            v = {"so": ["1.234,5", "8,7", "100", "-3"][j % 4], "hang": "4/10",
                 "chu": "Cơ bản hoàn thành & <tốt> \"x\""}[r["nhap"]]
            ct[r["ma"]] = {"uoc_thuc_hien": "" if j % 3 == 2 else v, "ghi_chu": "ghi chú dài " * (j * 7)}
        nv = {r["ma"]: {"trang_thai": "Hoàn thành" if k % 2 else None,
                        "ket_qua": "Đã triển khai & hoàn thành <đúng hạn>\ndòng hai " * (k % 4)}
              for k, r in enumerate(d["nhiem_vu"])}
        save_results(plan, KetQuaCoQuan.model_validate({
            "co_quan": a.ma, "ngay_bao_cao": "05/12/2024" if i % 2 else None,
            "chi_tieu": {k: v for k, v in ct.items() if v["uoc_thuc_hien"] or v["ghi_chu"]},
            "nhiem_vu": {k: v for k, v in nv.items() if v["trang_thai"] or v["ket_qua"]},
            "kho_khan": "=SUM(A1) " + "khó khăn rất dài " * 40 if i % 3 == 0 else "",
            "de_xuat": "Đề xuất\nhai dòng" if i % 2 else ""}))
    return folder


@pytest.mark.parametrize("which", ["filled", "xa-2027", "tinh-kem-theo-2026-2030", "xa-pl2-2026"])
def test_prepared_workbooks_equal_openpyxls(which, filled_plan):
    folder = filled_plan if which == "filled" else FIXTURES / which
    plan = load_plan(folder)
    jobs = [j for j in jobs_for("reports", plan, templates_dir())[1] if j.writer == "nhap_ket_qua"]
    assert jobs
    for job in jobs:
        ours = pack(entry_parts(job.context), "t", "2024-01-01T00:00:00Z", {})
        assert describe(ours) == describe(write_result_entry(job.context)), job.output


def test_a_prototype_fills_alike_from_several_threads(filled_plan):
    """The web app fills workbooks from several threads: a sheet worked out twice (two threads that
    both found it new) fills as before, and threads that start together get the same bytes (a
    reviewer found a second work-out dropped every sheet's last row from its dimension)."""
    from concurrent.futures import ThreadPoolExecutor

    from kehoach_docs.render.xlsx_prepared import Prototype, layout_of
    job = next(j for j in jobs_for("reports", load_plan(filled_plan), templates_dir())[1] if j.writer == "nhap_ket_qua")
    proto = Prototype(layout_of(job.context))
    with ThreadPoolExecutor(8) as pool:
        first = list(pool.map(lambda _: proto.parts_for(job.context), range(8)))
    assert all(parts == first[0] for parts in first)
    for _, _, sheet in proto.sheets.values():
        sheet.compile()
    assert proto.parts_for(job.context) == first[0]
    assert b'<dimension ref="A1:G' in first[0]["xl/worksheets/sheet2.xml"]


def test_grids_fitted_as_strings_equal_the_xml_path(filled_plan, monkeypatch):
    n = 0
    for output, xml in grid_inputs((filled_plan, FIXTURES / "tinh-kem-theo-2026-2030", FIXTURES / "xa-pl2-2026"),
                                   monkeypatch):
        fast = etree.tostring(etree.fromstring(docx_engine.fit_grid(xml).encode()), method="c14n")
        tree = etree.tostring(etree.fromstring(docx_engine._fit_grid_tree(xml).encode()), method="c14n")
        assert fast == tree, output
        n += 1
    assert n > 30


def _all_template_jobs(folders):
    for folder in folders:
        plan = load_plan(folder)
        for command in ("build", "reports"):
            for job in jobs_for(command, plan, templates_dir())[1]:
                if job.template:
                    yield job


def grid_inputs(folders, monkeypatch) -> list[tuple[str, str]]:
    """(output, XML) of every part fit_grid is given while the folders' documents are rendered whole."""
    seen, original = [], docx_engine.fit_grid
    for job in _all_template_jobs(folders):
        monkeypatch.setattr(docx_engine, "fit_grid", lambda xml, o=job.output: seen.append((o, xml)) or original(xml))
        docx_engine.prepared(job.template).render_parts(job.context, block=1 << 40)
        monkeypatch.setattr(docx_engine, "fit_grid", original)
    return seen


def test_parts_rendered_in_blocks_equal_parts_rendered_whole(filled_plan):
    """A part longer than a block (a province's summary) is finished and deflated block by block,
    cut only between paragraphs and rows; the document is byte for byte the one rendered whole."""
    streamed = 0
    for job in _all_template_jobs((filled_plan, FIXTURES / "tinh-kem-theo-2026-2030", FIXTURES / "xa-pl2-2026")):
        tpl = docx_engine.prepared(job.template)
        whole = tpl.render_parts(job.context, block=1 << 40)
        assert not any(isinstance(p, Deflated) for p in whole.values())
        for block in (300, 4000):
            parts = tpl.render_parts(job.context, block=block)
            streamed += sum(isinstance(p, Deflated) for p in parts.values())
            assert pack(parts, "t", "2024-01-01T00:00:00Z", {}) == pack(whole, "t", "2024-01-01T00:00:00Z", {}), \
                (job.output, block)
    assert streamed > 40


def test_grids_fitted_block_by_block_equal_the_whole_pass(filled_plan, monkeypatch):
    """The string pass of fit_grid fed the blocks the stream cuts gives the same XML as fed the whole."""
    seen = [xml for _, xml in grid_inputs((filled_plan, FIXTURES / "tinh-kem-theo-2026-2030"), monkeypatch)]
    original = docx_engine.fit_grid
    assert seen
    cuts = 0
    for xml in seen:
        for block in (200, 1500):
            pieces, start, limit, in_row = [], 0, block, False
            while start + limit < len(xml):          # as the stream cuts: wider until a cut is safe
                text = xml[start:start + limit]
                cut, in_row = docx_engine._safe_cut(text, in_row)
                if cut:
                    pieces.append(text[:cut])
                    start, limit = start + cut, block
                else:
                    limit += block
            fitter = docx_engine._GridFitter()
            assert "".join(fitter.feed(p) for p in [*pieces, xml[start:]]) == original(xml)
            cuts += len(pieces)
    assert cuts > 10 * len(seen)


def test_rows_of_every_shape_are_resized_as_the_xml_path_does():
    """A narrow column widened by the string pass: every row is resized as the XML path resizes it,
    those with a width per cell and the others (a cell with no width, one cell more, a width given
    after its type)."""
    def cell(width: str | None, text: str = "x") -> str:
        pr = f"<w:tcPr>{width}</w:tcPr>" if width else ""
        return f"<w:tc>{pr}<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"

    def row(*cells: str) -> str:
        return f'<w:tr><w:trPr><w:cantSplit/></w:trPr>{"".join(cells)}</w:tr>'

    w = '<w:tcW w:w="{}" w:type="dxa"/>'.format
    header = row(cell(w(600), "TT"), cell(w(5000), "Chỉ tiêu"), cell(w(700)), cell(w(2000)))
    rows = [header, row(cell(w(600), "1"), cell(w(5000), "a &lt; b"), cell(w(700)), cell(w(2000))),
            row(cell(w(600)), cell(None), cell(w(700)), cell(w(2000))),
            row(cell(w(600)), cell(w(5000)), cell(w(700)), cell(w(2000)), cell(w(100))),
            row(cell('<w:tcW w:type="dxa" w:w="650"/>'), cell(w(4000)), cell(w(700)), cell(w(2000)))]
    xml = ('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:tbl>'
           '<w:tblGrid><w:gridCol w:w="1"/></w:tblGrid>' + "".join(rows) + "</w:tbl></w:body></w:document>")
    strings = docx_engine.fit_grid(xml)
    assert strings != xml and '<w:tcW w:w="900" w:type="dxa"/>' in strings
    c14n = [etree.tostring(etree.fromstring(x.encode()), method="c14n")
            for x in (strings, docx_engine._fit_grid_tree(xml))]
    assert c14n[0] == c14n[1]


def test_a_table_the_string_pass_cannot_fit_is_rendered_whole():
    """Spanned cells need the XML path, which sees the whole part: streaming gives up and the
    part is rendered again, whole."""
    row = '<w:tr><w:tc><w:tcPr><w:tcW w:w="500"/><w:gridSpan w:val="2"/></w:tcPr><w:p/></w:tc></w:tr>'
    xml = f'<w:tbl><w:tblGrid><w:gridCol w:w="1"/></w:tblGrid>{row * 3}</w:tbl>'
    with pytest.raises(docx_engine._Unusual):
        docx_engine._GridFitter().feed(xml)
    assert "gridSpan" in docx_engine.fit_grid(
        f'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f'<w:body>{xml}</w:body></w:document>')


TEXT_BOX = ('{% for i in range(40) %}<w:p><w:r><w:rPr><w:i/></w:rPr><w:t xml:space="preserve">ngoài {{ i }}</w:t>'
            '</w:r><w:r><w:rPr><w:i/></w:rPr><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:rPr>'
            '<w:u w:val="single"/></w:rPr><w:t xml:space="preserve">{{ "a\\tb" ~ i }}</w:t></w:r></w:p>'
            '</w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>{% endfor %}')
NESTED = ('{% for i in range(30) %}<w:tbl><w:tblPr/><w:tblGrid><w:gridCol w:w="5000"/></w:tblGrid><w:tr><w:tc>'
          '<w:tcPr><w:tcW w:w="5000" w:type="dxa"/></w:tcPr><w:tbl><w:tblPr/><w:tblGrid><w:gridCol w:w="4000"/>'
          '</w:tblGrid><w:tr><w:tc><w:p><w:r><w:t>trong {{ i }}</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p><w:r>'
          '<w:t>{{ "t\\tab" ~ i }}</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p/>{% endfor %}')


@pytest.mark.parametrize("body", [TEXT_BOX, NESTED], ids=["text-box", "nested-table"])
def test_a_clerks_template_with_text_boxes_or_nested_tables_renders_alike_in_blocks(body, tmp_path):
    """Paragraphs inside paragraphs (a text box) leave no safe cut: such a part is rendered whole.
    Nested tables are cut between rows and still give the same bytes."""
    import re
    import zipfile
    with zipfile.ZipFile(TEMPLATES / "ke-hoach.docx") as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    doc = parts["word/document.xml"].decode()
    head = doc[:doc.index("<w:body>") + len("<w:body>")]
    if "xmlns:v=" not in head:
        head = head.replace("<w:document ", '<w:document xmlns:v="urn:schemas-microsoft-com:vml" ', 1)
    sect = re.findall(r"<w:sectPr(?:(?!<w:sectPr).)*?</w:sectPr>\s*</w:body>", doc, re.S)[-1]
    parts["word/document.xml"] = (head + body + sect + "</w:document>").encode()
    path = tmp_path / "mau.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as w:
        for name, data in parts.items():
            w.writestr(name, data)
    tpl = docx_engine.PreparedTemplate(path)
    whole = pack(tpl.render_parts({}, block=1 << 40), "t", "2024-01-01T00:00:00Z", {})
    for block in (20, 137, 300, 2000):
        assert pack(tpl.render_parts({}, block=block), "t", "2024-01-01T00:00:00Z", {}) == whole, block
    assert ("word/document.xml" in tpl.whole_only) == (body is TEXT_BOX)
