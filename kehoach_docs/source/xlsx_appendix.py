"""Read Phụ lục I/II back from the workbook layout the build writes (a clerk's Excel edits).

Workbooks come from other offices, so they are opened defensively: the zip is
measured before parsing (a zip bomb gets a clear error), openpyxl parses through
defusedxml, and formulas or merged cells in the table are refused with their cell.
"""

from __future__ import annotations

import re
from pathlib import Path


from ..model.refs import REF
from ..model.tables import APPENDICES, COLUMNS_LABEL, NOTES_LABEL, Table, appendix_table
from ..problems import ERROR, WARNING, Problem, Problems, rel
from ..text.excerpt import excerpt
from ..located import Located, clean_strings
from ..untrusted_zip import cells_ok, not_a_workbook, zip_ok

MAX_ROWS = 5000
MAX_COLUMNS = 50
#: No sheet of a plan's workbook comes near this many cells (it bounds what openpyxl is asked to build).
MAX_CELLS = MAX_ROWS * MAX_COLUMNS


def extent_ok(wb, file: str, problems: Problems, max_rows: int = MAX_ROWS) -> bool:
    """Refuse a sheet that reaches far beyond any real table (one formatted cell at row
    1,048,576 would otherwise cost every reader a million empty rows)."""
    from openpyxl.utils import get_column_letter
    ok = True
    for ws in wb.worksheets:
        if ws.max_row > max_rows or ws.max_column > MAX_COLUMNS:
            problems.add(Problem(ERROR, file, f"{ws.title}!{get_column_letter(ws.max_column)}{ws.max_row}", (),
                                 f"trang tính có ô dùng tới dòng {ws.max_row}, cột {ws.max_column} "
                                 f"(tối đa {max_rows} dòng, {MAX_COLUMNS} cột); hãy xóa các dòng, cột thừa"))
            ok = False
    return ok


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _shown(col) -> str:
    """A column's header as a message names it (the year it names left as «…»)."""
    return re.sub(r"{nam[a-z_]*}", "…", col.header)


def cell_text(cell) -> str:
    """A cell as the plan prints it: a number typed in Excel in the Vietnamese way (612.5 -> "612,5",
    0.417 in a percentage cell -> "41,7%"), a date as dd/mm/yyyy, text as typed."""
    import datetime as dt
    from decimal import Decimal

    from ..text.vn import format_number, ngay_so
    v = cell.value
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        number = Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
        if "%" in (cell.number_format or ""):
            return format_number(number * 100, max_decimals=6) + "%"
        return format_number(number, max_decimals=6)
    if isinstance(v, dt.datetime):
        v = v.date()
    if isinstance(v, dt.date):
        return ngay_so(v)
    return _text(v)


def _plain_percent(values: dict) -> None:
    """Under the unit "%", a percentage cell's figure prints without a second "%" (41,7, not 41,7%)."""
    from ..text.vn import plain_percent
    unit = values.get("don_vi", ("",))[0]
    for key, (text, where) in values.items():
        if key != "don_vi":
            values[key] = (plain_percent(text, unit), where)


def appendix_part(path: Path, problems: Problems) -> str | None:
    """Which appendix a workbook holds (``phu_luc_i`` or ``phu_luc_ii``), told by its sheet, not its
    file name: a copy mailed back as «phu-luc-i (2).xlsx» is still Phụ lục I."""
    import openpyxl

    file = rel(path)
    if not zip_ok(path, file, problems):
        return None
    try:
        wb = openpyxl.load_workbook(path, read_only=True)
        names = wb.sheetnames
        wb.close()
    except Exception:  # openpyxl raises many kinds on damaged files
        problems.add(Problem(ERROR, file, None, (), not_a_workbook(path)))
        return None
    found = [t.key for t in APPENDICES.values() if t.sheet in names]
    if len(found) != 1:
        problems.add(Problem(ERROR, file, None, (),
                             "không phải sổ phụ lục của kế hoạch: cần đúng một trang tính "
                             + " hoặc ".join(f"«{t.sheet}»" for t in APPENDICES.values())
                             + f" (có: {', '.join(names)})"))
        return None
    return found[0]


def read_appendix(path: Path, part: str, registry, problems: Problems) -> Located | None:
    """Read ``phu-luc-i.xlsx`` / ``phu-luc-ii.xlsx`` into the same data as the YAML form.

    Columns are found by the declarations of :mod:`~kehoach_docs.model.tables`; every field the
    YAML can hold comes back (visible, or from its code column), and a visible cell that
    contradicts its code is an error naming both cells, never silently overruled.
    """
    import openpyxl  # uses defusedxml when it is installed (a dependency of ours)

    from ..text.vn import thousands_or_decimal
    file = rel(path)
    if not cells_ok(path, file, problems, MAX_CELLS):
        return None
    try:
        wb = openpyxl.load_workbook(path, data_only=False, read_only=False)
    except Exception:  # openpyxl raises many kinds on damaged files
        problems.add(Problem(ERROR, file, None, (), not_a_workbook(path)))
        return None
    if not extent_ok(wb, file, problems):
        return None
    table = APPENDICES[part]
    name, head = table.sheet, table.header_row
    if name not in wb.sheetnames:
        problems.add(Problem(ERROR, file, None, (), f"không có trang tính «{name}» (có: {', '.join(wb.sheetnames)})"))
        return None
    ws = wb[name]
    declared = _declared_columns(ws, table, file, problems) if part == "phu_luc_i" else None
    if declared is False:
        return None
    table = appendix_table(part, declared)
    start = len(problems.errors)
    for j, col in enumerate(table.columns, start=1):
        cell = ws.cell(row=head, column=j)
        got = _text(cell.value)
        want = col.header.split("{nam")[0].strip()     # the part before the year the header names
        if not got.startswith(want):
            problems.add(Problem(ERROR, file, f"{name}!{cell.coordinate}", (),
                                 f"tiêu đề cột phải là «{_shown(col)}», gặp «{got}» "
                                 "(không chèn, xóa hay đổi thứ tự cột)"))
    for rng in ws.merged_cells.ranges:
        if rng.max_row > head:
            problems.add(Problem(ERROR, file, f"{name}!{rng.coord}", (),
                                 "bảng có ô gộp; hãy bỏ gộp ô (Merge & Center) trong phần bảng"))
    if len(problems.errors) > start:
        return None
    where: dict[tuple, str] = {(): f"{name}!A1"}
    data: dict = {"tieu_de": _title(ws, table, file, problems)}
    if declared:
        data["cot"] = declared
    notes = _kept(ws, table, NOTES_LABEL, lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
                  file, problems) if part == "phu_luc_i" else None
    if notes:
        data["chu_thich"] = notes
    where[("tieu_de",)] = f"{name}!A2"
    rows = []
    for r in range(head + 1, ws.max_row + 1):
        values = {}
        for j, col in enumerate(table.columns, start=1):
            cell = ws.cell(row=r, column=j)
            if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")
                                         and cell.data_type != "s"):
                problems.add(Problem(ERROR, file, f"{name}!{cell.coordinate}", (),
                                     "ô chứa công thức; hãy dán giá trị (Paste Values) thay cho công thức"))
            values[col.key] = (cell_text(cell), f"{name}!{cell.coordinate}")
            note = thousands_or_decimal(values[col.key][0]) if col.value and isinstance(cell.value, str) else None
            if note:
                problems.add(Problem(WARNING, file, values[col.key][1], (), f"cột «{_shown(col)}» ghi {note}"))
        _plain_percent(values)
        if any(v for v, _ in values.values()):
            rows.append(values)
    reader = _RowReader(table, _agency_lookup(registry), file, problems)
    if part == "phu_luc_i":
        data["nhom"] = _indicators(rows, reader, where)
    else:
        data["nhiem_vu"] = _tasks(rows, reader, where)
    data = clean_strings(data, (), file, where, problems)
    return Located(data, file, where)


def _kept(ws, table: Table, label: str, valid, file: str, problems: Problems):
    """What the writer kept beside the table under ``label`` (JSON): the value, None where there is
    none, False (with an error naming the cell) where the cell was damaged."""
    import json
    for col in range(len(table.printed) + 1, min(ws.max_column, MAX_COLUMNS) + 1):
        if _text(ws.cell(row=1, column=col).value) == label:
            cell = ws.cell(row=2, column=col)
            try:
                value = json.loads(_text(cell.value))
                if valid(value):
                    return value
            except ValueError:
                pass
            problems.add(Problem(ERROR, file, f"{table.sheet}!{cell.coordinate}", (),
                                 f"ô «{label}» đã bị sửa; hãy lấy lại từ sổ do kehoach tạo"))
            return False
    return None


def _declared_columns(ws, table: Table, file: str, problems: Problems):
    """The plan's own value columns: a list, None where it uses the standard ones, False if damaged."""
    return _kept(ws, table, COLUMNS_LABEL, lambda v: isinstance(v, list) and v and all(
        isinstance(s, dict) and isinstance(s.get("ma"), str) for s in v), file, problems)


def _title(ws, table: Table, file: str, problems: Problems) -> str:
    """The appendix title: A2 prints it in capitals; the cell beside the table keeps it as written."""
    from ..text.vn import upper_vi
    shown = _text(ws["A2"].value)
    kept = ws.cell(row=2, column=len(table.printed) + 1)
    original = _text(kept.value)
    if not original:
        return shown
    if " ".join(shown.split()) != " ".join(upper_vi(original).split()):
        problems.add(Problem(ERROR, file, f"{table.sheet}!A2", (), (
            f"tên phụ lục ghi «{shown}», khác tên lưu ở ô {kept.coordinate} «{original}»; hãy sửa ở ô "
            f"{kept.coordinate} (chữ thường như dữ liệu), hoặc xóa ô đó để dùng tên vừa ghi")))
    return original


def _agency_lookup(registry) -> dict[str, str]:
    out: dict[str, str] = {}
    if registry is None:
        return out
    for a in registry.co_quan:
        for n in [a.ma, a.ten, a.ten_bang, *a.ten_khac]:
            out[n.casefold()] = a.ma
    return out


class _RowReader:
    """One row of an appendix workbook back into the fields of its model item."""

    def __init__(self, table: Table, names: dict[str, str], file: str, problems: Problems):
        self.table, self.names, self.file, self.problems = table, names, file, problems

    def agency(self, text: str) -> str:
        return self.names.get(text.casefold(), text)   # unknown names stay as typed: crossref reports them

    def fields(self, v: dict) -> dict:
        """Every field the declared columns hold, codes reconciled with what the clerk sees."""
        out = {}
        codes = {c.code_for: c for c in self.table.columns if c.code_for}
        for col in self.table.columns:
            if not col.field:
                continue
            text, cell = v[col.key]
            code_col = codes.get(col.key)
            code = v[code_col.key][0] if code_col else ""
            if col.key == "noi_dung":
                value = self.text_with_references(text, cell, code, code_col, v)
            elif col.key == "phoi_hop":
                value = self.agencies(text, cell, code, code_col, v)
            elif col.key in ("co_quan", "chu_tri"):
                value = self.agencies(text, cell, code, code_col, v)
                value = value[0] if value else ("" if col.key == "chu_tri" else None)
            else:
                value = text
            if value in (None, "") and col.key not in ("noi_dung", "chu_tri", "thoi_han", "ten"):
                continue
            if "." in col.field:        # a plan-declared column: cot_them.<key>
                top, sub = col.field.split(".", 1)
                out.setdefault(top, {})[sub] = value
            else:
                out[col.field] = value
        return out

    def _disagree(self, col_header: str, cell: str, shown: str, code_col, code_cell: str, code: str, hint: str):
        self.problems.add(Problem(ERROR, self.file, cell, (), (
            f"cột «{col_header}» ghi «{shown}», nhưng mã ở cột «{code_col.header}» (ô {code_cell.split('!')[-1]}) "
            f"là «{code}»; {hint}")))

    def agencies(self, text: str, cell: str, code: str, code_col, v: dict) -> list[str]:
        shown = [self.agency(x.strip()) for x in text.split(";") if x.strip()]
        if not code:
            return shown
        coded = [x.strip() for x in re.split("[;,]", code) if x.strip()]
        if shown != coded:
            header = next(c.header for c in self.table.columns if c.key == code_col.code_for)
            self._disagree(header, cell, text, code_col, v[code_col.key][1], code,
                           "hãy sửa cho khớp, hoặc xóa ô mã để dùng tên vừa ghi")
        return coded

    def text_with_references(self, text: str, cell: str, original: str, code_col, v: dict) -> str:
        """The task text as written: the visible cell prints its references expanded, so an
        unedited cell brings back the original (with ``{ct:…}``), an edited one is an error."""
        if not original:
            return text
        pattern = "".join(".+?" if REF.fullmatch(part) else re.escape(part) for part in _split_refs(original))
        if re.fullmatch(pattern, text, re.S):
            return original
        self._disagree("Nhiệm vụ", cell, excerpt(text, 61), code_col,
                       v[code_col.key][1], excerpt(original, 61),
                       "nội dung này có tham chiếu ({ct:…}) nên hãy sửa ở ô nội dung gốc, hoặc xóa ô đó "
                       "để dùng đúng chữ vừa ghi")
        return original


def _split_refs(text: str) -> list[str]:
    out, pos = [], 0
    for m in REF.finditer(text):
        out += [text[pos:m.start()], m.group()]
        pos = m.end()
    return [p for p in out + [text[pos:]] if p]


def _indicators(rows, reader: _RowReader, where):
    groups: list[dict] = []
    for v in rows:
        stt = v["stt"][0]
        if v["ma"][0] == "" and stt and not stt.isdigit() and stt != "-":
            gi = len(groups)
            groups.append({"ky_hieu": stt, "ten": v["ten"][0], "chi_tieu": []})
            where[("nhom", gi)] = v["stt"][1]
            where[("nhom", gi, "ten")] = v["ten"][1]
            continue
        if not groups:
            reader.problems.add(Problem(ERROR, reader.file, v["stt"][1], (),
                                        "chỉ tiêu đầu tiên phải nằm dưới một dòng nhóm (A, B, …)"))
            return []
        row = reader.fields(v)
        g = groups[-1]
        gi = len(groups) - 1
        if stt == "-" and g["chi_tieu"]:
            parent = g["chi_tieu"][-1]
            parent.setdefault("chi_tiet", []).append(row)
            path = ("nhom", gi, "chi_tieu", len(g["chi_tieu"]) - 1, "chi_tiet", len(parent["chi_tiet"]) - 1)
        else:
            if not stt and g["chi_tieu"]:
                row["cung_so"] = True       # printed without a number: shares the one above
            g["chi_tieu"].append(row)
            path = ("nhom", gi, "chi_tieu", len(g["chi_tieu"]) - 1)
        _locate(reader.table, v, path, where)
    return groups


def _tasks(rows, reader: _RowReader, where):
    tasks = []
    for v in rows:
        if not v["ma"][0]:
            continue  # group rows are derived from the sections, not data
        path = ("nhiem_vu", len(tasks))
        tasks.append(reader.fields(v))
        _locate(reader.table, v, path, where)
    return tasks


def _locate(table: Table, v: dict, path: tuple, where: dict) -> None:
    where[path] = v["stt"][1]
    for col in table.columns:
        if col.field:
            where[path + tuple(col.field.split("."))] = v[col.key][1]
