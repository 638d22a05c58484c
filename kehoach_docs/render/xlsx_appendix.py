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

from ..model.tables import COLUMNS_LABEL, NOTES_LABEL, appendix_table
from ..text.hygiene import MAX_CELL_TEXT
from .xlsx_print import fit_rows, print_setup

FONT = "Times New Roman"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)

#: The label of the cell that keeps the appendix title as written.
TITLE_LABEL = "Tên phụ lục (như dữ liệu)"
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


def write_appendix(part: str, appendix: dict, year: int) -> bytes:
    """The workbook of one appendix (``appendix`` is its document context): the printed columns
    as in the document, then the codes and hidden fields a re-read needs, outside the print area."""
    table = appendix_table(part, appendix.get("khai_bao_cot"), year)
    cols = table.columns
    head_row = table.header_row
    wb = Workbook()
    ws = wb.active
    ws.title = table.sheet
    n_print = len(table.printed)
    last = get_column_letter(n_print)
    from ..nd30.rules import SIZES      # the sizes ND30 III.1c sets for an appendix's heading, as the .docx has
    heading = SIZES["phu_luc_tieu_de"].use
    for row, text, font in ((1, f"Phụ lục {appendix['so']}", Font(name=FONT, size=SIZES["phu_luc"].use, bold=True)),
                            (2, appendix["tieu_de"], Font(name=FONT, size=heading, bold=True)),
                            (3, appendix["kem_theo"], Font(name=FONT, size=heading, italic=True))):
        ws.merge_cells(f"A{row}:{last}{row}")
        c = ws.cell(row=row, column=1)
        set_text(c, text)
        c.font = font
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    # The title as written (the sheet prints it in capitals), for the reader, outside the print area.
    set_text(ws.cell(row=1, column=n_print + 1), TITLE_LABEL)
    set_text(ws.cell(row=2, column=n_print + 1), appendix["tieu_de_goc"])
    import json
    for offset, (label, value) in enumerate(((COLUMNS_LABEL, appendix.get("khai_bao_cot")),
                                             (NOTES_LABEL, appendix.get("chu_thich"))), start=2):
        if value:
            set_text(ws.cell(row=1, column=n_print + offset), label)
            set_text(ws.cell(row=2, column=n_print + offset), json.dumps(value, ensure_ascii=False))
    ws.row_dimensions[2].height = 36
    ws.row_dimensions[3].height = 30
    head_font = Font(name=FONT, size=12, bold=True)
    for j, col in enumerate(cols, start=1):
        c = ws.cell(row=head_row, column=j)
        set_text(c, col.title(year))
        width = col.width
        c.font = head_font
        c.border = BORDER
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.row_dimensions[head_row].height = 48
    for i, r in enumerate(appendix["dong"], start=head_row + 1):
        kind = r["loai"]
        font = Font(name=FONT, size=12, bold=kind == "nhom", italic=kind == "con")
        for j, col in enumerate(cols, start=1):
            c = ws.cell(row=i, column=j)
            set_text(c, r.get(col.key, "") or None)
            c.font = font
            c.border = BORDER if j <= n_print else Border()
            c.alignment = Alignment(horizontal=col.align, vertical="center", wrap_text=True)
    ws.freeze_panes = ws.cell(row=head_row + 1, column=1)
    fit_rows(ws, head_row + 1)
    print_setup(ws, landscape=True, title_rows=head_row, last_col=n_print)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
