"""What a clerk sees where a key path points: the row's name and the column's header.

``nhom[2].chi_tieu[4].ma`` means nothing to a clerk; «Phụ lục I, chỉ tiêu «Thu ngân sách trên địa
bàn», cột «Mã chỉ tiêu»» does. Messages print this label, then the key path for whoever edits YAML.
"""

from __future__ import annotations

from ..text.excerpt import excerpt
from .tables import INDICATORS, TASKS

#: The appendices' file stems and the names a clerk reads them by.
PARTS = {"phu-luc-i": ("Phụ lục I", INDICATORS), "phu-luc-ii": ("Phụ lục II", TASKS)}


def _excerpt(text: str) -> str:
    return excerpt(text, 40)


def _header(table, key) -> str | None:
    if key == "cot_them":
        return None
    col = next((c for c in table.columns if c.field == key or c.key == key), None)
    return col.header.split("{nam")[0].strip() if col else None


def _fields(value) -> dict | None:
    """A row's fields by key: raw data as read, or a validated model (whose fields carry the same keys)."""
    if isinstance(value, dict):
        return value
    names = getattr(type(value), "model_fields", None)
    if names is None:
        return None
    return {k: v for k in names if (v := getattr(value, k)) is not None}


def label(file: str, data, path: tuple) -> str:
    """``Phụ lục I, chỉ tiêu «…», cột «…»`` for ``path`` in ``data`` of ``file`` (its raw data, or the
    model validated from it); empty when the file is not an appendix or the path does not reach a row."""
    stem = file.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if stem not in PARTS or _fields(data) is None:
        return ""
    name, table = PARTS[stem]
    parts, cur, key = [name], data, None
    for i, step in enumerate(path):
        fields = _fields(cur)
        if fields is not None and step in fields:
            cur = fields[step]
            if isinstance(step, str) and i == len(path) - 1:
                key = step
        elif isinstance(cur, list) and isinstance(step, int) and step < len(cur):
            cur = cur[step]
            row = _fields(cur)
            if row is not None:
                if "noi_dung" in row and stem == "phu-luc-ii":
                    parts.append(f"nhiệm vụ «{_excerpt(row['noi_dung'])}»")
                elif "chi_tieu" in row and "ten" in row:
                    parts.append(f"nhóm «{_excerpt(row['ten'])}»")
                elif "ten" in row:
                    parts.append(f"chỉ tiêu «{_excerpt(row['ten'])}»")
        else:
            key = step if isinstance(step, str) else key
            break
    if len(parts) == 1:
        return ""
    header = _header(table, key) if key else None
    return ", ".join(parts) + (f", cột «{header}»" if header else "")
