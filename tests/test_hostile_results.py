"""What an independent attack on the results loop found (issue 13 review): each case now ends in a
located message, never a server error, a crash report or minutes of work."""

from __future__ import annotations

import shutil
import time
import zipfile

import openpyxl
from click.testing import CliRunner

from conftest import EXAMPLE, fill
from kehoach_docs.cli import main
from kehoach_docs.model.results import KetQuaCoQuan
from kehoach_docs.results.store import save_results
from kehoach_docs.source.plan_dir import load_plan


def blank_workbook(tmp_path):
    plan = tmp_path / "tien-lu-2024"
    shutil.copytree(EXAMPLE, plan)
    res = CliRunner().invoke(main, ["reports", str(plan), "-o", str(tmp_path / "out"), "--agency", "GDDT"])
    assert res.exit_code == 0, res.output
    return plan, tmp_path / "out" / "tien-lu-2024" / "bao-cao" / "GDDT.xlsx"


def test_a_workbook_declaring_millions_of_cells_is_refused_before_it_is_built(tmp_path):
    plan, blank = blank_workbook(tmp_path)
    with zipfile.ZipFile(blank) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    cells = b"<row r=\"1\">" + b"<c><v>1</v></c>" * 2_000_000 + b"</row>"
    sheet = parts["xl/worksheets/sheet2.xml"]
    start, end = sheet.index(b"<sheetData>") + 11, sheet.index(b"</sheetData>")
    parts["xl/worksheets/sheet2.xml"] = sheet[:start] + cells + sheet[end:]
    bomb = tmp_path / "GDDT-bom.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
        # incompressible padding keeps the whole file under the zip-bomb ratio, as an attacker would
        z.writestr("xl/media/pad.bin", __import__("os").urandom(400_000), zipfile.ZIP_STORED)
    assert bomb.stat().st_size < 1_000_000
    t = time.monotonic()
    res = CliRunner().invoke(main, ["collect", str(plan), str(bomb), "-o", str(tmp_path / "out")])
    assert res.exit_code == 1 and "GDDT-bom.xlsx" in res.output and "ô, quá nhiều" in res.output, res.output
    assert time.monotonic() - t < 30      # a guard against a hang, not a speed measure


def test_a_report_date_that_is_a_huge_number_is_a_located_error(tmp_path):
    plan, blank = blank_workbook(tmp_path)
    wb = openpyxl.load_workbook(blank)
    wb["Khó khăn - Đề xuất"]["B4"].value = 1e20
    wb["Khó khăn - Đề xuất"]["B4"].number_format = "General"
    bad = tmp_path / "GDDT.xlsx"
    wb.save(bad)
    res = CliRunner().invoke(main, ["collect", str(plan), str(bad), "-o", str(tmp_path / "out")])
    assert res.exit_code == 1 and "[Khó khăn - Đề xuất!B4]" in res.output and "không phải ngày" in res.output
    assert "Lỗi ngoài dự kiến" not in res.output and "Traceback" not in res.output


def test_a_result_far_above_its_target_still_builds_every_document(tmp_path):
    plan, _ = blank_workbook(tmp_path)
    loaded = load_plan(plan, with_results=False)
    ma = next(ct.ma for ct in loaded.assigned("GDDT")[0] if ct.don_vi == "%")
    save_results(loaded, KetQuaCoQuan.model_validate(
        {"co_quan": "GDDT", "chi_tieu": {ma: {"uoc_thuc_hien": "999999999999999999"}}}))
    res = CliRunner().invoke(main, ["reports", str(plan), "-o", str(tmp_path / "out2")])
    assert res.exit_code == 0, res.output


def test_digits_of_other_scripts_are_not_figures(tmp_path):
    plan, blank = blank_workbook(tmp_path)
    ma = next(ct.ma for ct in load_plan(plan, with_results=False).assigned("GDDT")[0])
    filled = fill(blank, tmp_path / "GDDT.xlsx", indicators={ma: ("٩٨", "")})
    res = CliRunner().invoke(main, ["collect", str(plan), str(filled), "-o", str(tmp_path / "out")])
    assert res.exit_code == 1 and "«٩٨» không phải kết quả đo được" in res.output, res.output
