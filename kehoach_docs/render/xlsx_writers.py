"""The workbooks a job can ask for, by name (jobs carry names, not functions, across processes)."""

from __future__ import annotations

import re



def _appendix(job) -> bytes:
    from .xlsx_appendix import write_appendix      # openpyxl: imported by the commands that need it
    return write_appendix(job.extra["part"], job.context, job.extra["year"])


def _diff(job) -> bytes:
    from .xlsx_diff import write_diff
    return write_diff(job.context)


def _result_entry(job) -> dict[str, bytes]:
    from .xlsx_prepared import entry_parts
    return entry_parts(job.context)


#: Each writer returns the workbook's bytes, or its parts ready to pack (a prepared workbook).
WRITERS = {"phu_luc": _appendix, "nhap_ket_qua": _result_entry, "so_sanh": _diff}


# openpyxl writes a font's children as name, charset, family, b, i, …, color, sz. ECMA-376 allows
# any order there, but the Open XML SDK (and validators built on it, which is what Excel's own
# checks follow) expects its sequence; writing that order costs nothing and removes the doubt.
_FONT_ORDER = ["b", "i", "strike", "condense", "extend", "outline", "shadow", "u", "vertAlign", "sz",
               "color", "name", "family", "charset", "scheme"]
_FONT = re.compile(r"<font>(.*?)</font>", re.S)
_CHILD = re.compile(r"<(\w+)\b[^>]*?/>|<(\w+)\b[^>]*>.*?</\2>", re.S)


def sdk_font_order(styles_xml: bytes) -> bytes:
    """``xl/styles.xml`` with each font's children in the SDK's order."""
    def sort(m: re.Match) -> str:
        children = [c.group(0) for c in _CHILD.finditer(m.group(1))]
        rank = {n: i for i, n in enumerate(_FONT_ORDER)}
        children.sort(key=lambda c: rank.get(re.match(r"<(\w+)", c).group(1), len(rank)))
        return "<font>" + "".join(children) + "</font>"
    return _FONT.sub(sort, styles_xml.decode("utf-8")).encode("utf-8")


def workbook_parts(job) -> dict[str, bytes]:
    """The parts of the workbook ``job`` asks for, ready to pack."""
    from .package import unpack
    made = WRITERS[job.writer](job)
    if isinstance(made, dict):
        return made             # prepared: its styles are in order already
    parts = unpack(made)
    if "xl/styles.xml" in parts:
        parts["xl/styles.xml"] = sdk_font_order(parts["xl/styles.xml"])
    return parts
