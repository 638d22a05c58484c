"""Workbooks that print as they are: A4, fitted to the page width, header rows repeated on every
page, a print area, and rows as tall as their wrapped text (Excel and LibreOffice keep a row one
line high otherwise, so a wrapped cell prints over its neighbours or cut off)."""

from __future__ import annotations

import math


#: The height of one line of 12-pt Times New Roman, in points, and a little air around the text.
LINE_PT, PADDING_PT = 15.0, 3.0
#: Characters of 12-pt Times New Roman that fit in one unit of column width (the width of a "0").
CHARS_PER_UNIT = 1.1


def lines_of(text: str, width: float) -> int:
    """How many lines ``text`` takes in a column ``width`` units wide, wrapped at words."""
    per_line = max(1, int((width - 1) * CHARS_PER_UNIT))
    text = str(text)
    if len(text) <= per_line and "\n" not in text:   # most cells: a figure, a unit, a short name
        return 1
    total = 0
    for paragraph in text.split("\n"):
        line, count = 0, 1
        for word in paragraph.split():
            need = len(word) + (1 if line else 0)
            if line and line + need > per_line:
                count, line = count + 1, len(word)
            else:
                line += need
        count += max(0, line - 1) // per_line if line > per_line else 0
        total += count
    return max(1, total)


def fit_rows(ws, first_row: int, last_row: int | None = None) -> None:
    """Give each row from ``first_row`` the height its wrapped cells need (merged cells count
    the width of every column they span)."""
    from openpyxl.utils import get_column_letter    # lines_of serves prepared workbooks without openpyxl
    spans = {rng.min_row: rng for rng in ws.merged_cells.ranges if rng.min_row == rng.max_row}
    width = {c: ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(1, ws.max_column + 1)}
    for r in range(first_row, (last_row or ws.max_row) + 1):
        lines = 1
        for cell in ws[r]:
            if cell.value is None or not isinstance(cell.value, str):
                continue
            if r in spans and spans[r].min_col == cell.column:
                w = sum(width[c] for c in range(spans[r].min_col, spans[r].max_col + 1))
            else:
                w = width.get(cell.column, 8.43)
            lines = max(lines, lines_of(cell.value, w))
        if lines > 1:
            current = ws.row_dimensions[r].height
            ws.row_dimensions[r].height = max(current or 0, math.ceil(lines * LINE_PT + PADDING_PT))


def print_setup(ws, *, landscape: bool, title_rows: int | None = None, last_col: int | None = None) -> None:
    """A4, fitted to one page wide (as many pages down as needed), the header row repeated on every
    page and the print area on the table (``last_col``: columns beyond it are codes, not printed)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    from ..nd30.rules import SIZES      # here: lines_of serves the workers, which need no babel
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left, ws.page_margins.right = 0.59, 0.39
    ws.page_margins.top, ws.page_margins.bottom = 0.59, 0.59
    if title_rows:
        ws.print_title_rows = f"{title_rows}:{title_rows}"
    last = last_col or ws.max_column
    ws.print_area = f"A1:{get_column_letter(last)}{max(ws.max_row, 1)}"
    # the page number as ND30 I.7 places it in a document: top centre, Times New Roman, none on page 1
    # (the header distance leaves the number room above the table: openpyxl's 0.5" would clip it)
    ws.page_margins.header = 0.3
    ws.HeaderFooter.differentFirst = True
    ws.oddHeader.center.text = "&P"
    ws.oddHeader.center.font = "Times New Roman,Regular"
    ws.oddHeader.center.size = SIZES["so_trang"].use
