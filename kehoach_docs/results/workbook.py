"""Read a filled result-entry workbook back into :class:`~kehoach_docs.model.results.KetQuaCoQuan`.

The workbook comes back from another office, so it is opened as defensively as an
appendix workbook, and checked against the plan: the right plan and agency, key
columns as written, values of the right kind. Every problem names its sheet!cell.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError

from ..model.bundle import Plan
from ..problems import ERROR, Problem, Problems, rel
from ..model.tables import (ENTRY_INDICATORS, ENTRY_TASKS, GENERAL_ROWS, META_ROWS, STATUSES, entry_indicators)
from ..model.tables import GENERAL_SHEET as GENERAL
from ..model.tables import META_SHEET as META
from ..untrusted_zip import zip_ok
from ..source.xlsx_appendix import extent_ok
from ..text.hygiene import clean_text
from ..text.vn import format_number
from ..model.evaluation import unmeasurable
from .entry import entry_data
from ..model.results import KetQuaCoQuan


def _norm(v) -> str:
    return unicodedata.normalize("NFC", " ".join(str(v).split())) if v is not None else ""


def _cell_text(v) -> str:
    """A cell as the text a plan writes: numbers the Vietnamese way (8.7 -> ``8,7``)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, float, Decimal)):
        return format_number(Decimal(repr(v)) if isinstance(v, float) else Decimal(v), max_decimals=6)
    if isinstance(v, (dt.datetime, dt.date)):
        return v.strftime("%d/%m/%Y")
    return unicodedata.normalize("NFC", str(v).strip())


class _Reader:
    def __init__(self, plan: Plan, path: Path, problems: Problems):
        self.plan, self.file, self.problems = plan, rel(path), problems
        self.path = path

    def error(self, sheet: str, cell: str | None, path: tuple, message: str) -> None:
        where = f"{sheet}!{cell}" if cell else sheet
        self.problems.add(Problem(ERROR, self.file, where, path, message))

    def text(self, ws, cell, path) -> str:
        try:
            raw = _cell_text(cell.value)
        except ValueError as exc:   # a number too large to be real
            self.error(ws.title, cell.coordinate, path, str(exc))
            return ""
        if cell.data_type == "f":
            self.error(ws.title, cell.coordinate, path, "ô chứa công thức; hãy ghi giá trị")
            return ""
        text, issues = clean_text(raw)
        for issue in issues:
            self.problems.add(Problem(issue.level, self.file, f"{ws.title}!{cell.coordinate}", path,
                                      issue.message))
        return text

    def read(self) -> KetQuaCoQuan | None:
        import openpyxl
        if not zip_ok(self.path, self.file, self.problems):
            return None
        try:
            wb = openpyxl.load_workbook(self.path, data_only=False)
        except Exception as exc:  # openpyxl raises many kinds on damaged files
            self.problems.add(Problem(ERROR, self.file, None, (), f"không mở được tệp Excel ({type(exc).__name__})"))
            return None
        if not extent_ok(wb, self.file, self.problems):
            return None
        missing = [s for s in (META, ENTRY_INDICATORS.sheet, ENTRY_TASKS.sheet, GENERAL) if s not in wb.sheetnames]
        if missing:
            self.problems.add(Problem(ERROR, self.file, None, (),
                                      "không phải sổ nhập kết quả do kehoach tạo (thiếu trang "
                                      + ", ".join(f"«{s}»" for s in missing) + ")"))
            return None
        code = self.identity(wb[META])
        if code is None:
            return None
        before = len(self.problems.errors)
        expected = entry_data(self.plan, code)    # what the workbook was made with
        data = {"co_quan": code, **self.general(wb[GENERAL]),
                "chi_tieu": self.indicators(wb[ENTRY_INDICATORS.sheet], expected["chi_tieu"]),
                "nhiem_vu": self.tasks(wb[ENTRY_TASKS.sheet], expected["nhiem_vu"])}
        if len(self.problems.errors) > before:
            return None
        try:
            return KetQuaCoQuan.model_validate(data)
        except ValidationError as exc:
            for e in exc.errors():
                self.problems.add(Problem(ERROR, self.file, None, tuple(str(x) for x in e["loc"]), e["msg"]))
            return None

    def identity(self, ws) -> str | None:
        values = {key: _norm(ws.cell(row=row, column=2).value) for row, key in META_ROWS}
        rows = dict((k, r) for r, k in META_ROWS)
        if values["ke_hoach"] != self.plan.name:
            self.error(META, f"B{rows['ke_hoach']}", ("ke_hoach",),
                       f"sổ nhập này thuộc kế hoạch «{values['ke_hoach']}», không phải «{self.plan.name}»")
            return None
        code = values["co_quan"]
        if code not in self.plan.co_quan:
            self.error(META, f"B{rows['co_quan']}", ("co_quan",), f"mã cơ quan «{code}» không có trong danh bạ")
            return None
        return code

    def _rows(self, ws, columns, expected: dict[str, dict], what: str, sheet_key: str):
        """Yield (code, {key: cell}) for each row, checking the key columns against the plan."""
        seen = set()
        head = ENTRY_INDICATORS.header_row
        headers = [_norm(ws.cell(row=head, column=j).value) for j in range(1, len(columns) + 1)]
        for j, (col, got) in enumerate(zip(columns, headers), start=1):
            header = col.header
            if got != header:
                cell = ws.cell(row=head, column=j).coordinate
                self.error(ws.title, cell, (sheet_key,), f"tiêu đề cột phải là «{header}», gặp «{got}» "
                           "(không chèn, xóa hay đổi thứ tự cột)")
                return
        for row in range(head + 1, ws.max_row + 1):
            cells = {col.key: ws.cell(row=row, column=j) for j, col in enumerate(columns, start=1)}
            code = _norm(cells["ma"].value)
            if not code and all(c.value in (None, "") for c in cells.values()):
                continue
            if code not in expected:
                self.error(ws.title, cells["ma"].coordinate, (sheet_key,),
                           f"mã {what} «{code}» không thuộc phần giao cho cơ quan này (cột khóa đã bị sửa?)")
                continue
            if code in seen:
                self.error(ws.title, cells["ma"].coordinate, (sheet_key, code), f"mã {what} «{code}» lặp lại")
                continue
            seen.add(code)
            for col in columns:
                key = col.key
                if not col.editable and key != "ma" and _norm(cells[key].value) != _norm(expected[code][key]):
                    self.error(ws.title, cells[key].coordinate, (sheet_key, code),
                               f"cột khóa «{col.header}» đã bị sửa: kế hoạch ghi «{expected[code][key]}», "
                               f"sổ nhập ghi «{_norm(cells[key].value)}»")
            yield code, cells
        for code in expected:
            if code not in seen:
                self.error(ws.title, None, (sheet_key, code), f"thiếu dòng của {what} «{code}» (dòng đã bị xóa?)")

    def indicators(self, ws, rows: list[dict]) -> dict:
        expected = {r["ma"]: r for r in rows}
        out = {}
        for ma, cells in self._rows(ws, entry_indicators(self.plan.indicator_table).columns, expected, "chỉ tiêu",
                                    "chi_tieu"):
            path = ("chi_tieu", ma, "uoc_thuc_hien")
            uoc = self.text(ws, cells["uoc"], path)
            ghi_chu = self.text(ws, cells["ghi_chu"], ("chi_tieu", ma, "ghi_chu"))
            why = unmeasurable(self.plan.chi_tieu[ma], uoc, self.plan.ke_hoach.danh_gia)
            if why:
                self.error(ws.title, cells["uoc"].coordinate, path, why)
                continue
            if uoc or ghi_chu:
                out[ma] = {"uoc_thuc_hien": uoc, "ghi_chu": ghi_chu}
        return out

    def tasks(self, ws, rows: list[dict]) -> dict:
        expected = {r["ma"]: r for r in rows}
        out = {}
        for ma, cells in self._rows(ws, ENTRY_TASKS.columns, expected, "nhiệm vụ", "nhiem_vu"):
            status = self.text(ws, cells["trang_thai"], ("nhiem_vu", ma, "trang_thai"))
            result = self.text(ws, cells["ket_qua"], ("nhiem_vu", ma, "ket_qua"))
            if status and status not in STATUSES:
                self.error(ws.title, cells["trang_thai"].coordinate, ("nhiem_vu", ma, "trang_thai"),
                           f"tình trạng «{status}» không hợp lệ; chọn một trong: " + ", ".join(STATUSES))
                continue
            if status or result:
                out[ma] = {"trang_thai": status or None, "ket_qua": result}
        return out

    def general(self, ws) -> dict:
        out = {}
        for row, key, label in GENERAL_ROWS:
            cell = ws.cell(row=row, column=2)
            if key == "ngay_bao_cao":
                v = cell.value
                if isinstance(v, dt.datetime):
                    out[key] = v.date()
                elif v not in (None, ""):
                    text = _cell_text(v)
                    try:
                        out[key] = dt.datetime.strptime(text, "%d/%m/%Y").date()
                    except ValueError:
                        self.error(ws.title, cell.coordinate, (key,),
                                   f"«{text}» không phải ngày dạng dd/mm/yyyy (ví dụ 05/12/2024)")
            else:
                out[key] = self.text(ws, cell, (key,))
        return out


def read_workbook(plan: Plan, path: Path, problems: Problems) -> KetQuaCoQuan | None:
    """Read one filled workbook; problems go to ``problems`` with their sheet!cell."""
    return _Reader(plan, Path(path), problems).read()
