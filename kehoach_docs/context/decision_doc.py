"""Context of a plan issued as a Quyết định (``quyet-dinh.docx``, ND30 Mẫu 1.2 and 1.3).

Two shapes from the same data: the plan's sections inside Điều 1 (Mẫu 1.2, as provinces
often issue them), or a decision of a few articles that issues the plan attached after it
(Mẫu 1.3, ``quyet_dinh.kem_theo``), with its own header, type name, summary and
"(Kèm theo Quyết định số …)" line. The appendices follow either way and refer to the QĐ.
"""

from __future__ import annotations

from ..model.bundle import Plan
from ..text.vn import upper_vi
from .common import closing, plan_reference
from .plan_doc import body_paragraphs, plan_context


def articles(plan: Plan) -> list[dict]:
    """``Điều 1.`` … as paragraphs ``{loai: "dieu", so, text}``; the plan's sections follow the first
    article when nothing is attached. The last paragraph ends with ``./.``."""
    qd = plan.ke_hoach.quyet_dinh
    out: list[dict] = []
    for n, dieu in enumerate(qd.dieu, 1):
        out.append({"loai": "dieu", "so": f"Điều {n}.", "text": plan.text(dieu.doan)})
        out += [{"loai": "doan", "text": f"{k}. {plan.text(x)}"} for k, x in enumerate(dieu.khoan, 1)]
        if n == 1 and qd.kem_theo is None:
            out += body_paragraphs(plan)
    out[-1] = {**out[-1], "text": closing([out[-1]["text"]])[0]}
    return out


def attached(plan: Plan) -> dict | None:
    """The plan issued with the decision: type name, summary, reference line and sections."""
    kt = plan.ke_hoach.quyet_dinh.kem_theo
    if kt is None:
        return None
    body = body_paragraphs(plan)
    if body:
        body[-1] = {**body[-1], "text": closing([body[-1]["text"]])[0]}
    return {"ten_loai": upper_vi(kt.ten_loai), "trich_yeu": plan.text(kt.trich_yeu),
            "dong_kem_theo": f"(Kèm theo {plan_reference(plan)})",
            "loi_dan": plan.text(kt.loi_dan) if kt.loi_dan else "", "noi_dung": body}


def decision_context(plan: Plan) -> dict:
    """Everything ``quyet-dinh.docx`` prints."""
    kh = plan.ke_hoach
    qd = kh.quyet_dinh
    ctx = plan_context(plan)
    bases = [c[:-1] + ";" for c in ctx["can_cu"]]
    return {
        **ctx,
        "tham_quyen": upper_vi(qd.tham_quyen or kh.co_quan_ban_hanh.ten),
        "can_cu": bases + [f"Theo đề nghị của {plan.text(qd.theo_de_nghi)}."],
        "dieu": articles(plan),
        "kem_theo": attached(plan),
    }


def attached_plan_context(plan: Plan) -> dict:
    """The attached plan on its own (``ke-hoach-kem-theo.docx``): its header without a Số line,
    its title block and reference line, its sections and the appendices."""
    ctx = decision_context(plan)
    keep = ("co_quan_chu_quan", "dong_ten_co_quan", "phu_luc_i", "phu_luc_ii")
    return {**{k: ctx[k] for k in keep}, **ctx["kem_theo"]}
