"""Data files read once and kept in the user's cache, by their bytes and the code that read them.

Reading YAML is most of loading a large plan (0.85 of 1.2 s for a province of 3,000 agencies),
and an amendment changes one file of four: the others, and every file of a re-run, are the same
bytes read by the same code, so they give the same data (Python keeps compiled modules, and
Sphinx its parsed documents, on the same reasoning). Only a file read with no problem at all is
kept: a message must name its line, and that needs the reading itself.

An entry is a pickle of plain data (texts, numbers, dates, lists, mappings) after a digest of its
key and itself, so an entry copied, renamed or damaged is not taken. It is unpickled with only the
date and time classes allowed (the Python documentation's «restricting globals»), so a file put
there by anyone else gives an unreadable entry, never code run; only a regular file of bounded size
is read (a FIFO or a device there must not hang or fill memory). Anything unreadable is a miss and
the file is read anew. The folder is kept under :data:`LIMIT` bytes, the least recently
used entries going first.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import stat
from pathlib import Path
from typing import Any

#: The code whose every change may change what a file reads as; with the versions, part of each key.
_READING_CODE = ("source/yaml_file.py", "source/parse_cache.py", "text/hygiene.py")
FOLDER = "du-lieu-da-doc"
#: Bytes the folder may hold; past it, the least recently used entries go until half is left.
LIMIT = 256 * 1024 * 1024
_ALLOWED = frozenset({("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"),
                      ("datetime", "timedelta"), ("datetime", "timezone")})

_code_digest: bytes | None = None
_pruned: set[Path] = set()       # folders pruned by this process


def _digest_of_code() -> bytes:
    global _code_digest
    if _code_digest is None:
        import sys

        import yaml

        from .. import __version__, code_digest
        from .yaml_file import LOADER
        _code_digest = code_digest(_READING_CODE, __version__, yaml.__version__, LOADER.__name__,
                                   str(sys.version_info[:2]))
    return _code_digest


def _entry(source: bytes) -> tuple[Path, bytes]:
    """Where the entry of ``source`` is kept, and its key."""
    from ..user_cache import cache_home
    key = hashlib.sha256(_digest_of_code() + source).digest()
    return cache_home() / FOLDER / f"{key.hex()[:40]}.pickle", key


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


#: An entry larger than this is not read: a file the YAML reader takes (at most 5 MB) keeps less.
MAX_ENTRY = 64 * 1024 * 1024
#: Opened without waiting: a FIFO put where an entry should be must not hang the command.
_OPEN = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def _read_entry(path: Path) -> bytes | None:
    """The bytes of a regular file of at most :data:`MAX_ENTRY` bytes at ``path``, else None; on
    POSIX, only in a folder and a file of this user's that no one else may write (an entry planted
    by another user, with its digest right, would pass for what this user's run kept)."""
    if not _private(os.lstat(path.parent)):
        return None
    fd = os.open(path, _OPEN)
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_ENTRY or not _private(st):
            return None
        return fh.read(MAX_ENTRY + 1)


def _private(st: os.stat_result) -> bool:
    if os.name != "posix":      # a Windows user's own %LOCALAPPDATA% is closed to others already
        return True
    return st.st_uid == os.geteuid() and not st.st_mode & 0o022


def lookup(source: bytes) -> dict | None:
    """The data a file was read as before, or None (never read, or unreadable); ``source`` is its
    text in UTF-8 with ``\\n`` line ends (a BOM or Windows line ends change nothing read)."""
    try:
        path, key = _entry(source)
    except Exception:       # no cache folder: read the file instead
        return None
    data = load_entry(path, key, _Unpickler)
    return data if isinstance(data, dict) else None


def store(source: bytes, data: Any) -> None:
    """Keep ``data``, what a file (``source``, as for :func:`lookup`) was read as with no problem.
    A cache that cannot be written (no home, a read-only one, a full disk) changes nothing but speed."""
    try:
        path, key = _entry(source)
    except Exception:
        return
    save_entry(path, key, data)


def load_entry(path: Path, key: bytes, unpickler: type[pickle.Unpickler]) -> Any:
    """What the entry at ``path`` holds if it was kept under ``key``, unpickled by ``unpickler``
    (which allows only the classes it expects); None if missing, damaged, foreign or renamed."""
    try:
        raw = _read_entry(path)
        # the entry names what it holds: one copied, renamed or damaged in any byte is not taken
        if raw is None or len(raw) > MAX_ENTRY or raw[:32] != hashlib.sha256(key + raw[32:]).digest():
            return None
        data = unpickler(io.BytesIO(raw[32:])).load()
    except Exception:       # no cache folder, missing, damaged or foreign: read the file instead
        return None
    try:
        os.utime(path)      # recently used: the last to be pruned
    except OSError:
        pass
    return data


def save_entry(path: Path, key: bytes, data: Any) -> None:
    """Keep ``data`` at ``path`` under ``key``; a cache that cannot be written changes nothing but speed."""
    from ..atomic import write_atomic
    try:
        payload = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
        write_atomic(path, hashlib.sha256(key + payload).digest() + payload)
    except Exception:
        return
    if path.parent not in _pruned:     # once a process: a many-plans run stores thousands of entries
        _pruned.add(path.parent)
        prune(path.parent)


def prune(folder: Path, limit: int = LIMIT) -> None:
    """Remove the least recently used entries of ``folder`` until half of ``limit`` is left, once
    it holds more than ``limit`` bytes."""
    try:
        entries = [(e.stat().st_mtime_ns, e.stat().st_size, e.path) for e in os.scandir(folder) if e.is_file()]
    except OSError:
        return
    total = sum(size for _, size, _ in entries)
    if total <= limit:
        return
    for _, size, path in sorted(entries):
        try:
            os.unlink(path)
        except OSError:
            continue
        total -= size
        if total <= limit // 2:
            return
