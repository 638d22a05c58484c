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


def find_refs(text: str):
    """Yield ``(kind, code, field)`` for each reference in ``text``."""
    for m in REF.finditer(text):
        yield m.group(1), m.group(2), m.group(3) or ""


def expand(text: str, indicators: dict, citations: dict) -> str:
    """Replace each reference by its value (references are validated before this runs)."""

    def sub(m: re.Match) -> str:
        kind, code, field = m.group(1), m.group(2), m.group(3) or ""
        if kind == "ct":
            ct = indicators[code]
            attr = CT_FIELDS[field]
            if attr == "chu":
                return ct.gia_tri_muc_tieu.in_words()
            return getattr(ct, attr)
        vb = citations[code]
        return vb.short() if field == "ngan" else vb.full()

    return REF.sub(sub, text)
