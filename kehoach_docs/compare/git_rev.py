"""A plan folder as it was at a git revision, exported to a temporary folder with ``git archive``."""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from pathlib import Path

from ..problems import UserError


class RevisionError(UserError):
    """The revision or the repository cannot be read (message in Vietnamese)."""


def _git(cwd: Path, *args: str) -> bytes:
    if shutil.which("git") is None:
        raise RevisionError("không tìm thấy chương trình git")
    proc = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True)
    if proc.returncode:
        raise RevisionError(proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:][0]
                            if proc.stderr.strip() else f"git {args[0]} thất bại")
    return proc.stdout


def export_revision(folder: Path, rev: str, dest: Path) -> Path:
    """Write ``folder`` as it was at ``rev`` under ``dest``; returns the exported plan folder.

    The exported folder keeps the plan's folder name, so the two versions are the same plan.
    """
    folder = folder.resolve()
    try:
        top = Path(_git(folder, "rev-parse", "--show-toplevel").decode().strip())
    except RevisionError:
        raise RevisionError(f"{folder} không nằm trong một kho git") from None
    try:
        _git(top, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except RevisionError:
        raise RevisionError(f"không có phiên bản git «{rev}»") from None
    rel = folder.relative_to(top)
    data = _git(top, "archive", "--format=tar", rev, "--", rel.as_posix())
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = tar.getmembers()
        if not members:
            raise RevisionError(f"ở phiên bản «{rev}» chưa có thư mục {rel}")
        for m in members:   # paths come from our own repository, but never write outside dest
            if m.name.startswith("/") or ".." in Path(m.name).parts or not (m.isfile() or m.isdir()):
                raise RevisionError(f"đường dẫn lạ trong kho git: {m.name}")
        tar.extractall(dest)
    out = dest / rel
    if not out.is_dir():
        raise RevisionError(f"ở phiên bản «{rev}» chưa có thư mục {rel}")
    return out
