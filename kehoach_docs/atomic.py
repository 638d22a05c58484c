"""Writes that never leave a half-written file, and a lock per output folder."""

from __future__ import annotations

import errno
import os
import re
import secrets
from contextlib import contextmanager
from pathlib import Path

from .problems import UserError


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place."""
    made: list[str] = []    # the temporary file's name, known before the file exists
    try:
        fd = _create_temporary(path, made)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(made[0], path)
    except BaseException:
        # an interrupt (Ctrl-C in a worker that runs a whole plan) may come just after the file
        # is made and before its name is returned: the name was noted before, so nothing is left
        for tmp in made:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        raise


#: Created as an ordinary file (the umask applies, unlike mkstemp's 0600), binary on Windows.
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def _create_temporary(path: Path, made: list[str]) -> int:
    """A new file ``.<name>.<8 random characters>.tmp`` beside ``path``, open for writing, its name
    put in ``made`` before it is made; the folder is made if missing. Thousands are made per batch:
    one ``open``, no ``chmod``."""
    for _ in range(100):
        made[:] = [os.path.join(path.parent, f".{path.name}.{secrets.token_hex(4)}.tmp")]
        try:
            return os.open(made[0], _FLAGS, 0o666)
        except FileExistsError:
            made.clear()        # another's: not ours to remove
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
    raise FileExistsError(errno.EEXIST, "không tạo được tệp tạm", str(path.parent))


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
