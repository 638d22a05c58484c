"""Regenerate the docxtpl templates in ``templates/docx/``: ``python templates/build.py``.

Run it only to start over from the reference layout: templates edited by a clerk in
Word are the source of truth afterwards (their wording and styles are kept by
rendering). Each template lists the context keys it uses in README, «Mẫu văn bản».
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx.enum.section import WD_SECTION
from docx.shared import Twips

sys.path.insert(0, str(Path(__file__).resolve().parent))
from docx_builder import (LAND_TEXT_W, TEXT_W, add_para, add_row, add_rule,  # noqa: E402
                          cell_paras, keep_together, new_document, page_number_header, para_style, set_page,
                          table, tag_row)

OUT = Path(__file__).resolve().parent / "docx"

# Header block geometry (twips): left column for the issuing body, right for the Quốc hiệu.
LEFT_W, RIGHT_W = 3686, 5669
TIEU_NGU_W = 3200      # width of "Độc lập - Tự do - Hạnh phúc" at 13 pt bold
BODY_RULE_W = 1100     # 1/3-1/2 of "ỦY BAN NHÂN DÂN" at 13 pt bold
TRICH_YEU_RULE_W = 2800


def body_styles(doc):
    """The named styles of the body; clerks change fonts and spacing here."""
    para_style(doc, "KH Văn bản", first_line=567, before=120, line=264)
    para_style(doc, "KH Căn cứ", italic=True, first_line=567, before=120, line=264)
    para_style(doc, "KH Mục", bold=True, first_line=567, before=120, line=264, keep_next=True)
    para_style(doc, "KH Khoản", bold=True, first_line=567, before=120, line=264, keep_next=True)
    para_style(doc, "KH Tiểu mục", bold=True, first_line=567, before=120, line=264,
               keep_next=True)
    para_style(doc, "KH Bảng", size=12, align="left")
    para_style(doc, "KH Bảng giữa", size=12, align="center")
    para_style(doc, "KH Nơi nhận", size=11, align="left")


def header_block(doc):
    """Ô 1-4 of ND30: issuing body | Quốc hiệu, Tiêu ngữ; Số | place and date."""
    t = table(doc, [LEFT_W, RIGHT_W], borders=False, indent=-113)
    row = t.add_row()
    left, right = row.cells
    cell_paras(left, [
        ("{%p if co_quan_chu_quan %}", {"align": "center"}),
        ("{{ co_quan_chu_quan }}", {"size": 13, "align": "center"}),
        ("{%p endif %}", {"align": "center"}),
        ("{%p for dong in dong_ten_co_quan %}", {"align": "center"}),
        ("{{ dong }}", {"size": 13, "bold": True, "align": "center"}),
        ("{%p endfor %}", {"align": "center"}),
    ])
    add_rule(left, BODY_RULE_W, LEFT_W - 114)
    cell_paras(right, [
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", {"size": 12, "bold": True, "align": "center"}),
        ("Độc lập - Tự do - Hạnh phúc", {"size": 13, "bold": True, "align": "center"}),
    ])
    add_rule(right, TIEU_NGU_W, RIGHT_W - 114)
    row = t.add_row()
    left, right = row.cells
    cell_paras(left, [("Số: {{ so }}/{{ ky_hieu }}", {"size": 13, "align": "center"})])
    left.paragraphs[0].paragraph_format.space_before = None
    cell_paras(right, [("{{ dong_ngay }}", {"size": 14, "italic": True, "align": "center"})])
    for cell in row.cells:
        cell.paragraphs[0].paragraph_format.space_before = Twips(120)
    return t


def title_block(doc):
    add_para(doc, "{{ ten_loai }}", size=14, bold=True, align="center", before=360)
    add_para(doc, "{{ trich_yeu }}", size=14, bold=True, align="center")
    add_rule(doc, TRICH_YEU_RULE_W, TEXT_W, before=0, after=120)


def body_loop(doc, key="noi_dung"):
    """Numbered sections I., 1., 1.1. and paragraphs, one styled paragraph per kind."""
    add_para(doc, "{%p for d in " + key + " %}", style="KH Văn bản")
    add_para(doc, "{%p if d.kieu == 'muc' %}", style="KH Văn bản")
    add_para(doc, "{{ d.text }}", style="KH Mục")
    add_para(doc, "{%p elif d.kieu == 'khoan' %}", style="KH Văn bản")
    add_para(doc, "{{ d.text }}", style="KH Khoản")
    add_para(doc, "{%p elif d.kieu == 'tieu_muc' %}", style="KH Văn bản")
    add_para(doc, "{{ d.text }}", style="KH Tiểu mục")
    add_para(doc, "{%p else %}", style="KH Văn bản")
    add_para(doc, "{{ d.text }}", style="KH Văn bản")
    add_para(doc, "{%p endif %}", style="KH Văn bản")
    add_para(doc, "{%p endfor %}", style="KH Văn bản")


def signature_block(doc, noi_nhan_key="noi_nhan", ky_key="ky"):
    """Ô 9b (Nơi nhận) beside ô 7 (authority, position, signature space, name)."""
    t = table(doc, [4253, 4818], borders=False)
    row = t.add_row()
    keep_together(row)
    left, right = row.cells
    cell_paras(left, [
        ("Nơi nhận:", {"size": 12, "bold": True, "italic": True, "align": "left"}),
        ("{%p for n in " + noi_nhan_key + " %}", {"style": "KH Nơi nhận"}),
        ("{{ n }}", {"style": "KH Nơi nhận"}),
        ("{%p endfor %}", {"style": "KH Nơi nhận"}),
    ])
    cell_paras(right, [
        ("{%p for d in " + ky_key + ".dong_tham_quyen %}", {"align": "center"}),
        ("{{ d }}", {"size": 14, "bold": True, "align": "center"}),
        ("{%p endfor %}", {"align": "center"}),
        ("", {"align": "center"}), ("", {"align": "center"}), ("", {"align": "center"}),
        ("", {"align": "center"}),
        ("{{ " + ky_key + ".ho_ten }}", {"size": 14, "bold": True, "align": "center"}),
    ])
    left.paragraphs[0].paragraph_format.space_before = None
    return t


def appendix_heading(doc, key):
    add_para(doc, "Phụ lục {{ " + key + ".so }}", size=14, bold=True, align="center")
    add_para(doc, "{{ " + key + ".tieu_de }}", size=14, bold=True, align="center")
    add_para(doc, "{{ " + key + ".kem_theo }}", size=14, italic=True, align="center")
    add_rule(doc, 2000, LAND_TEXT_W, after=120)


def indicator_table(doc):
    w = [800, 5600, 1300, 1800, 1800, 2703]
    t = table(doc, w, borders=True)
    add_row(t, ["STT", "Chỉ tiêu", "Đơn vị tính", "{{ phu_luc_i.cot_ke_hoach }}",
                "{{ phu_luc_i.cot_muc_tieu }}", "Cơ quan chủ trì theo dõi, đánh giá"],
            style="KH Bảng giữa", bold=True, header=True)
    tag_row(t, "{%tr for r in phu_luc_i.dong %}")
    tag_row(t, "{%tr if r.kieu == 'nhom' %}")
    add_row(t, ["{{ r.stt }}", "{{ r.ten }}", "", "", "", ""], style="KH Bảng", bold=True,
            align=["center", "left", "center", "center", "center", "left"])
    tag_row(t, "{%tr elif r.kieu == 'con' %}")
    add_row(t, ["{{ r.stt }}", "{{ r.ten }}", "{{ r.don_vi }}", "{{ r.ke_hoach }}", "{{ r.muc_tieu }}",
                "{{ r.co_quan }}"], style="KH Bảng", italic=True,
            align=["center", "left", "center", "center", "center", "left"])
    tag_row(t, "{%tr else %}")
    add_row(t, ["{{ r.stt }}", "{{ r.ten }}", "{{ r.don_vi }}", "{{ r.ke_hoach }}", "{{ r.muc_tieu }}",
                "{{ r.co_quan }}"], style="KH Bảng",
            align=["center", "left", "center", "center", "center", "left"])
    tag_row(t, "{%tr endif %}")
    tag_row(t, "{%tr endfor %}")


def task_table(doc):
    w = [800, 6200, 2400, 3000, 1603]
    t = table(doc, w, borders=True)
    add_row(t, ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"],
            style="KH Bảng giữa", bold=True, header=True)
    tag_row(t, "{%tr for r in phu_luc_ii.dong %}")
    tag_row(t, "{%tr if r.kieu == 'nhom' %}")
    add_row(t, ["{{ r.stt }}", "{{ r.noi_dung }}", "", "", ""], style="KH Bảng", bold=True,
            align=["center", "left", "left", "left", "center"])
    tag_row(t, "{%tr else %}")
    add_row(t, ["{{ r.stt }}", "{{ r.noi_dung }}", "{{ r.chu_tri }}", "{{ r.phoi_hop }}",
                "{{ r.thoi_han }}"], style="KH Bảng", align=["center", "left", "left", "left", "center"])
    tag_row(t, "{%tr endif %}")
    tag_row(t, "{%tr endfor %}")


def build_ke_hoach(path: Path):
    doc = new_document()
    body_styles(doc)
    page_number_header(doc.sections[0])
    header_block(doc)
    title_block(doc)
    add_para(doc, "{%p for c in can_cu %}", style="KH Căn cứ")
    add_para(doc, "{{ c }}", style="KH Căn cứ")
    add_para(doc, "{%p endfor %}", style="KH Căn cứ")
    add_para(doc, "{%p if loi_dan %}", style="KH Văn bản")
    add_para(doc, "{{ loi_dan }}", style="KH Văn bản")
    add_para(doc, "{%p endif %}", style="KH Văn bản")
    body_loop(doc)
    add_para(doc, "", style="KH Văn bản")
    signature_block(doc)
    for key, builder in (("phu_luc_i", indicator_table), ("phu_luc_ii", task_table)):
        sec = doc.add_section(WD_SECTION.NEW_PAGE)
        set_page(sec, landscape=True, restart=True)
        appendix_heading(doc, key)
        builder(doc)
    _clean_core(doc, "Kế hoạch")
    doc.save(path)


def _clean_core(doc, title):
    cp = doc.core_properties
    cp.author = "kehoach-docs"
    cp.last_modified_by = "kehoach-docs"
    cp.title = title
    cp.comments = ""
    cp.revision = 1


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    build_ke_hoach(OUT / "ke-hoach.docx")
    print("Đã tạo lại các mẫu trong", OUT)


if __name__ == "__main__":
    main()
