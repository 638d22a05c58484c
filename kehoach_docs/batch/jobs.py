"""A job is one output file: what to render it from, and the hashes that identify its inputs.

The data hash is taken over the job's own context (the exact values the document
prints), so a change rebuilds precisely the documents that show it, as Sphinx
rebuilds only the pages whose sources changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .. import __version__


@dataclass
class Job:
    """One output, relative to the plan's output folder (``bao-cao/TCKH.docx``)."""

    output: str
    kind: str                      # "docx" or "xlsx"
    context: dict
    title: str
    timestamp: str                 # fixed document-property time (deterministic output)
    template: str | None = None    # docx template path
    writer: str | None = None      # xlsx writer name (see runner.XLSX_WRITERS)
    extra: dict = field(default_factory=dict)
    #: The context grows with the plan (the plan itself, its summary, an office that supports every
    #: task): rendered in the process that holds the plan rather than copied to a worker, whose
    #: memory would then stay that much larger for the rest of the batch.
    local: bool = False
    #: The plan the output belongs to (its name), written into the file with the output's name
    #: (``render.package.place_of``): a file found in another's place is not taken for its own.
    plan: str = ""

    @property
    def data_hash(self) -> str:
        value = [self.kind, self.writer, self.title, self.timestamp, self.extra, self.context]
        if not self.local:      # an agency's few rows: one dumps, not a walk looking for long lists first
            return hashlib.sha256(_dumps(value).encode("utf-8")).hexdigest()
        h = hashlib.sha256()
        for piece in json_pieces(value):
            h.update(piece.encode("utf-8"))
        return h.hexdigest()


#: ``json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)``, its encoder made once
#: (made per call, it cost as much as encoding an agency's context).
_dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str).encode


#: Lists longer than this are written in runs of this many items (a whole plan's rows).
_LONG = 256


def json_pieces(value) -> Iterator[str]:
    """``json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)`` in pieces that join to
    the very same text: long lists in runs of at most :data:`_LONG` items, so the text of a
    province's summary (megabytes, twice over as Python text) is never held at once."""
    if isinstance(value, list) and (len(value) > _LONG or any(map(_holds_long, value))):
        # runs of short items are encoded _LONG at a time: "[a, b]" less its brackets is "a, b"
        yield "["
        run: list = []
        sep = ""
        for item in value:
            long = _holds_long(item)
            if not long:
                run.append(item)
                if len(run) < _LONG:
                    continue
            if run:
                yield sep + _dumps(run)[1:-1]
                run, sep = [], ", "
            if long:
                yield sep
                yield from json_pieces(item)
                sep = ", "
        if run:
            yield sep + _dumps(run)[1:-1]
        yield "]"
    elif isinstance(value, dict) and all(type(k) is str for k in value) and any(map(_holds_long, value.values())):
        yield "{"
        for i, key in enumerate(sorted(value)):
            yield (", " if i else "") + _dumps(key) + ": "
            yield from json_pieces(value[key])
        yield "}"
    else:
        yield _dumps(value)


def _holds_long(value, depth: int = 3) -> bool:
    """Whether ``value`` holds a long list within ``depth`` levels (the contexts' own shape)."""
    if isinstance(value, list):
        return len(value) > _LONG or (depth > 0 and any(_holds_long(v, depth - 1) for v in value[:_LONG]))
    if isinstance(value, dict):
        return depth > 0 and any(_holds_long(v, depth - 1) for v in value.values())
    return False


_template_digests: dict[tuple, str] = {}


def template_hash(job: Job) -> str:
    """Hash of the template file (docx) or of the writer's code version (xlsx)."""
    if job.template is None:
        return f"xlsx:{job.writer}:{__version__}"
    p = Path(job.template)
    st = p.stat()
    key = (str(p.resolve()), st.st_mtime_ns, st.st_size)
    if key not in _template_digests:
        _template_digests[key] = hashlib.sha256(p.read_bytes()).hexdigest()
    return _template_digests[key]


def document_time(year: int, month: int | None, day: int | None) -> str:
    """The fixed creation time written into document properties."""
    return f"{year:04d}-{month or 1:02d}-{day or 1:02d}T00:00:00Z"
