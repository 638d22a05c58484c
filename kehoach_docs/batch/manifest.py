"""The manifest: for each output, the hashes of what it was made from and of the file itself."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .. import build_id
from ..atomic import write_atomic
from ..problems import os_reason

NAME = ".kehoach-manifest.json"

REASONS = {
    "missing": "chưa có tệp",
    "data": "dữ liệu thay đổi",
    "template": "mẫu thay đổi",
    "version": "phiên bản kehoach hoặc thư viện của nó thay đổi",
    "edited": "tệp đầu ra khác bản kehoach ghi lần trước",
    "force": "yêu cầu dựng lại (--force)",
}


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def file_stat(path: Path | str) -> list[int]:
    st = os.stat(path)
    return [st.st_mtime_ns, st.st_size]


def as_written(path: Path | str, file_sha: str | None, stat: list[int] | None, also: str | None = None) -> bool:
    """Whether the file at ``path`` (which must exist) holds the bytes kehoach wrote there (hash
    ``file_sha``, with ``stat`` as it was just after), or else bytes hashed ``also``.

    An unchanged modification time and size answer without reading the file, as the fast no-op
    check does (:meth:`Manifest.is_fresh`); anything else is settled by the file's hash."""
    if file_sha is not None and stat is not None and file_stat(path) == stat:
        return True
    return file_hash(Path(path)) in (file_sha, also)


class ManifestShape(ValueError):
    """Valid JSON that is not a manifest."""


_ENTRY_KEYS = {"data": str, "template": str, "version": str, "file": str, "stat": list}
_INPUT_KEYS = {"fingerprint": str, "version": str, "outputs": list}


def _check_shape(data) -> None:
    """Raise :class:`ManifestShape` unless ``data`` has the shape :meth:`Manifest.save` writes."""
    if not isinstance(data, dict) or not isinstance(data.get("outputs"), dict) \
            or not isinstance(data.get("inputs", {}), dict):
        raise ManifestShape("sai cấu trúc")
    for table, keys in ((data["outputs"], _ENTRY_KEYS), (data.get("inputs", {}), _INPUT_KEYS)):
        for name, entry in table.items():
            if not isinstance(entry, dict) or any(not isinstance(entry.get(k), t) for k, t in keys.items()):
                raise ManifestShape(f"mục «{name}» sai cấu trúc")
            if keys is _INPUT_KEYS and not all(isinstance(o, str) for o in entry["outputs"]):
                raise ManifestShape(f"mục «{name}» sai cấu trúc")


class Manifest:
    """Read, compare and write ``<output>/<plan>/.kehoach-manifest.json``.

    Besides one entry per output, it keeps per command (``scope``) a fingerprint of
    every input file, so a rebuild with nothing changed can stop before even loading
    the plan, as Sphinx does when no source is newer than its environment.
    """

    def __init__(self, folder: Path):
        self.path = folder / NAME
        self.folder = folder
        self.entries: dict[str, dict] = {}
        self.inputs: dict[str, dict] = {}
        #: Why an existing manifest was ignored (empty if there was none, or it was sound).
        self.damaged = ""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            self.damaged = f"không đọc được: {os_reason(exc)}"
            return
        try:
            data = json.loads(raw.decode("utf-8"))
            _check_shape(data)
        except (ValueError, TypeError) as exc:
            self.damaged = str(exc) if isinstance(exc, ManifestShape) else "không phải JSON hợp lệ"
            return
        self.entries, self.inputs = data["outputs"], data.get("inputs", {})

    def is_fresh(self, scope: str, fingerprint: str) -> bool:
        """True if ``scope`` last ran on exactly these inputs and its outputs are untouched since."""
        entry = self.inputs.get(scope)
        if not entry or entry.get("fingerprint") != fingerprint or entry.get("version") != build_id():
            return False
        for output in entry.get("outputs", []):
            target = self.folder / output
            recorded = self.entries.get(output, {})
            if not target.exists() or recorded.get("stat") != file_stat(target):
                return False
        return True

    def mark_fresh(self, scope: str, fingerprint: str, outputs: list[str]) -> None:
        self.inputs[scope] = {"fingerprint": fingerprint, "version": build_id(), "outputs": sorted(outputs)}
        self.save()

    def forget_inputs_of(self, outputs: set[str]) -> None:
        """Drop the input fingerprint of every command that made one of ``outputs``: rewritten by a
        run that may not have finished, they no longer show the inputs that fingerprint describes."""
        for scope in [s for s, e in self.inputs.items() if not outputs.isdisjoint(e["outputs"])]:
            del self.inputs[scope]

    def reason(self, output: str, data: str, template: str, force: bool) -> str | None:
        """Why ``output`` must be rebuilt (a key of :data:`REASONS`), or None if it is current."""
        if force:
            return "force"
        entry = self.entries.get(output)
        target = self.folder / output
        if entry is None or not target.is_file():    # a folder in its place: the write reports it
            return "missing"
        if entry.get("data") != data:
            return "data"
        if entry.get("template") != template:
            return "template"
        if entry.get("version") != build_id():
            return "version"
        if not as_written(target, entry.get("file"), entry.get("stat")):
            return "edited"
        return None

    def written(self, output: str) -> tuple[str | None, list[int] | None]:
        """The hash of the bytes kehoach last wrote to ``output`` and the file's stat just after
        (None, None if not known): see :func:`as_written`."""
        entry = self.entries.get(output, {})
        return entry.get("file"), entry.get("stat")

    def record(self, output: str, data: str, template: str, file_sha: str, stat: list[int]) -> None:
        """``output`` was written from these hashes; ``stat`` is its file's, taken just after."""
        self.entries[output] = {"data": data, "template": template, "version": build_id(),
                                "file": file_sha, "stat": stat}

    def touch(self, output: str) -> None:
        """An output found current: remember its file's stat for the fast check."""
        target = self.folder / output
        if output in self.entries and target.exists():
            self.entries[output]["stat"] = file_stat(target)

    def save(self) -> None:
        """Write the manifest, one output or command per line: readable, and written by json's C
        encoder (with ``indent`` it takes the pure-Python one, twice the time for a province's)."""
        enc = json.JSONEncoder(ensure_ascii=False).encode

        def table(items: dict) -> str:
            return "{" + ",".join(f"\n  {enc(k)}: {enc(v)}" for k, v in sorted(items.items())) + "\n }"
        body = (f'{{\n "version": {enc(build_id())},\n "outputs": {table(self.entries)},\n'
                f' "inputs": {table(self.inputs)}\n}}\n')
        write_atomic(self.path, body.encode("utf-8"))
