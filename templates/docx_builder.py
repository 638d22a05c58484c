"""Building blocks for the docxtpl templates in ``templates/docx/`` (used by ``build.py``).

The templates are ordinary Word files that clerks may edit; this code only makes the
first version reproducible. All layout figures follow Nghị định 30/2020/NĐ-CP
(see README, «Mẫu văn bản»).
"""

from __future__ import annotations

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, Twips

FONT = "Times New Roman"
A4_W, A4_H = 11906, 16838
# Portrait margins (twips): top/bottom 20 mm, left 30 mm, right 20 mm.
MARGINS = dict(top=1134, bottom=1134, left=1701, right=1134)
TEXT_W = A4_W - MARGINS["left"] - MARGINS["right"]          # 9071
LAND_TEXT_W = A4_H - MARGINS["left"] - MARGINS["right"]     # landscape width between margins

ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
         "both": WD_ALIGN_PARAGRAPH.JUSTIFY, "right": WD_ALIGN_PARAGRAPH.RIGHT}


def _el(tag: str, **attrs) -> OxmlElement:
    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(k), str(v))
    return el


def _fonts(rpr) -> None:
    for old in rpr.findall(qn("w:rFonts")):
        rpr.remove(old)
    rpr.insert(0, _el("w:rFonts", **{"w:ascii": FONT, "w:hAnsi": FONT, "w:cs": FONT, "w:eastAsia": FONT}))


def slim(doc) -> None:
    """Drop what python-docx's default template carries and our documents never use: 100 table
    styles (300 KB) and the Word 2010 ``stylesWithEffects`` part (400 KB). Every output would
    otherwise carry and compress 700 KB of dead weight (and the picture of an empty page); Word adds a table style when one is used."""
    styles = doc.styles.element
    for st in styles.findall(qn("w:style")):
        if st.get(qn("w:type")) == "table" and st.get(qn("w:default")) != "1":
            styles.remove(st)
    for owner, kind in ((doc.part, "/stylesWithEffects"), (doc.part.package, "/thumbnail")):
        for rid, rel in list(owner.rels.items()):
            if rel.reltype.endswith(kind):
                owner.rels.pop(rid)


def new_document(body_pt: float = 14) -> Document:
    """A4 portrait document whose defaults are Times New Roman ``body_pt``, black, no spacing."""
    doc = Document()
    slim(doc)
    styles = doc.styles.element
    rpr_default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr_default)
    for tag in ("w:sz", "w:szCs", "w:lang", "w:color"):
        for old in rpr_default.findall(qn(tag)):
            rpr_default.remove(old)
    rpr_default.append(_el("w:color", **{"w:val": "000000"}))
    rpr_default.append(_el("w:sz", **{"w:val": round(body_pt * 2)}))
    rpr_default.append(_el("w:szCs", **{"w:val": round(body_pt * 2)}))
    rpr_default.append(_el("w:lang", **{"w:val": "vi-VN", "w:eastAsia": "vi-VN", "w:bidi": "ar-SA"}))
    ppr_default = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault"))
    if ppr_default is not None:
        ppr = ppr_default.find(qn("w:pPr"))
        for old in ppr.findall(qn("w:spacing")):
            ppr.remove(old)
        ppr.append(_el("w:spacing", **{"w:before": 0, "w:after": 0, "w:line": 240, "w:lineRule": "auto"}))
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(body_pt)
    _fonts(normal.element.get_or_add_rPr())
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    # Theme fonts in the other built-in styles would resolve to Calibri/Cambria.
    for st in doc.styles:
        rpr = st.element.find(qn("w:rPr"))
        if rpr is not None and rpr.find(qn("w:rFonts")) is not None:
            _fonts(rpr)
        if rpr is not None:
            for color in rpr.findall(qn("w:color")):
                rpr.remove(color)
    section = doc.sections[0]
    set_page(section, landscape=False)
    return doc


def set_page(section, landscape: bool, restart: bool = False) -> None:
    """A4 with ND30 margins; title page without page number; optional restart at 1."""
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width = Twips(A4_H if landscape else A4_W)
    section.page_height = Twips(A4_W if landscape else A4_H)
    section.top_margin = Twips(MARGINS["top"])
    section.bottom_margin = Twips(MARGINS["bottom"])
    section.left_margin = Twips(MARGINS["left"])
    section.right_margin = Twips(MARGINS["right"])
    section.header_distance = Twips(567)
    section.footer_distance = Twips(567)
    section.different_first_page_header_footer = True
    sect = section._sectPr
    for old in sect.findall(qn("w:pgNumType")):
        sect.remove(old)
    if restart:
        pg = _el("w:pgNumType", **{"w:start": 1})
        # pgNumType goes after pgMar/pgSz in the schema order
        sect.find(qn("w:pgMar")).addnext(pg)


def section_break(doc, landscape: bool, restart: bool = False):
    """A new section on a new page (A4, ND30 margins, see :func:`set_page`); returns it.

    The empty paragraph that ends the section before (python-docx's section break) is made 1 pt
    high with no spacing: after a signature that fills its page to the foot, a paragraph of body
    size would go alone onto a page of its own, printed blank but for its number."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    set_page(section, landscape=landscape, restart=restart)
    ends = doc.paragraphs[-1]
    fmt = ends.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(1)
    ppr = ends._p.get_or_add_pPr()
    mark = _el("w:rPr")
    mark.append(_el("w:sz", **{"w:val": 2}))
    ppr.insert_element_before(mark, "w:sectPr", "w:pPrChange")
    return section


def page_number_header(section, size_pt: float = 14) -> None:
    """Default header: a centred PAGE field at ``size_pt``; first-page header empty (ND30 I.7)."""
    section.header.is_linked_to_previous = False
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        r = p.add_run()
        r.font.size = Pt(size_pt)
        if kind:
            r._r.append(_el("w:fldChar", **{"w:fldCharType": kind}))
        elif text.strip() == "PAGE":
            it = _el("w:instrText", **{"xml:space": "preserve"})
            it.text = text
            r._r.append(it)
        else:
            r.text = text
    section.first_page_header.is_linked_to_previous = False
    section.first_page_header.paragraphs[0].text = ""


def para_style(doc, name, size=14, bold=False, italic=False, align="both", first_line=0,
               before=0, after=0, line=240, base="Normal", keep_next=False):
    """A paragraph style the clerk can adjust in Word (Home > Styles)."""
    st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    st.base_style = doc.styles[base]
    st.quick_style = True
    f = st.font
    f.name = FONT
    f.size = Pt(size)
    f.bold = bold
    f.italic = italic
    _fonts(st.element.get_or_add_rPr())
    pf = st.paragraph_format
    pf.alignment = ALIGN[align]
    pf.first_line_indent = Twips(first_line) if first_line else Twips(0)
    pf.space_before = Twips(before)
    pf.space_after = Twips(after)
    pf.line_spacing = line / 240
    pf.keep_with_next = keep_next
    return st


def add_para(container, text="", style=None, size=None, bold=None, italic=None, align=None,
             before=None, after=None, first_line=None, left=None, right=None):
    """Add a paragraph with optional direct formatting (used for one-off header lines)."""
    p = container.add_paragraph(style=style)
    if text:
        r = p.add_run(text)
        if size is not None:
            r.font.size = Pt(size)
        if bold is not None:
            r.font.bold = bold
        if italic is not None:
            r.font.italic = italic
    pf = p.paragraph_format
    if align is not None:
        pf.alignment = ALIGN[align]
    if before is not None:
        pf.space_before = Twips(before)
    if after is not None:
        pf.space_after = Twips(after)
    if first_line is not None:
        pf.first_line_indent = Twips(first_line)
    if left is not None:
        pf.left_indent = Twips(left)
    if right is not None:
        pf.right_indent = Twips(right)
    return p


def add_rule(container, width: int, available: int, before: int = 0, after: int = 0):
    """A solid line ``width`` twips long, centred in ``available``: an empty bordered paragraph."""
    side = max(0, (available - width) // 2)
    p = add_para(container, style=None, align="center", before=before, after=after, left=side, right=side)
    ppr = p._p.get_or_add_pPr()
    bdr = _el("w:pBdr")
    bdr.append(_el("w:bottom", **{"w:val": "single", "w:sz": 6, "w:space": 1, "w:color": "000000"}))
    ppr.append(bdr)
    # A tiny paragraph mark so the line sits right under the text above it.
    rpr = _el("w:rPr")
    rpr.append(_el("w:sz", **{"w:val": 4}))
    rpr.append(_el("w:szCs", **{"w:val": 4}))
    ppr.append(rpr)
    return p


def table(container, widths: list[int], borders: bool, indent: int = 0):
    """A fixed-layout table with the given column widths (twips)."""
    t = container.add_table(rows=0, cols=len(widths))
    t.alignment = WD_TABLE_ALIGNMENT.CENTER if borders else WD_TABLE_ALIGNMENT.LEFT
    tbl = t._tbl
    tblpr = tbl.tblPr
    for old in tblpr.findall(qn("w:tblStyle")):
        tblpr.remove(old)
    tblpr.append(_el("w:tblW", **{"w:w": sum(widths), "w:type": "dxa"}))
    if indent:
        tblpr.append(_el("w:tblInd", **{"w:w": indent, "w:type": "dxa"}))
    b = _el("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b.append(_el(f"w:{side}", **({"w:val": "single", "w:sz": 4, "w:space": 0, "w:color": "000000"}
                                     if borders else {"w:val": "nil"})))
    tblpr.append(b)
    tblpr.append(_el("w:tblLayout", **{"w:type": "fixed"}))
    cm = _el("w:tblCellMar")
    for side in ("left", "right"):
        cm.append(_el(f"w:{side}", **{"w:w": 85 if borders else 57, "w:type": "dxa"}))
    tblpr.append(cm)
    grid = tbl.tblGrid
    for gc, w in zip(grid.findall(qn("w:gridCol")), widths):
        gc.set(qn("w:w"), str(w))
    t._kh_widths = widths
    return t


def add_row(t, texts: list[str], style=None, bold=False, italic=False, header=False, align=None,
            size=None):
    """Append a row; each cell gets one paragraph with ``text``."""
    row = t.add_row()
    if header:
        trpr = row._tr.get_or_add_trPr()
        trpr.append(_el("w:tblHeader"))
        trpr.append(_el("w:cantSplit"))
    for cell, text, w in zip(row.cells, texts, t._kh_widths):
        cell.width = Twips(w)
        tcpr = cell._tc.get_or_add_tcPr()
        tcpr.append(_el("w:vAlign", **{"w:val": "center"}))
        p = cell.paragraphs[0]
        if style is not None:
            p.style = style
        if text:
            r = p.add_run(text)
            if bold:
                r.font.bold = True
            if italic:
                r.font.italic = True
            if size:
                r.font.size = Pt(size)
        if align:
            p.paragraph_format.alignment = ALIGN[align if not isinstance(align, list) else "left"]
    if isinstance(align, list):
        for cell, a in zip(row.cells, align):
            cell.paragraphs[0].paragraph_format.alignment = ALIGN[a]
    return row


def tag_row(t, tag: str):
    """A row holding only a docxtpl ``{%tr … %}`` tag (the row itself disappears on rendering)."""
    row = t.add_row()
    row.cells[0].paragraphs[0].add_run(tag)
    return row


def cell_paras(cell, items):
    """Fill a cell with paragraphs; ``items`` are (text, kwargs) pairs for :func:`add_para`."""
    first = True
    for text, kw in items:
        if first:
            p = cell.paragraphs[0]
            first = False
            if text:
                r = p.add_run(text)
                for k in ("size", "bold", "italic"):
                    if kw.get(k) is not None:
                        setattr(r.font, k, Pt(kw[k]) if k == "size" else kw[k])
            if kw.get("style"):
                p.style = kw["style"]
            if kw.get("align"):
                p.paragraph_format.alignment = ALIGN[kw["align"]]
        else:
            add_para(cell, text, **kw)


def keep_together(row):
    """Never split this row across pages (the signature block stays whole); returns ``row``."""
    row._tr.get_or_add_trPr().append(_el("w:cantSplit"))
    return row


def keep_with_next(row):
    """Keep this row on the page of the row after it (a group's heading row is never the last on
    a page, away from its items): Word keeps rows together through their paragraphs. Returns ``row``."""
    for c in row.cells:
        for p in c.paragraphs:
            p.paragraph_format.keep_with_next = True
    return row


def add_runs(container, pieces, style=None):
    """A paragraph made of several runs: ``pieces`` are (text, {bold, italic, highlight}) pairs.

    Template tags go in runs of their own, so a clerk can restyle the text around
    them in Word without splitting a tag.
    """
    from docx.enum.text import WD_COLOR_INDEX
    p = container.add_paragraph(style=style) if not hasattr(container, "add_run") else container
    for text, fmt in pieces:
        r = p.add_run(text)
        if fmt.get("bold"):
            r.font.bold = True
        if fmt.get("italic"):
            r.font.italic = True
        if fmt.get("underline"):
            r.font.underline = True
        if fmt.get("highlight"):
            r.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return p


# ECMA-376 sequences (Part 1, §17) for the property elements this builder writes. python-docx
# inserts what it knows in order, but elements added here by hand (pBdr, tblW, tblLayout…) were
# appended at the end; Word tolerates that, validators and stricter readers do not.
_SEQUENCES = {
    "pPr": ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
            "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
            "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
            "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
            "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
            "sectPr", "pPrChange"],
    "rPr": ["ins", "del", "moveFrom", "moveTo", "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps",
            "smallCaps", "strike", "dstrike", "outline", "shadow", "emboss", "imprint", "noProof",
            "snapToGrid", "vanish", "webHidden", "color", "spacing", "w", "kern", "position", "sz", "szCs",
            "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang",
            "eastAsianLayout", "specVanish", "oMath", "rPrChange"],
    "tblPr": ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
              "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar",
              "tblLook", "tblCaption", "tblDescription", "tblPrChange"],
    "tcPr": ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
             "textDirection", "tcFitText", "vAlign", "hideMark", "tcPrChange"],
    "sectPr": ["headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar",
               "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote",
               "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange"],
}
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def schema_order(root) -> None:
    """Put the children of every property element under ``root`` in the schema's order (stable)."""
    for el in root.iter():
        if not isinstance(el.tag, str) or not el.tag.startswith(_W):
            continue
        seq = _SEQUENCES.get(el.tag[len(_W):])
        if seq is None:
            continue
        rank = {name: i for i, name in enumerate(seq)}
        children = list(el)
        ordered = sorted(children, key=lambda c: rank.get(c.tag[len(_W):] if isinstance(c.tag, str) else "",
                                                          len(rank)))
        if ordered != children:
            for c in children:
                el.remove(c)
            el.extend(ordered)
    # one width per table: python-docx writes tblW type="auto"; the builder adds the real one
    for tblpr in root.iter(_W + "tblPr"):
        widths = tblpr.findall(_W + "tblW")
        for extra in widths[:-1]:
            tblpr.remove(extra)
