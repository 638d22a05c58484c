"""Giving memory back to the system after a large, short-lived allocation."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import sys


def release_freed() -> None:
    """Return the C heap's free pages to the system (glibc's ``malloc_trim``; elsewhere nothing).

    Reading a province's plan builds and drops tens of megabytes of raw data; glibc keeps the
    freed pages for reuse, so the process, and every worker that shares its pages, would carry
    them for the rest of the batch.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):     # not glibc (musl has no malloc_trim)
        pass


@contextlib.contextmanager
def collector_held():
    """Hold off the cyclic garbage collector while a plan is read and validated.

    Reading builds a hundred thousand objects that all live on, and few cycles: every collection
    meanwhile walks all of them again for nothing (a fifth of the time to read a province's plan).
    The collector resumes afterwards and looks at them once.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def set_aside_while_pool_runs() -> None:
    """Put every object alive now (the plan just read) out of the cyclic collector's sight until the
    worker pool ends: :func:`~kehoach_docs.batch.runner.warm_pool` unfreezes everything then (this,
    and what it froze before forking), so nothing stays set aside past it. Only within a pool.

    The collector would otherwise look at the whole plan once soon after it is read (held off while
    reading, see :func:`collector_held`): a tenth of a second for a province's, taken just as the
    workers wait for their first documents. A plan's objects live as long as the pool does; the
    few cycles reading left behind wait as long (collecting them first would be that walk)."""
    gc.freeze()
