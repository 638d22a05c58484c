"""Run jobs: decide what is stale, render it (in parallel), record it in the manifest.

Each worker process prepares a template once and reuses it for all its documents;
jobs are fed through a bounded window so memory stays flat for any batch size. A
failing document is reported and the others go on.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import itertools
import os
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .. import __version__
from ..atomic import Rewrites, write_atomic
from ..problems import os_reason
from ..render.package import PLACE, is_sealed, pack, place_of, unshared_size
from .jobs import Job, template_hash
from .manifest import Manifest, as_written, file_stat


@dataclass
class Outcome:
    built: list[tuple[str, str]] = field(default_factory=list)    # (output, reason key)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)   # (output, message)
    kept: list[tuple[str, str]] = field(default_factory=list)     # (output, backup name) of hand edits
    notes: list[str] = field(default_factory=list)                 # things the user should know
    stale_pdfs: list[str] = field(default_factory=list)            # PDFs removed: their .docx was rebuilt
    manifest: object = None                                        # the saved manifest, for the fast check


#: (output, file hash or None, error message or None, hand-edited copy's name or None, the written
#: file's stat or None)
Result = tuple
#: What kehoach last wrote to an output: (file hash, stat just after), each None when unknown.
Written = tuple

NOT_WRITTEN: Written = (None, None)


def render_job(job: Job, folder: str, data_hash: str, tpl_hash: str, written: Written = NOT_WRITTEN) -> Result:
    """Render and write one job, keeping a hand-edited file that is in the way.

    ``written`` tells what kehoach last wrote there (see :meth:`Manifest.written`). Whatever
    the reason for the rebuild, a file on disk that is neither that nor the new bytes was
    changed by someone and is moved aside first.
    """
    try:
        data = _bytes_of(job, data_hash, tpl_hash)
    except Exception as exc:  # one bad document must not stop the batch
        return _failed(job.output, exc)
    return _put(job.output, folder, data, written, place_of(job.plan, job.output))


def _failed(output: str, exc: Exception) -> Result:
    return output, None, _describe(exc), None, None


def _broken(output: str) -> Result:
    return output, None, BROKEN, None, None


def _bytes_of(job: Job, data_hash: str, tpl_hash: str) -> bytes:
    """The file ``job`` makes, as bytes."""
    return _packed(job, _parts_of(job), data_hash, tpl_hash)


def _parts_of(job: Job) -> dict:
    """The parts of the file ``job`` makes, rendered and not yet packed."""
    if job.kind == "docx":
        from ..render.docx_engine import prepared
        return prepared(job.template).render_parts(job.context)
    from ..render.xlsx_writers import workbook_parts
    return workbook_parts(job)


def _packed(job: Job, parts: dict, data_hash: str, tpl_hash: str) -> bytes:
    """``parts`` of ``job`` packed into its file, with the properties that say what it was made from."""
    props = {"data_sha256": data_hash, "template_sha256": tpl_hash, "version": __version__,
             PLACE: place_of(job.plan, job.output)}
    return pack(parts, job.title, job.timestamp, props)


def _put(output: str, folder: str, data: bytes, written: Written, place: str, write: Callable | None = None) -> Result:
    """Write ``data`` as ``output`` (written as ``place``, see :func:`place_of`) with ``write``
    (:func:`write_atomic` if None), a hand-edited file there moved aside first (see :func:`render_job`)."""
    kept = None
    try:
        sha = hashlib.sha256(data).hexdigest()
        target = Path(folder) / output
        # sealed: kehoach's own bytes that no record holds (a run killed before it recorded them)
        if target.exists() and not as_written(target, *written, also=sha) and not is_sealed(target, place):
            kept = keep_edited(target).name
        (write or write_atomic)(target, data)
        return output, sha, None, kept, file_stat(target)
    except Exception as exc:    # the hand edit, if moved aside already, is still told about
        return output, None, _describe(exc), kept, None


def _describe(exc: Exception) -> str:
    from jinja2 import TemplateError
    if isinstance(exc, TemplateError):
        return f"lỗi mẫu văn bản: {exc.message or exc}"
    if isinstance(exc, OSError):
        return f"không ghi được tệp: {os_reason(exc)}"
    return f"{type(exc).__name__}: {exc}"


BROKEN = "tiến trình dựng bị dừng đột ngột (hết bộ nhớ hoặc bị tắt); chạy lại lệnh"


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
             progress: Callable[[int], None] | None = None, window: int = 4, chunk: int = 64,
             pool: Executor | None = None, close_pool: bool = False, after: Iterable[Job] = ()) -> Outcome:
    """Bring every output of ``jobs``, then of ``after``, up to date in ``folder`` (the plan's output folder).

    ``jobs`` is consumed lazily and at most ``window`` chunks of ``chunk`` documents are
    in flight, so memory does not grow with the size of the batch (fewer, larger chunks: each
    hand-over costs the three processes a wake-up and the GIL of the feeding one, and a worker
    renders a chunk before packing it, see :func:`render_chunk`). ``pool`` (see
    :func:`warm_pool`) is used instead of starting ``n_jobs`` processes; ``close_pool`` shuts
    it down as soon as its last document is back (the caller needs it no more). ``after`` is
    rendered here once the workers are done, and gone if ``close_pool``: documents whose
    context is the largest of the command are not built while the workers' memory is held.
    """
    manifest = Manifest(folder)
    outcome = Outcome()
    if manifest.damaged:
        outcome.notes.append(f"sổ ghi {manifest.path.name} bị hỏng ({manifest.damaged}); đã bỏ qua và ghi lại. "
                             "Tệp nào khác với bản kehoach dựng sẽ được cất thành .sua-tay trước khi ghi đè")
    reasons: dict[str, tuple[str, str, str]] = {}
    tpl_hashes: dict[tuple, str] = {}     # a run sees each template as it was when first asked

    def stale(jobs):
        for job in jobs:
            stop.check()    # between contexts too: an amendment can build thousands before one is stale
            key = (job.template, job.writer)
            t = tpl_hashes.get(key) or tpl_hashes.setdefault(key, template_hash(job))
            d = job.data_hash
            why = manifest.reason(job.output, d, t, force)
            if why is None:
                manifest.touch(job.output)
                outcome.unchanged.append(job.output)
                if progress:
                    progress(1)
                continue
            reasons[job.output] = (d, t, why)
            yield job, d, t, manifest.written(job.output)

    def done(result):
        output, sha, err, kept, stat = result
        if output not in reasons:   # recorded already: a chunk collected again after an interrupt
            return
        d, t, why = reasons.pop(output)
        if kept:
            outcome.kept.append((output, kept))
        # plain strings: pathlib would intern every part of thousands of output names
        pdf = os.path.splitext(output)[0] + ".pdf"
        if err is None and output.endswith(".docx") and os.path.exists(os.path.join(folder, pdf)):
            # the PDF is what gets printed or sent: one that shows the old text must not stay; one
            # that cannot go (open elsewhere) fails the document, to be made again by the next run
            try:
                os.unlink(os.path.join(folder, pdf))
                outcome.stale_pdfs.append(pdf)
            except OSError as exc:
                err = (f"đã ghi, nhưng không xóa được bản PDF cũ {pdf} (nay đã sai): {os_reason(exc)}; "
                       "hãy đóng tệp đó rồi chạy lại lệnh")
        if err is None:
            manifest.record(output, d, t, sha, stat)
            outcome.built.append((output, why))
        else:
            if sha is not None:     # written, its stale PDF left: known as ours, with no data to match
                manifest.record(output, "", t, sha, stat)
            outcome.failed.append((output, err))
        if progress:
            progress(1)

    todo = stale(jobs)
    n_jobs = max(1, n_jobs or default_jobs())
    parallel = pool is not None or n_jobs > 1
    with interrupts_deferred() as stop:
        try:
            head = [x for _, x in zip(range(4), todo)] if parallel else []
            if not parallel or len(head) < 4:    # a pool costs more than it saves for a handful of documents
                for job, *rest in itertools.chain(head, todo):     # one context held at a time
                    done(render_job(job, str(folder), *rest))
            else:
                _render_in_pool(itertools.chain(head, todo), str(folder), n_jobs, window, done, chunk, pool, stop)
            if close_pool and pool is not None:
                pool.shutdown()
            for job, *rest in stale(after):
                done(render_job(job, str(folder), *rest))
            stop.check()
        except BaseException as exc:
            # interrupted (Ctrl-C, a dead worker): what is written so far is recorded, so the next run
            # does not make it again; the original error is the one to report
            with contextlib.suppress(Exception):
                _save(manifest, outcome)
            if isinstance(exc, KeyboardInterrupt) and not isinstance(exc, Interrupted):
                raise Interrupted(len(outcome.built)) from None
            raise
        _save(manifest, outcome)
        stop.check()        # one that came while saving: the record is whole, the command still stops
    outcome.built.sort()
    outcome.manifest = manifest
    return outcome


def _save(manifest: Manifest, outcome: Outcome) -> None:
    # the fingerprint of the last complete run no longer describes what is on disk: kept, it would
    # let a later run with those inputs stop at once and leave these files as they are now
    manifest.forget_inputs_of({o for o, _ in outcome.built} | {o for o, _ in outcome.failed})
    manifest.save()


def render_chunk(items: list[tuple], folder: str) -> list[Result]:
    """Render several jobs in one call: one round trip to the worker per chunk, not per document.

    The chunk's documents are rendered one after another, then packed one after another (up to
    :data:`PHASE_BYTES` of rendered parts held): rendering and deflating each evict the other's
    code and tables from the core's caches, and taken in turn per document they cost a sixth more.
    Each file is written by a thread while the next one packs: a write waits on the file system
    (a new file, then a rename over the old one) for longer than it computes, and that wait would
    otherwise leave a core idle for a quarter of the worker's time.
    """
    results: list = []
    writer, rewrites = _writer(), Rewrites()    # used by the writing thread alone
    rendered: list[tuple] = []
    held = 0

    def pack_rendered() -> None:
        nonlocal held
        for job, data_hash, tpl_hash, written, parts in rendered:
            try:
                data = _packed(job, parts, data_hash, tpl_hash)
            except Exception as exc:  # one bad document must not stop the batch
                results.append(_failed(job.output, exc))
                continue
            results.append(writer.submit(_put, job.output, folder, data, written, place_of(job.plan, job.output),
                                         rewrites.write))
        rendered.clear()
        held = 0

    try:
        for job, data_hash, tpl_hash, *written in _in_order(items):
            try:
                parts = _parts_of(job)
            except Exception as exc:
                results.append(_failed(job.output, exc))
                continue
            rendered.append((job, data_hash, tpl_hash, written[0] if written else NOT_WRITTEN, parts))
            held += unshared_size(parts)
            if held > PHASE_BYTES:
                pack_rendered()
        pack_rendered()
    finally:
        writer.submit(rewrites.close).result()
    return [r.result() if isinstance(r, Future) else r for r in results]


#: Rendered parts a worker holds before packing them (bytes): a chunk of agency documents is about
#: two megabytes; a few agencies with hundreds of rows each are packed sooner.
PHASE_BYTES = 3 << 20


def _in_order(items: list[tuple]) -> list[tuple]:
    """A chunk's jobs grouped by what renders them (an agency's draft and workbook alternate as they
    come): one renderer's code and tables stay in the core's caches for a run of documents, which
    takes a tenth or more off each."""
    return sorted(items, key=lambda item: (item[0].kind, item[0].template or "", item[0].writer or ""))


_writers: dict[int, ThreadPoolExecutor] = {}


def _writer() -> ThreadPoolExecutor:
    """This process's writing thread, started once: a thread per chunk cost a worker a twentieth of
    its time. Keyed by process: a forked child has the parent's executor but not its thread."""
    pid = os.getpid()
    if pid not in _writers:
        _writers.clear()
        _writers[pid] = ThreadPoolExecutor(1, thread_name_prefix="kehoach-ghi")
    return _writers[pid]


def _render_in_pool(items, folder: str, n_jobs: int, window: int, done, chunk: int, pool: Executor | None,
                    stop: Interrupts) -> None:
    """Render ``items`` in ``pool`` (or ``n_jobs`` new processes), ``chunk`` jobs per task, ``window``
    tasks in flight."""
    items = iter(items)
    first = next(items, None)
    if first is None:
        return
    items = itertools.chain([first], items)
    if pool is None:
        with warm_pool(n_jobs, [Path(first[0].template)] if first[0].template else []) as own:
            return _render_in_pool(items, folder, n_jobs, window, done, chunk, own, stop)

    sent = 0
    # Documents with a context as large as the plan are rendered here, not copied to a worker, and
    # only once the workers hold a window of full chunks: met first (a province's office that
    # supports every task), one left both workers idle while it rendered. Two wait at most (that
    # office's draft and workbook), so such contexts stay few however many there are.
    local: list = []

    def render_here(item: tuple) -> None:
        done(render_job(item[0], folder, *item[1:]))

    def next_batch() -> list:
        nonlocal sent
        # the first window in quarter chunks: a plan of a few dozen documents is still shared out
        size = chunk if sent >= window else max(1, chunk // 4)
        batch = []
        for item in items:
            if item[0].local:
                if len(local) == 2:
                    render_here(local.pop(0))
                local.append(item)
                continue
            batch.append(item)
            if len(batch) == size:
                break
        sent += 1
        return batch

    pending: dict = {}

    def collect(f) -> None:
        """Record a finished chunk; asked again after an interrupt, it records what is left of it."""
        try:
            results = f.result()
        except BrokenProcessPool:   # a worker died (killed, out of memory)
            results = [_broken(o) for o in pending[f]]
        for r in results:
            done(r)
        del pending[f]

    exhausted = False
    try:
        while not exhausted or pending or local:
            while not exhausted and len(pending) < window:
                batch = next_batch()
                if not batch:
                    exhausted = True
                    break
                try:
                    pending[pool.submit(render_chunk, batch, folder)] = [item[0].output for item in batch]
                except BrokenProcessPool:
                    for item in batch:
                        done(_broken(item[0].output))
            busy = exhausted or sent > 2 * window
            if local and busy:
                render_here(local.pop(0))
            if pending:     # woken now and then to see a Ctrl-C that came meanwhile
                finished, _ = wait(pending, timeout=0 if local and busy else 0.25, return_when=FIRST_COMPLETED)
                for f in finished:
                    collect(f)
            stop.check()
    except BaseException:
        _drain(pending, collect)
        raise


class Interrupts:
    """Ctrl-C (SIGINT) and SIGTERM, noted when they come and acted on where the batch can stop
    cleanly (:meth:`check`): raised at once, one could fall between handing a chunk to a worker
    and noting it, or cut short the saving of the manifest."""

    def __init__(self) -> None:
        self.signals: list[int] = []

    def note(self, signum, frame) -> None:
        self.signals.append(signum)

    def check(self) -> None:
        if self.signals:
            raise KeyboardInterrupt


class Interrupted(KeyboardInterrupt):
    """A batch stopped by Ctrl-C or SIGTERM once what it had written was recorded; its one argument
    tells the user so (shown before click's «Đã dừng.»)."""

    def __init__(self, written: int | str):
        if isinstance(written, int):        # a str: the message itself, as unpickled
            written = (f"Đã ghi {written} tệp trước khi dừng; chạy lại lệnh để dựng tiếp phần còn lại "
                       "(không dựng lại các tệp đã ghi)." if written else "Chưa ghi tệp nào trước khi dừng.")
        super().__init__(written)


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[Interrupts]:
    """Within, SIGINT and SIGTERM are only noted (see :class:`Interrupts`)."""
    import signal
    stop = Interrupts()
    with signals_handled(stop.note, signal.SIGINT, signal.SIGTERM):
        yield stop


@contextlib.contextmanager
def signals_handled(handler: Callable, *signums: int) -> Iterator[None]:
    """Within, ``signums`` go to ``handler``; the handlers before are put back after. Outside the
    main thread (the web app) signals are not ours: nothing changes."""
    import signal
    import threading
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {s: signal.signal(s, handler) for s in signums}
    try:
        yield
    finally:
        for s, previous in before.items():
            signal.signal(s, previous)


#: Seconds an interrupted batch waits for the chunks its workers have started.
DRAIN_TIMEOUT = 30


def _drain(pending: dict, collect: Callable) -> None:
    """Interrupted (Ctrl-C): chunks not started are dropped; the few the workers are on are let
    finish and recorded, so every file on disk when the command stops is in the manifest and none
    is written after the folder's lock is let go."""
    for f in list(pending):
        if f.cancel():
            del pending[f]
    finished, _ = wait(pending, timeout=DRAIN_TIMEOUT)
    for f in finished:
        with contextlib.suppress(Exception):
            collect(f)


@contextlib.contextmanager
def warm_pool(n_jobs: int, templates: Iterable[Path] = (), *,
              interruptible: bool = False) -> Iterator[ProcessPoolExecutor]:
    """``n_jobs`` worker processes, started now.

    Ctrl-C is the main process's to handle (it lets the workers finish their chunk, records it
    and stops them) unless ``interruptible``: then each worker is interrupted too, as a worker
    running a whole plan must be to record what it wrote.

    Where the platform forks, they are forked warm: renderers imported and ``templates`` prepared
    (parsed, patched, compiled) once, here; ``gc.freeze`` keeps the collector from touching what
    they inherit, so those pages stay shared. Started before a plan is loaded, they never share
    (and so never copy) the plan's pages: memory then grows with the plan in one process only.
    Whatever is frozen while the pool runs (here, or the plan by
    :func:`~kehoach_docs.memory.set_aside_while_pool_runs`) is unfrozen when it ends, forked or not.
    """
    ctx = _context()
    try:
        # a Ctrl-C is noted meanwhile and acted on once the workers are up: raised while lxml starts
        # (imported by the renderers) it can be swallowed there, and while forking it would land in an
        # after-fork handler of the standard library (logging's), be printed as ignored and lost
        with interrupts_deferred() as forking:
            if ctx is not None:
                from ..render import xlsx_writers  # noqa: F401
                from ..render.docx_engine import prepared
                for path in templates:
                    if Path(path).suffix == ".docx":
                        prepared(str(path))
                gc.collect()
                gc.freeze()
            pool = ProcessPoolExecutor(max_workers=max(1, n_jobs), mp_context=ctx, initializer=_worker_start,
                                       initargs=(interruptible,))
            try:
                if ctx is not None:
                    pool.submit(int).result()    # the fork context starts every worker at the first task
            except BaseException:
                pool.shutdown(wait=True)
                raise
        try:
            forking.check()
            yield pool
        finally:
            with interrupts_deferred() as stop:     # a second Ctrl-C must not leave the workers orphaned
                pool.shutdown(wait=True)
            stop.check()
    finally:
        gc.unfreeze()


def _worker_start(interruptible: bool) -> None:
    # gc.enable: forked while another thread reads a plan (the web app), a worker would inherit
    # the collector held off for that read (memory.collector_held) and keep it off for good
    gc.enable()
    import signal
    import threading
    # forked while the parent only notes them (see warm_pool): each is the worker's own again
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, _interrupt_task if interruptible else signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True,
                     name="kehoach-cha").start()


#: In a worker that runs whole plans: whether one runs now, and whether a Ctrl-C came while none did.
_task = {"running": False, "stopped": False}


def _interrupt_task(signum, frame) -> None:
    """Ctrl-C in a worker that runs whole plans (``interruptible``): the plan it is on stops and
    records what it wrote. One that comes while the worker waits for a plan is noted, so that none
    begins after it; raised there, it would only print the pool's queue as a traceback."""
    if _task["running"]:
        raise KeyboardInterrupt
    _task["stopped"] = True


@contextlib.contextmanager
def interruptible_task() -> Iterator[None]:
    """Run one whole plan in a worker, stopped by a Ctrl-C that comes meanwhile or came before it."""
    if _task["stopped"]:
        raise KeyboardInterrupt
    _task["running"] = True
    try:
        yield
    finally:
        _task["running"] = False


#: Seconds between a worker's looks at whether the process that started it is still there.
PARENT_CHECK = 1.0


def _exit_with_parent(parent: int) -> None:
    """End this worker once its parent is gone (killed, or stopped by SIGTERM while reading the plan,
    before it could shut its pool down). A forked worker holds both ends of its task pipe, so it
    would never see the end of it and would wait, orphaned, for good. Where a parent's death does
    not change ``getppid`` (Windows), this never fires."""
    import time
    while True:
        time.sleep(PARENT_CHECK)
        if os.getppid() != parent:
            os._exit(1)


def _context():
    """Fork where the platform can (workers start warm, in milliseconds); else the default."""
    import multiprocessing as mp
    return mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
