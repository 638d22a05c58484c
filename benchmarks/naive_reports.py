"""The naive way to make the same files as ``kehoach reports``: what a first script does with the
libraries as their documentation shows them. python benchmarks/naive_reports.py PLAN OUT

The plan is read and the contexts are made with kehoach's own model (that work is the same either
way); then every report draft is ``DocxTemplate(path)``, ``render``, ``save`` (docxtpl's quick
start), and every agency workbook is an openpyxl ``Workbook()`` filled cell by cell and ``save``d
(openpyxl's tutorial), one document after another in one process.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(plan_dir: Path, out: Path) -> None:
    from docxtpl import DocxTemplate

    from kehoach_docs.documents import jobs_for, templates_dir
    from kehoach_docs.render.xlsx_result_entry import write_result_entry
    from kehoach_docs.source.plan_dir import load_plan
    plan = load_plan(plan_dir)
    folder = out / plan.name
    for job in jobs_for("reports", plan, templates_dir())[1]:
        target = folder / job.output
        target.parent.mkdir(parents=True, exist_ok=True)
        if job.template:
            tpl = DocxTemplate(job.template)
            tpl.render(job.context, autoescape=True)
            tpl.save(target)
        else:
            # openpyxl's Workbook(), cells, styles, validations, save: the layout writer kehoach
            # itself used for every workbook before workbooks were prepared once per process
            target.write_bytes(write_result_entry(job.context))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
