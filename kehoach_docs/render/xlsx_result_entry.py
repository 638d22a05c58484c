"""The result-entry workbook an agency fills in (``bao-cao/<MA>.xlsx``).

Key columns (codes and the plan's wording) are locked; input cells are unlocked,
shaded and validated (a status dropdown, numbers where the target is numeric).
A hidden sheet names the plan and the agency, so ``collect`` can refuse a workbook
sent to the wrong plan. The layout constants here are what ``collect`` reads back.
"""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..model.tables import (ENTRY_FORMAT, ENTRY_INDICATORS, ENTRY_TASKS, entry_indicators, indicator_table, GENERAL_ROWS, GENERAL_SHEET, GUIDE_SHEET,
                            META_ROWS, META_SHEET, STATUSES)
from ..text.vn import parse_number
from .xlsx_print import fit_rows, print_setup
from .xlsx_appendix import BORDER, FONT, set_text

INDICATORS, TASKS = ENTRY_INDICATORS.sheet, ENTRY_TASKS.sheet
HEADER_ROW = ENTRY_INDICATORS.header_row

INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
KEY_FILL = PatternFill("solid", fgColor="EDEDED")
UNLOCKED = Protection(locked=False)
WRAP = Alignment(vertical="top", wrap_text=True)
TEXT_FMT = "@"
_ALIGN = {a: Alignment(horizontal=a, vertical="top", wrap_text=True) for a in ("left", "center")}


def _title(ws, lines: list[str], last_col: int):
    for row, text in enumerate(lines, start=1):
        c = ws.cell(row=row, column=1)
        set_text(c, text)
        c.font = Font(name=FONT, size=13 if row == 1 else 12, bold=row == 1, italic=row > 1)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)


def _table(ws, columns, rows: list[dict], validate) -> None:
    for j, col in enumerate(columns, start=1):
        header, width, is_input = col.header, col.width, col.editable
        c = ws.cell(row=HEADER_ROW, column=j)
        set_text(c, header)
        c.font = Font(name=FONT, size=12, bold=True)
        c.border = BORDER
        c.fill = INPUT_FILL if is_input else KEY_FILL
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(j)].width = width
    for i, r in enumerate(rows, start=HEADER_ROW + 1):
        for j, col in enumerate(columns, start=1):
            key, is_input = col.key, col.editable
            c = ws.cell(row=i, column=j)
            c.font = Font(name=FONT, size=12)
            c.border = BORDER
            c.alignment = _ALIGN[col.align]     # as the plan's appendices set the column: figures centred
            if is_input:
                c.protection = UNLOCKED
                c.fill = INPUT_FILL
            validate(c, key, r)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=3)
    fit_rows(ws, 1)
    print_setup(ws, landscape=True, title_rows=HEADER_ROW, last_col=len(columns))
    ws.protection.sheet = True
    # Clerks may still widen columns and rows to read long texts.
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _numeric_value(text: str):
    n = parse_number(text) if text else None
    return n if n is not None else (text or None)


def _indicator_sheet(wb, ctx: dict) -> None:
    ws = wb.create_sheet(INDICATORS)
    table = entry_indicators(indicator_table(ctx.get("khai_bao_cot"), ctx["nam"], ctx.get("can_cu", "muc_tieu")))
    _title(ws, [f"KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU NĂM {ctx['nam']}", ctx["ten_co_quan"],
                "Chỉ nhập vào các cột nền vàng; không sửa, xóa hay chèn dòng."], len(table.columns))
    number = DataValidation(type="decimal", operator="between", formula1="-1000000000000",
                            formula2="1000000000000", allow_blank=True, showErrorMessage=True,
                            showInputMessage=True, errorTitle="Cần nhập số",
                            error="Chỉ tiêu này cần một số (ví dụ 8,7). Ghi giải thích ở cột Ghi chú.",
                            promptTitle="Ước thực hiện", prompt="Nhập một số, ví dụ 8,7")
    if ctx.get("nhan_khoang"):
        # The plan accepts a range estimate: Excel warns about text but lets "7-7,5" through.
        number.errorStyle = "warning"
        number.error = "Cần một số (ví dụ 8,7) hoặc một khoảng (ví dụ 7-7,5). Chọn Yes nếu đúng là khoảng."
        number.prompt = "Nhập một số (8,7) hoặc một khoảng (7-7,5)"
    rank = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="20", allow_blank=True,
                          showInputMessage=True, promptTitle="Ước thực hiện",
                          prompt="Nhập thứ hạng hoặc tỉ số dạng a/b, ví dụ 4/10")
    free = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="1000", allow_blank=True,
                          showInputMessage=True, promptTitle="Ước thực hiện",
                          prompt="Chỉ tiêu ghi bằng chữ: ghi kết quả bằng chữ; cấp trên sẽ đánh giá")
    for dv in (number, rank, free):
        ws.add_data_validation(dv)

    def validate(c, key, r):
        value = r[key]
        if key == "uoc":
            {"so": number, "hang": rank}.get(r["nhap"], free).add(c)
            if r["nhap"] == "so":
                value = _numeric_value(value)
            else:
                c.number_format = TEXT_FMT   # "4/10" must not turn into a date
        set_text(c, value if value != "" else None)

    _table(ws, table.columns, ctx["chi_tieu"], validate)


def _task_sheet(wb, ctx: dict) -> None:
    ws = wb.create_sheet(TASKS)
    _title(ws, [f"KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ NĂM {ctx['nam']}", ctx["ten_co_quan"],
                "Chọn tình trạng trong danh sách; ghi kết quả ở cột Kết quả thực hiện."], len(ENTRY_TASKS.columns))
    status = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle="Tình trạng không hợp lệ",
                            error="Chọn một trong: " + ", ".join(STATUSES))
    ws.add_data_validation(status)

    def validate(c, key, r):
        if key == "trang_thai":
            status.add(c)
        set_text(c, r[key] or None)

    _table(ws, ENTRY_TASKS.columns, ctx["nhiem_vu"], validate)


def _general_sheet(wb, ctx: dict) -> None:
    ws = wb.create_sheet(GENERAL_SHEET)
    _title(ws, ["KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT, KIẾN NGHỊ", ctx["ten_co_quan"]], 2)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = PORTRAIT_WIDTH - 22       # the two within a portrait page
    date = DataValidation(type="date", operator="between", formula1="DATE(1945,1,1)", formula2="DATE(2100,12,31)",
                          allow_blank=True, showErrorMessage=True, errorTitle="Ngày không hợp lệ",
                          error="Nhập ngày dạng dd/mm/yyyy, ví dụ 05/12/2024")
    ws.add_data_validation(date)
    for row, key, label in GENERAL_ROWS:
        a, b = ws.cell(row=row, column=1), ws.cell(row=row, column=2)
        set_text(a, label)
        a.font = Font(name=FONT, size=12, bold=True)
        a.fill, b.fill = KEY_FILL, INPUT_FILL
        a.border = b.border = BORDER
        a.alignment = b.alignment = WRAP
        b.font = Font(name=FONT, size=12)
        b.protection = UNLOCKED
        value = ctx[key]
        if key == "ngay_bao_cao":
            date.add(b)
            b.number_format = "DD/MM/YYYY"
            value = dt.date.fromisoformat(value) if value else None
        else:
            ws.row_dimensions[row].height = 90
        set_text(b, value or None)
    fit_rows(ws, 1)
    print_setup(ws, landscape=False)
    ws.protection.sheet = True
    ws.protection.formatColumns = ws.protection.formatRows = False


#: The widest a portrait sheet's columns may be together (units of a "0"). LibreOffice prints a
#: wrapped cell wider than the A4 page unscaled and cuts every line at the page edge, whatever the
#: fit-to-width setting (a 110-wide guide lost a third of each instruction): it must fit unscaled.
PORTRAIT_WIDTH = 70


def _guide(wb, ctx: dict) -> None:
    ws = wb.active
    ws.title = GUIDE_SHEET
    ws.column_dimensions["A"].width = PORTRAIT_WIDTH
    lines = [
        ("SỔ NHẬP KẾT QUẢ THỰC HIỆN KẾ HOẠCH", True),
        (ctx["ten_co_quan"], True),
        (f"Kế hoạch: {ctx['tham_chieu']}.", False),
        ("", False),
        ("Cách điền:", True),
        ("1. Trang «Chỉ tiêu»: ghi số ước thực hiện cả năm vào cột «Ước thực hiện» (ví dụ 8,7). "
         "Chỉ tiêu xếp hạng ghi dạng 4/10; chỉ tiêu ghi bằng chữ thì ghi kết quả bằng chữ.", False),
        ("2. Trang «Nhiệm vụ»: chọn tình trạng (Hoàn thành / Đang thực hiện / Chưa thực hiện) "
         "và ghi tóm tắt kết quả.", False),
        ("3. Trang «Khó khăn - Đề xuất»: ghi ngày báo cáo, khó khăn, vướng mắc và đề xuất, kiến nghị.", False),
        ("4. Chỉ nhập vào các ô nền vàng. Không đổi tên trang, không sửa cột mã, tên chỉ tiêu, "
         "nhiệm vụ; không xóa hoặc chèn dòng.", False),
        ("5. Lưu tệp (giữ định dạng .xlsx) và gửi lại cho cơ quan tổng hợp. Gửi lại lần sau "
         "sẽ thay cho lần trước.", False),
    ]
    for row, (text, bold) in enumerate(lines, start=1):
        c = ws.cell(row=row, column=1)
        set_text(c, text or None)
        c.font = Font(name=FONT, size=13 if row == 1 else 12, bold=bold)
        c.alignment = Alignment(wrap_text=True, vertical="top")
    fit_rows(ws, 1)
    print_setup(ws, landscape=False)
    ws.protection.sheet = True


def _meta(wb, ctx: dict) -> None:
    ws = wb.create_sheet(META_SHEET)
    values = {"ke_hoach": ctx["ke_hoach"], "co_quan": ctx["co_quan"], "dinh_dang": ENTRY_FORMAT,
              "ban_ke_hoach": ctx["ban_ke_hoach"]}
    for row, key in META_ROWS:
        set_text(ws.cell(row=row, column=1), key)
        set_text(ws.cell(row=row, column=2), values[key])
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


def write_result_entry(ctx: dict) -> bytes:
    """The workbook for one agency (``ctx`` from :func:`~kehoach_docs.context.report_doc.entry_context`)."""
    wb = Workbook()
    _guide(wb, ctx)
    _indicator_sheet(wb, ctx)
    _task_sheet(wb, ctx)
    _general_sheet(wb, ctx)
    _meta(wb, ctx)
    for ws in wb.worksheets:
        # A rule that covers no cell (an agency with no indicators) would be written as an empty
        # <dataValidations>, which the schema forbids and Excel answers with its repair prompt.
        ws.data_validations.dataValidation = [dv for dv in ws.data_validations.dataValidation if dv.sqref]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


