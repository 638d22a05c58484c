"""What changed between two versions of a plan: indicators, tasks, legal bases, paragraphs, the rest.

Items with codes (indicators, tasks, agencies) are matched by code; texts without
codes (legal bases, paragraphs, recipients) are aligned with difflib, as a reviewer
would read the two versions side by side. Texts are compared as printed, so a
changed target also shows in every paragraph that quotes it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ..context.common import plan_reference
from ..context.plan_doc import body_paragraphs, indicator_rows, legal_bases, task_rows
from ..model.bundle import Plan
from ..model.tables import TASKS
from ..text.excerpt import excerpt

EDIT, ADD, REMOVE = "Sửa", "Thêm", "Bỏ"

#: Parts of the plan in the order the comparison table lists them.
PARTS = ["Thông tin văn bản", "Căn cứ", "Nội dung", "Chỉ tiêu (Phụ lục I)", "Nhiệm vụ (Phụ lục II)",
         "Cơ quan", "Nơi nhận, người ký"]

AGENCY_FIELDS = [("ten", "Tên"), ("ten_ngan", "Tên in trong bảng"), ("viet_tat", "Chữ viết tắt"),
                 ("thu_truong", "Chức danh thủ trưởng"), ("ho_ten_thu_truong", "Họ tên thủ trưởng"),
                 ("cap_tren", "Cơ quan chủ quản")]


@dataclass(frozen=True)
class Change:
    """One difference: which part, where (a code or a section number), what, old beside new."""

    phan: str
    vi_tri: str
    noi_dung: str
    cu: str
    moi: str
    thay_doi: str


def _excerpt(text: str) -> str:
    return excerpt(text, 50)


def _indicator_columns(old: Plan, new: Plan) -> list:
    """The compared columns of either version (a column one of them dropped shows as emptied)."""
    cols = {c.key: c for c in old.indicator_table.compared}
    cols.update({c.key: c for c in new.indicator_table.compared})
    return list(cols.values())


def _indicator_values(plan: Plan, ct, columns) -> dict[str, str]:
    return {c.key: c.text(plan, ct) for c in columns}


def _task_values(plan: Plan, nv) -> dict[str, str]:
    return {c.key: c.text(plan, nv) for c in TASKS.compared}


def _agency_values(plan: Plan, a) -> dict[str, str]:
    return {k: getattr(a, k) or "" for k, _ in AGENCY_FIELDS}


def _keyed(part, old: dict, new: dict, fields, values_old, values_new, name, where) -> list[Change]:
    """Compare items matched by code, field by field; added and removed items in one row each.
    ``where(code)`` names an item's place as the documents print it (never its code)."""
    out = []
    for code in [*old, *[c for c in new if c not in old]]:
        if code not in new:
            v = values_old(old[code])
            out.append(Change(part, where(code), name(old[code]), "; ".join(v[k] for k, _ in fields if v[k]), "",
                              REMOVE))
        elif code not in old:
            v = values_new(new[code])
            out.append(Change(part, where(code), name(new[code]), "", "; ".join(v[k] for k, _ in fields if v[k]),
                              ADD))
        else:
            a, b = values_old(old[code]), values_new(new[code])
            for key, label in fields:
                if a[key] != b[key]:
                    out.append(Change(part, where(code), f"{name(new[code])}: {label}", a[key], b[key], EDIT))
    return out


def _places(old: Plan, new: Plan) -> dict[str, str]:
    """Where each indicator and task prints, by code: ``Phụ lục I, A.3``, ``Phụ lục II, STT 5``
    (the new version's place, the old one's for what was removed)."""
    places: dict[str, str] = {}
    for plan in (old, new):
        group, number = "", ""
        for row in indicator_rows(plan, plan.indicator_table.columns):
            if row["loai"] == "nhom":
                group = row["stt"]
            elif row["loai"] == "chi_tieu":
                number = row["stt"] or number
                places[row["ma"]] = f"Phụ lục I, {group}.{number}"
            else:
                places[row["ma"]] = f"Phụ lục I, {group}.{number} (dòng con)"
        for row in task_rows(plan, TASKS.columns):
            if row["loai"] != "nhom":
                places[row["ma"]] = f"Phụ lục II, STT {row['stt']}"
    return places


def _aligned(part, old: list[str], new: list[str], where_old, where_new, what) -> list[Change]:
    """Align two lists of texts; a replaced block pairs old and new lines in order."""
    out = []
    sm = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        pairs = max(i2 - i1, j2 - j1)
        for k in range(pairs):
            i, j = i1 + k, j1 + k
            a = old[i] if i < i2 else None
            b = new[j] if j < j2 else None
            if a is not None and b is not None:
                out.append(Change(part, where_new(j), what, a, b, EDIT))
            elif a is not None:
                out.append(Change(part, where_old(i), what, a, "", REMOVE))
            else:
                out.append(Change(part, where_new(j), what, "", b, ADD))
    return out


def _sections(paras: list[dict]) -> list[str]:
    """The number of the section each paragraph belongs to (``III.2.1.``)."""
    where, current, top = [], "", ""
    for p in paras:
        if p["loai"] in ("muc", "khoan", "tieu_muc"):
            num = p["text"].split(" ", 1)[0]
            if p["loai"] == "muc":
                top = num.rstrip(".")
                current = num
            else:
                current = f"{top}.{num}"
        where.append(current or "(mở đầu)")
    return where


def _document_info(plan: Plan) -> dict[str, str]:
    vb = plan.ke_hoach.van_ban
    return {"Số, ký hiệu, ngày": plan_reference(plan), "Trích yếu": plan.text(vb.trich_yeu),
            "Lời dẫn": plan.text(plan.ke_hoach.loi_dan or ""),
            "Tên Phụ lục I": plan.phu_luc_i.tieu_de, "Tên Phụ lục II": plan.phu_luc_ii.tieu_de}


def _signer(plan: Plan) -> str:
    ky = plan.ke_hoach.nguoi_ky
    return " / ".join([*ky.dong_tham_quyen, ky.ho_ten])


def compare_plans(old: Plan, new: Plan) -> list[Change]:
    """Every difference between ``old`` and ``new``, in the order of :data:`PARTS`."""
    changes: list[Change] = []
    a, b = _document_info(old), _document_info(new)
    changes += [Change(PARTS[0], k, k, a[k], b[k], EDIT) for k in a if a[k] != b[k]]
    changes += _aligned(PARTS[1], [x.rstrip(";.") for x in legal_bases(old)], [x.rstrip(";.") for x in legal_bases(new)],
                        lambda i: f"Căn cứ thứ {i + 1}", lambda j: f"Căn cứ thứ {j + 1}", "Căn cứ")
    po, pn = body_paragraphs(old), body_paragraphs(new)
    so, sn = _sections(po), _sections(pn)
    changes += _aligned(PARTS[2], [p["text"] for p in po], [p["text"] for p in pn],
                        lambda i: f"Mục {so[i]}", lambda j: f"Mục {sn[j]}", "Đoạn văn")
    columns = _indicator_columns(old, new)
    places = _places(old, new)
    changes += _keyed(PARTS[3], old.chi_tieu, new.chi_tieu, [(c.key, c.label) for c in columns],
                      lambda ct: _indicator_values(old, ct, columns), lambda ct: _indicator_values(new, ct, columns),
                      lambda ct: ct.ten, places.get)
    changes += _keyed(PARTS[4], old.nhiem_vu, new.nhiem_vu, [(c.key, c.label) for c in TASKS.compared],
                      lambda nv: _task_values(old, nv), lambda nv: _task_values(new, nv),
                      lambda nv: f"Nhiệm vụ «{_excerpt(old.text(nv.noi_dung) if nv.ma in old.nhiem_vu else new.text(nv.noi_dung))}»",
                      places.get)
    changes += _keyed(PARTS[5], old.co_quan, new.co_quan, AGENCY_FIELDS,
                      lambda c: _agency_values(old, c), lambda c: _agency_values(new, c), lambda c: c.ten,
                      lambda code: "Danh bạ cơ quan")
    changes += _aligned(PARTS[6], old.ke_hoach.noi_nhan, new.ke_hoach.noi_nhan,
                        lambda i: f"Nơi nhận thứ {i + 1}", lambda j: f"Nơi nhận thứ {j + 1}", "Nơi nhận")
    if _signer(old) != _signer(new):
        changes.append(Change(PARTS[6], "Người ký", "Người ký", _signer(old), _signer(new), EDIT))
    return changes


def summary(changes: list[Change]) -> list[str]:
    """One line per part: ``Chỉ tiêu (Phụ lục I): 1 sửa, 1 thêm``."""
    lines = []
    for part in PARTS:
        mine = [c for c in changes if c.phan == part]
        if mine:
            counts = [f"{sum(c.thay_doi == k for c in mine)} {k.lower()}" for k in (EDIT, ADD, REMOVE)
                      if any(c.thay_doi == k for c in mine)]
            lines.append(f"{part}: " + ", ".join(counts))
    return lines
