"""Tables declared once (issue 10): the workbook round trip loses nothing, a visible cell that
contradicts its code is an error, a column declared at test time reaches every output, and
``diff`` and the incremental build agree on every declared field."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from conftest import EXAMPLE, FIXTURES, ROOT, TEMPLATES, build_plan, docx_text_blocks
from kehoach_docs.cli import main
from kehoach_docs.model.tables import INDICATORS, TASKS
from kehoach_docs.source.plan_dir import load_plan


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def as_workbooks(plan_dir: Path, out: Path, dest: Path) -> Path:
    """A copy of the plan whose appendices are the workbooks the build wrote."""
    build_plan(plan_dir, out)
    shutil.copytree(plan_dir, dest)
    for stem in ("phu-luc-i", "phu-luc-ii"):
        (dest / f"{stem}.yaml").unlink()
        shutil.copy(out / plan_dir.name / f"{stem}.xlsx", dest / f"{stem}.xlsx")
    return dest


@pytest.mark.parametrize("plan_dir", [EXAMPLE, FIXTURES / "xa-2027"], ids=["tien-lu", "xa-2027"])
def test_workbook_round_trip_gives_the_same_model(plan_dir, tmp_path):
    copy = as_workbooks(plan_dir, tmp_path / "out", tmp_path / "wb" / plan_dir.name)
    a, b = load_plan(plan_dir), load_plan(copy)
    assert b.phu_luc_i == a.phu_luc_i
    assert b.phu_luc_ii == a.phu_luc_ii


def test_lower_is_better_survives_the_workbook(tmp_path):
    """The same result of 12,5 against 11,18 (huong: giam) is judged alike from YAML and workbook."""
    from kehoach_docs.model.evaluation import assess
    copy = as_workbooks(EXAMPLE, tmp_path / "out", tmp_path / "wb" / "tien-lu-2024")
    verdicts = [assess(load_plan(p).chi_tieu["cc-nn"], "12,5").verdict.value for p in (EXAMPLE, copy)]
    assert verdicts == ["Không đạt", "Không đạt"]


def _cell(ws, header: str, code: str):
    col = next(c for c in ws[INDICATORS.header_row] if c.value == header).column
    row = next(r for r in range(1, ws.max_row + 1) if code in [c.value for c in ws[r]])
    return ws.cell(row=row, column=col)


def test_visible_name_that_contradicts_its_code(tmp_path):
    copy = as_workbooks(EXAMPLE, tmp_path / "out", tmp_path / "wb" / "tien-lu-2024")
    book = copy / "phu-luc-i.xlsx"
    wb = openpyxl.load_workbook(book)
    cell = _cell(wb.active, INDICATORS["co_quan"].header, "thu-ns")
    cell.value = "Phòng Y tế"
    wb.save(book)
    res = cli("validate", copy)
    assert res.exit_code == 1
    assert (f"phu-luc-i.xlsx [Phụ lục I!{cell.coordinate}]: lỗi: cột «Cơ quan chủ trì theo dõi, đánh giá» ghi "
            "«Phòng Y tế», nhưng mã ở cột «Mã cơ quan»") in res.output
    assert "là «TCKH»" in res.output


def test_task_text_with_references(tmp_path):
    """A task that quotes a target prints it expanded; unedited it comes back with its reference,
    edited it is an error naming the cell."""
    raw = next(t for t in yaml.safe_load((EXAMPLE / "phu-luc-ii.yaml").read_text("utf-8"))["nhiem_vu"]
               if "{ct:" in t["noi_dung"])
    copy = as_workbooks(EXAMPLE, tmp_path / "out", tmp_path / "wb" / "tien-lu-2024")
    assert load_plan(copy).nhiem_vu[raw["ma"]].noi_dung == raw["noi_dung"]
    book = copy / "phu-luc-ii.xlsx"
    wb = openpyxl.load_workbook(book)
    ws = wb.active
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, [c.key for c in TASKS.columns].index("ma") + 1).value
               == raw["ma"])
    cell = ws.cell(row, 2)
    cell.value = "Nội dung sửa tay"
    wb.save(book)
    res = cli("validate", copy)
    assert res.exit_code == 1
    assert f"[Phụ lục II!{cell.coordinate}]: lỗi: cột «Nhiệm vụ» ghi «Nội dung sửa tay»" in res.output
    assert "có tham chiếu ({ct:…})" in res.output


EXTRA_COLUMN = """
import json, shutil, sys
from pathlib import Path
from kehoach_docs.model.tables import INDICATORS, Column
INDICATORS.add(Column("th_truoc", "Thực hiện năm trước", 14, 1500, label="Thực hiện năm trước",
                      field="cot_them.th_truoc"), before="ke_hoach")
sys.path.insert(0, {templates!r})
import build
tpl = Path({tmp!r}) / "tpl"
build.main(tpl)
from kehoach_docs import app
plan, out = Path({plan!r}), Path({tmp!r}) / "out"
app.build(plan, out, tpl, n_jobs=1)
app.reports(plan, out, tpl, n_jobs=1)
copy = Path({tmp!r}) / "wb" / "tien-lu-2024"
shutil.copytree(plan, copy)
(copy / "phu-luc-i.yaml").unlink()
shutil.copy(out / "tien-lu-2024" / "phu-luc-i.xlsx", copy / "phu-luc-i.xlsx")
from kehoach_docs.source.plan_dir import load_plan
round_trip = load_plan(copy).chi_tieu["gtsx"].cot_them
new = Path({tmp!r}) / "new" / "tien-lu-2024"
shutil.copytree(plan, new)
p = new / "phu-luc-i.yaml"
p.write_text(p.read_text("utf-8").replace('cot_them: {{th_truoc: "7,9"}}', 'cot_them: {{th_truoc: "8,0"}}'), "utf-8")
d = app.diff(plan, new, Path({tmp!r}) / "ss" / "so-sanh.docx", tpl)
print(json.dumps({{"round_trip": round_trip,
                  "changes": [[c.noi_dung, c.cu, c.moi] for c in d.changes]}}, ensure_ascii=False))
"""


def test_a_column_declared_at_test_time_reaches_every_output(plan_copy, tmp_path):
    p = plan_copy / "phu-luc-i.yaml"
    text = p.read_text("utf-8")
    old = 'muc_tieu: "8,61", co_quan: VP}'
    assert old in text
    p.write_text(text.replace(old, 'muc_tieu: "8,61", co_quan: VP, cot_them: {th_truoc: "7,9"}}'), "utf-8")
    script = EXTRA_COLUMN.format(templates=str(ROOT / "templates"), tmp=str(tmp_path), plan=str(plan_copy))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    folder = tmp_path / "out" / "tien-lu-2024"
    # the plan's Phụ lục I: a header cell and the value, in the declared place
    doc = docx_text_blocks(folder / "ke-hoach.docx")
    assert "Thực hiện năm trước" in doc
    i = doc.index("Tốc độ tăng giá trị sản xuất theo giá so sánh")
    assert doc[i + 1: i + 4] == ["%", "7,9", "8,61"]
    # the workbook, and back
    ws = openpyxl.load_workbook(folder / "phu-luc-i.xlsx").active
    headers = [c.value for c in ws[INDICATORS.header_row]]
    assert headers[3] == "Thực hiện năm trước"
    assert ["7,9"] == [r[3].value for r in ws.iter_rows() if r[1].value == "Tốc độ tăng giá trị sản xuất theo giá so sánh"]
    assert result["round_trip"] == {"th_truoc": "7,9"}
    # the summary report's table
    summary = docx_text_blocks(folder / "tong-hop.docx")
    assert "Thực hiện năm trước" in summary and "7,9" in summary
    # the comparison
    assert ["Tốc độ tăng giá trị sản xuất theo giá so sánh: Thực hiện năm trước", "7,9", "8,0"] in result["changes"]


# -- diff and the incremental build agree, field by field --------------------------------------------

def _texts(folder: Path) -> dict[str, str]:
    """The printed text of every output, to tell which documents show a change."""
    out = {}
    for f in sorted(folder.rglob("*")):
        if f.suffix == ".docx" and ".sua-tay" not in f.name:
            out[f.relative_to(folder).as_posix()] = "\n".join(docx_text_blocks(f))
        elif f.suffix == ".xlsx":
            wb = openpyxl.load_workbook(f)
            # what a sheet shows, and how its input cells check what is typed
            out[f.relative_to(folder).as_posix()] = "\n".join(
                [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
                + [f"{dv.type} {dv.sqref}" for ws in wb.worksheets for dv in ws.data_validations.dataValidation])
    return out


def _everything(plan_dir: Path, out: Path) -> set[str]:
    built = set()
    for cmd in ("build", "reports"):
        res = cli(cmd, plan_dir, "-o", out, "-j", "1")
        assert res.exit_code == 0, res.output
        built |= {line.split()[1] for line in res.output.splitlines() if line.startswith("  dựng ")}
    return {str(Path(b).relative_to(out / plan_dir.name).as_posix()) for b in built}


INDICATOR_EDITS = {"ten": "Tốc độ tăng trưởng sản xuất (sửa)", "don_vi": "điểm %", "ke_hoach": "9,1",
                   "muc_tieu": "9,2", "co_quan": "TCKH", "huong": "giam", "kieu": "chu"}
TASK_EDITS = {"noi_dung": "Nhiệm vụ đã sửa nội dung", "chu_tri": "TCKH", "phoi_hop": ["VP", "TK"],
              "thoi_han": "Quý IV", "thuoc": None}


def _edit(plan_dir: Path, part: str, field: str, value) -> None:
    path = plan_dir / f"{part}.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    if part == "phu-luc-i":
        item = next(ct for g in data["nhom"] for ct in g["chi_tieu"] if ct["ma"] == "gtsx")
    else:
        item = next(nv for nv in data["nhiem_vu"] if nv["ma"] == "nv05")
        if field == "thuoc":
            value = next(nv["thuoc"] for nv in data["nhiem_vu"] if nv.get("thuoc") not in (None, item.get("thuoc")))
    item[field] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


@pytest.mark.parametrize("part, column", [("phu-luc-i", c) for c in INDICATORS.compared]
                         + [("phu-luc-ii", c) for c in TASKS.compared], ids=lambda x: getattr(x, "key", x))
def test_diff_and_rebuild_agree_on_every_declared_field(plan_copy, tmp_path, part, column):
    out = tmp_path / "out"
    _everything(plan_copy, out)
    folder = out / "tien-lu-2024"
    before = _texts(folder)
    old = tmp_path / "old" / "tien-lu-2024"
    shutil.copytree(plan_copy, old)
    edits = INDICATOR_EDITS if part == "phu-luc-i" else TASK_EDITS
    _edit(plan_copy, part, column.field, edits[column.field])
    res = cli("diff", old, plan_copy, "-o", tmp_path / "ss" / "so-sanh.docx")
    assert res.exit_code == 0, res.output
    assert f": {column.label}: " in res.output, res.output       # diff names the field by its label
    rebuilt = _everything(plan_copy, out)
    after = _texts(folder)
    changed = {name for name in after if after[name] != before.get(name)}
    assert rebuilt == changed and rebuilt                      # exactly the documents that print it
