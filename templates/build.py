"""Regenerate the docxtpl templates in ``templates/docx/``: ``python templates/build.py``.

Run it only to start over from the reference layout: templates edited by a clerk in
Word are the source of truth afterwards (their wording and styles are kept by
rendering). Each template lists the context keys it uses in README, «Mẫu văn bản».
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from docx.shared import Twips

sys.path.insert(0, str(Path(__file__).resolve().parent))
from docx_builder import (LAND_TEXT_W, TEXT_W, add_para, add_row, add_rule, add_runs,  # noqa: E402
                          cell_paras, keep_together, new_document, page_number_header, para_style,
                          keep_with_next, schema_order, section_break, table, tag_row)

OUT = Path(__file__).resolve().parent / "docx"

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from kehoach_docs.model.tables import INDICATORS, TASKS, report_columns, summary_columns  # noqa: E402
from kehoach_docs.nd30.rules import SIZES  # noqa: E402  (the checker reads the same table)

#: Font sizes in points, from the ND30 rules table: a bound changed there changes the templates.
PT = {name: size.use for name, size in SIZES.items()}
TABLE_PT = 12   # table text: ND30 sets no size for it; 12 fits the appendix columns

# Header block geometry (twips): left column for the issuing body, right for the Quốc hiệu.
LEFT_W, RIGHT_W = 3686, 5669
TIEU_NGU_W = 3200      # width of "Độc lập - Tự do - Hạnh phúc" at 13 pt bold
BODY_RULE_W = 1100     # 1/3-1/2 of "ỦY BAN NHÂN DÂN" at 13 pt bold
TRICH_YEU_RULE_W = 2800


def body_styles(doc):
    """The named styles of the body; clerks change fonts and spacing here."""
    para_style(doc, "KH Văn bản", size=PT["noi_dung"], first_line=567, before=120, line=264)
    # the body's last paragraph and the line before the signature: never leave the signature alone
    para_style(doc, "KH Đoạn cuối", size=PT["noi_dung"], first_line=567, before=120, line=264, keep_next=True)
    para_style(doc, "KH Căn cứ", size=PT["noi_dung"], italic=True, first_line=567, before=120, line=264)
    para_style(doc, "KH Mục", size=PT["noi_dung"], bold=True, first_line=567, before=120, line=264, keep_next=True)
    para_style(doc, "KH Khoản", size=PT["noi_dung"], bold=True, first_line=567, before=120, line=264, keep_next=True)
    para_style(doc, "KH Tiểu mục", size=PT["noi_dung"], bold=True, first_line=567, before=120, line=264,
               keep_next=True)
    para_style(doc, "KH Bảng", size=TABLE_PT, align="left")
    para_style(doc, "KH Bảng giữa", size=TABLE_PT, align="center")
    para_style(doc, "KH Nơi nhận", size=PT["noi_nhan"], align="left")


def header_block(doc, numbered=True, dated=True):
    """Ô 1-4 of ND30: issuing body | Quốc hiệu, Tiêu ngữ; Số | place and date.

    ``numbered=False`` leaves out the Số line (a comparison table is not registered);
    ``dated=False`` the date too (a text issued with a QĐ carries neither, ND30 Mẫu 1.3)."""
    t = table(doc, [LEFT_W, RIGHT_W], borders=False, indent=-113)
    row = t.add_row()
    left, right = row.cells
    cell_paras(left, [
        ("{%p if co_quan_chu_quan %}", {"align": "center"}),
        ("{{ co_quan_chu_quan }}", {"size": PT["co_quan"], "align": "center"}),
        ("{%p endif %}", {"align": "center"}),
        ("{%p for dong in dong_ten_co_quan %}", {"align": "center"}),
        ("{{ dong }}", {"size": PT["co_quan"], "bold": True, "align": "center"}),
        ("{%p endfor %}", {"align": "center"}),
    ])
    add_rule(left, BODY_RULE_W, LEFT_W - 114)
    cell_paras(right, [
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", {"size": PT["quoc_hieu"], "bold": True, "align": "center"}),
        ("Độc lập - Tự do - Hạnh phúc", {"size": PT["tieu_ngu"], "bold": True, "align": "center"}),
    ])
    add_rule(right, TIEU_NGU_W, RIGHT_W - 114)
    if not dated:
        return t
    row = t.add_row()
    left, right = row.cells
    cell_paras(left, [("Số: {{ so }}/{{ ky_hieu }}" if numbered else "", {"size": PT["so_ky_hieu"], "align": "center"})])
    left.paragraphs[0].paragraph_format.space_before = None
    cell_paras(right, [("{{ dong_ngay }}", {"size": PT["dia_danh_ngay"], "italic": True, "align": "center"})])
    for cell in row.cells:
        cell.paragraphs[0].paragraph_format.space_before = Twips(120)
    return t


def title_block(doc, key="", reference=False):
    """Tên loại and trích yếu (ô 5b); ``key`` reads them from a nested context (the attached plan);
    ``reference`` adds the italic "(Kèm theo Quyết định số …)" line of a text issued with a QĐ."""
    k = key + "." if key else ""
    add_para(doc, "{{ " + k + "ten_loai }}", size=PT["ten_loai"], bold=True, align="center", before=360)
    add_para(doc, "{{ " + k + "trich_yeu }}", size=PT["trich_yeu"], bold=True, align="center")
    if reference:
        add_para(doc, "{{ " + k + "dong_kem_theo }}", size=PT["phu_luc_tieu_de"], italic=True, align="center")
    add_rule(doc, TRICH_YEU_RULE_W, TEXT_W, before=0, after=120)


def body_loop(doc, key="noi_dung", articles=False):
    """Numbered sections I., 1., 1.1. and paragraphs, one styled paragraph per kind; with
    ``articles``, also ``Điều n.`` (bold) followed by its text (ND30 Mẫu 1.2)."""
    add_para(doc, "{%p for d in " + key + " %}", style="KH Văn bản")
    if articles:
        add_para(doc, "{%p if d.loai == 'dieu' %}", style="KH Văn bản")
        add_runs(doc, [("{{ d.so }}", {"bold": True}), (" {{ d.text }}", {})],
                 style="KH Văn bản")
        add_para(doc, "{%p elif loop.last and d.loai == 'doan' %}", style="KH Văn bản")
        add_para(doc, "{{ d.text }}", style="KH Đoạn cuối")
        add_para(doc, "{%p elif d.loai == 'muc' %}", style="KH Văn bản")
    else:
        add_para(doc, "{%p if loop.last and d.loai == 'doan' %}", style="KH Văn bản")
        add_para(doc, "{{ d.text }}", style="KH Đoạn cuối")
        add_para(doc, "{%p elif d.loai == 'muc' %}", style="KH Văn bản")
    add_para(doc, "{{ d.text }}", style="KH Mục")
    add_para(doc, "{%p elif d.loai == 'khoan' %}", style="KH Văn bản")
    add_para(doc, "{{ d.text }}", style="KH Khoản")
    add_para(doc, "{%p elif d.loai == 'tieu_muc' %}", style="KH Văn bản")
    add_para(doc, "{{ d.text }}", style="KH Tiểu mục")
    add_para(doc, "{%p else %}", style="KH Văn bản")
    add_para(doc, "{{ d.text }}", style="KH Văn bản")
    add_para(doc, "{%p endif %}", style="KH Văn bản")
    add_para(doc, "{%p endfor %}", style="KH Văn bản")


def signature_block(doc, noi_nhan_key="noi_nhan", ky_key="ky"):
    """Ô 9b (Nơi nhận) beside ô 7 (authority, position, signature space, name)."""
    t = table(doc, [4253, 4818], borders=False)
    row = t.add_row()
    keep_together(row)
    left, right = row.cells
    cell_paras(left, [
        ("Nơi nhận:", {"size": PT["noi_nhan_tieu_de"], "bold": True, "italic": True, "align": "left"}),
        ("{%p for n in " + noi_nhan_key + " %}", {"style": "KH Nơi nhận"}),
        ("{{ n }}", {"style": "KH Nơi nhận"}),
        ("{%p endfor %}", {"style": "KH Nơi nhận"}),
    ])
    cell_paras(right, [
        ("{%p for d in " + ky_key + ".dong_tham_quyen %}", {"align": "center"}),
        ("{{ d }}", {"size": PT["chu_ky"], "bold": True, "align": "center"}),
        ("{%p endfor %}", {"align": "center"}),
        ("", {"align": "center"}), ("", {"align": "center"}), ("", {"align": "center"}),
        ("", {"align": "center"}),
        ("{{ " + ky_key + ".ho_ten }}", {"size": PT["chu_ky"], "bold": True, "align": "center"}),
    ])
    left.paragraphs[0].paragraph_format.space_before = None
    return t


def appendix_heading(doc, key, numbered=True):
    # a lone appendix has no number (ND30 Phụ lục I, III.1a)
    number = "{% if " + key + ".so %} {{ " + key + ".so }}{% endif %}" if numbered else ""
    add_para(doc, "Phụ lục" + number, size=PT["phu_luc"], bold=True, align="center")
    add_para(doc, "{{ " + key + ".tieu_de }}", size=PT["phu_luc_tieu_de"], bold=True, align="center")
    add_para(doc, "{{ " + key + ".kem_theo }}", size=PT["phu_luc_tieu_de"], italic=True, align="center")
    add_rule(doc, 2000, LAND_TEXT_W, after=120)


def looped_table(doc, widths: list[int], headers: list[str], rows_key: str):
    """A bordered table: a bold header row repeated on each page, then ``{%tr for r in rows_key %}``."""
    t = table(doc, widths, borders=True)
    add_row(t, headers, style="KH Bảng giữa", bold=True, header=True)
    tag_row(t, "{%tr for r in " + rows_key + " %}")
    return t


def column_widths(columns, available: int) -> list[int]:
    """The declared weights of ``columns`` scaled to ``available`` twips (the remainder to the widest)."""
    total = sum(c.weight for c in columns)
    widths = [c.weight * available // total for c in columns]
    widths[widths.index(max(widths))] += available - sum(widths)
    return widths


def column_header(col, key: str, form: str = "header") -> str:
    """A column's header cell: its title, or the context's ``cot_<key>`` when it names the year."""
    if col.yearly and form == "header":
        return "{{ " + key + ".cot_" + col.key + " }}"
    if form == "abbr" and col.abbr:
        return col.abbr
    return (col.short or col.header) if form != "header" else col.header


#: Width of the two cells that hold a column loop's tags in the template (removed when rendering).
TAG_W = 113


def _expand(columns, key: str, available: int, form: str):
    """The template's cells for ``columns``: each column a cell, except the plan's value columns
    (``Column.value``), which become one looped cell between two tag cells (``{%tc for %}``): the
    renderer repeats it once per value column the plan declares and shares its width among them.

    Returns (widths, headers, row texts, aligns, columns or None for a tag cell)."""
    widths = column_widths(columns, available)
    values = [i for i, c in enumerate(columns) if c.value]
    cells = []
    for i, (c, w) in enumerate(zip(columns, widths)):
        if c.value and i != values[0]:
            continue
        if c.value:
            loop_w = sum(widths[k] for k in values) - 2 * TAG_W
            head_list = (key + ".cot") if key else "cot"
            cells += [(TAG_W, "{%tc for c in " + head_list + " %}", "{%tc for v in r.gia_tri %}", "center", None),
                      (loop_w, "{{ c }}", "{{ v }}", "center", c),
                      (TAG_W, "{%tc endfor %}", "{%tc endfor %}", "center", None)]
        else:
            cells.append((w, column_header(c, key, form), "{{ r." + c.key + " }}", c.align, c))
    return ([x[0] for x in cells], [x[1] for x in cells], [x[2] for x in cells], [x[3] for x in cells],
            [x[4] for x in cells])


def declared_table(doc, columns, key: str, available: int, *, rows: str = "dong", sub_rows: bool = True,
                   keep: bool = False, form: str = "header", cell=None):
    """A table of declared columns: group rows in bold (number and name), sub-rows in italic.

    ``cell(col)`` may give a column's cell its own runs (the fill-in mark of a result)."""
    widths, headers, texts, align, cols = _expand(columns, key, available, form)
    t = looped_table(doc, widths, headers, f"{key}.{rows}" if key else rows)
    texts = ["" if c is not None and cell and cell(c) else x for x, c in zip(texts, cols)]
    # a group row prints its number and name; the other cells stay empty (loop tags kept)
    group = [x if (c is None or c.value or j < 2) else "" for j, (x, c) in enumerate(zip(texts, cols))]

    def row(values, **kw):
        r = add_row(t, values, style="KH Bảng", align=align, **kw)
        for j, c in enumerate(cols):
            if c is not None and cell and cell(c) and values is texts:
                add_runs(r.cells[j].paragraphs[0], cell(c))
        if keep:
            keep_together(r)
        return r

    if sub_rows:
        tag_row(t, "{%tr if r.loai == 'nhom' %}")
        keep_with_next(row(group, bold=True))
        tag_row(t, "{%tr elif r.loai == 'con' %}")
        row(texts, italic=True)
        tag_row(t, "{%tr else %}")
        row(texts)
        tag_row(t, "{%tr endif %}")
    else:
        row(texts)
    tag_row(t, "{%tr endfor %}")
    return t


def indicator_table(doc):
    declared_table(doc, INDICATORS.printed, "phu_luc_i", LAND_TEXT_W, keep=True)
    footnotes(doc, "phu_luc_i.chu_thich")


def footnotes(doc, key: str):
    """Notes under a table, one paragraph each ("[1] Theo giá so sánh 2010.")."""
    para_block(doc, f"for x in {key}", style="KH Bảng")
    add_para(doc, "{{ x }}", style="KH Bảng", italic=True, before=60)
    para_block(doc, "endfor", style="KH Bảng")


def task_table(doc):
    t = looped_table(doc, column_widths(TASKS.printed, LAND_TEXT_W), [c.header for c in TASKS.printed],
                     "phu_luc_ii.dong")
    align = [c.align for c in TASKS.printed]
    texts = ["{{ r." + c.key + " }}" for c in TASKS.printed]
    tag_row(t, "{%tr if r.loai == 'nhom' %}")
    keep_with_next(keep_together(add_row(t, texts[:2] + [""] * (len(texts) - 2), style="KH Bảng", bold=True,
                                         align=align)))
    tag_row(t, "{%tr else %}")
    keep_together(add_row(t, texts, style="KH Bảng", align=align))   # a row never splits across pages
    tag_row(t, "{%tr endif %}")
    tag_row(t, "{%tr endfor %}")


def start_document(numbered=True):
    """Every document opens alike: styles, page numbers from page 2, header block, name and summary."""
    doc = new_document(PT["noi_dung"])
    body_styles(doc)
    page_number_header(doc.sections[0], PT["so_trang"])
    header_block(doc, numbered)
    title_block(doc)
    return doc


def legal_bases(doc):
    add_para(doc, "{%p for c in can_cu %}", style="KH Căn cứ")
    add_para(doc, "{{ c }}", style="KH Căn cứ")
    add_para(doc, "{%p endfor %}", style="KH Căn cứ")


def lead_in(doc, key="loi_dan"):
    add_para(doc, "{%p if " + key + " %}", style="KH Văn bản")
    add_para(doc, "{{ " + key + " }}", style="KH Văn bản")
    add_para(doc, "{%p endif %}", style="KH Văn bản")


def appendix_sections(doc):
    """Phụ lục I and II, each in its own landscape section and each only where the plan has it.

    Each ``if`` spans the appendix and the paragraph that ends its section, so a missing
    appendix takes its section with it; the renderer folds an empty last section into the one
    before (a plan with no Phụ lục II, or none at all)."""
    for n, (key, builder) in enumerate((("phu_luc_i", indicator_table), ("phu_luc_ii", task_table))):
        section_break(doc, landscape=True, restart=True)
        if n:
            para_block(doc, "endif")
        para_block(doc, f"if {key}")
        appendix_heading(doc, key)
        builder(doc)
    para_block(doc, "endif")


def build_ke_hoach(path: Path):
    doc = start_document()
    legal_bases(doc)
    lead_in(doc)
    body_loop(doc)
    add_para(doc, "", style="KH Đoạn cuối")
    signature_block(doc)
    appendix_sections(doc)
    _clean_core(doc, "Kế hoạch")
    save(doc, path)


def attached_plan(doc):
    """The plan a QĐ issues (Mẫu 1.3): header without Số or date, title block with its reference
    line, lead-in and sections; it is not signed again (the QĐ is)."""
    header_block(doc, numbered=False, dated=False)
    title_block(doc, "kem_theo", reference=True)
    lead_in(doc, "kem_theo.loi_dan")
    body_loop(doc, "kem_theo.noi_dung")


def build_quyet_dinh(path: Path):
    """A plan issued as a Quyết định (ND30 Mẫu 1.2): authority line, căn cứ ending with "Theo đề
    nghị của …", "QUYẾT ĐỊNH:", the articles (the plan's sections inside Điều 1), then, in Mẫu 1.3,
    the plan attached after the signature on a new page."""
    doc = start_document()
    add_para(doc, "{{ tham_quyen }}", size=PT["ten_loai"], bold=True, align="center", before=120, after=120)
    legal_bases(doc)
    add_para(doc, "QUYẾT ĐỊNH:", size=PT["ten_loai"], bold=True, align="center", before=120, after=120)
    body_loop(doc, "dieu", articles=True)
    add_para(doc, "", style="KH Đoạn cuối")
    signature_block(doc)
    para_block(doc, "if kem_theo")
    # the attached text starts its own section: a new page, numbered from 1, no number on its first
    # page; without it the section break goes too and the decision runs on as one section
    attached = section_break(doc, landscape=False, restart=True)
    page_number_header(attached, PT["so_trang"])
    attached_plan(doc)
    para_block(doc, "endif")
    appendix_sections(doc)
    _clean_core(doc, "Quyết định")
    save(doc, path)


def build_ke_hoach_kem_theo(path: Path):
    """The attached plan of a Quyết định on its own, for those who asked for it separately."""
    doc = new_document(PT["noi_dung"])
    body_styles(doc)
    page_number_header(doc.sections[0], PT["so_trang"])
    header_block(doc, numbered=False, dated=False)
    title_block(doc, reference=True)
    lead_in(doc)
    body_loop(doc)
    appendix_sections(doc)
    _clean_core(doc, "Kế hoạch")
    save(doc, path)


# The fill-in mark of a report draft: highlighted, so nobody takes it for a finished text.
FILL = "[cần bổ sung]"
MARK = {"highlight": True}


def filled(value: str, mark: str = FILL) -> list:
    """Runs printing ``value``, or the highlighted fill-in mark when it is empty."""
    return [("{% if " + value + " %}", {}), ("{{ " + value + " }}", {}), ("{% else %}", {}),
            (mark, MARK), ("{% endif %}", {})]


def para_block(doc, tag: str, style="KH Văn bản"):
    add_para(doc, "{%p " + tag + " %}", style=style)


def paragraphs_or_mark(doc, key: str, end: str = "", last: bool = False):
    """Each paragraph of list ``key``; when it is empty, one fill-in paragraph. Only the ``last``
    section's closing paragraph keeps with the signature: kept too, an earlier section's would chain
    every heading and paragraph after it to the signature, and LibreOffice breaks so long a chain
    where it likes (a heading left at a page foot)."""
    para_block(doc, f"for x in {key}")
    if last:
        last_kept(doc, "{{ x }}")
    else:
        add_para(doc, "{{ x }}", style="KH Văn bản")
    para_block(doc, "endfor")
    para_block(doc, f"if not {key}")
    add_runs(doc, [(FILL, MARK), (end, {})], style="KH Đoạn cuối" if last else "KH Văn bản")
    para_block(doc, "endif")


def last_kept(doc, text: str):
    """A looped paragraph whose last repetition stays on the page of what follows (the signature)."""
    para_block(doc, "if loop.last")
    add_para(doc, text, style="KH Đoạn cuối")
    para_block(doc, "else")
    add_para(doc, text, style="KH Văn bản")
    para_block(doc, "endif")


def report_task_section(doc):
    para_block(doc, "for g in nhom_nhiem_vu")
    add_para(doc, "{{ g.tieu_de }}", style="KH Khoản")
    para_block(doc, "for t in g.nhiem_vu")
    # "(chủ trì: …; thời hạn: …)": either part may be missing
    add_runs(doc, [("{{ t.so }} {{ t.noi_dung }}", {}), ("{% if t.chu_tri or t.thoi_han %}", {}), (" (", {}),
                   ("{% if t.chu_tri %}", {}), ("chủ trì: {{ t.chu_tri }}", {}), ("{% endif %}", {}),
                   ("{% if t.chu_tri and t.thoi_han %}", {}), ("; ", {}), ("{% endif %}", {}),
                   ("{% if t.thoi_han %}", {}), ("thời hạn: {{ t.thoi_han }}", {}), ("{% endif %}", {}),
                   (")", {}), ("{% endif %}", {}), (".", {})],
             style="KH Văn bản")
    add_runs(doc, [("- Tình trạng: ", {}),
                   *filled("t.trang_thai", "[Hoàn thành / Đang thực hiện / Chưa thực hiện]"), (".", {})],
             style="KH Văn bản")
    add_runs(doc, [("- Kết quả: ", {}), *filled("t.ket_qua")], style="KH Văn bản")
    para_block(doc, "endfor")
    para_block(doc, "endfor")
    para_block(doc, "if not nhom_nhiem_vu")
    add_para(doc, "{{ khong_nhiem_vu }}", style="KH Văn bản")
    para_block(doc, "endif")


def report_indicator_table(doc):
    declared_table(doc, report_columns(), "", TEXT_W, rows="chi_tieu", sub_rows=False, keep=True, form="abbr",
                   cell=lambda c: filled("r.uoc", "[…]") if c.key == "uoc" else None)


def build_bao_cao(path: Path):
    """An agency's report on what the plan assigned it (BC-<agency>)."""
    doc = start_document()
    add_para(doc, "{{ kinh_gui }}", size=PT["kinh_gui"], align="center", before=120, after=120)
    add_para(doc, "{{ mo_dau }}", style="KH Văn bản")
    add_para(doc, "I. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ ĐƯỢC GIAO", style="KH Mục")
    report_task_section(doc)
    add_para(doc, "II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU", style="KH Mục")
    para_block(doc, "if chi_tieu")
    add_para(doc, "{{ tom_tat_chi_tieu }}", style="KH Văn bản", after=120)
    report_indicator_table(doc)
    para_block(doc, "else")
    add_para(doc, "{{ khong_chi_tieu }}", style="KH Văn bản")
    para_block(doc, "endif")
    add_para(doc, "III. KHÓ KHĂN, VƯỚNG MẮC", style="KH Mục")
    paragraphs_or_mark(doc, "kho_khan")
    add_para(doc, "IV. ĐỀ XUẤT, KIẾN NGHỊ", style="KH Mục")
    paragraphs_or_mark(doc, "de_xuat", end="./.", last=True)
    add_para(doc, "", style="KH Đoạn cuối")
    signature_block(doc)
    _clean_core(doc, "Báo cáo")
    save(doc, path)


def summary_task_table(doc):
    t = looped_table(doc, [700, 3171, 1000, 1100, 1100, 1000, 1000],
                     ["STT", "Cơ quan chủ trì", "Số nhiệm vụ", "Hoàn thành", "Đang thực hiện", "Chưa thực hiện",
                      "Chưa báo cáo"], "nhiem_vu")
    keep_together(add_row(t, ["{{ r.stt }}", "{{ r.co_quan }}", "{{ r.tong }}", "{{ r.hoan_thanh }}",
                              "{{ r.dang }}", "{{ r.chua }}", "{{ r.chua_bao_cao }}"], style="KH Bảng giữa",
                          align=["center", "left", "center", "center", "center", "center", "center"]))
    tag_row(t, "{%tr endfor %}")


def summary_indicator_table(doc):
    declared_table(doc, summary_columns(), "phu_luc", LAND_TEXT_W, keep=True)


def bullet_list(doc, key: str, intro: str):
    para_block(doc, f"if {key}")
    add_para(doc, intro, style="KH Văn bản")
    para_block(doc, f"for x in {key}")
    add_para(doc, "- {{ x }}", style="KH Văn bản")
    para_block(doc, "endfor")
    para_block(doc, "endif")


def build_tong_hop(path: Path):
    """The issuing body's summary report of the whole plan (BC-UBND), with its indicator appendix."""
    doc = start_document()
    para_block(doc, "for x in kinh_gui")
    add_para(doc, "{{ x }}", size=PT["kinh_gui"], align="center", before=60)
    para_block(doc, "endfor")
    add_para(doc, "{{ mo_dau }}", style="KH Văn bản")
    para_block(doc, "if linh_vuc")
    add_para(doc, "{{ so_muc.linh_vuc }} TÌNH HÌNH THỰC HIỆN TRÊN CÁC LĨNH VỰC", style="KH Mục")
    para_block(doc, "for lv in linh_vuc")
    add_para(doc, "{{ lv.tieu_de }}", style="KH Khoản")
    para_block(doc, "for x in lv.noi_dung")
    add_para(doc, "{{ x }}", style="KH Văn bản")
    para_block(doc, "endfor")
    para_block(doc, "endfor")
    para_block(doc, "endif")
    add_para(doc, "{{ so_muc.chi_tieu }} KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU", style="KH Mục")
    add_para(doc, "{{ tom_tat_chi_tieu }}", style="KH Văn bản")
    bullet_list(doc, "chi_tieu_khong_dat", "Các chỉ tiêu không đạt mục tiêu:")
    para_block(doc, "if bang")
    declared_table(doc, summary_columns(), "bang", TEXT_W, keep=True, form="short")
    para_block(doc, "endif")
    add_para(doc, "{{ so_muc.nhiem_vu }} KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ", style="KH Mục")
    add_para(doc, "{{ tom_tat_nhiem_vu }}", style="KH Văn bản", after=120)
    para_block(doc, "if nhiem_vu")
    summary_task_table(doc)
    para_block(doc, "endif")
    add_para(doc, "{{ so_muc.bao_cao }} TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ", style="KH Mục")
    add_para(doc, "{{ da_bao_cao }}", style="KH Văn bản")
    bullet_list(doc, "chua_bao_cao", "Các cơ quan, đơn vị chưa gửi báo cáo:")
    add_para(doc, "{{ so_muc.kien_nghi }} KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT, KIẾN NGHỊ", style="KH Mục")
    para_block(doc, "for x in kien_nghi")
    last_kept(doc, "- {{ x }}")
    para_block(doc, "endfor")
    para_block(doc, "if not kien_nghi")
    add_para(doc, "Các cơ quan, đơn vị chưa nêu khó khăn, vướng mắc, đề xuất, kiến nghị./.", style="KH Đoạn cuối")
    para_block(doc, "endif")
    add_para(doc, "", style="KH Đoạn cuối")
    signature_block(doc)
    section_break(doc, landscape=True, restart=True)
    para_block(doc, "if phu_luc")      # absent when the table is in the body: the section folds away
    appendix_heading(doc, "phu_luc", numbered=False)
    summary_indicator_table(doc)
    para_block(doc, "endif")
    _clean_core(doc, "Báo cáo tổng hợp")
    save(doc, path)


def save(doc, path: Path):
    """Save with fixed zip timestamps, so regenerating an unchanged template gives the same bytes
    (the build's manifest hashes templates: a spurious change would rebuild every document)."""
    import io
    import zipfile
    for part in doc.part.package.iter_parts():
        if getattr(part, "_element", None) is not None:
            schema_order(part._element)
    buf = io.BytesIO()
    doc.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    path.write_bytes(out.getvalue())


def diff_table(doc):
    t = looped_table(doc, [700, 1900, 2850, 2850, 771],
                     ["STT", "Vị trí, nội dung", "Kế hoạch đã ban hành", "Nội dung điều chỉnh", "Ghi chú"], "dong")
    tag_row(t, "{%tr if r.loai == 'nhom' %}")
    keep_together(add_row(t, ["{{ r.stt }}", "{{ r.noi_dung }}", "", "", ""], style="KH Bảng", bold=True,
                          align=["center", "left", "left", "left", "center"]))
    tag_row(t, "{%tr else %}")
    row = add_row(t, ["{{ r.stt }}", "{{ r.vi_tri }}", "", "", "{{ r.thay_doi }}"],
                  style="KH Bảng", align=["center", "left", "left", "left", "center"])
    add_para(row.cells[1], "{{ r.noi_dung }}", style="KH Bảng", italic=True)
    for cell, key in ((row.cells[2], "r.cu_phan"), (row.cells[3], "r.moi_phan")):
        # the words that changed print bold and underlined; restyle that run in Word if wished
        add_runs(cell.paragraphs[0], [("{% for s in " + key + " %}", {}), ("{% if s.doi %}", {}),
                                      ("{{ s.text }}", {"bold": True, "underline": True}), ("{% else %}", {}),
                                      ("{{ s.text }}", {}), ("{% endif %}", {}), ("{% endfor %}", {})])
    keep_together(row)
    tag_row(t, "{%tr endif %}")
    tag_row(t, "{%tr endfor %}")


def build_so_sanh(path: Path):
    """The comparison table of an amendment: every change, old beside new."""
    doc = start_document(numbered=False)
    add_para(doc, "{{ mo_dau }}", style="KH Văn bản")
    para_block(doc, "for x in tom_tat")
    add_para(doc, "- {{ x }}", style="KH Văn bản")
    para_block(doc, "endfor")
    add_para(doc, "", style="KH Văn bản", after=120)
    para_block(doc, "if dong")
    diff_table(doc)
    para_block(doc, "endif")
    _clean_core(doc, "Bảng so sánh")
    save(doc, path)


def _clean_core(doc, title):
    cp = doc.core_properties
    cp.author = "kehoach-docs"
    cp.last_modified_by = "kehoach-docs"
    cp.created = cp.modified = dt.datetime(2024, 1, 1)
    cp.title = title
    cp.comments = ""
    cp.revision = 1


def main(out: Path = OUT):
    """Write every template into ``out`` (``python templates/build.py [FOLDER]``)."""
    out.mkdir(parents=True, exist_ok=True)
    build_ke_hoach(out / "ke-hoach.docx")
    build_quyet_dinh(out / "quyet-dinh.docx")
    build_ke_hoach_kem_theo(out / "ke-hoach-kem-theo.docx")
    build_bao_cao(out / "bao-cao.docx")
    build_tong_hop(out / "tong-hop.docx")
    build_so_sanh(out / "so-sanh.docx")
    print("Đã tạo lại các mẫu trong", out)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
