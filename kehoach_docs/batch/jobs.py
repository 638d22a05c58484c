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

    @property
    def data_hash(self) -> str:
        blob = json.dumps([self.kind, self.writer, self.title, self.timestamp, self.extra, self.context],
                          ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


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
