"""Data files read once and kept in the user's cache, by their bytes and the code that read them.

Reading YAML is most of loading a large plan (0.85 of 1.2 s for a province of 3,000 agencies),
and an amendment changes one file of four: the others, and every file of a re-run, are the same
bytes read by the same code, so they give the same data (Python keeps compiled modules, and
Sphinx its parsed documents, on the same reasoning). Only a file read with no problem at all is
kept: a message must name its line, and that needs the reading itself.

An entry is a pickle of plain data (texts, numbers, dates, lists, mappings). It is unpickled with
only the date and time classes allowed (the Python documentation's «restricting globals»), so a
file put there by anyone else gives an unreadable entry, never code run; an unreadable entry is a
miss and the file is read anew. The folder is kept under :data:`LIMIT` bytes, the least recently
used entries going first.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
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
_pruned = False


def _digest_of_code() -> bytes:
    global _code_digest
    if _code_digest is None:
        import sys

        import yaml

        from .. import __version__
        from .yaml_file import LOADER
        package = Path(__file__).resolve().parent.parent
        h = hashlib.sha256(f"{__version__}\0{yaml.__version__}\0{LOADER.__name__}\0{sys.version_info[:2]}".encode())
        for name in _READING_CODE:
            h.update((package / name).read_bytes())
        _code_digest = h.digest()
    return _code_digest


def _entry(source: bytes) -> Path:
    from ..user_cache import cache_home
    key = hashlib.sha256(_digest_of_code() + source).hexdigest()[:40]
    return cache_home() / FOLDER / f"{key}.pickle"


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


def lookup(source: bytes) -> dict | None:
    """The data a file was read as before, or None (never read, or unreadable); ``source`` is its
    text in UTF-8 with ``\\n`` line ends (a BOM or Windows line ends change nothing read)."""
    path = _entry(source)
    try:
        data = _Unpickler(io.BytesIO(path.read_bytes())).load()
    except Exception:       # missing, damaged or foreign: read the file instead
        return None
    if not isinstance(data, dict):
        return None
    try:
        os.utime(path)      # recently used: the last to be pruned
    except OSError:
        pass
    return data


def store(source: bytes, data: Any) -> None:
    """Keep ``data``, what a file (``source``, as for :func:`lookup`) was read as with no problem.
    A cache that cannot be written (a read-only home, a full disk) changes nothing but speed."""
    from ..atomic import write_atomic
    path = _entry(source)
    try:
        write_atomic(path, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
    except (OSError, pickle.PicklingError, RecursionError):
        return
    global _pruned
    if not _pruned:     # once a process: a many-plans run stores thousands of entries
        _pruned = True
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
