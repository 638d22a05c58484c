"""Context of the plan (``ke-hoach.docx``) and of its appendix tables."""

from __future__ import annotations

from ..model.bundle import Plan
from ..model.plan import CanCuTrichDan, Gach, Muc
from ..model.tables import TASKS
from ..text.vn import roman, upper_vi
from .common import issuer_header, noi_nhan_lines, plan_reference, signer, so_van_ban

_KINDS = {1: "muc", 2: "khoan", 3: "tieu_muc"}


def _number(depth: int, trail: list[int]) -> str:
    if depth == 1:
        return roman(trail[0]) + "."
    return ".".join(str(n) for n in trail[1:]) + "."


def body_paragraphs(plan: Plan) -> list[dict]:
    """Sections I-IV flattened into paragraphs ``{loai, text}`` with their numbers."""
    out: list[dict] = []

    def walk(items, trail):
        n = 0
        for item in items:
            if isinstance(item, Muc):
                n += 1
                t = trail + [n]
                depth = len(t)
                text = f"{_number(depth, t)} {plan.text(item.tieu_de)}"
                if item.noi_dung:
                    out.append({"loai": _KINDS.get(depth, "tieu_muc"), "text": text})
                    walk(item.noi_dung, t)
                else:  # a numbered paragraph without a title: body text
                    out.append({"loai": "doan", "text": text})
            elif isinstance(item, Gach):
                out.append({"loai": "gach", "text": "- " + plan.text(item.gach)})
            else:
                out.append({"loai": "doan", "text": plan.text(item if isinstance(item, str) else item.doan)})

    walk(plan.ke_hoach.noi_dung, [])
    return out


def section_titles(plan: Plan) -> dict[str, str]:
    """``ma`` of each section node -> its numbered title (``III.2.1. Khai thác …``)."""
    out: dict[str, str] = {}

    def walk(items, trail):
        n = 0
        for item in items:
            if isinstance(item, Muc):
                n += 1
                t = trail + [n]
                if item.ma:
                    out[item.ma] = (roman(t[0]) + "." + "".join(f"{x}." for x in t[1:]),
                                    plan.text(item.tieu_de))
                walk(item.noi_dung, t)

    walk(plan.ke_hoach.noi_dung, [])
    return out


def legal_bases(plan: Plan) -> list[str]:
    """Căn cứ / Thực hiện paragraphs; each ends with ``;``, the last with ``.`` (ND30 II.6a)."""
    kh = plan.ke_hoach
    cites = kh.van_ban_tham_chieu
    paras = []
    for cc in kh.can_cu:
        if isinstance(cc, CanCuTrichDan):
            parts = []
            for item in cc.van_ban:
                if isinstance(item, str):
                    parts.append(cites[item].full())
                else:
                    docs = [cites[c] for c in item.nhom]
                    first = docs[0]
                    group = [f"các {first.full()}"]
                    prev_issuer = first.co_quan
                    for d in docs[1:]:
                        group.append(d.full(with_issuer=d.co_quan != prev_issuer, with_type=False))
                        prev_issuer = d.co_quan
                    parts.append("; ".join(group))
            text = f"{cc.mo_dau} " + "; ".join(parts)
        else:
            text = plan.text(cc.doan)
        paras.append(text.rstrip(" ;.,"))
    return [p + (";" if i < len(paras) - 1 else ".") for i, p in enumerate(paras)]


def indicator_rows(plan: Plan, columns) -> list[dict]:
    """Phụ lục I rows: groups (A, B, …), indicators (1, 2, …) and italic sub-rows (-), one value for
    each of ``columns`` (the printed ones for a document, all of them for the workbook): a
    document's context holds exactly what it prints, so it is rebuilt exactly when that changes."""
    rows = []
    blank = ["" for c in columns if c.value]
    for gi, g in enumerate(plan.phu_luc_i.nhom):
        rows.append({**{c.key: "" for c in columns}, "loai": "nhom", "gia_tri": blank,
                     "stt": g.ky_hieu or chr(ord("A") + gi), "ten": g.ten})
        ci = 0
        for ct in g.chi_tieu:
            ci += not ct.cung_so
            rows.append(_indicator(plan, ct, "chi_tieu", "" if ct.cung_so else str(ci), columns))
            for sub in ct.chi_tiet:
                rows.append(_indicator(plan, sub, "con", "-", columns))
    return rows


def _indicator(plan: Plan, ct, kind: str, stt: str, columns) -> dict:
    row = {"loai": kind, "stt": stt, **{c.key: c.text(plan, ct) for c in columns if c.key != "stt"}}
    # the value columns in print order, for the run of cells the documents loop over
    row["gia_tri"] = [row[c.key] for c in columns if c.value]
    return row


def column_titles(table, year: int, short: bool = False, reports: bool = False) -> dict:
    """``cot_<key>``: the header of each column whose title names the plan's year, and ``cot``: the
    headers of the plan's value columns in print order (``short`` for narrow tables, ``reports``
    for the report tables)."""
    return {**{f"cot_{c.key}": c.title(year) for c in table.columns if c.yearly},
            "cot": [c.short_title(year) if short else c.title(year) for c in table.values(reports)]}


def task_rows(plan: Plan, columns) -> list[dict]:
    """Phụ lục II rows grouped under the section III part each task comes from (``columns`` as
    for :func:`indicator_rows`)."""
    titles = section_titles(plan)
    rows, current, n = [], object(), 0
    groups = 0
    for nv in plan.phu_luc_ii.nhiem_vu:
        if nv.thuoc != current:
            current = nv.thuoc
            if nv.thuoc:
                groups += 1
                num, title = titles[nv.thuoc]
                rows.append({**{c.key: "" for c in columns}, "loai": "nhom", "stt": roman(groups),
                             "noi_dung": title})
        n += 1
        rows.append({"loai": "nhiem_vu", "stt": str(n), **{c.key: c.text(plan, nv) for c in columns if c.key != "stt"}})
    return rows


def appendix_header(plan: Plan, number: str, title: str) -> dict:
    return {"so": number, "tieu_de": upper_vi(title), "tieu_de_goc": title,
            "kem_theo": f"(Kèm theo {plan_reference(plan)})"}


def plan_context(plan: Plan) -> dict:
    """Everything ``ke-hoach.docx`` prints, as strings and lists of strings."""
    kh = plan.ke_hoach
    vb = kh.van_ban
    return {
        **issuer_header(plan),
        "so": so_van_ban(vb.so),
        "ky_hieu": plan.ky_hieu,
        "dong_ngay": f"{kh.co_quan_ban_hanh.dia_danh_ngay}, {vb.ngay.dong_ngay()}",
        "ten_loai": upper_vi(vb.ten_loai_day_du),
        "trich_yeu": plan.text(vb.trich_yeu),
        "can_cu": legal_bases(plan),
        "loi_dan": plan.text(kh.loi_dan) if kh.loi_dan else "",
        "noi_dung": body_paragraphs(plan),
        "noi_nhan": noi_nhan_lines(kh.noi_nhan),
        "ky": signer(kh.nguoi_ky),
        **appendices(plan, printed=True),
    }


def appendices(plan: Plan, printed: bool) -> dict:
    """``phu_luc_i`` and ``phu_luc_ii``, each None where the plan has no such appendix; with the
    printed columns for a document, every column for a workbook."""
    year = plan.ke_hoach.van_ban.nam_ke_hoach
    numbers = plan.appendix_numbers
    out = {"phu_luc_i": None, "phu_luc_ii": None}
    if "phu_luc_i" in numbers:
        table = plan.indicator_table
        out["phu_luc_i"] = {**appendix_header(plan, numbers["phu_luc_i"], plan.phu_luc_i.tieu_de),
                            **column_titles(table, year), "chu_thich": list(plan.phu_luc_i.chu_thich),
                            "dong": indicator_rows(plan, table.printed if printed else table.columns)}
        if not printed:     # the workbook keeps the plan's column declaration, for the way back
            out["phu_luc_i"]["khai_bao_cot"] = ([c.model_dump(exclude_none=True) for c in plan.phu_luc_i.cot]
                                                if plan.phu_luc_i.cot else None)
    if "phu_luc_ii" in numbers:
        out["phu_luc_ii"] = {**appendix_header(plan, numbers["phu_luc_ii"], plan.phu_luc_ii.tieu_de),
                             "dong": task_rows(plan, TASKS.printed if printed else TASKS.columns)}
    return out


def appendix_context(plan: Plan) -> dict:
    """The appendix workbooks: every declared column, the codes and hidden fields included."""
    return appendices(plan, printed=False)
