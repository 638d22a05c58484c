"""Run jobs: decide what is stale, render it (in parallel), record it in the manifest.

Each worker process prepares a template once and reuses it for all its documents;
jobs are fed through a bounded window so memory stays flat for any batch size. A
failing document is reported and the others go on.
"""

from __future__ import annotations

import hashlib
import os
from collections import deque
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


def run_jobs(jobs: Iterable[Job], folder: Path, *, force: bool = False, n_jobs: int | None = None,
             progress: Callable[[int], None] | None = None, window: int = 64) -> Outcome:
    """Bring every output of ``jobs`` up to date in ``folder`` (the plan's output folder)."""
    manifest = Manifest(folder)
    outcome = Outcome()
    todo: list[tuple[Job, str, str, str]] = []
    for job in jobs:
        d, t = job.data_hash, template_hash(job)
        why = manifest.reason(job.output, d, t, force)
        if why is None:
            outcome.unchanged.append(job.output)
            if progress:
                progress(1)
        else:
            todo.append((job, d, t, why))
    reasons = {job.output: (d, t, why) for job, d, t, why in todo}

    def done(result):
        output, sha, err = result
        d, t, why = reasons[output]
        if err is None:
            manifest.record(output, d, t, sha)
            outcome.built.append((output, why))
        else:
            outcome.failed.append((output, err))
        if progress:
            progress(1)

    n_jobs = max(1, n_jobs or default_jobs())
    if n_jobs == 1 or len(todo) < 4:
        for job, d, t, _ in todo:
            done(render_job(job, str(folder), d, t))
    else:
        with ProcessPoolExecutor(max_workers=n_jobs) as pool:
            pending = set()
            queue = deque(todo)
            while queue or pending:
                while queue and len(pending) < window:
                    job, d, t, _ = queue.popleft()
                    pending.add(pool.submit(render_job, job, str(folder), d, t))
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in finished:
                    done(f.result())
    if outcome.built:
        manifest.save()
    outcome.built.sort()
    return outcome
