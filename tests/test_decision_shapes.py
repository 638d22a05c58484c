"""Plans in the shapes provinces and communes issue them, from data alone: a Quyết định with the
plan inside Điều 1 (ND30 Mẫu 1.2), a Quyết định that issues the plan attached (Mẫu 1.3), and
plans with one appendix or none. Each builds, passes `kehoach check`, and has the parts ND30 asks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from conftest import FIXTURES, docx_text_blocks
from kehoach_docs.cli import main
from kehoach_docs.nd30.check import check_docx
from kehoach_docs.problems import InvalidInput
from kehoach_docs.source.plan_dir import load_plan
from test_nd30_check import corrupt, rules

SHAPES = ("tinh-qd-2026", "tinh-kem-theo-2026-2030", "xa-pl2-2026")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("shapes")
    run = CliRunner()
    for name in SHAPES:
        for cmd in ("build", "reports"):
            res = run.invoke(main, [cmd, str(FIXTURES / name), "-o", str(out), "-j", "1"])
            assert res.exit_code == 0, res.output
    return out


def test_each_shape_builds_its_own_documents(built):
    files = {name: sorted(p.name for p in (built / name).iterdir() if p.is_file() and not p.name.startswith("."))
             for name in SHAPES}
    assert files["tinh-qd-2026"] == ["phu-luc-i.xlsx", "quyet-dinh.docx", "tong-hop.docx"]
    assert files["tinh-kem-theo-2026-2030"] == ["ke-hoach-kem-theo.docx", "phu-luc-i.xlsx", "phu-luc-ii.xlsx",
                                                "quyet-dinh.docx", "tong-hop.docx"]
    assert files["xa-pl2-2026"] == ["ke-hoach.docx", "phu-luc-ii.xlsx", "tong-hop.docx"]


@pytest.mark.parametrize("name", SHAPES)
def test_every_document_passes_the_check(built, name):
    for path in sorted((built / name).rglob("*.docx")):
        assert rules(check_docx(path)) == set(), path


def _paragraphs(path):
    """(text, first run bold) of each body paragraph outside tables."""
    doc = Document(str(path))
    return [(p.text, bool(p.runs) and bool(p.runs[0].bold)) for p in doc.paragraphs if p.text.strip()]


def test_decision_with_the_plan_inside_article_1(built):
    paras = _paragraphs(built / "tinh-qd-2026" / "quyet-dinh.docx")
    texts = [t for t, _ in paras]
    i = texts.index("QUYẾT ĐỊNH")
    assert texts[i + 1].startswith("Ban hành Kế hoạch hành động")
    assert texts[i + 2] == "ỦY BAN NHÂN DÂN TỈNH HƯNG YÊN"          # authority line
    assert texts[i + 3].startswith("Căn cứ Luật Tổ chức chính quyền địa phương") and texts[i + 3].endswith(";")
    assert texts[i + 5] == ("Theo đề nghị của Giám đốc Sở Tài chính tại Tờ trình số 412/TTr-STC ngày "
                            "30/12/2025.")
    assert texts[i + 6] == "QUYẾT ĐỊNH:"
    articles = [(t, bold) for t, bold in paras if t.startswith("Điều ")]
    assert [t.split(" ", 2)[:2] for t, _ in articles] == [["Điều", "1."], ["Điều", "2."], ["Điều", "3."]]
    assert all(bold for _, bold in articles)
    # the plan's sections follow Điều 1, before Điều 2; the last article closes the text
    one, two = texts.index(articles[0][0]), texts.index(articles[1][0])
    assert texts[one + 1] == "I. MỤC TIÊU" and "III. TỔ CHỨC THỰC HIỆN" in texts[one:two]
    assert "Phấn đấu tốc độ tăng trưởng kinh tế (GRDP) đạt 8,5% trở lên;" in texts[one + 2]
    assert articles[-1][0].endswith("Quyết định này./.")
    blocks = docx_text_blocks(built / "tinh-qd-2026" / "quyet-dinh.docx")
    assert "- Như Điều 3;" in blocks
    # a lone appendix has no number and refers to the decision
    assert "Phụ lục" in blocks and "Phụ lục I" not in blocks
    assert ("(Kèm theo Quyết định số 35/QĐ-UBND ngày 08 tháng 01 năm 2026 của Ủy ban nhân dân tỉnh Hưng Yên)"
            in blocks)


def _body_kinds(path):
    """The body's top-level elements in order: 'tbl', 'p' or 'break' (a paragraph that ends a section)."""
    doc = Document(str(path))
    out = []
    for el in doc.element.body:
        tag = el.tag.rsplit("}", 1)[1]
        if tag == "p" and el.xpath("./w:pPr/w:sectPr"):
            out.append("break")
        elif tag in ("p", "tbl"):
            out.append(tag)
    return out


def test_decision_that_issues_the_plan_attached(built):
    path = built / "tinh-kem-theo-2026-2030" / "quyet-dinh.docx"
    blocks = docx_text_blocks(path)
    assert "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH LÀO CAI" in blocks
    assert any(b.startswith("Điều 1. Ban hành kèm theo Quyết định này Kế hoạch") for b in blocks)
    assert "1. Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc Sở Tài chính theo dõi, đôn đốc việc thực hiện." in blocks
    # signature, then a new page with the attached plan's own header (no Số, no date)
    doc = Document(str(path))
    tables = doc.tables
    kinds = _body_kinds(path)
    assert kinds.count("tbl") >= 4 and "break" in kinds
    after_break = kinds[kinds.index("break") + 1]
    assert after_break == "tbl"
    # the attached plan is a section of its own: numbered from 1, no number on its first page
    attached = doc.sections[1]
    assert attached.different_first_page_header_footer and attached.orientation == 0
    assert attached._sectPr.xpath("./w:pgNumType/@w:start") == ["1"]
    attached_header = tables[2]
    header_text = "\n".join(c.text for row in attached_header.rows for c in row.cells)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header_text and "Số:" not in header_text
    assert "ngày" not in header_text
    ref = "(Kèm theo Quyết định số 210/QĐ-UBND ngày 20 tháng 02 năm 2026 của Ủy ban nhân dân tỉnh Lào Cai)"
    i = blocks.index("KẾ HOẠCH")
    assert blocks[i + 1] == "Phát triển kinh tế - xã hội 5 năm 2026-2030" and blocks[i + 2] == ref
    assert blocks.count(ref) == 3      # the attached plan and both appendices refer to the decision
    assert blocks.index("I. MỤC TIÊU TỔNG QUÁT") > i     # the plan's sections are in the attached plan
    alone = docx_text_blocks(built / "tinh-kem-theo-2026-2030" / "ke-hoach-kem-theo.docx")
    assert "KẾ HOẠCH" in alone and ref in alone and not any(b.startswith("Số:") for b in alone)
    assert not any(b.startswith("Điều") for b in alone)


def _sections(path):
    return [(s.orientation, s.page_width > s.page_height) for s in Document(str(path)).sections]


def test_plan_with_only_phu_luc_ii(built):
    path = built / "xa-pl2-2026" / "ke-hoach.docx"
    blocks = docx_text_blocks(path)
    assert blocks.count("Phụ lục") == 1 and "PHÂN CÔNG NHIỆM VỤ CHUYỂN ĐỔI SỐ NĂM 2026" in blocks
    assert [wide for _, wide in _sections(path)] == [False, True]   # no empty section, no blank page


def test_plan_with_no_appendix(tmp_path):
    plan = tmp_path / "xa"
    shutil.copytree(FIXTURES / "xa-pl2-2026", plan)
    (plan / "phu-luc-ii.yaml").unlink()
    main_yaml = plan / "ke-hoach.yaml"
    main_yaml.write_text(main_yaml.read_text("utf-8").replace("phu_luc: [nhiem_vu]", "phu_luc: []"), "utf-8")
    res = CliRunner().invoke(main, ["build", str(plan), "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    path = tmp_path / "out" / "xa" / "ke-hoach.docx"
    assert sorted(p.name for p in path.parent.iterdir() if not p.name.startswith(".")) == ["ke-hoach.docx"]
    assert [wide for _, wide in _sections(path)] == [False]
    assert "Phụ lục" not in docx_text_blocks(path)
    assert rules(check_docx(path)) == set()


def test_appendix_files_and_declaration_must_agree(tmp_path):
    plan = tmp_path / "xa"
    shutil.copytree(FIXTURES / "xa-pl2-2026", plan)
    shutil.copy(FIXTURES / "xa-2027" / "phu-luc-i.yaml", plan / "phu-luc-i.yaml")
    with pytest.raises(InvalidInput) as exc:
        load_plan(plan)
    msg = str(exc.value.problems.errors[0])
    assert "phu-luc-i.yaml" in msg and "không khai báo" in msg and "phu_luc: [nhiem_vu, chi_tieu]" in msg
    (plan / "phu-luc-i.yaml").unlink()
    (plan / "phu-luc-ii.yaml").unlink()
    with pytest.raises(InvalidInput) as exc:
        load_plan(plan)
    assert "thiếu tệp phu-luc-ii.yaml" in str(exc.value.problems.errors[0])


def test_decision_data_must_match_its_type(tmp_path):
    msg = next(m for m in _messages(_broken(tmp_path, "tinh-qd-2026", ("loai: QĐ", "loai: KH"))) if "lỗi" in m)
    assert "có khối quyet_dinh thì loại văn bản phải là QĐ" in msg
    assert "ke-hoach.yaml:7:" in msg and "van_ban.loai" in msg        # the line of the type, not of the file


@pytest.mark.parametrize("old, new, rule", [
    (">QUYẾT ĐỊNH:<", ">QUYẾT ĐỊNH<", 34),                   # the line before the articles
    (">ỦY BAN NHÂN DÂN TỈNH HƯNG YÊN<", "><", 34),           # the authority line
    (">Điều 2.<", ">Điều 4.<", 35),                            # articles numbered in order
])
def test_decision_corruptions_are_found(built, tmp_path, old, new, rule):
    bad = corrupt(built / "tinh-qd-2026" / "quyet-dinh.docx", tmp_path / "bad.docx", "word/document.xml", old, new)
    assert rule in rules(check_docx(bad))


def test_theo_de_nghi_is_part_of_the_bases(built, tmp_path):
    # Without "Theo đề nghị" a QĐ gets a warning; with it, no false error (it was flagged before).
    path = built / "tinh-qd-2026" / "quyet-dinh.docx"
    assert 22 not in rules(check_docx(path)) | rules(check_docx(path), "warning")
    bad = corrupt(path, tmp_path / "bad.docx", "word/document.xml", ">Theo đề nghị của ", ">Căn cứ đề xuất của ")
    assert 22 in rules(check_docx(bad), "warning")


def test_attached_plan_reference_line_is_checked(built, tmp_path):
    path = built / "tinh-kem-theo-2026-2030" / "ke-hoach-kem-theo.docx"
    bad = corrupt(path, tmp_path / "bad.docx", "word/document.xml", "210/QĐ-UBND ngày ", "210/QĐ-UBND, ")
    assert rules(check_docx(bad)) == {36}      # still a text attached to a QĐ: no Số, date or signature asked


def test_party_document_is_recognised_and_skipped(built, tmp_path):
    bad = corrupt(built / "xa-pl2-2026" / "ke-hoach.docx", tmp_path / "party.docx", "word/document.xml",
                  ">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<", ">ĐẢNG CỘNG SẢN VIỆT NAM<")
    findings = check_docx(bad)
    assert [(f.level, f.rule) for f in findings] == [("note", 14)]
    assert "36-HD/VPTW" in findings[0].message
    res = CliRunner().invoke(main, ["check", str(bad)])
    assert res.exit_code == 0 and "[ghi chú]" in res.output


def test_summary_report_in_the_provinces_shape(built):
    path = built / "tinh-qd-2026" / "tong-hop.docx"
    blocks = docx_text_blocks(path)
    assert "Kính gửi: Thường trực Hội đồng nhân dân tỉnh." in blocks
    i = blocks.index("BÁO CÁO")
    assert blocks[i + 1].startswith("Kết quả thực hiện Nghị quyết số 120/NQ-HĐND ngày 10/12/2025 của Hội đồng nhân "
                                    "dân tỉnh Hưng Yên về kế hoạch phát triển kinh tế - xã hội năm 2026")
    headings = [b for b in blocks if b[:3] in ("I. ", "II.", "III", "IV.", "V. ")]
    assert headings == ["I. TÌNH HÌNH THỰC HIỆN TRÊN CÁC LĨNH VỰC", "II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU",
                        "III. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ", "IV. TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ",
                        "V. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT, KIẾN NGHỊ"]
    assert "1. Về phát triển kinh tế" in blocks
    assert any("thu ngân sách nhà nước trên địa bàn theo kế hoạch 42.500 tỷ đồng" in b for b in blocks)
    assert any(b.endswith("(chi tiết tại bảng dưới đây).") for b in blocks)
    # the table is in the body: one portrait section, no appendix
    assert [wide for _, wide in _sections(path)] == [False] and "Phụ lục" not in blocks
    assert "- Như trên;" in blocks and "- Như Điều 3;" not in blocks     # a report has no articles
    assert rules(check_docx(path)) == set()


def test_summary_report_is_signed_for_the_committee(built):
    """A decision signed by the Chủ tịch in his own right (no «TM.») still gives a report that is the
    Committee's: «TM. ỦY BAN NHÂN DÂN» above «CHỦ TỊCH», as ND30 signs for a collective body."""
    decision = docx_text_blocks(built / "tinh-kem-theo-2026-2030" / "quyet-dinh.docx")
    report = docx_text_blocks(built / "tinh-kem-theo-2026-2030" / "tong-hop.docx")
    assert "CHỦ TỊCH" in decision and "TM. ỦY BAN NHÂN DÂN" not in decision
    i = report.index("TM. ỦY BAN NHÂN DÂN")
    assert report[i + 1] == "CHỦ TỊCH"
    assert report.count("TM. ỦY BAN NHÂN DÂN") == 1    # a plan signed «TM.» keeps its one line
    assert docx_text_blocks(built / "tinh-qd-2026" / "tong-hop.docx").count("TM. ỦY BAN NHÂN DÂN") == 1


@pytest.mark.parametrize("issuer, ky, lines", [
    ("Ủy ban nhân dân", {"chuc_vu": "Chủ tịch"}, ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]),
    ("Ủy ban nhân dân", {"ky_thay": "Chủ tịch", "chuc_vu": "Phó Chủ tịch"},
     ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]),
    ("Ủy ban nhân dân", {"thay_mat": "Ủy ban nhân dân", "chuc_vu": "Chủ tịch"}, ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]),
    # no «TM.» above a deputy in his own right, nor for a body one person heads (found by a reviewer)
    ("Ủy ban nhân dân", {"chuc_vu": "Phó Chủ tịch"}, ["PHÓ CHỦ TỊCH"]),
    ("Sở Tài chính", {"chuc_vu": "Giám đốc"}, ["GIÁM ĐỐC"]),
])
def test_summary_signature_for_the_issuing_body(issuer, ky, lines):
    from kehoach_docs.context.common import signer
    from kehoach_docs.model.plan import CoQuanBanHanh, NguoiKy
    body = CoQuanBanHanh.model_validate({"loai": issuer, "cap": "tỉnh", "dia_danh": "Lào Cai"})
    assert signer(NguoiKy.model_validate(ky), on_behalf_of=body.tap_the)["dong_tham_quyen"] == lines


def test_summary_of_a_plan_without_indicators_points_to_no_table(built):
    """A plan with only Phụ lục II: the report says no indicator was set, and has no empty appendix
    (a reviewer found «Tổng số 0 chỉ tiêu (chi tiết tại Phụ lục kèm theo)» and a table of headers alone)."""
    path = built / "xa-pl2-2026" / "tong-hop.docx"
    blocks = docx_text_blocks(path)
    i = blocks.index("I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU")
    assert blocks[i + 1] == "Kế hoạch không giao chỉ tiêu cụ thể."
    assert "Phụ lục" not in blocks and not any("chi tiết tại" in b for b in blocks)
    assert len(_sections(path)) == 1 and len(Document(path).tables) == 3     # header, tasks, signature
    assert rules(check_docx(path)) == set()


@pytest.mark.parametrize("name", ["tinh-kem-theo-2026-2030/quyet-dinh.docx", "tinh-kem-theo-2026-2030/tong-hop.docx"])
def test_the_paragraph_that_ends_a_section_takes_no_room(built, name):
    """The empty paragraph that carries a section break (after the signature, between appendices) is
    1 pt high: of body size, it went alone onto a blank page after a signature that filled its page
    (a reviewer found one in a commune's summary report)."""
    from docx.shared import Pt
    breaks = [p for p in Document(built / name).paragraphs if p._p.pPr is not None and p._p.pPr.sectPr is not None]
    assert breaks
    for p in breaks:
        assert not p.text and p.paragraph_format.line_spacing == Pt(1)
        assert p.paragraph_format.space_before == p.paragraph_format.space_after == 0


def test_district_summary_keeps_its_shape(built, reports_out):
    blocks = docx_text_blocks(reports_out / "tong-hop.docx")
    assert not any(b.startswith("Kính gửi") for b in blocks)
    assert "I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU" in blocks and "Phụ lục" in blocks


def _broken(tmp_path, name, replace=None, append=""):
    plan = tmp_path / "p"
    shutil.copytree(FIXTURES / name, plan)
    main_yaml = plan / "ke-hoach.yaml"
    text = main_yaml.read_text("utf-8")
    if replace:
        assert replace[0] in text
        text = text.replace(replace[0], replace[1], 1)
    main_yaml.write_text(text + append, "utf-8")
    return plan


def _messages(plan) -> list[str]:
    try:
        return [str(p) for p in load_plan(plan).problems.items]
    except InvalidInput as exc:
        return [str(p) for p in exc.problems.items]


def test_clerk_mistakes_get_the_right_message(tmp_path):
    # another error in ke-hoach.yaml: no phantom "missing phu-luc-ii.yaml" beside it
    msgs = _messages(_broken(tmp_path, "tinh-qd-2026", ("thang: dat", "thang: dạt")))
    assert len([m for m in msgs if "lỗi" in m]) == 1
    assert "cần một trong: vuot_dat hoặc dat" in msgs[0] and " or " not in msgs[0]
    # an article written with a key it does not have: the missing field is named
    msgs = _messages(_broken(tmp_path / "b", "tinh-qd-2026", ("    - Quyết định này có hiệu lực kể từ ngày ký.",
                                                              "    - noi_dung: Quyết định này có hiệu lực.")))
    assert any("thiếu trường bắt buộc «doan»" in m for m in msgs)
    assert not any("có phải ý bạn là «noi_dung»" in m for m in msgs)


def test_decision_without_nhu_dieu_3_and_unmentioned_appendix_are_warned(tmp_path):
    plan = _broken(tmp_path, "tinh-kem-theo-2026-2030", ("  - Như Điều 3\n", ""))
    p = plan / "ke-hoach.yaml"
    p.write_text(p.read_text("utf-8").replace("Chi tiết tại Phụ lục I; nhiệm vụ", "Chi tiết kèm theo; nhiệm vụ"), "utf-8")
    msgs = _messages(plan)
    assert any("«Như Điều 3»" in m and "cảnh báo" in m for m in msgs)
    assert any("chưa nhắc tới «Phụ lục I»" in m for m in msgs)
    assert not any("chưa nhắc tới «Phụ lục II»" in m for m in msgs)


def test_percent_after_a_worded_figure_is_warned(tmp_path):
    plan = _broken(tmp_path, "tinh-qd-2026", ("(GRDP) đạt {ct:grdp};", "(GRDP) đạt {ct:grdp}%;"))
    msgs = _messages(plan)
    assert any("«{ct:grdp}%» sẽ in «8,5% trở lên%»" in m for m in msgs)


def test_no_task_wording_follows_the_appendices(built):
    blocks = docx_text_blocks(built / "tinh-qd-2026" / "bao-cao" / "STC.docx")
    assert "Kế hoạch không giao nhiệm vụ cụ thể cho cơ quan." in blocks


def test_a_deputy_signing_without_ky_thay_is_warned(tmp_path):
    """«PHÓ CHỦ TỊCH» with no «KT. CHỦ TỊCH» above is not a form ND30 has for a Committee's document."""
    plan = _broken(tmp_path, "xa-2027", replace=("  ky_thay: Chủ tịch\n", ""))
    found = [m for m in _messages(plan) if "ký thay (nguoi_ky.ky_thay" in m]
    assert len(found) == 1 and "ke-hoach.yaml:50" in found[0] and "cảnh báo" in found[0], _messages(plan)
    assert not any("ký thay (nguoi_ky.ky_thay" in m for m in _messages(FIXTURES / "xa-2027"))
