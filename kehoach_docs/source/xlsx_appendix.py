"""Read Phụ lục I/II back from the workbook layout the build writes (a clerk's Excel edits).

Workbooks come from other offices, so they are opened defensively: the zip is
measured before parsing (a zip bomb gets a clear error), openpyxl parses through
defusedxml, and formulas or merged cells in the table are refused with their cell.
"""

from __future__ import annotations

from pathlib import Path

from ..problems import ERROR, Problem, Problems, rel
from ..render.xlsx_appendix import HEADER_ROW, PL1_COLUMNS, PL2_COLUMNS, SHEET
from ..located import Located, clean_strings
from ..untrusted_zip import zip_ok

MAX_ROWS = 5000
MAX_COLUMNS = 50


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


def read_appendix(path: Path, part: str, registry, problems: Problems) -> Located | None:
    """Read ``phu-luc-i.xlsx`` / ``phu-luc-ii.xlsx`` into the same data as the YAML form."""
    import openpyxl  # uses defusedxml when it is installed (a dependency of ours)

    file = rel(path)
    if not zip_ok(path, file, problems):
        return None
    try:
        wb = openpyxl.load_workbook(path, data_only=False, read_only=False)
    except Exception as exc:  # openpyxl raises many kinds on damaged files
        problems.add(Problem(ERROR, file, None, (), f"không mở được tệp Excel ({type(exc).__name__})"))
        return None
    if not extent_ok(wb, file, problems):
        return None
    name = SHEET[part]
    if name not in wb.sheetnames:
        problems.add(Problem(ERROR, file, None, (), f"không có trang tính «{name}» (có: {', '.join(wb.sheetnames)})"))
        return None
    ws = wb[name]
    cols = PL1_COLUMNS if part == "phu_luc_i" else PL2_COLUMNS
    start = len(problems.errors)
    for j, (key, header, _) in enumerate(cols, start=1):
        cell = ws.cell(row=HEADER_ROW, column=j)
        got = _text(cell.value)
        want = header.split("{nam}")[0].strip()
        if not got.startswith(want):
            problems.add(Problem(ERROR, file, f"{name}!{cell.coordinate}", (),
                                 f"tiêu đề cột phải là «{header.replace('{nam}', '…')}», gặp «{got}»"))
    for rng in ws.merged_cells.ranges:
        if rng.max_row > HEADER_ROW:
            problems.add(Problem(ERROR, file, f"{name}!{rng.coord}", (),
                                 "bảng có ô gộp; hãy bỏ gộp ô (Merge & Center) trong phần bảng"))
    if len(problems.errors) > start:
        return None
    where: dict[tuple, str] = {(): f"{name}!A1"}
    title = _text(ws["A2"].value)
    data: dict = {"tieu_de": title}
    where[("tieu_de",)] = f"{name}!A2"
    names = _agency_lookup(registry)
    rows = []
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        values = {}
        for j, (key, _, _) in enumerate(cols, start=1):
            cell = ws.cell(row=r, column=j)
            if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")
                                         and cell.data_type != "s"):
                problems.add(Problem(ERROR, file, f"{name}!{cell.coordinate}", (),
                                     "ô chứa công thức; hãy dán giá trị (Paste Values) thay cho công thức"))
            values[key] = (_text(cell.value), f"{name}!{cell.coordinate}")
        if any(v for v, _ in values.values()):
            rows.append((r, values))
    if part == "phu_luc_i":
        data["nhom"] = _indicators(rows, names, where, problems, file)
    else:
        data["nhiem_vu"] = _tasks(rows, names, where)
    data = clean_strings(data, (), file, where, problems)
    return Located(data, file, where)


def _agency_lookup(registry) -> dict[str, str]:
    out: dict[str, str] = {}
    if registry is None:
        return out
    for a in registry.co_quan:
        for n in [a.ma, a.ten, a.ten_bang, *a.ten_khac]:
            out[n.casefold()] = a.ma
    return out


def _agency(text: str, names) -> str | None:
    if not text:
        return None
    return names.get(text.casefold(), text)  # unknown names stay as typed: crossref reports them


def _indicators(rows, names, where, problems, file):
    groups: list[dict] = []
    for r, v in rows:
        stt = v["stt"][0]
        if v["ma"][0] == "" and stt and not stt.isdigit() and stt != "-":
            gi = len(groups)
            groups.append({"ky_hieu": stt, "ten": v["ten"][0], "chi_tieu": []})
            where[("nhom", gi)] = v["stt"][1]
            where[("nhom", gi, "ten")] = v["ten"][1]
            continue
        if not groups:
            problems.add(Problem(ERROR, file, v["stt"][1], (),
                                 "chỉ tiêu đầu tiên phải nằm dưới một dòng nhóm (A, B, …)"))
            return []
        row = {"ma": v["ma"][0], "ten": v["ten"][0], "don_vi": v["don_vi"][0],
               "ke_hoach": v["ke_hoach"][0], "muc_tieu": v["muc_tieu"][0]}
        agency = v["ma_co_quan"][0] or _agency(v["co_quan"][0], names)
        if agency:
            row["co_quan"] = agency
        g = groups[-1]
        gi = len(groups) - 1
        if stt == "-" and g["chi_tieu"]:
            parent = g["chi_tieu"][-1]
            parent.setdefault("chi_tiet", []).append(row)
            path = ("nhom", gi, "chi_tieu", len(g["chi_tieu"]) - 1, "chi_tiet", len(parent["chi_tiet"]) - 1)
        else:
            g["chi_tieu"].append(row)
            path = ("nhom", gi, "chi_tieu", len(g["chi_tieu"]) - 1)
        where[path] = v["stt"][1]
        for key in row:
            if key in v:
                where[path + (key,)] = v[key][1]
        where[path + ("co_quan",)] = v["co_quan"][1]
    return groups


def _tasks(rows, names, where):
    tasks = []
    for r, v in rows:
        if not v["ma"][0]:
            continue  # group rows are derived from the sections, not data
        i = len(tasks)
        task = {"ma": v["ma"][0], "noi_dung": v["noi_dung"][0],
                "chu_tri": _agency(v["chu_tri"][0], names) or "",
                "phoi_hop": [_agency(x.strip(), names) for x in v["phoi_hop"][0].split(";") if x.strip()],
                "thoi_han": v["thoi_han"][0]}
        if v["thuoc"][0]:
            task["thuoc"] = v["thuoc"][0]
        tasks.append(task)
        where[("nhiem_vu", i)] = v["stt"][1]
        for key in ("ma", "noi_dung", "chu_tri", "phoi_hop", "thoi_han", "thuoc"):
            where[("nhiem_vu", i, key)] = v[key][1]
    return tasks
