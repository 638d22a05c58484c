"""The comparison table as a workbook: one row per change, old beside new, filterable."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from .xlsx_appendix import BORDER, FONT, set_text
from .xlsx_print import fit_rows, print_setup

COLUMNS = [("stt", "STT", 6), ("phan", "Phần", 22), ("vi_tri", "Mã / vị trí", 16), ("noi_dung", "Nội dung", 36),
           ("cu", "Kế hoạch đã ban hành", 50), ("moi", "Nội dung điều chỉnh", 50), ("thay_doi", "Thay đổi", 10)]
HEADER_ROW = 4


def write_diff(ctx: dict) -> bytes:
    """The workbook of a comparison (``ctx`` from :func:`~kehoach_docs.context.diff_doc.diff_context`)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Bảng so sánh"
    for row, text, font in ((1, ctx["ten_loai"], Font(name=FONT, size=14, bold=True)),
                            (2, ctx["trich_yeu"], Font(name=FONT, size=12, bold=True))):
        set_text(ws.cell(row=row, column=1), text)
        ws.cell(row=row, column=1).font = font
    for j, (_, header, width) in enumerate(COLUMNS, start=1):
        c = ws.cell(row=HEADER_ROW, column=j)
        set_text(c, header)
        c.font = Font(name=FONT, size=12, bold=True)
        c.border = BORDER
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[c.column_letter].width = width
    rows = [r for r in ctx["dong"] if r["loai"] != "nhom"]
    for i, r in enumerate(rows, start=HEADER_ROW + 1):
        for j, (key, _, _) in enumerate(COLUMNS, start=1):
            c = ws.cell(row=i, column=j)
            set_text(c, (str(i - HEADER_ROW) if key == "stt" else r[key]) or None)
            c.font = Font(name=FONT, size=12)
            c.border = BORDER
            c.alignment = Alignment(vertical="top", wrap_text=True)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    if rows:
        ws.auto_filter.ref = f"A{HEADER_ROW}:G{HEADER_ROW + len(rows)}"
    fit_rows(ws, HEADER_ROW + 1)
    print_setup(ws, landscape=True, title_rows=HEADER_ROW)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
