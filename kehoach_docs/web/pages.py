"""What each page shows, built from the plan (no Django here): rows for the templates."""

from __future__ import annotations

from collections import Counter

from ..context.summary_doc import indicator_table
from ..model.tables import STATUSES
from ..results.entry import entry_data
from ..results.form import GENERAL_FIELDS, field_name

GENERAL_LABELS = {"kho_khan": "Khó khăn, vướng mắc", "de_xuat": "Đề xuất, kiến nghị"}
#: What the agency types a result as, said next to the field.
ENTRY_HINTS = {"so": "một con số, ví dụ 8,7", "hang": "thứ hạng, ví dụ 4/10", "chu": "ghi bằng lời"}


def agency_page(plan, code: str, values: dict, errors: dict, warnings: dict) -> dict:
    """The agency's tasks and indicators with their form fields, values and messages."""
    data = entry_data(plan, code)
    year = plan.ke_hoach.van_ban.nam_ke_hoach
    target_cols = plan.indicator_table.values(reports=True)
    indicators = []
    for row in data["chi_tieu"]:
        ma = row["ma"]
        fields = {k: field_name("ct", k, ma) for k in ("uoc", "ghi_chu")}
        indicators.append({
            "ma": ma, "ten": row["ten"], "don_vi": row["don_vi"],
            "targets": [(c.short_title(year), row.get(c.key, "")) for c in target_cols],
            "hint": ENTRY_HINTS[row["nhap"]],
            "fields": {k: {"name": n, "value": values.get(n, ""), "error": errors.get(n), "warning": warnings.get(n)}
                       for k, n in fields.items()}})
    tasks = []
    for row in data["nhiem_vu"]:
        ma = row["ma"]
        nv = plan.nhiem_vu[ma]
        fields = {k: field_name("nv", k, ma) for k in ("trang_thai", "ket_qua")}
        tasks.append({
            "ma": ma, "noi_dung": row["noi_dung"], "vai_tro": row["vai_tro"], "thoi_han": row["thoi_han"],
            "chu_tri": plan.co_quan[nv.chu_tri].ten,
            "phoi_hop": ", ".join(plan.co_quan[c].ten for c in nv.phoi_hop if c in plan.co_quan),
            "fields": {k: {"name": n, "value": values.get(n, ""), "error": errors.get(n), "warning": warnings.get(n)}
                       for k, n in fields.items()}})
    general = [{"name": k, "label": GENERAL_LABELS[k], "value": values.get(k, ""), "error": errors.get(k),
                "warning": warnings.get(k)}
               for k in GENERAL_FIELDS]
    labels = {f["name"]: f"{what} «{item.get('ten') or item.get('noi_dung')}»"
              for item, what in [(i, "Ước thực hiện") for i in indicators] + [(t, "Tình trạng") for t in tasks]
              for f in item["fields"].values()}
    return {"indicators": indicators, "tasks": tasks, "general": general, "statuses": STATUSES,
            "error_list": [(name, labels.get(name, GENERAL_LABELS.get(name, name)), msg)
                           for name, msg in errors.items()]}


def clerk_page(plan, last: dict, agency_filter: str = "", verdict_filter: str = "") -> dict:
    """Who has reported, verdict counts, and every indicator with target, result and verdict."""
    rows = [r for r in indicator_table(plan) if r["loai"] != "nhom"]
    counts = Counter(r["danh_gia"] for r in rows if r["danh_gia"])
    agencies = []
    for a in plan.agencies_with_work():
        sub = last.get(a.ma)
        agencies.append({"ma": a.ma, "ten": a.ten, "reported": a.ma in plan.results,
                         "refused": a.ma in plan.refused, "last": sub})
    by_name = {a.ten: a.ma for a in plan.co_quan.values()}
    shown = [r for r in rows
             if (not agency_filter or plan.chi_tieu[r["ma"]].co_quan == agency_filter
                 or by_name.get(r.get("co_quan")) == agency_filter)
             and (not verdict_filter or r["danh_gia"] == verdict_filter)]
    return {"agencies": agencies, "counts": sorted(counts.items()), "rows": shown,
            "missing": [a for a in agencies if not a["reported"]], "reported": sum(a["reported"] for a in agencies),
            "verdicts": sorted(counts), "agency_filter": agency_filter, "verdict_filter": verdict_filter}
