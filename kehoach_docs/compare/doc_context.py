"""Context of the comparison table (``Bảng so sánh``) between two versions of a plan."""

from __future__ import annotations

import difflib
import re

from ..context.common import closing, issuer_header, plan_reference, report_date
from ..model.bundle import Plan
from ..text.vn import roman
from .plan_diff import EDIT, PARTS, Change, summary


def marked(old: str, new: str) -> tuple[list[dict], list[dict]]:
    """Both texts cut into runs ``{text, doi}``; ``doi`` marks the words that differ."""
    a, b = re.findall(r"\S+|\s+", old), re.findall(r"\S+|\s+", new)
    out_a, out_b = [], []

    def put(out, words, changed):
        text = "".join(words)
        if not text:
            return
        if out and out[-1]["doi"] == changed:
            out[-1]["text"] += text
        else:
            out.append({"text": text, "doi": changed})

    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        put(out_a, a[i1:i2], op != "equal")
        put(out_b, b[j1:j2], op != "equal")
    return out_a, out_b


def diff_rows(changes: list[Change]) -> list[dict]:
    """Rows grouped by part (``I. Căn cứ``), numbered 1, 2, … within each part."""
    rows, group = [], 0
    for part in PARTS:
        mine = [c for c in changes if c.phan == part]
        if not mine:
            continue
        group += 1
        rows.append({"loai": "nhom", "stt": roman(group), "phan": part, "vi_tri": "", "noi_dung": part,
                     "cu": "", "moi": "", "thay_doi": ""})
        for n, c in enumerate(mine, 1):
            if c.thay_doi == EDIT:
                cu, moi = marked(c.cu, c.moi)
            else:
                cu, moi = [{"text": c.cu, "doi": False}], [{"text": c.moi, "doi": False}]
            rows.append({"loai": "dong", "stt": str(n), "phan": part, "vi_tri": c.vi_tri, "noi_dung": c.noi_dung,
                         "cu": c.cu, "moi": c.moi, "thay_doi": c.thay_doi, "cu_phan": cu, "moi_phan": moi})
    return rows


def diff_context(old: Plan, new: Plan, changes: list[Change], old_label: str, new_label: str) -> dict:
    """Everything ``so-sanh.docx`` prints (and the workbook's rows)."""
    issuer = new.ke_hoach.co_quan_ban_hanh
    return {
        **issuer_header(new),
        "dong_ngay": report_date(issuer.dia_danh_ngay, new.ke_hoach.van_ban.nam_ke_hoach),
        "ten_loai": "BẢNG SO SÁNH",
        "trich_yeu": f"Nội dung điều chỉnh {plan_reference(new)}",
        "mo_dau": (f"So sánh {old_label} với {new_label}: có {len(changes)} nội dung thay đổi, cụ thể:"
                   if changes else f"{old_label[:1].upper() + old_label[1:]} và {new_label} không khác nhau./."),
        "tom_tat": closing([line + ";" for line in summary(changes)[:-1]] + [summary(changes)[-1] + "."])
        if changes else [],
        "dong": diff_rows(changes),
    }


def comparison_context(pair) -> dict:
    """The context of a :class:`~kehoach_docs.documents.Comparison` (old, new, labels, changes)."""
    return diff_context(pair.old, pair.new, pair.changes, *pair.labels)
