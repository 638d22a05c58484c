"""Writes that never leave a half-written file, and a lock per output folder."""

from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .problems import UserError


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        # mkstemp creates 0600; outputs are ordinary files for everyone who may read them
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


class Busy(UserError):
    """Another kehoach command holds the output folder."""

    def __init__(self, folder: str):
        super().__init__(f"Thư mục {folder} đang được một lệnh kehoach khác ghi; hãy chờ lệnh đó xong.")


LOCK_NAME = ".kehoach.lock"


@contextmanager
def folder_lock(folder: Path):
    """Hold an exclusive lock on ``folder`` (``.kehoach.lock``) for the duration of a build.

    filelock picks the platform's own lock (``flock`` on Linux and macOS, ``msvcrt`` on
    Windows, where the offices that use this work), released by the system if the process
    dies. Once held, temporary files that an interrupted run left behind are swept.
    """
    from filelock import FileLock, Timeout

    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / LOCK_NAME), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise Busy(str(folder)) from None
    try:
        sweep_temporaries(folder)
        yield
    finally:
        lock.release()


def sweep_temporaries(folder: Path) -> list[Path]:
    """Remove what :func:`write_atomic` leaves when killed mid-write (``.<name>.<random>.tmp``).

    Only called under the folder's lock, so no live write can be among them.
    """
    swept = []
    for tmp in folder.rglob(".*.tmp"):
        if tmp.is_file() and _TMP.match(tmp.name):
            try:
                tmp.unlink()
                swept.append(tmp)
            except OSError:
                pass
    return swept


_TMP = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")
