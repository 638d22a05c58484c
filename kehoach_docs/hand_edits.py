"""Where a hand edit should have been made: for a document kept aside as ``.sua-tay``, the data
lines that print what the clerk changed, so the change can be made where it lasts."""

from __future__ import annotations

import difflib
import itertools
from pathlib import Path

from .text.excerpt import excerpt

#: Data files searched for the text a changed paragraph was printed from.
DATA_SUFFIXES = (".yaml",)
#: How many characters of a paragraph identify it in the data (references and punctuation aside).
PROBE = 40


def _paragraphs(path: Path) -> list[str]:
    from .nd30.docx_model import DocxView, NotADocx
    try:
        return [p.text.strip() for p in DocxView(path).paragraphs if p.text.strip()]
    except (NotADocx, OSError):
        return []


def _data_lines(plan_dir: Path) -> list[tuple[str, int, str]]:
    """Every line of the plan's data files, read once: (file name, line number, text)."""
    return [(path.name, n, line) for path in sorted(Path(plan_dir).glob("*")) if path.suffix in DATA_SUFFIXES
            for n, line in enumerate(path.read_text("utf-8", errors="replace").splitlines(), 1)]


def _lines_with(lines: list[tuple[str, int, str]], text: str) -> list[str]:
    """``file:line`` of the data lines that contain the start of ``text``."""
    probe = " ".join(text.split())[:PROBE].rstrip(" .;:")
    if len(probe) < 8:
        return []
    return [f"{name}:{n}" for name, n, line in lines if probe[:24] in line]


def where_to_edit(plan_dir: Path, edited: Path, rebuilt: Path, most: int = 5) -> list[str]:
    """For each paragraph the clerk changed (edited copy against the rebuilt document), what it
    printed, what the clerk made of it and the data lines that print it:
    ``«Yêu cầu …» → «Đề nghị …»: sửa ở ke-hoach.yaml:57``; at most ``most`` of them."""
    old, new = _paragraphs(edited), _paragraphs(rebuilt)
    data = _data_lines(plan_dir)
    hints = []
    matcher = difflib.SequenceMatcher(a=new, b=old, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        # a paragraph the clerk added has nothing in the data that prints it: only changes are told
        for printed, typed in itertools.zip_longest(new[i1:i2], old[j1:j2]):
            if printed is None:
                continue
            lines = _lines_with(data, printed)
            change = f"«{excerpt(printed)}» → " + (f"«{excerpt(typed)}»" if typed is not None else "(đã xóa)")
            hints.append(f"{change}: " + (f"sửa ở {', '.join(lines)}" if lines
                                           else "không thấy nguyên văn trong dữ liệu (chữ của mẫu, hoặc ghép từ nhiều trường)"))
            if len(hints) >= most:
                return hints
    return hints
