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
    which the number alone would let pass; and the versions of the libraries that render (see
    :func:`library_versions`), since an upgrade of one can change the files too. Computed once per
    process and version."""
    if __version__ not in _build_ids:
        digest = code_digest(OUTPUT_CODE, __version__, *library_versions())
        _build_ids[__version__] = f"{__version__}+{digest.hex()[:12]}"
    return _build_ids[__version__]


#: The libraries whose code shapes the files (import name, distribution name): templates are
#: patched and compiled by docxtpl and Jinja, workbooks laid out by openpyxl, text escaped by
#: MarkupSafe, tables parsed by lxml, numbers and dates written by Babel.
RENDERING_LIBRARIES = (("docxtpl", "docxtpl"), ("docx", "python-docx"), ("jinja2", "Jinja2"),
                       ("markupsafe", "MarkupSafe"), ("openpyxl", "openpyxl"), ("lxml", "lxml"),
                       ("babel", "Babel"))


def library_versions() -> list[str]:
    """``name==version`` of each of :data:`RENDERING_LIBRARIES` as installed, from the name of its
    metadata folder (``python_docx-1.2.0.dist-info``) beside it: neither importing the libraries
    nor ``importlib.metadata`` (30 ms, a fifth of a no-op run) is needed to know them. One found
    without such a folder is told by its own file's size and time; one missing, by its absence."""
    import importlib.util
    import os
    found, folders = {}, {}
    for module, dist in RENDERING_LIBRARIES:
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
        if not origin:
            found[dist] = "không có"
            continue
        folder = os.path.dirname(origin)
        if spec.submodule_search_locations:     # a package: its metadata is beside its folder
            folder = os.path.dirname(folder)
        if folder not in folders:
            folders[folder] = _installed(folder)
        version = folders[folder].get(_normal(dist))
        if version is None:
            try:
                st = os.stat(origin)
                version = f"{st.st_size}:{st.st_mtime_ns}"
            except OSError:
                version = "không đọc được"
        found[dist] = version
    return [f"{dist}=={found[dist]}" for _, dist in RENDERING_LIBRARIES]


def _normal(name: str) -> str:
    """A distribution's name as its metadata folder spells it (PEP 503, then ``-`` as ``_``)."""
    import re
    return re.sub(r"[-_.]+", "_", name).lower()


def _installed(folder: str) -> dict[str, str]:
    """Normalised distribution name -> version(s) of the metadata folders in ``folder``."""
    import os
    import re
    # python_docx-1.2.0.dist-info, lxml-4.9.2-py3.11-linux-x86_64.egg-info
    pattern = re.compile(r"(.+?)-([^-]+?)(?:-py\d[\d.]*(?:-.+)?)?\.(?:dist|egg)-info")
    found: dict[str, list[str]] = {}
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                m = pattern.fullmatch(entry.name) if entry.name.endswith("-info") else None
                if m:
                    found.setdefault(_normal(m[1]), []).append(m[2])
    except OSError:
        pass
    return {name: ",".join(sorted(versions)) for name, versions in found.items()}


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
