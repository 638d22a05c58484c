"""Many plans in one command: a province regenerating the documents of all its communes.

Each plan is one task in one pool of workers: fresh or stale on its own (its own fingerprint,
manifest and lock, exactly as when built alone), and a plan that fails is reported at the end
without stopping the others. The pool is any :class:`concurrent.futures.Executor`: local processes
by default (forked warm: modules imported and templates prepared once, before the fork), or a
Dask cluster's (``--executor dask://HOST:PORT``), whose workers must see the same plan and output
folders (a shared drive).
"""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import FIRST_COMPLETED, Executor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .problems import UserError

MAIN_FILE = "ke-hoach.yaml"


@dataclass
class PlanOutcome:
    """What one plan's run did, small enough to come back from another process or machine."""

    folder: str
    built: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)     # (output, message)
    error: str | None = None        # the plan could not be read or built at all
    waiting: list[str] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)
    pdf_failed: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None and not self.failed and not self.pdf_failed


def plan_folders(paths: list[Path]) -> list[Path]:
    """The plans named: plan folders, and folders of plan folders (every sub-folder that is a plan)."""
    plans: list[Path] = []
    for path in paths:
        path = Path(path)
        if (path / MAIN_FILE).is_file():
            plans.append(path)
        elif path.is_dir():
            inside = sorted(p for p in path.iterdir() if (p / MAIN_FILE).is_file())
            if not inside:
                raise UserError(f"«{path}» không phải thư mục kế hoạch (không có {MAIN_FILE}) và không chứa "
                                "thư mục kế hoạch nào.")
            plans.extend(inside)
        else:
            raise UserError(f"Không có thư mục kế hoạch «{path}».")
    names: dict[str, Path] = {}
    for p in plans:
        other = names.setdefault(p.resolve().name, p)
        if other != p and other.resolve() != p.resolve():
            raise UserError(f"Hai kế hoạch cùng tên thư mục «{p.resolve().name}» ({other} và {p}): kết quả sẽ "
                            "ghi đè nhau trong thư mục đầu ra; hãy đổi tên một thư mục.")
    return list(dict.fromkeys(plans))


def run_plan(command: str, plan_dir: str, output_dir: str, templates: str | None, force: bool,
             pdf: bool = False, pdf_timeout: float = 120) -> PlanOutcome:
    """One plan, start to end, in whatever process or machine runs it; raises only when interrupted."""
    from . import app
    from .batch.runner import interruptible_task
    out = PlanOutcome(plan_dir)
    try:
        with interruptible_task():
            result = (app.build if command == "build" else app.reports)(
                Path(plan_dir), Path(output_dir), templates, None, force=force, n_jobs=1, pdf=pdf,
                pdf_timeout=pdf_timeout)
    except UserError as exc:
        out.error = exc.format_message()
        return out
    except Exception as exc:    # one plan's bug must not stop a province's thousands
        out.error = f"lỗi ngoài dự kiến ({type(exc).__name__}: {exc})"
        return out
    if result.outcome is None:
        out.unchanged = len(result.outputs)
    else:
        out.built, out.unchanged = len(result.outcome.built), len(result.outcome.unchanged)
        out.failed, out.kept = list(result.outcome.failed), list(result.outcome.kept)
    out.waiting = list(result.waiting)
    if result.pdf is not None:
        out.pdf_failed = len(result.pdf.failed) + len(result.pdf.foreign_fonts)
    return out


def run_plans(command: str, plans: list[Path], output_dir: Path, templates, reporter, *, force: bool = False,
              n_jobs: int | None = None, pdf: bool = False, pdf_timeout: float = 120,
              executor: str | None = None) -> list[PlanOutcome]:
    """Run ``command`` on every plan in one pool, one progress bar; outcomes in the plans' order."""
    args = [(command, str(Path(p).resolve()), str(Path(output_dir).resolve()),
             str(Path(templates).resolve()) if templates else None, force, pdf, pdf_timeout) for p in plans]
    outcomes: dict[int, PlanOutcome] = {}
    with reporter.progress(len(args), "Đang dựng các kế hoạch") as advance, \
            pool_for(executor, n_jobs, command, templates) as pool:
        todo = iter(enumerate(args))
        pending: dict = {}
        window = 4 * max(1, n_jobs or os.cpu_count() or 1)
        try:
            while True:
                for i, a in todo:
                    pending[pool.submit(run_plan, *a)] = i
                    if len(pending) >= window:
                        break
                if not pending:
                    break
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for f in finished:
                    i = pending.pop(f)
                    try:
                        outcomes[i] = f.result()
                    except Exception as exc:     # the worker itself died (killed, out of memory, lost)
                        outcomes[i] = PlanOutcome(args[i][1], error=f"tiến trình dựng bị dừng ({type(exc).__name__})")
                    advance(1)
        except BaseException as exc:
            # interrupted: the plans not yet begun are dropped, not built while the pool shuts down
            for f in pending:
                f.cancel()
            if isinstance(exc, KeyboardInterrupt):
                from .batch.runner import DRAIN_TIMEOUT, Interrupted
                # the plans begun stop at their next file and record what they wrote
                stopped = wait(pending, timeout=DRAIN_TIMEOUT)[0]
                begun = sum(isinstance(f.exception(), KeyboardInterrupt) for f in stopped if not f.cancelled())
                raise Interrupted(f"Đã xong {len(outcomes)}/{len(args)} kế hoạch trước khi dừng"
                                  + (f"; {begun} kế hoạch đang dựng dở giữ các tệp đã ghi" if begun else "")
                                  + ". Chạy lại lệnh để làm tiếp.") from None
            raise
    return [outcomes[i] for i in range(len(args))]


@contextlib.contextmanager
def pool_for(executor: str | None, n_jobs: int | None, command: str, templates) -> Iterator[Executor]:
    """Local processes (forked warm) or a Dask cluster's executor (``dask://HOST:PORT``)."""
    if executor:
        if not executor.startswith("dask://"):
            raise UserError(f"--executor «{executor}»: chỉ hỗ trợ dask://MÁY:CỔNG (bộ điều phối Dask).")
        try:
            from distributed import Client
        except ImportError:
            raise UserError("Cần cài Dask để dùng --executor: pip install 'kehoach-docs[dask]'.") from None
        try:
            client = Client(executor.replace("dask://", "tcp://", 1), timeout="10s")
        except OSError as exc:
            raise UserError(f"Không kết nối được bộ điều phối Dask {executor}: {exc}") from None
        with client:
            yield client.get_executor()
        return
    from . import app, documents  # noqa: F401  (what every plan needs, imported once before the fork)
    from .batch.runner import warm_pool
    from .source import plan_dir  # noqa: F401
    with warm_pool(max(1, n_jobs or os.cpu_count() or 1),
                   documents.templates_of(command, documents.templates_dir(templates)), interruptible=True) as pool, \
            _terminate_as_interrupt():
        yield pool


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM to this process alone (``kill``, ``timeout``, a service stopped) does what Ctrl-C in
    the terminal does to the whole group: each worker is interrupted and records the plan it is on,
    and the command stops. Left to its default, this process would die at once and the workers,
    ended later by their parent watch, would stop mid-plan with files written and not recorded."""
    import multiprocessing
    import signal

    from .batch.runner import signals_handled

    def interrupt_all(signum, frame):
        for child in multiprocessing.active_children():
            with contextlib.suppress(OSError):
                os.kill(child.pid, signal.SIGINT)
        raise KeyboardInterrupt
    with signals_handled(interrupt_all, signal.SIGTERM):
        yield
