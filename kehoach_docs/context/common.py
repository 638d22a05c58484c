"""Pieces shared by every document's context: header block, numbering, Nơi nhận, roman numerals."""

from __future__ import annotations

import re

from ..model.bundle import Plan, once_per_plan
from ..model.plan import NguoiKy
from ..text.vn import BLANK, upper_vi


def so_van_ban(number: int | None) -> str:
    """The number of ``Số: 05/KH-UBND``: two digits at least, blank until registered."""
    return f"{number:02d}" if number else BLANK


def noi_nhan_lines(items: list[str]) -> list[str]:
    """``- A;`` for each recipient, the last (``Lưu: VT, …``) ending with ``.``."""
    return [f"- {x}{'.' if i == len(items) - 1 else ';'}" for i, x in enumerate(items)]


def signer(ky: NguoiKy, on_behalf_of: str | None = None) -> dict:
    """The signature block's lines and name. ``on_behalf_of`` (the issuing collective, ``Ủy ban nhân
    dân``) is for a document the collective issues although the plan was signed in a person's own
    right: a province's decision is the Chủ tịch's, but its report to the council is the Committee's
    (``TM. ỦY BAN NHÂN DÂN`` / ``CHỦ TỊCH``, ND30 Phụ lục I, II.7b)."""
    return {"dong_tham_quyen": ky.authority_lines(on_behalf_of), "ho_ten": ky.ho_ten}


@once_per_plan
def plan_reference(plan: Plan) -> str:
    """``Kế hoạch hành động số …/KH-UBND ngày … tháng … năm 2024 của Ủy ban nhân dân huyện Tiên Lữ``."""
    vb = plan.ke_hoach.van_ban
    return (f"{vb.ten_loai_day_du} số {so_van_ban(vb.so)}/{plan.ky_hieu} {vb.ngay.dong_ngay()} "
            f"của {plan.ke_hoach.co_quan_ban_hanh.ten}")


#: Characters of a line in the header's left column at 13 pt bold capitals (6,5 cm).
HEADER_LINE = 22


# Before the level of a place, so that «HUYỆN TIÊN LỮ» stays on one line.
_PLACE = r" (?=(TỈNH|THÀNH PHỐ|HUYỆN|QUẬN|THỊ XÃ|XÃ|PHƯỜNG|THỊ TRẤN|ĐẶC KHU) \S)"


def header_lines(name: str, width: int = HEADER_LINE) -> list[str]:
    """An agency's name in the header's narrow column, broken where a reader would: after " - ",
    before a place («HUYỆN TIÊN LỮ»), before " VÀ " or after a comma when both parts fit, else after as many words as fit («PHÒNG TÀI
    CHÍNH -» / «KẾ HOẠCH», «PHÒNG GIÁO DỤC» / «VÀ ĐÀO TẠO»; never inside «GIÁO DỤC»)."""
    if len(name) <= width:
        return [name]
    for pattern in (r"(?<= -) ", _PLACE, r" (?=VÀ )", r"(?<=,) "):
        for m in reversed(list(re.finditer(pattern, name))):   # the last one: «… XÃ HỘI» / «HUYỆN TIÊN LỮ»
            head, tail = name[:m.start()], name[m.end():]
            if len(head) <= width and len(tail) <= width:
                return [head, tail]
    words, line = name.split(), ""
    for k, word in enumerate(words):
        if line and len(line) + 1 + len(word) > width:
            return [line, *header_lines(" ".join(words[k:]), width)]
        line = f"{line} {word}".strip()
    return [line]


def issuer_header(plan: Plan) -> dict:
    cq = plan.ke_hoach.co_quan_ban_hanh
    return {
        "co_quan_chu_quan": upper_vi(cq.co_quan_chu_quan) if cq.co_quan_chu_quan else "",
        "dong_ten_co_quan": cq.dong_ten,
    }


def paragraphs(text: str) -> list[str]:
    """Free text typed with line breaks, as the paragraphs a document prints (blank lines dropped)."""
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]


def one_line(text: str) -> str:
    """Text for a single paragraph or table cell: line breaks and runs of spaces become one space."""
    return " ".join((text or "").split())


def closing(paras: list[str]) -> list[str]:
    """End the body's last paragraph with ``./.`` (ND30: the end of the content)."""
    if not paras:
        return paras
    last = paras[-1].rstrip()
    if not last.endswith("./."):
        last = last.rstrip(".;,:") + "./."
    return paras[:-1] + [last]


def report_date(place: str, year: int, date=None) -> str:
    """``Tiên Lữ, ngày 05 tháng 12 năm 2024``; day and month blank until the report is signed."""
    from ..text.vn import ngay_thang_nam
    if date is None:
        return f"{place}, {ngay_thang_nam(year)}"
    return f"{place}, {ngay_thang_nam(date.year, date.month, date.day)}"
