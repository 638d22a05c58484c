"""Shared fixtures: the built example and the commune fixture, built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from docx import Document

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "tien-lu-2024"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TEMPLATES = ROOT / "templates" / "docx"


def build_plan(plan_dir: Path, out: Path, **kw):
    from kehoach_docs.documents import jobs_for
    from kehoach_docs.pipeline import run
    from kehoach_docs.source.plan_dir import load_plan
    plan = load_plan(plan_dir)
    return plan, run(plan, jobs_for("build", plan, TEMPLATES)[1], out, n_jobs=1, **kw)


@pytest.fixture(scope="session", autouse=True)
def own_user_cache(tmp_path_factory):
    """Kept LibreOffice profiles and prepared workbooks go to the test session's folder, never the
    user's cache (subprocesses inherit it)."""
    import os
    os.environ["KEHOACH_CACHE"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def example_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    build_plan(EXAMPLE, out)
    return out / "tien-lu-2024"


@pytest.fixture(scope="session")
def commune_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out-xa")
    build_plan(FIXTURES / "xa-2027", out)
    return out / "xa-2027"


@pytest.fixture
def plan_copy(tmp_path) -> Path:
    """A writable copy of the example plan."""
    dst = tmp_path / "tien-lu-2024"
    shutil.copytree(EXAMPLE, dst, ignore=shutil.ignore_patterns("ket-qua"))
    return dst


def docx_text_blocks(path: Path) -> list[str]:
    """Every paragraph of the body, tables included, in document order."""
    doc = Document(str(path))
    out = []
    body = doc.element.body
    for el in body.iter():
        if el.tag.endswith("}p"):
            text = "".join(t.text or "" for t in el.iter() if t.tag.endswith("}t"))
            out.append(text)
    return out


def build_reports(plan_dir: Path, out: Path, agencies=None, **kw):
    from kehoach_docs.documents import jobs_for
    from kehoach_docs.pipeline import run
    from kehoach_docs.source.plan_dir import load_plan
    plan = load_plan(plan_dir)
    return plan, run(plan, jobs_for("reports", plan, TEMPLATES, agencies)[1], out, n_jobs=1, **kw)


@pytest.fixture(scope="session")
def reports_out(tmp_path_factory) -> Path:
    """The example's report drafts, workbooks and summary, with no results yet."""
    out = tmp_path_factory.mktemp("out-bc")
    build_reports(EXAMPLE, out)
    return out / "tien-lu-2024"


def row_of(ws, code):
    for r in range(5, ws.max_row + 1):
        if ws.cell(row=r, column=1).value == code:
            return r
    raise KeyError(code)


def fill(src, dst, indicators=None, tasks=None, general=None):
    """Fill a blank workbook the way an agency does in Excel, and save it under ``dst``."""
    wb = openpyxl.load_workbook(src)
    ind, tk, gen = wb["Chỉ tiêu"], wb["Nhiệm vụ"], wb["Khó khăn - Đề xuất"]
    for code, (value, note) in (indicators or {}).items():
        r = row_of(ind, code)
        ind.cell(row=r, column=6).value = value
        ind.cell(row=r, column=7).value = note
    for code, (status, result) in (tasks or {}).items():
        r = row_of(tk, code)
        tk.cell(row=r, column=5).value = status
        tk.cell(row=r, column=6).value = result
    for row, value in (general or {}).items():
        gen.cell(row=row, column=2).value = value
    wb.save(dst)
    return dst
