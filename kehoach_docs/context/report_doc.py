"""Context of one agency's report draft (``bao-cao/<MA>.docx``) and of its result-entry workbook.

The draft holds exactly what the plan assigned to the agency: the tasks it leads or
supports (Phụ lục II) and the indicators it monitors (Phụ lục I). Results, where the
agency has sent them, are filled in and evaluated; where not, the values are empty
strings and the template prints its fill-in mark.
"""

from __future__ import annotations

from collections import Counter

from ..model.bundle import Plan, once_per_plan
from ..model.plan import ChiTieu, CoQuan
from ..model.values import Scale, Verdict
from ..model.evaluation import assess, composite
from ..model.results import KetQuaCoQuan
from ..results.entry import entry_data
from ..text.vn import upper_vi
from .plan_doc import column_titles
from .common import (closing, header_lines, noi_nhan_lines, one_line, paragraphs, plan_reference, report_date,
                     so_van_ban)

#: The order verdicts are counted in, everywhere a report sums them up.
VERDICT_ORDER = [Verdict.EXCEEDED, Verdict.MET, Verdict.MISSED, Verdict.MANUAL, Verdict.NO_RESULT,
                 Verdict.NO_TARGET]
#: Printed where the registry does not name the agency head (``ho_ten_thu_truong``).
NAME_MARK = "[Họ và tên người ký]"


def indicator_result(plan: Plan, ct: ChiTieu) -> dict:
    """One indicator with its target, reported result, percentage and verdict."""
    policy = plan.ke_hoach.danh_gia
    r = _reported(plan, ct)
    uoc = r.uoc_thuc_hien if r else ""
    a = assess(ct, uoc, policy)
    verdict = a.verdict
    if policy.chi_tieu_tong_hop == "theo_chi_tiet" and ct.chi_tiet:
        parts = [assess(sub, getattr(_reported(plan, sub), "uoc_thuc_hien", ""), policy).verdict
                 for sub in ct.chi_tiet]
        verdict = composite(parts) or verdict
    printed, values, shown = _columns(plan)
    text = {c.key: c.text(plan, ct) for c in shown}     # one text per column, some printed twice
    name = plan.indicator_name(ct)
    return {
        **{c.key: text[c.key] for c in printed},
        "gia_tri": [text[c.key] for c in values],
        "ma": ct.ma, "ten": name, "ten_day_du": name, "uoc": uoc,
        "doi_chieu": a.target.text, "so_sanh": a.so_sanh, "danh_gia": verdict.value, "ghi_chu": one_line(r.ghi_chu) if r else "",
    }


@once_per_plan
def _columns(plan: Plan) -> tuple[list, list, list]:
    """The indicator table's printed columns (but STT, numbered by each table), the value columns
    the reports print, and the columns of both, each once."""
    table = plan.indicator_table
    printed = [c for c in table.printed if c.key != "stt"]
    values = table.values(reports=True)
    return printed, values, list({c.key: c for c in (*printed, *values)}.values())


def _reported(plan: Plan, ct: ChiTieu):
    """What the monitoring agency reported for ``ct``, or None."""
    res = plan.results.get(ct.co_quan) if ct.co_quan else None
    return res.chi_tieu.get(ct.ma) if res else None


def main_and_components(rows: list[dict], scale: Scale) -> str:
    """The count line provinces send their councils: ``14/15 chỉ tiêu chủ yếu đạt và vượt kế hoạch;
    01 chỉ tiêu thành phần không đạt.`` (``danh_gia.dem: chu_yeu``). Rows carry ``loai``
    ``chi_tieu`` (main) or ``con`` (component)."""
    met = {Verdict.MET.value, Verdict.EXCEEDED.value}
    main = [r for r in rows if r["loai"] == "chi_tieu"]
    parts_ = [r for r in rows if r["loai"] == "con"]
    words = "đạt và vượt kế hoạch" if scale == Scale.THREE else "đạt kế hoạch"
    line = [f"{_count(sum(r['danh_gia'] in met for r in main))}/{_count(len(main))} chỉ tiêu chủ yếu {words}"]
    for group, label in ((main, "chủ yếu"), (parts_, "thành phần")):
        counts = Counter(r["danh_gia"] for r in group)
        line += [f"{_count(counts[v.value])} chỉ tiêu {label} {v.value[0].lower() + v.value[1:]}"
                 for v in VERDICT_ORDER[2:] if counts[v.value]]
    return "; ".join(line) + "."


def _count(n: int) -> str:
    """A count as the provinces' reports write it: two digits (``05``), but none as ``0``, not ``00``."""
    return f"{n:02d}" if n else "0"


def verdict_summary(rows: list[dict]) -> str:
    """``Tổng số 5 chỉ tiêu: 1 vượt, 2 đạt, 1 không đạt; 1 chưa có kết quả.``"""
    counts = Counter(r["danh_gia"] for r in rows)
    judged = [f"{counts[v.value]} {v.value.lower()}" for v in VERDICT_ORDER[:3] if counts[v.value]]
    other = [f"{counts[v.value]} {v.value[0].lower() + v.value[1:]}" for v in VERDICT_ORDER[3:]
             if counts[v.value]]
    text = f"Tổng số {len(rows)} chỉ tiêu"
    parts = "; ".join(x for x in (", ".join(judged), ", ".join(other)) if x)
    return f"{text}: {parts}." if parts else f"{text}."


def _task(plan: Plan, nv, number: str, res: KetQuaCoQuan | None, code: str) -> dict:
    r = res.nhiem_vu.get(nv.ma) if res else None
    text = plan.text(nv.noi_dung).rstrip(" .;")
    return {
        "ma": nv.ma, "so": number, "noi_dung": text, "thoi_han": nv.thoi_han,
        # who leads a task the agency only supports (empty for its own tasks)
        "chu_tri": plan.co_quan[nv.chu_tri].ten_bang if nv.chu_tri != code else "",
        "trang_thai": (r.trang_thai or "") if r else "", "ket_qua": one_line(r.ket_qua) if r else "",
    }


def task_groups(plan: Plan, code: str, tasks: list, res: KetQuaCoQuan | None) -> list[dict]:
    """Section I: tasks the agency leads, then tasks it supports, numbered 1.1., 2.1., …"""
    groups = []
    for title, pick in (("Nhiệm vụ chủ trì thực hiện", lambda nv: nv.chu_tri == code),
                        ("Nhiệm vụ phối hợp thực hiện", lambda nv: nv.chu_tri != code)):
        mine = [nv for nv in tasks if pick(nv)]
        if mine:
            n = len(groups) + 1
            groups.append({"tieu_de": f"{n}. {title}",
                           "nhiem_vu": [_task(plan, nv, f"{n}.{i}.", res, code) for i, nv in enumerate(mine, 1)]})
    return groups


def agency_header(plan: Plan, agency: CoQuan) -> dict:
    """The parent body (``UBND HUYỆN TIÊN LỮ``) over the agency's name."""
    issuer = plan.ke_hoach.co_quan_ban_hanh
    return {"co_quan_chu_quan": upper_vi(agency.cap_tren or issuer.ten_cap_tren),
            "dong_ten_co_quan": header_lines(upper_vi(agency.ten))}


def agency_abbr(agency: CoQuan) -> str:
    return agency.viet_tat or agency.ma.upper()


def report_context(plan: Plan, code: str) -> dict:
    """Everything ``bao-cao.docx`` prints for agency ``code``."""
    agency = plan.co_quan[code]
    issuer = plan.ke_hoach.co_quan_ban_hanh
    indicators, tasks = plan.assigned(code)
    res = plan.results.get(code)
    rows = [indicator_result(plan, ct) for ct in indicators]
    for i, r in enumerate(rows, 1):
        r["stt"] = str(i)
    year = plan.ke_hoach.van_ban.nam_ke_hoach
    de_xuat = paragraphs(res.de_xuat) if res else []
    return {
        **agency_header(plan, agency),
        **_alike(plan),
        "ky_hieu": f"BC-{agency_abbr(agency)}",
        "dong_ngay": report_date(issuer.dia_danh_ngay, year, res.ngay_bao_cao if res else None),
        "mo_dau": f"Thực hiện {plan_reference(plan)}, {agency.ten} báo cáo kết quả thực hiện "
                  "các nhiệm vụ, chỉ tiêu được giao như sau:",
        "nhom_nhiem_vu": task_groups(plan, code, tasks, res),
        "chi_tieu": rows,
        "tom_tat_chi_tieu": verdict_summary(rows) if rows else "",
        "kho_khan": paragraphs(res.kho_khan) if res else [],
        "de_xuat": closing(de_xuat),
        "ky": {"dong_tham_quyen": [upper_vi(agency.thu_truong or "Thủ trưởng cơ quan")],
               "ho_ten": agency.ho_ten_thu_truong or NAME_MARK},
    }


@once_per_plan
def _alike(plan: Plan) -> dict:
    """What every agency's draft prints alike: the plan it reports on, the column titles, Nơi nhận,
    and what it says where the agency has no task or no indicator (naming the appendix only where
    the plan has one)."""
    year = plan.ke_hoach.van_ban.nam_ke_hoach
    numbers = plan.appendix_numbers

    def where(part: str) -> str:
        return f"Phụ lục {numbers[part]}".rstrip()
    return {
        "so": so_van_ban(None),
        "ten_loai": "BÁO CÁO",
        "trich_yeu": f"Kết quả thực hiện {plan_reference(plan)}",
        "kinh_gui": f"Kính gửi: {plan.ke_hoach.co_quan_ban_hanh.ten}.",
        "cot": column_titles(plan.indicator_table, year, short=True, reports=True)["cot"],
        "noi_nhan": noi_nhan_lines(["Như trên", "Lưu: VT"]),
        "nam": year,
        "khong_nhiem_vu": f"Cơ quan không được giao nhiệm vụ trong {where('phu_luc_ii')} của Kế hoạch."
        if "phu_luc_ii" in numbers else "Kế hoạch không giao nhiệm vụ cụ thể cho cơ quan.",
        "khong_chi_tieu": f"Cơ quan không được giao theo dõi chỉ tiêu trong {where('phu_luc_i')} của Kế hoạch."
        if "phu_luc_i" in numbers else "Kế hoạch không giao chỉ tiêu cho cơ quan theo dõi.",
    }


def entry_context(plan: Plan, code: str) -> dict:
    """What the agency's result-entry workbook shows: its rows (shared with the reader) and the
    plan's citation for the title."""
    return {**entry_data(plan, code), "tham_chieu": plan_reference(plan)}
