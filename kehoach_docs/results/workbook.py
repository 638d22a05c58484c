"""Read a filled result-entry workbook back into :class:`~kehoach_docs.model.results.KetQuaCoQuan`.

The workbook comes back from another office, so it is opened as defensively as an
appendix workbook, and checked against the plan: the right plan and agency, key
columns as written, values of the right kind. Every problem names its sheet!cell.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

from pydantic import ValidationError

from ..model.bundle import Plan
from ..problems import ERROR, WARNING, Problem, Problems, rel
from ..model.tables import (ENTRY_INDICATORS, ENTRY_TASKS, GENERAL_ROWS, META_ROWS, entry_indicators)
from ..model.tables import GENERAL_SHEET as GENERAL
from ..model.tables import META_SHEET as META
from ..untrusted_zip import cells_ok, not_a_workbook
from ..source.xlsx_appendix import MAX_CELLS, cell_text, extent_ok
from ..text.hygiene import clean_text
from ..text.vn import plain_percent, thousands_or_decimal
from .entry import entry_data, figure_problem, plan_version, status_problem
from ..model.results import KetQuaCoQuan


def _norm(v) -> str:
    return unicodedata.normalize("NFC", " ".join(str(v).split())) if v is not None else ""


class _Reader:
    def __init__(self, plan: Plan, path: Path, problems: Problems, accept_changed: bool = False):
        self.plan, self.file, self.problems = plan, rel(path), problems
        self.path = path
        self.accept_changed = accept_changed
        self.plan_changed = False       # the workbook was made from an earlier version of the plan

    def error(self, sheet: str, cell: str | None, path: tuple, message: str) -> None:
        where = f"{sheet}!{cell}" if cell else sheet
        self.problems.add(Problem(ERROR, self.file, where, path, message))

    def warn(self, sheet: str, cell: str | None, path: tuple, message: str) -> None:
        where = f"{sheet}!{cell}" if cell else sheet
        self.problems.add(Problem(WARNING, self.file, where, path, message))

    def changed(self, sheet: str, cell: str | None, path: tuple, message: str) -> bool:
        """A locked cell that differs from the plan: the agency's edit (an error), or, in a workbook
        made before an amendment, the plan's change (said plainly). Returns whether to keep the row."""
        if not self.plan_changed:
            self.error(sheet, cell, path, message)
            return False
        self.warn(sheet, cell, path, "kế hoạch đã điều chỉnh sau khi gửi sổ này: " + message + (
            "; vẫn nhận kết quả dòng này (--nhan-ket-qua-ban-cu)" if self.accept_changed else
            "; chưa nhận kết quả dòng này: gửi sổ mới cho cơ quan, hoặc nếu kết quả vẫn đúng thì chạy lại "
            "collect với --nhan-ket-qua-ban-cu"))
        return self.accept_changed

    def text(self, ws, cell, path) -> str:
        try:
            raw = cell_text(cell)
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
        if not cells_ok(self.path, self.file, self.problems, MAX_CELLS):
            return None
        try:
            wb = openpyxl.load_workbook(self.path, data_only=False)
        except Exception:  # openpyxl raises many kinds on damaged files
            self.problems.add(Problem(ERROR, self.file, None, (), not_a_workbook(self.path)))
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
        expected = entry_data(self.plan, code)    # what the workbook would be made with today
        made_with = _norm(wb[META].cell(row=dict((k, r) for r, k in META_ROWS)["ban_ke_hoach"], column=2).value)
        # An amendment, not an edit: the workbook's locked cells are still exactly what it was made
        # with (their fingerprint), and that is not what the plan says today.
        self.plan_changed = (bool(made_with) and made_with != expected["ban_ke_hoach"]
                             and made_with == self.own_version(wb, code))
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

    def own_version(self, wb, code: str) -> str:
        """The fingerprint of the workbook's own locked cells, computed as :func:`plan_version` does."""
        data = {"co_quan": code}
        for part, table in (("chi_tieu", entry_indicators(self.plan.indicator_table)), ("nhiem_vu", ENTRY_TASKS)):
            ws, rows = wb[table.sheet], []
            keys = {_norm(ws.cell(row=table.header_row, column=j).value): j for j in range(1, ws.max_column + 1)}
            locked = [c for c in table.columns if not c.editable]
            for r in range(table.header_row + 1, ws.max_row + 1):
                if _norm(ws.cell(row=r, column=1).value):
                    rows.append({c.key: _norm(ws.cell(row=r, column=keys.get(c.header, 0) or 1).value)
                                 for c in locked})
            data[part] = rows
        return plan_version(data)

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
                if self.plan_changed:
                    self.warn(ws.title, cells["ma"].coordinate, (sheet_key,), f"kế hoạch đã điều chỉnh sau khi gửi "
                              f"sổ này: {what} «{code}» không còn giao cho cơ quan; bỏ qua dòng này")
                else:
                    self.error(ws.title, cells["ma"].coordinate, (sheet_key,),
                               f"mã {what} «{code}» không thuộc phần giao cho cơ quan này (cột khóa đã bị sửa?)")
                continue
            if code in seen:
                self.error(ws.title, cells["ma"].coordinate, (sheet_key, code), f"mã {what} «{code}» lặp lại")
                continue
            seen.add(code)
            keep = True
            for col in columns:
                key = col.key
                if not col.editable and key != "ma" and _norm(cells[key].value) != _norm(expected[code].get(key)):
                    keep &= self.changed(ws.title, cells[key].coordinate, (sheet_key, code),
                                         f"cột khóa «{col.header}»: kế hoạch ghi «{expected[code].get(key, '')}», "
                                         f"sổ nhập ghi «{_norm(cells[key].value)}»")
            if keep:
                yield code, cells
        for code in expected:
            if code not in seen:
                if self.plan_changed:
                    self.warn(ws.title, None, (sheet_key, code), f"kế hoạch đã điều chỉnh sau khi gửi sổ này: {what} "
                              f"«{code}» mới giao, sổ chưa có dòng này")
                else:
                    self.error(ws.title, None, (sheet_key, code), f"thiếu dòng của {what} «{code}» (dòng đã bị xóa?)")

    def indicators(self, ws, rows: list[dict]) -> dict:
        expected = {r["ma"]: r for r in rows}
        out = {}
        for ma, cells in self._rows(ws, entry_indicators(self.plan.indicator_table).columns, expected, "chỉ tiêu",
                                    "chi_tieu"):
            path = ("chi_tieu", ma, "uoc_thuc_hien")
            uoc = plain_percent(self.text(ws, cells["uoc"], path), expected[ma]["don_vi"])
            ghi_chu = self.text(ws, cells["ghi_chu"], ("chi_tieu", ma, "ghi_chu"))
            why = figure_problem(self.plan, ma, uoc)
            if why:
                self.error(ws.title, cells["uoc"].coordinate, path, why)
                continue
            note = thousands_or_decimal(uoc) if isinstance(cells["uoc"].value, str) else None
            if note:    # as for the appendix workbooks: the clerk may have meant a decimal
                self.warn(ws.title, cells["uoc"].coordinate, path, f"ước thực hiện ghi {note}")
            if uoc or ghi_chu:
                out[ma] = {"uoc_thuc_hien": uoc, "ghi_chu": ghi_chu}
        return out

    def tasks(self, ws, rows: list[dict]) -> dict:
        expected = {r["ma"]: r for r in rows}
        out = {}
        for ma, cells in self._rows(ws, ENTRY_TASKS.columns, expected, "nhiệm vụ", "nhiem_vu"):
            status = self.text(ws, cells["trang_thai"], ("nhiem_vu", ma, "trang_thai"))
            result = self.text(ws, cells["ket_qua"], ("nhiem_vu", ma, "ket_qua"))
            why = status_problem(status)
            if why:
                self.error(ws.title, cells["trang_thai"].coordinate, ("nhiem_vu", ma, "trang_thai"), why)
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
                    try:
                        text = cell_text(cell)
                    except ValueError:      # a number too large to be anything
                        text = _norm(v)[:40]
                    try:
                        out[key] = dt.datetime.strptime(text, "%d/%m/%Y").date()
                    except ValueError:
                        self.error(ws.title, cell.coordinate, (key,),
                                   f"«{text}» không phải ngày dạng dd/mm/yyyy (ví dụ 05/12/2024)")
            else:
                out[key] = self.text(ws, cell, (key,))
        return out


def read_workbook(plan: Plan, path: Path, problems: Problems, accept_changed: bool = False) -> KetQuaCoQuan | None:
    """Read one filled workbook; problems go to ``problems`` with their sheet!cell. A workbook made
    from an earlier version of the plan gives what still matches, says what the plan changed, and
    gives the changed rows too with ``accept_changed``."""
    return _Reader(plan, Path(path), problems, accept_changed).read()
