"""The workbooks a job can ask for, by name (jobs carry names, not functions, across processes)."""

from __future__ import annotations

from .xlsx_appendix import write_appendix
from .xlsx_diff import write_diff
from .xlsx_result_entry import write_result_entry


def _appendix(job) -> bytes:
    return write_appendix(job.extra["part"], job.context, job.extra["year"])


WRITERS = {"phu_luc": _appendix, "nhap_ket_qua": lambda job: write_result_entry(job.context),
           "so_sanh": lambda job: write_diff(job.context)}
