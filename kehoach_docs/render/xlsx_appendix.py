"""Phụ lục I and II as formatted workbooks, in the layout the loader reads back.

The sheet looks like the printed appendix (title, bordered table, frozen header,
A4 landscape fitted to width) and keeps the codes a re-read needs in its last
columns, outside the print area.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from ..text.hygiene import MAX_CELL_TEXT

FONT = "Times New Roman"
HEADER_ROW = 5
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)

# (key, header, width); headers with {nam} take the plan year.
PL1_COLUMNS = [
    ("stt", "STT", 6), ("ten", "Chỉ tiêu", 48), ("don_vi", "Đơn vị tính", 12),
    ("ke_hoach", "Kế hoạch năm {nam} HĐND giao", 15), ("muc_tieu", "Mục tiêu phấn đấu năm {nam}", 15),
    ("co_quan", "Cơ quan chủ trì theo dõi, đánh giá", 30), ("ma", "Mã chỉ tiêu", 12),
    ("ma_co_quan", "Mã cơ quan", 12),
]
PL2_COLUMNS = [
    ("stt", "STT", 6), ("noi_dung", "Nhiệm vụ", 60), ("chu_tri", "Cơ quan chủ trì", 26),
    ("phoi_hop", "Cơ quan phối hợp", 30), ("thoi_han", "Thời gian hoàn thành", 16),
    ("ma", "Mã nhiệm vụ", 10), ("thuoc", "Thuộc mục", 18),
]
PRINTED = {"phu_luc_i": 6, "phu_luc_ii": 5}   # columns that print; the rest are codes
SHEET = {"phu_luc_i": "Phụ lục I", "phu_luc_ii": "Phụ lục II"}
_FORMULA_START = ("=", "+", "-", "@")


def set_text(cell: Cell, value) -> None:
    """Store ``value``; text that Excel could take for a formula stays plain text.

    Text longer than a cell holds is refused, never cut (openpyxl would cut it silently); the
    loader reports such values with their location, so this only guards composed text.
    """
    if isinstance(value, str) and len(value) > MAX_CELL_TEXT:
        raise ValueError(f"ô {cell.coordinate}: văn bản dài {len(value)} ký tự, quá {MAX_CELL_TEXT} ký tự "
                         "một ô Excel chứa được")
    cell.value = value
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        cell.data_type = "s"


def headers(part: str, year: int) -> list[str]:
    cols = PL1_COLUMNS if part == "phu_luc_i" else PL2_COLUMNS
    return [h.format(nam=year) for _, h, _ in cols]


def write_appendix(part: str, appendix: dict, year: int) -> bytes:
    """The workbook of one appendix (``appendix`` is its document context)."""
    cols = PL1_COLUMNS if part == "phu_luc_i" else PL2_COLUMNS
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET[part]
    n_print = PRINTED[part]
    last = get_column_letter(n_print)
    for row, text, font in ((1, f"Phụ lục {appendix['so']}", Font(name=FONT, size=14, bold=True)),
                            (2, appendix["tieu_de"], Font(name=FONT, size=13, bold=True)),
                            (3, appendix["kem_theo"], Font(name=FONT, size=12, italic=True))):
        ws.merge_cells(f"A{row}:{last}{row}")
        c = ws.cell(row=row, column=1)
        set_text(c, text)
        c.font = font
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[2].height = 36
    ws.row_dimensions[3].height = 30
    head_font = Font(name=FONT, size=12, bold=True)
    for j, (title, (_, _, width)) in enumerate(zip(headers(part, year), cols), start=1):
        c = ws.cell(row=HEADER_ROW, column=j)
        set_text(c, title)
        c.font = head_font
        c.border = BORDER
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.row_dimensions[HEADER_ROW].height = 48
    for i, r in enumerate(appendix["dong"], start=HEADER_ROW + 1):
        kind = r["kieu"]
        font = Font(name=FONT, size=12, bold=kind == "nhom", italic=kind == "con")
        for j, (key, _, _) in enumerate(cols, start=1):
            c = ws.cell(row=i, column=j)
            set_text(c, r.get(key, "") or None)
            c.font = font
            c.border = BORDER if j <= n_print else Border()
            centred = key in ("stt", "don_vi", "ke_hoach", "muc_tieu", "thoi_han")
            c.alignment = Alignment(horizontal="center" if centred else "left", vertical="center",
                                    wrap_text=True)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:{last}{max(HEADER_ROW, HEADER_ROW + len(appendix['dong']))}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left, ws.page_margins.right = 0.79, 0.59
    ws.page_margins.top, ws.page_margins.bottom = 0.79, 0.79
    ws.oddFooter.center.text = "&P"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
