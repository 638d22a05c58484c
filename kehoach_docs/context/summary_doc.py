"""Context of the summary report of the whole plan (``tong-hop.docx``, BC of the issuing body).

It gathers every indicator with its result and verdict, task completion per lead
agency and the agencies that have not reported, from the results stored beside the plan.
"""

from __future__ import annotations

import re
from collections import Counter

from ..model.bundle import Plan
from ..model.values import Verdict
from ..text.vn import ngay_thang_nam, roman, upper_vi
from .common import (closing, issuer_header, noi_nhan_lines, paragraphs, plan_reference, report_date,
                     signer, so_van_ban)
from ..model.tables import STATUSES, summary_columns
from .plan_doc import column_titles
from .report_doc import indicator_result, main_and_components, verdict_summary

NOT_REPORTED = "Chưa báo cáo"


def indicator_table(plan: Plan) -> list[dict]:
    """Every indicator in Phụ lục I order, with group rows, as the summary's appendix prints it."""
    rows = []
    for gi, g in enumerate(plan.phu_luc_i.nhom):
        rows.append({**{c.key: "" for c in summary_columns(plan.indicator_table)}, "loai": "nhom",
                     "gia_tri": ["" for c in plan.indicator_table.values(reports=True)],
                     "stt": g.ky_hieu or chr(ord("A") + gi), "ten": g.ten, "ghi_chu": ""})
        ci = 0
        for ct in g.chi_tieu:
            ci += not ct.cung_so
            for sub in [ct, *ct.chi_tiet]:
                row = indicator_result(plan, sub)
                number = ("" if ct.cung_so else str(ci)) if sub is ct else "-"
                row.update(loai="chi_tieu" if sub is ct else "con", stt=number, ten=sub.ten)
                composite = sub.chi_tiet and plan.ke_hoach.danh_gia.chi_tieu_tong_hop == "theo_chi_tiet"
                if not sub.co_quan and not sub.ke_hoach and not sub.muc_tieu and not composite:
                    row["danh_gia"] = ""     # a heading row such as "Cơ cấu kinh tế"
                rows.append(row)
    return rows


def task_counts(plan: Plan) -> list[dict]:
    """Per lead agency: tasks led, and how many are done, in progress, not started, not reported."""
    out = []
    for agency in plan.agencies_with_work():
        led = [nv for nv in plan.assigned(agency.ma)[1] if nv.chu_tri == agency.ma]
        if not led:
            continue
        res = plan.results.get(agency.ma)
        states = Counter((res.nhiem_vu.get(nv.ma).trang_thai if res and res.nhiem_vu.get(nv.ma) else None)
                         or NOT_REPORTED for nv in led)
        out.append({"co_quan": agency.ten_bang, "ma": agency.ma, "tong": str(len(led)),
                    **{k: str(states[s]) for k, s in zip(("hoan_thanh", "dang", "chua"), STATUSES)},
                    "chua_bao_cao": str(states[NOT_REPORTED])})
    for i, r in enumerate(out, 1):
        r["stt"] = str(i)
    return out


def _task_total(rows: list[dict]) -> str:
    total = {k: sum(int(r[k]) for r in rows) for k in ("tong", "hoan_thanh", "dang", "chua", "chua_bao_cao")}
    return (f"Tổng số {total['tong']} nhiệm vụ: {total['hoan_thanh']} hoàn thành, {total['dang']} đang "
            f"thực hiện, {total['chua']} chưa thực hiện; {total['chua_bao_cao']} nhiệm vụ chưa có báo cáo.")


def _count_line(plan: Plan, judged: list[dict]) -> str:
    policy = plan.ke_hoach.danh_gia
    if policy.dem == "chu_yeu":
        return main_and_components(judged, policy.thang)
    return verdict_summary(judged)


def summary_context(plan: Plan) -> dict:
    """Everything ``tong-hop.docx`` prints."""
    kh = plan.ke_hoach
    issuer = kh.co_quan_ban_hanh
    year = kh.van_ban.nam_ke_hoach
    table = indicator_table(plan)
    judged = [r for r in table if r["loai"] != "nhom" and r["danh_gia"]]
    has_indicators = any(r["loai"] != "nhom" for r in table)
    basis = "mục tiêu" if plan.ke_hoach.danh_gia.can_cu == "muc_tieu" else "kế hoạch"
    missed = [f"{r['ten_day_du']}: {basis} {r['doi_chieu']} {r['don_vi']}, ước thực hiện "
              f"{r['uoc']} {r['don_vi']}".replace(" %", "%").rstrip() + ";"
              for r in judged if r["danh_gia"] == Verdict.MISSED.value]
    counts = task_counts(plan)
    agencies = plan.agencies_with_work()
    missing = [a.ten for a in agencies if a.ma not in plan.results]
    views = []
    for a in agencies:
        res = plan.results.get(a.ma)
        if res:
            for label, text in (("khó khăn", res.kho_khan), ("đề xuất", res.de_xuat)):
                for p in paragraphs(text):
                    views.append(f"{a.ten_bang} ({label}): {p}")
    ref = f"Báo cáo số {so_van_ban(None)}/BC-{issuer.viet_tat} {ngay_thang_nam(year)} của {issuer.ten}"
    shape = kh.tong_hop
    answers = kh.van_ban_tham_chieu[shape.tham_chieu] if shape.tham_chieu else None
    subject = answers.full() if answers else plan_reference(plan)
    in_body = shape.bang_chi_tieu == "noi_dung"
    where = "tại bảng dưới đây" if in_body else "tại Phụ lục kèm theo"
    sections = ["linh_vuc"] * bool(shape.linh_vuc) + ["chi_tieu", "nhiem_vu", "bao_cao", "kien_nghi"]
    indicators = {
        "so": "", "tieu_de": upper_vi(f"Kết quả thực hiện các chỉ tiêu năm {year}"),
        "kem_theo": f"(Kèm theo {ref})",
        **column_titles(plan.indicator_table, year, reports=True),
        "dong": table,
    }
    return {
        **issuer_header(plan),
        "so": so_van_ban(None),
        "ky_hieu": f"BC-{issuer.viet_tat}",
        "dong_ngay": report_date(issuer.dia_danh_ngay, year),
        "ten_loai": "BÁO CÁO",
        "trich_yeu": f"Kết quả thực hiện {subject}",
        "kinh_gui": _addressees(shape.kinh_gui),
        "mo_dau": f"Trên cơ sở báo cáo của các cơ quan, đơn vị, {issuer.ten} báo cáo kết quả thực hiện "
                  f"{answers.short() if answers else plan_reference(plan)} như sau:",
        "so_muc": {key: f"{roman(i)}." for i, key in enumerate(sections, 1)},
        "linh_vuc": [{"tieu_de": f"{i}. {plan.text(lv.tieu_de)}", "noi_dung": [plan.text(x) for x in lv.noi_dung]}
                     for i, lv in enumerate(shape.linh_vuc, 1)],
        "tom_tat_chi_tieu": (_count_line(plan, judged)[:-1] + f" (chi tiết {where})." if has_indicators
                             else "Kế hoạch không giao chỉ tiêu cụ thể."),
        "chi_tieu_khong_dat": missed,
        "tom_tat_nhiem_vu": _task_total(counts) if counts else "Kế hoạch không giao nhiệm vụ cụ thể.",
        "nhiem_vu": counts,
        "da_bao_cao": (f"Đã có {len(agencies) - len(missing)}/{len(agencies)} cơ quan, đơn vị gửi báo cáo."
                       if len(missing) < len(agencies)
                       else f"Chưa có cơ quan, đơn vị nào gửi báo cáo (0/{len(agencies)})."),
        "chua_bao_cao": [f"{name};" for name in missing[:-1]] + [f"{missing[-1]}."] if missing else [],
        "kien_nghi": closing(views),
        "noi_nhan": noi_nhan_lines(_recipients(kh.noi_nhan, bool(shape.kinh_gui))),
        "ky": signer(kh.nguoi_ky, on_behalf_of=issuer.tap_the),     # a BC-UBND is the Committee's
        # a plan with no indicators (only Phụ lục II) has no table to point to, in the body or after it
        "bang": indicators if in_body and has_indicators else None,
        "phu_luc": indicators if not in_body and has_indicators else None,
    }


def _recipients(plan_recipients: list[str], addressed: bool) -> list[str]:
    """The plan's recipients for the report: "Như trên" first when it is addressed (Kính gửi), and
    never the decision's "Như Điều 3" (a report has no articles)."""
    own = [r for r in plan_recipients if not re.match(r"^Như (Điều|trên)\b", r)]
    return (["Như trên"] if addressed else []) + own


def _addressees(names: list[str]) -> list[str]:
    """``Kính gửi: A.`` on one line, or ``Kính gửi:`` then ``- A;`` … ``- B.`` (ND30 II.9b)."""
    if not names:
        return []
    if len(names) == 1:
        return [f"Kính gửi: {names[0]}."]
    return ["Kính gửi:", *[f"- {n}{'.' if i == len(names) - 1 else ';'}" for i, n in enumerate(names)]]
