"""The manifest: for each output, the hashes of what it was made from and of the file itself."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .. import __version__
from ..render.atomic import write_atomic

NAME = ".kehoach-manifest.json"

REASONS = {
    "missing": "chưa có tệp",
    "data": "dữ liệu thay đổi",
    "template": "mẫu thay đổi",
    "version": "phiên bản kehoach thay đổi",
    "edited": "tệp đầu ra đã bị sửa tay",
    "force": "yêu cầu dựng lại (--force)",
}


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Manifest:
    """Read, compare and write ``<output>/<plan>/.kehoach-manifest.json``."""

    def __init__(self, folder: Path):
        self.path = folder / NAME
        self.folder = folder
        try:
            self.entries: dict[str, dict] = json.loads(self.path.read_text("utf-8"))["outputs"]
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            self.entries = {}

    def reason(self, output: str, data: str, template: str, force: bool) -> str | None:
        """Why ``output`` must be rebuilt (a key of :data:`REASONS`), or None if it is current."""
        if force:
            return "force"
        entry = self.entries.get(output)
        target = self.folder / output
        if entry is None or not target.exists():
            return "missing"
        if entry.get("data") != data:
            return "data"
        if entry.get("template") != template:
            return "template"
        if entry.get("version") != __version__:
            return "version"
        if entry.get("file") != file_hash(target):
            return "edited"
        return None

    def record(self, output: str, data: str, template: str, file_sha: str) -> None:
        self.entries[output] = {"data": data, "template": template, "version": __version__,
                                "file": file_sha}

    def save(self) -> None:
        body = json.dumps({"version": __version__, "outputs": dict(sorted(self.entries.items()))},
                          ensure_ascii=False, indent=1)
        write_atomic(self.path, body.encode("utf-8"))
