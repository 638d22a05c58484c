"""kehoach-docs: Vietnamese action plans (KH-UBND), their appendices and reports, from data."""

__version__ = "0.1.0"

#: The code that lays documents out, beside their templates (see :func:`build_id`).
RENDERING_CODE = ("render", "nd30/rules.py", "model/tables.py")
_code_root = None       # the package folder (a test points it at a copy)
_build_ids: dict[str, str] = {}


def build_id() -> str:
    """The version number and a digest of the code that lays documents out (``0.1.0+3f2a…``).

    Recorded with every output and every run's inputs: an output made by other rendering code is
    stale even where the number did not move (a developer's change, an install from a branch),
    which the number alone would let pass. Computed once per process and version."""
    if __version__ not in _build_ids:
        _build_ids[__version__] = f"{__version__}+{code_digest(RENDERING_CODE, __version__).hex()[:12]}"
    return _build_ids[__version__]


def code_digest(names: tuple[str, ...], *versions: str) -> bytes:
    """A digest of ``versions`` and of this package's files ``names`` (a folder: its modules) as they
    are on disk: what a kept result (a reading, a validated plan, an output) was made by."""
    import hashlib
    from pathlib import Path
    root = Path(_code_root or Path(__file__).resolve().parent)
    h = hashlib.sha256("\0".join(versions).encode())
    for name in names:
        target = root / name
        for path in sorted(target.glob("*.py")) if target.is_dir() else [target]:
            try:
                h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
            except OSError:     # a frozen install without its sources: the versions alone tell
                pass
    return h.digest()


#: What the command says when a Ctrl-C stops it, whenever it comes.
STOPPED = "Đã dừng."
