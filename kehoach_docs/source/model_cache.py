"""Plans validated once and kept in the user's cache, by the bytes of their files and the code that
checked them.

Validating a province's plan (3,000 agencies) takes 0.45 s even from YAML already read
(:mod:`.parse_cache`), and what it builds is scattered among the reading's own scraps: the
interpreter keeps a third more memory than the plan needs for the whole run. The same files
checked by the same code give the same plan and the same warnings, so a re-run or an amendment of
the results takes the plan from here: a tenth of the time, and laid out compactly.

An entry holds the four validated parts and the problems found (warnings: a plan with an error is
never kept), each problem by the name of its file in the folder, so the message names the file as
the clerk reaches it now. Entries are checked and pruned as :mod:`.parse_cache`'s are; unpickling
allows only the model's own classes and dates (constructing them runs no code of the file's
choosing).
"""

from __future__ import annotations

import hashlib
import pickle
from enum import Enum
from pathlib import Path

from .parse_cache import MAX_ENTRY, load_entry, save_entry

FOLDER = "ke-hoach-da-kiem"
#: The code whose every change may change what a plan validates to (besides the versions).
_CHECKING_CODE = ("model", "source", "text", "problems.py", "located.py", "untrusted_zip.py")

_code_digest: bytes | None = None


def _digest_of_code() -> bytes:
    global _code_digest
    if _code_digest is None:
        import sys

        import babel
        import pydantic

        from .. import __version__, code_digest
        from .parse_cache import _digest_of_code as reading
        # what read the files (PyYAML and its loader among them), what checked them, what normalised
        # the numbers in them; openpyxl's version joins the key of a plan with a workbook appendix
        _code_digest = code_digest(_CHECKING_CODE, __version__, pydantic.VERSION, babel.__version__,
                                   str(sys.version_info[:2]), reading().hex())
    return _code_digest


def _entry(inputs: list[tuple[str, bytes]]) -> tuple[Path, bytes]:
    from ..user_cache import cache_home
    h = hashlib.sha256(_digest_of_code())
    if any(name.endswith(".xlsx") for name, _ in inputs):
        from importlib.metadata import version
        h.update(f"openpyxl {version('openpyxl')}".encode())
    for name, data in inputs:
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    key = h.digest()
    return cache_home() / FOLDER / f"{key.hex()[:40]}.pickle", key


_DATES = frozenset({"date", "datetime", "time", "timedelta", "timezone"})


class _Unpickler(pickle.Unpickler):
    """Only the plan model's classes (pydantic models and enumerations of ``kehoach_docs.model``),
    each named as where it is defined, and dates."""

    def find_class(self, module: str, name: str):
        if module == "datetime" and name in _DATES:
            return super().find_class(module, name)
        if module.startswith("kehoach_docs.model.") and name.isidentifier():
            from pydantic import BaseModel
            cls = super().find_class(module, name)
            if isinstance(cls, type) and issubclass(cls, (BaseModel, Enum)) and cls.__module__ == module:
                return cls
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a plan")


#: What an entry holds: the validated parts by name, and each problem as
#: (level, file name in the plan folder, where, key path, message, label).
Kept = tuple[dict[str, object], list[tuple]]


def lookup(inputs: list[tuple[str, bytes]]) -> Kept | None:
    """The plan validated before from exactly ``inputs`` (each file's name in the plan folder and its
    bytes), or None."""
    if sum(len(d) for _, d in inputs) > MAX_ENTRY:
        return None
    try:
        path, key = _entry(inputs)
    except Exception:       # no cache folder, a missing code file: validate instead
        return None
    kept = load_entry(path, key, _Unpickler)
    return kept if _well_formed(kept) else None


def _well_formed(kept) -> bool:
    """Whether ``kept`` has the shape :func:`store` gives an entry: the four parts, each of its
    model, and problems as six plain values."""
    from ..model import plan as m
    parts = {"ke_hoach": m.KeHoach, "co_quan": m.DanhBaCoQuan, "phu_luc_i": m.PhuLucI, "phu_luc_ii": m.PhuLucII}
    if not (isinstance(kept, tuple) and len(kept) == 2 and isinstance(kept[0], dict) and isinstance(kept[1], list)):
        return False
    models, problems = kept
    return (set(models) == set(parts) and all(type(models[k]) is cls for k, cls in parts.items())
            and all(isinstance(p, tuple) and len(p) == 6 and all(isinstance(x, str) for x in (p[0], p[1], p[4], p[5]))
                    and isinstance(p[3], tuple) for p in problems))


def store(inputs: list[tuple[str, bytes]], kept: Kept) -> None:
    """Keep the plan validated from ``inputs``; a cache that cannot be written changes nothing but speed."""
    try:
        path, key = _entry(inputs)
    except Exception:
        return
    save_entry(path, key, kept)
