"""Giving memory back to the system after a large, short-lived allocation."""

from __future__ import annotations

import ctypes
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
