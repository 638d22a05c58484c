"""An agency's results as a web form sends them: the same rows, checks and messages as its workbook.

The form is built from :func:`~kehoach_docs.results.entry.entry_data` (what the plan assigned the
agency, nothing else), so a field for another agency's indicator is never read, whatever is posted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping

from pydantic import ValidationError

from ..model.bundle import Plan
from ..model.results import KetQuaCoQuan
from ..text.hygiene import clean_text
from .entry import entry_data, figure_problem, status_problem

#: The agency-wide fields, in the order the form shows them.
GENERAL_FIELDS = ("kho_khan", "de_xuat")


def field_name(part: str, key: str, ma: str) -> str:
    """The form field of ``key`` in row ``ma`` (``uoc-thu-ns``); codes never contain «--»."""
    return f"{part}--{key}--{ma}"


@dataclass
class FormResult:
    """What a posted form gave: the results (None when refused) and a message per field."""

    results: KetQuaCoQuan | None
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)


def read_form(plan: Plan, code: str, posted: Mapping[str, str], today: dt.date | None = None) -> FormResult:
    """Check what agency ``code`` posted, field by field, as ``collect`` checks its workbook."""
    data = entry_data(plan, code)
    out = FormResult(None, {})

    def text(name: str) -> str:
        raw, issues = clean_text(str(posted.get(name, "") or "").strip())
        for issue in issues:
            (out.errors if issue.level == "error" else out.warnings)[name] = issue.message
        out.values[name] = raw
        return raw

    indicators, tasks = {}, {}
    for row in data["chi_tieu"]:
        ma = row["ma"]
        uoc, note = text(field_name("ct", "uoc", ma)), text(field_name("ct", "ghi_chu", ma))
        why = figure_problem(plan, ma, uoc)
        if why:
            out.errors[field_name("ct", "uoc", ma)] = why
        elif uoc or note:
            indicators[ma] = {"uoc_thuc_hien": uoc, "ghi_chu": note}
    for row in data["nhiem_vu"]:
        ma = row["ma"]
        status, result = text(field_name("nv", "trang_thai", ma)), text(field_name("nv", "ket_qua", ma))
        why = status_problem(status)
        if why:
            out.errors[field_name("nv", "trang_thai", ma)] = why
        elif status or result:
            tasks[ma] = {"trang_thai": status or None, "ket_qua": result}
    general = {key: text(key) for key in GENERAL_FIELDS}
    if out.errors:
        return out
    try:
        out.results = KetQuaCoQuan.model_validate({"co_quan": code, "ngay_bao_cao": today or dt.date.today(),
                                                   "chi_tieu": indicators, "nhiem_vu": tasks, **general})
    except ValidationError as exc:     # the per-field checks above catch what a form can send
        for e in exc.errors():
            out.errors[".".join(str(x) for x in e["loc"])] = e["msg"]
    return out


def form_values(plan: Plan, code: str, res: KetQuaCoQuan | None) -> dict[str, str]:
    """The form's fields filled with ``res`` (stored results, or a draft)."""
    values: dict[str, str] = {}
    data = entry_data(plan, code)
    for row in data["chi_tieu"]:
        r = res.chi_tieu.get(row["ma"]) if res else None
        values[field_name("ct", "uoc", row["ma"])] = r.uoc_thuc_hien if r else ""
        values[field_name("ct", "ghi_chu", row["ma"])] = r.ghi_chu if r else ""
    for row in data["nhiem_vu"]:
        r = res.nhiem_vu.get(row["ma"]) if res else None
        values[field_name("nv", "trang_thai", row["ma"])] = (r.trang_thai or "") if r else ""
        values[field_name("nv", "ket_qua", row["ma"])] = r.ket_qua if r else ""
    for key in GENERAL_FIELDS:
        values[key] = getattr(res, key) if res else ""
    return values
