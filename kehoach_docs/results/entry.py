"""What an agency's result-entry workbook holds, for the writer and the reader alike."""

from __future__ import annotations

import hashlib
import json

from ..model.bundle import Plan, once_per_plan
from ..model.evaluation import target_of, unmeasurable
from ..model.plan import ChiTieu, DanhGia
from ..model.tables import STATUSES
from ..model.values import Kind, RangeRule


def entry_kind(ct: ChiTieu, policy: DanhGia) -> str:
    """How the workbook takes the result: ``so`` (a number), ``hang`` (4/10) or ``chu`` (free text)."""
    target = target_of(ct, policy)
    if target.kind in (Kind.RANK, Kind.RATIO):
        return "hang"
    return "so" if target.is_numeric else "chu"


def figure_problem(plan: Plan, ma: str, text: str) -> str | None:
    """Why ``text`` cannot be the result of indicator ``ma`` (None when it can): one check for the
    workbook, the web form and the results file alike."""
    return unmeasurable(plan.chi_tieu[ma], text, plan.ke_hoach.danh_gia)


def status_problem(text: str) -> str | None:
    """Why ``text`` is not a task status (None when it is one, or blank)."""
    if text and text not in STATUSES:
        return f"tình trạng «{text}» không hợp lệ; chọn một trong: " + ", ".join(STATUSES)
    return None


#: The row keys an agency may fill in; every other key of a row is the plan's, locked.
FILLED = {"uoc", "ghi_chu", "trang_thai", "ket_qua", "nhap"}


def plan_version(data: dict) -> str:
    """A fingerprint of what the plan says in an agency's workbook (its locked cells): written into
    the workbook, so a workbook made before an amendment is told from one an agency edited."""
    locked = [data["co_quan"], *[[{k: str(v) for k, v in r.items() if k not in FILLED} for r in data[part]]
                                 for part in ("chi_tieu", "nhiem_vu")]]
    return hashlib.sha256(_dumps(locked).encode()).hexdigest()[:16]


#: ``json.dumps(value, ensure_ascii=False, sort_keys=True)``, its encoder made once (made per call,
#: it cost a province's thousands of workbooks as much as encoding their rows).
_dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def entry_data(plan: Plan, code: str) -> dict:
    """The rows of an agency's result-entry workbook, pre-filled with results already stored.

    The writer prints them and the reader checks a returned workbook against them, so the two
    always agree on what the locked columns hold."""
    agency = plan.co_quan[code]
    indicators, tasks = plan.assigned(code)
    res = plan.results.get(code)
    rows = []
    for ct in indicators:
        r = res.chi_tieu.get(ct.ma) if res else None
        rows.append({"ma": ct.ma, "ten": plan.indicator_name(ct), "don_vi": ct.don_vi,
                     **{c.key: c.text(plan, ct) for c in plan.indicator_table.values(reports=True)},
                     "nhap": entry_kind(ct, plan.ke_hoach.danh_gia),
                     "uoc": r.uoc_thuc_hien if r else "", "ghi_chu": r.ghi_chu if r else ""})
    task_rows = []
    for nv in tasks:
        r = res.nhiem_vu.get(nv.ma) if res else None
        task_rows.append({"ma": nv.ma, "noi_dung": plan.text(nv.noi_dung),
                          "vai_tro": "Chủ trì" if nv.chu_tri == code else "Phối hợp", "thoi_han": nv.thoi_han,
                          "trang_thai": (r.trang_thai or "") if r else "", "ket_qua": r.ket_qua if r else ""})
    data = {
        "ke_hoach": plan.name, "co_quan": code, "ten_co_quan": agency.ten,
        "nam": plan.ke_hoach.van_ban.nam_ke_hoach,
        "nhan_khoang": plan.ke_hoach.danh_gia.ket_qua_khoang != RangeRule.REFUSE,
        "khai_bao_cot": _declared_columns(plan),
        "can_cu": plan.ke_hoach.danh_gia.can_cu,
        "chi_tieu": rows, "nhiem_vu": task_rows,
        "ngay_bao_cao": res.ngay_bao_cao.isoformat() if res and res.ngay_bao_cao else "",
        "kho_khan": res.kho_khan if res else "", "de_xuat": res.de_xuat if res else "",
    }
    data["ban_ke_hoach"] = plan_version(data)
    return data


@once_per_plan
def _declared_columns(plan: Plan) -> list[dict] | None:
    """Phụ lục I's columns as the plan declares them (None where it declares none), for the reader."""
    return [c.model_dump(exclude_none=True) for c in plan.phu_luc_i.cot] if plan.phu_luc_i.cot else None
