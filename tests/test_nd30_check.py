"""Issue 3: `kehoach check` passes our documents and finds each corruption."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from kehoach_docs.cli import main
from kehoach_docs.nd30.check import check_docx


def corrupt(src: Path, dst: Path, part: str, old: str, new: str, count: int = 1, regex=False) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == part:
                text = data.decode("utf-8")
                if regex:
                    text, n = re.subn(old, new, text, count=count)
                else:
                    n = text.count(old)
                    text = text.replace(old, new, count)
                assert n, f"{old!r} not in {part}"
                data = text.encode("utf-8")
            zout.writestr(info, data)
    return dst


def rules(findings, level="error"):
    return {f.rule for f in findings if f.level == level}


def test_generated_documents_have_no_error(example_out, commune_out):
    for path in (example_out / "ke-hoach.docx", commune_out / "ke-hoach.docx"):
        assert rules(check_docx(path)) == set(), path


@pytest.mark.parametrize("part,old,new,rule,regex", [
    ("word/document.xml", 'w:left="1701"', 'w:left="1000"', 2, False),                      # margins
    ("word/document.xml", 'w:top="1134"', 'w:top="600"', 2, False),
    ("word/document.xml", 'w:w="11906"', 'w:w="12240"', 1, False),                         # Letter paper
    ("word/document.xml", "<w:titlePg/>", "", 4, False),                                    # page 1 numbered
    ("word/header1.xml", "PAGE", "DATE", 4, False),                                         # no page number
    ("word/document.xml", '<w:pgNumType w:start="1"/>', "", 5, False),                      # appendix numbering
    ("word/document.xml", ">Số: 07/KH-UBND<", ">Số: 7/KH-UBND<", 18, False),
    ("word/document.xml", "ngày 15 tháng 01 năm 2027", "ngày 5 tháng 1 năm 2027", 19, False),
    ("word/document.xml", "CỘNG HÒA XÃ HỘI", "CỘNG HÒA  XÃ HỘI", 14, False),
    ("word/document.xml", "Độc lập - Tự do - Hạnh phúc", "Độc lập – Tự do – Hạnh phúc", 15, False),
    ("word/document.xml", "- Lưu: VT, KT.", "- Lưu trữ.", 27, False),
    ("word/document.xml", ">KẾ HOẠCH<", ">BÁO CÁO<", 20, False),
    ("word/document.xml", "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
     "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025.", 22, False),
    ("word/document.xml", ">Phụ lục II<", ">Phụ lục III<", 31, False),
    ("word/document.xml", ">Trần Văn An<", ">TS. Trần Văn An<", 26, False),
])
def test_each_corruption_is_found(commune_out, tmp_path, part, old, new, rule, regex):
    bad = corrupt(commune_out / "ke-hoach.docx", tmp_path / "bad.docx", part, old, new, regex=regex)
    assert rule in rules(check_docx(bad))


def _add_run_props(commune_out, tmp_path, props: str, rule: int):
    bad = corrupt(commune_out / "ke-hoach.docx", tmp_path / "bad.docx", "word/document.xml",
                  r"(<w:r>)(<w:t[^>]*>I\. MỤC ĐÍCH)", r"\1<w:rPr>" + props + r"</w:rPr>\2", regex=True)
    return rule in rules(check_docx(bad))


def test_arial_run_found(commune_out, tmp_path):
    assert _add_run_props(commune_out, tmp_path, '<w:rFonts w:ascii="Arial" w:hAnsi="Arial"/>', 6)


def test_legacy_font_found(commune_out, tmp_path):
    bad = corrupt(commune_out / "ke-hoach.docx", tmp_path / "bad.docx", "word/document.xml",
                  r"(<w:r>)(<w:t[^>]*>I\. MỤC ĐÍCH)", r'\1<w:rPr><w:rFonts w:ascii=".VnTime"/></w:rPr>\2',
                  regex=True)
    found = [f for f in check_docx(bad) if f.rule == 6]
    assert found and "TCVN3" in found[0].message


def test_colour_found(commune_out, tmp_path):
    assert _add_run_props(commune_out, tmp_path, '<w:color w:val="FF0000"/>', 7)


def test_small_body_text_found(commune_out, tmp_path):
    assert _add_run_props(commune_out, tmp_path, '<w:sz w:val="22"/>', 9)


def test_findings_name_paragraph_and_excerpt(commune_out, tmp_path):
    bad = corrupt(commune_out / "ke-hoach.docx", tmp_path / "bad.docx", "word/document.xml",
                  "ngày 15 tháng 01 năm 2027", "ngày 5 tháng 1 năm 2027")
    f = next(f for f in check_docx(bad) if f.rule == 19)
    assert re.match(r"đoạn \d+ «Quang Hưng, ngày 5 tháng 1 năm 2027»", f.where)


def test_cli_exit_codes_and_json(commune_out, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(main, ["check", str(commune_out / "ke-hoach.docx")])
    assert ok.exit_code == 0, ok.output
    bad = corrupt(commune_out / "ke-hoach.docx", tmp_path / "bad.docx", "word/document.xml",
                  'w:left="1701"', 'w:left="1000"')
    res = runner.invoke(main, ["check", "--format", "json", str(bad)])
    assert res.exit_code == 1
    data = json.loads(res.output)[str(bad)]
    assert any(f["rule"] == 2 and f["level"] == "error" for f in data)


def test_not_a_docx(tmp_path):
    junk = tmp_path / "x.docx"
    junk.write_text("không phải zip")
    res = CliRunner().invoke(main, ["check", str(junk)])
    assert res.exit_code == 1 and "không phải tệp Word" in res.output and "Traceback" not in res.output
