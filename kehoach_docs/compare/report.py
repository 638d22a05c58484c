"""The comparison of two plan versions as jobs: ``.docx`` (ND30 layout) and ``.xlsx``.

They are rendered by the batch runner like every other document, so a hand-edited
comparison is kept aside and the manifest records what was written.
"""

from __future__ import annotations

from pathlib import Path

from ..batch.jobs import Job
from .doc_context import diff_context
from ..model.bundle import Plan
from .plan_diff import Change, compare_plans

TEMPLATE = "so-sanh.docx"
TITLE = "Bảng so sánh"


def comparison_jobs(old: Plan, new: Plan, labels: tuple[str, str], docx_name: str,
                    templates: Path) -> tuple[list[Change], list[Job]]:
    """Compare; the jobs write ``docx_name`` and the workbook of the same name (``.xlsx``)."""
    from ..pipeline import plan_time
    changes = compare_plans(old, new)
    ctx = diff_context(old, new, changes, *labels)
    ts = plan_time(new)
    return changes, [
        Job(docx_name, "docx", ctx, TITLE, ts, template=str(templates / TEMPLATE)),
        Job(str(Path(docx_name).with_suffix(".xlsx")), "xlsx", ctx, TITLE, ts, writer="so_sanh"),
    ]
