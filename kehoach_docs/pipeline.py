"""The build: plan folder -> validated plan -> document contexts -> jobs -> files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

from .batch.jobs import Job, document_time
from .batch.runner import Outcome, run_jobs
from .context.plan_doc import plan_context
from .model.bundle import Plan
from .render.atomic import folder_lock

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def templates_dir(override: str | Path | None = None) -> Path:
    """Where the .docx templates are: ``--templates``, ``$KEHOACH_TEMPLATES`` or the project's own."""
    if override:
        return Path(override)
    env = os.environ.get("KEHOACH_TEMPLATES")
    return Path(env) if env else PACKAGE_ROOT / "templates" / "docx"


def plan_time(plan: Plan) -> str:
    d = plan.ke_hoach.van_ban.ngay
    return document_time(d.nam, d.thang, d.ngay)


def plan_jobs(plan: Plan, templates: Path) -> list[Job]:
    """The plan document and its two appendix workbooks."""
    ctx = plan_context(plan)
    ts = plan_time(plan)
    year = plan.ke_hoach.van_ban.nam_ke_hoach
    title = plan.text(plan.ke_hoach.van_ban.trich_yeu)
    return [
        Job("ke-hoach.docx", "docx", ctx, title, ts, template=str(templates / "ke-hoach.docx")),
        Job("phu-luc-i.xlsx", "xlsx", ctx["phu_luc_i"], "Phụ lục I", ts, writer="phu_luc",
            extra={"part": "phu_luc_i", "year": year}),
        Job("phu-luc-ii.xlsx", "xlsx", ctx["phu_luc_ii"], "Phụ lục II", ts, writer="phu_luc",
            extra={"part": "phu_luc_ii", "year": year}),
    ]


REPORTS = "bao-cao"
SUMMARY = "tong-hop.docx"


def report_jobs(plan: Plan, templates: Path, agencies: list[str] | None = None) -> Iterator[Job]:
    """Each agency's report draft and result-entry workbook, then the summary report.

    With ``agencies`` only those agencies' files are made (an agency building its own
    draft), and no summary. Jobs are generated lazily so a batch of thousands never
    holds all contexts at once.
    """
    from .context.report_doc import entry_context, report_context
    from .context.summary_doc import summary_context
    ts = plan_time(plan)
    codes = agencies if agencies is not None else [a.ma for a in plan.agencies_with_work()]
    template = str(templates / "bao-cao.docx")
    for code in codes:
        name = plan.co_quan[code].ten
        yield Job(f"{REPORTS}/{code}.docx", "docx", report_context(plan, code), f"Báo cáo - {name}", ts,
                  template=template)
        yield Job(f"{REPORTS}/{code}.xlsx", "xlsx", entry_context(plan, code), f"Nhập kết quả - {name}", ts,
                  writer="nhap_ket_qua")
    if agencies is None:
        yield Job(SUMMARY, "docx", summary_context(plan), "Báo cáo tổng hợp", ts,
                  template=str(templates / "tong-hop.docx"))


def output_folder(plan: Plan, out_dir: Path) -> Path:
    return Path(out_dir) / plan.name


def run(plan: Plan, jobs: list[Job], out_dir: Path, **kw) -> Outcome:
    """Run ``jobs`` into ``out_dir/<plan>/`` under the folder lock."""
    folder = output_folder(plan, out_dir)
    with folder_lock(folder):
        return run_jobs(jobs, folder, **kw)
