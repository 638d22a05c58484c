"""kehoach-docs: Vietnamese action plans (KH-UBND), their appendices and reports, from data."""

__version__ = "0.1.0"

#: The code an output is made by, beside its data and template (see :func:`build_id`): all of it,
#: since contexts, values and layout are all code (a fast no-op check computes no context).
OUTPUT_CODE = (".",)
_code_root = None       # the package folder (a test points it at a copy)
_build_ids: dict[str, str] = {}


def build_id() -> str:
    """The version number and a digest of the package's code (``0.1.0+3f2a…``).

    Recorded with every output and every run's inputs: an output made by other rendering code is
    stale even where the number did not move (a developer's change, an install from a branch),
    which the number alone would let pass. The libraries' versions are not in it: reading them
    costs the fast no-op check more than it takes. Computed once per process and version."""
    if __version__ not in _build_ids:
        _build_ids[__version__] = f"{__version__}+{code_digest(OUTPUT_CODE, __version__).hex()[:12]}"
    return _build_ids[__version__]


def code_digest(names: tuple[str, ...], *versions: str) -> bytes:
    """A digest of ``versions`` and of this package's files ``names`` (a folder: every module in it,
    subfolders too) as they are on disk: what a kept result (a reading, a validated plan, an
    output) was made by."""
    import hashlib
    import os
    root = os.fspath(_code_root or os.path.dirname(os.path.abspath(__file__)))
    h = hashlib.sha256("\0".join(versions).encode())
    for name in names:
        target = os.path.normpath(os.path.join(root, name))
        if os.path.isdir(target):      # os.walk: pathlib's rglob costs a no-op run 4 ms here
            files = sorted(os.path.join(d, f) for d, subs, fs in os.walk(target) if "__pycache__" not in d
                           for f in fs if f.endswith(".py"))
        else:
            files = [target]
        for path in files:
            try:
                with open(path, "rb") as fh:
                    h.update(os.path.relpath(path, root).replace(os.sep, "/").encode() + b"\0" + fh.read())
            except OSError:     # a frozen install without its sources: the versions alone tell
                pass
    return h.digest()


#: What the command says when a Ctrl-C stops it, whenever it comes.
STOPPED = "Đã dừng."
