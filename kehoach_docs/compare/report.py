"""Write the comparison of two plan versions as ``.docx`` (ND30 layout) and ``.xlsx``."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .. import __version__
from ..context.diff_doc import diff_context
from ..model.bundle import Plan
from ..render.atomic import write_atomic
from ..render.docx_engine import prepared
from ..render.package import pack, unpack
from ..render.xlsx_diff import write_diff
from .plan_diff import Change, compare_plans

TEMPLATE = "so-sanh.docx"


def write_comparison(old: Plan, new: Plan, labels: tuple[str, str], docx_path: Path,
                     templates: Path) -> tuple[list[Change], Path, Path]:
    """Compare, then write ``docx_path`` and the workbook beside it (same name, ``.xlsx``)."""
    from ..pipeline import plan_time
    changes = compare_plans(old, new)
    ctx = diff_context(old, new, changes, *labels)
    data_sha = hashlib.sha256(json.dumps(ctx, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    template = templates / TEMPLATE
    props = {"data_sha256": data_sha, "template_sha256": hashlib.sha256(template.read_bytes()).hexdigest(),
             "version": __version__}
    ts = plan_time(new)
    xlsx_path = docx_path.with_suffix(".xlsx")
    docx = pack(prepared(str(template)).render_parts(ctx), "Bảng so sánh", ts, props)
    xlsx = pack(unpack(write_diff(ctx)), "Bảng so sánh", ts, {**props, "template_sha256": "xlsx:so_sanh"})
    write_atomic(docx_path, docx)
    write_atomic(xlsx_path, xlsx)
    return changes, docx_path, xlsx_path
