"""Run jobs: decide what is stale, render it (in parallel), record it in the manifest.

Each worker process prepares a template once and reuses it for all its documents;
jobs are fed through a bounded window so memory stays flat for any batch size. A
failing document is reported and the others go on.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .. import __version__
from ..render.atomic import write_atomic
from ..render.package import pack, unpack
from .jobs import Job, template_hash
from .manifest import Manifest


@dataclass
class Outcome:
    built: list[tuple[str, str]] = field(default_factory=list)    # (output, reason key)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)   # (output, message)
    kept: list[tuple[str, str]] = field(default_factory=list)     # (output, backup name) of hand edits


def _xlsx_bytes(job: Job) -> bytes:
    from ..render import xlsx_writers
    return xlsx_writers.WRITERS[job.writer](job)


def render_job(job: Job, folder: str, data_hash: str, tpl_hash: str) -> tuple[str, str | None, str | None]:
    """Render and write one job; returns (output, file hash, error message)."""
    try:
        props = {"data_sha256": data_hash, "template_sha256": tpl_hash, "version": __version__}
        if job.kind == "docx":
            from ..render.docx_engine import prepared
            parts = prepared(job.template).render_parts(job.context)
        else:
            parts = unpack(_xlsx_bytes(job))
        data = pack(parts, job.title, job.timestamp, props)
        write_atomic(Path(folder) / job.output, data)
        return job.output, hashlib.sha256(data).hexdigest(), None
    except Exception as exc:  # one bad document must not stop the batch
        return job.output, None, _describe(exc)


def _describe(exc: Exception) -> str:
    from jinja2 import TemplateError
    if isinstance(exc, TemplateError):
        return f"lỗi mẫu văn bản: {exc.message or exc}"
    if isinstance(exc, OSError):
        return f"không ghi được tệp: {exc.strerror or exc}"
    return f"{type(exc).__name__}: {exc}"


def default_jobs() -> int:
    return os.cpu_count() or 1


def keep_edited(target: Path) -> Path:
    """Move a hand-edited output aside (``TCKH.sua-tay.xlsx``, ``TCKH.sua-tay-2.xlsx``…) before rebuilding it."""
    n, dest = 1, target.with_name(f"{target.stem}.sua-tay{target.suffix}")
    while dest.exists():
        n += 1
        dest = target.with_name(f"{target.stem}.sua-tay-{n}{target.suffix}")
    os.replace(target, dest)
    return dest


def run_jobs(jobs: Iterable[Job], folder: Path, *, force: bool = False, n_jobs: int | None = None,
             progress: Callable[[int], None] | None = None, window: int = 64) -> Outcome:
    """Bring every output of ``jobs`` up to date in ``folder`` (the plan's output folder).

    ``jobs`` is consumed lazily and at most ``window`` documents are in flight, so
    memory does not grow with the size of the batch.
    """
    manifest = Manifest(folder)
    outcome = Outcome()
    reasons: dict[str, tuple[str, str, str]] = {}

    def stale():
        for job in jobs:
            d, t = job.data_hash, template_hash(job)
            why = manifest.reason(job.output, d, t, force)
            if why is None:
                outcome.unchanged.append(job.output)
                if progress:
                    progress(1)
                continue
            if why == "edited":
                outcome.kept.append((job.output, keep_edited(folder / job.output).name))
            reasons[job.output] = (d, t, why)
            yield job, d, t

    def done(result):
        output, sha, err = result
        d, t, why = reasons.pop(output)
        if err is None:
            manifest.record(output, d, t, sha)
            outcome.built.append((output, why))
        else:
            outcome.failed.append((output, err))
        if progress:
            progress(1)

    todo = stale()
    n_jobs = max(1, n_jobs or default_jobs())
    head = [x for _, x in zip(range(4), todo)] if n_jobs > 1 else []
    if n_jobs == 1 or len(head) < 4:    # a pool costs more than it saves for a handful of documents
        for job, d, t in [*head, *todo]:
            done(render_job(job, str(folder), d, t))
    else:
        with ProcessPoolExecutor(max_workers=n_jobs) as pool:
            pending = set()
            queue = iter([*head, *todo])
            exhausted = False
            while not exhausted or pending:
                while not exhausted and len(pending) < window:
                    item = next(queue, None)
                    if item is None:
                        exhausted = True
                        break
                    job, d, t = item
                    pending.add(pool.submit(render_job, job, str(folder), d, t))
                if pending:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for f in finished:
                        done(f.result())
    if outcome.built or outcome.failed:
        manifest.save()
    outcome.built.sort()
    return outcome
