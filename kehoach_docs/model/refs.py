"""References inside plan text: ``{ct:MA}`` to an indicator, ``{vb:MA}`` to a cited document.

A target stated in the narrative is written as a reference, so the sentence and the
Phụ lục I row always print the same figure: the fact is written once.
"""

from __future__ import annotations

import re

REF = re.compile(r"\{(ct|vb):([^{}:\s]+)(?::([^{}\s]+))?\}")

CT_FIELDS = {"": "muc_tieu", "muc_tieu": "muc_tieu", "ke_hoach": "ke_hoach", "chu": "chu",
             "don_vi": "don_vi", "ten": "ten"}
VB_FIELDS = {"", "ngan", "day_du"}
#: What a blank field is called in the message that refuses a reference to it.
CT_BLANK = {"muc_tieu": "mục tiêu phấn đấu (muc_tieu)", "chu": "mục tiêu phấn đấu (muc_tieu)",
            "ke_hoach": "số kế hoạch giao (ke_hoach)", "don_vi": "đơn vị tính (don_vi)", "ten": "tên"}


def find_refs(text: str):
    """Yield ``(kind, code, field)`` for each reference in ``text``."""
    for m in REF.finditer(text):
        yield m.group(1), m.group(2), m.group(3) or ""


def ct_value(ct, field: str, council_if_blank: bool = False) -> str:
    """What ``{ct:MA:field}`` prints; with ``council_if_blank`` a blank target aimed for gives way
    to the council's figure (plans that state one figure per indicator)."""
    attr = CT_FIELDS[field]
    if council_if_blank and attr in ("muc_tieu", "chu") and not ct.muc_tieu.strip():
        return ct.gia_tri_ke_hoach.in_words() if attr == "chu" else ct.ke_hoach
    if attr == "chu":
        return ct.gia_tri_muc_tieu.in_words()
    return getattr(ct, attr)


def expand(text: str, indicators: dict, citations: dict, council_if_blank: bool = False) -> str:
    """Replace each reference by its value (references are validated before this runs)."""

    def sub(m: re.Match) -> str:
        kind, code, field = m.group(1), m.group(2), m.group(3) or ""
        if kind == "ct":
            return ct_value(indicators[code], field, council_if_blank)
        vb = citations[code]
        return vb.short() if field == "ngan" else vb.full()

    return REF.sub(sub, text)
