"""Issue 3: a corpus of bad inputs, each with its exact outcome.

Every case runs the real command line on a copy of the example. A bad input must end
with exit status 1, a Vietnamese message naming the file, its line or cell and the
key, no traceback and no output written; a merely odd input must give a valid document.
"""

from __future__ import annotations

import shutil
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import TEMPLATES, docx_text_blocks
from kehoach_docs.cli import main

KH = "ke-hoach.yaml"
CQ = "co-quan.yaml"
PL1 = "phu-luc-i.yaml"
PL2 = "phu-luc-ii.yaml"

# (id, file, old text, new text, substrings the output must contain)
REPLACEMENTS = [
    ("yaml-indent", KH, "  cap: huyện\n", "   cap: huyện\n  x", ["ke-hoach.yaml:", "cú pháp YAML sai"]),
    ("yaml-tab", KH, "  cap: huyện", "\tcap: huyện", ["ke-hoach.yaml:", "Tab"]),
    # reported where the mend goes, in Vietnamese (found by a tester: English, and the next line)
    ("yaml-unclosed-bracket", KH, "  dia_danh: Tiên Lữ\n", "  dia_danh: [Tiên Lữ\n",
     ["ke-hoach.yaml:15:", "danh sách mở bằng «[» ở dòng này chưa đóng bằng «]»"]),
    # «>1» would be YAML's header of an empty block of lines: the value vanished, and the data passed
    ("yaml-block-header", KH, "  dia_danh: Tiên Lữ\n", "  dia_danh: >1\n",
     ["ke-hoach.yaml:15:", "dấu mở một khối nhiều dòng của YAML", 'dấu ngoặc kép: ">1"']),
    ("yaml-block-header-text", KH, "  dia_danh: Tiên Lữ\n", "  dia_danh: > 50%\n",
     ["ke-hoach.yaml:15:", 'dấu ngoặc kép: "> 50%"']),
    # found by a tester: reported eight lines on, as misaligned indentation
    ("yaml-unclosed-quote", KH, '  loai: Ủy ban nhân dân\n', '  loai: "Ủy ban nhân dân\n',
     ["ke-hoach.yaml:13:", "dấu ngoặc kép mở ở dòng này không được đóng", "hãy thêm dấu ngoặc kép đóng"]),
    ("yaml-at-sign", KH, "  dia_danh: Tiên Lữ\n", "  dia_danh: @Tiên Lữ\n",
     ["ke-hoach.yaml:15:", "không được bắt đầu bằng «@»"]),
    ("yaml-duplicate-key", KH, "  cap: huyện\n", "  cap: huyện\n  cap: xã\n", ["ke-hoach.yaml:15:", "hai lần"]),
    ("type-so", KH, "  so:            #", "  so: abc  #", ["van_ban.so", "cần một số nguyên"]),
    ("type-so-zero", KH, "  so:            #", "  so: 0  #", ["van_ban.so", "lớn hơn hoặc bằng 1"]),
    ("enum-cap", KH, "cap: huyện", "cap: quận huyện", ["co_quan_ban_hanh.cap", "cần một trong"]),
    ("missing-field", KH, "  trich_yeu: Thực hiện {vb:ctr17-ubnd}\n", "",
     ["ke-hoach.yaml:", "van_ban.trich_yeu: thiếu trường bắt buộc"]),
    ("unknown-key-typo", KH, "  trich_yeu: Thực", "  trich_yue: Thực", ["van_ban.trich_yue", "trich_yeu"]),
    ("unknown-agency-pl1", PL1, "co_quan: TCKH}\n      - ma: chi-ns", "co_quan: TCKX}\n      - ma: chi-ns",
     ["phu-luc-i.yaml:", "«TCKX» không có trong danh bạ", "có phải «TCKH»"]),
    ("unknown-agency-pl2", PL2, "    chu_tri: CA\n", "    chu_tri: CAX\n", ["phu-luc-ii.yaml:", "nhiem_vu[33].chu_tri"]),
    ("unknown-coordinator", PL2, "phoi_hop: [NHCS, XA]", "phoi_hop: [NHCS, XAA]", ["nhiem_vu[28].phoi_hop[2]"]),
    ("duplicate-agency", CQ, "  - ma: TK\n", "  - ma: TCKH\n", ["co-quan.yaml:", "bị trùng"]),
    # each says what is wrong with the code (it was «only letters, digits, '_', '-', '.'» for «..TK» too)
    ("code-start", CQ, "  - ma: TK\n", "  - ma: ..TK\n", ["co-quan.yaml:", "«..TK» phải bắt đầu bằng chữ cái hoặc chữ số"]),
    ("code-accent", CQ, "  - ma: TK\n", "  - ma: TKÔ\n", ["co-quan.yaml:", "không dùng được trong mã: «Ô»", "không dấu"]),
    ("code-task", PL2, "  - ma: nv02\n", "  - ma: nv/02\n", ["phu-luc-ii.yaml:", "không dùng được trong mã: «/»"]),
    ("duplicate-indicator", PL1, "{ma: bhyt,", "{ma: gdvh,", ["phu-luc-i.yaml:", "«gdvh» bị trùng"]),
    ("duplicate-task", PL2, "  - ma: nv02\n", "  - ma: nv01\n", ["phu-luc-ii.yaml:", "«nv01» bị trùng"]),
    ("impossible-citation-date", KH, "    ngay: 05/01/2024\n", "    ngay: 31/02/2024\n",
     ["ke-hoach.yaml:", "không có thật"]),
    ("impossible-plan-date", KH, 'ngay: " / /2024"', "ngay: 30/02/2024", ["van_ban.ngay", "không có thật"]),
    ("implausible-year", KH, 'ngay: " / /2024"', "ngay: 1800", ["ke-hoach.yaml:22:", "van_ban.ngay", "1945"]),
    ("bad-abbreviation", KH, "  viet_tat: UBND", "  viet_tat: UB ND", ["viet_tat", "chữ viết tắt"]),
    ("citation-incomplete", KH, "    so_ky_hieu: 01/NQ-CP\n", "", ["van_ban_tham_chieu.nq01-cp", "so_ky_hieu"]),
    ("citation-symbol", KH, "so_ky_hieu: 01/NQ-CP", "so_ky_hieu: 01 NQ CP", ["không đúng dạng"]),
    ("citation-unknown", KH, "van_ban: [nq01-cp, kl726-tu]", "van_ban: [nq01-cp, kl999]",
     ["can_cu[1].van_ban[2]", "«kl999» chưa khai báo"]),
    ("ref-indicator", KH, "{ct:gtsx}%.", "{ct:gtsx-x}%.", ["{ct:gtsx-x}", "không có chỉ tiêu"]),
    ("ref-field", KH, "{ct:gtsx}%.", "{ct:gtsx:abc}%.", ["trường «abc»"]),
    ("ref-citation", KH, "Thực hiện {vb:ctr17-ubnd}", "Thực hiện {vb:ctr18}", ["van_ban.trich_yeu", "«ctr18»"]),
    ("task-section", PL2, "thuoc: dau-tu-cong\n    chu_tri: TNMT", "thuoc: dau-tu\n    chu_tri: TNMT",
     ["nhiem_vu[17].thuoc", "không có mục nào"]),
    ("noi-nhan-luu", KH, '  - "Lưu: VT, TCKH"', "  - Lưu hồ sơ", ["noi_nhan[7]", "Lưu: VT"]),
    ("deputy-title", KH, "  chuc_vu: Chủ tịch", "  ky_thay: Chủ tịch\n  chuc_vu: Chủ tịch", ["cấp phó"]),
    ("forced-kind", PL1, "{ma: gtsx,", "{ma: gtsx, kieu: hang,", ["không đọc được là thứ hạng"]),
    ("control-char", KH, "ban hành Kế hoạch hành động", "ban hành Kế\x07 hoạch hành động",
     ["ke-hoach.yaml:78:", "U+0007"]),
    ("wrong-type-list", PL1, "nhom:\n", "nhom: Kinh tế\nx:\n", ["nhom", "cần một danh sách"]),
    ("number-english-decimal", PL1, 'ke_hoach: "6,1"', 'ke_hoach: "6.1", kieu: so', ["không đọc được là số"]),
]


def run_build(plan: Path, out: Path, *extra):
    return CliRunner().invoke(main, ["build", str(plan), "-o", str(out), "-j", "1", *extra])


def assert_refused(result, out: Path, expected: list[str]):
    text = result.output
    assert result.exit_code == 1, text
    assert "Traceback" not in text and result.exception is None or isinstance(result.exception, SystemExit)
    for s in expected:
        assert s in text, (s, text)
    assert not (out / "tien-lu-2024" / "ke-hoach.docx").exists()


@pytest.mark.parametrize("case", REPLACEMENTS, ids=[c[0] for c in REPLACEMENTS])
def test_bad_yaml_value(case, plan_copy, tmp_path):
    _, name, old, new, expected = case
    path = plan_copy / name
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")
    assert_refused(run_build(plan_copy, tmp_path / "out"), tmp_path / "out", expected)


def test_all_problems_reported_at_once(plan_copy, tmp_path):
    path = plan_copy / PL1
    path.write_text(path.read_text("utf-8").replace("co_quan: TCKH}", "co_quan: ZZZ}")
                    .replace("co_quan: NV}", "co_quan: YYY}"), "utf-8")
    res = run_build(plan_copy, tmp_path / "out")
    assert res.output.count("không có trong danh bạ") >= 5


def test_empty_file(plan_copy, tmp_path):
    (plan_copy / KH).write_text("", "utf-8")
    assert_refused(run_build(plan_copy, tmp_path / "out"), tmp_path / "out", ["ke-hoach.yaml:1", "tệp rỗng"])


def test_top_level_list(plan_copy, tmp_path):
    (plan_copy / CQ).write_text("- a\n- b\n", "utf-8")
    assert_refused(run_build(plan_copy, tmp_path / "out"), tmp_path / "out", ["co-quan.yaml:1", "bảng khóa"])


def test_not_utf8(plan_copy, tmp_path):
    (plan_copy / CQ).write_bytes(b"co_quan:\n  - ma: A\n    ten: Ph\xf2ng\n")
    assert_refused(run_build(plan_copy, tmp_path / "out"), tmp_path / "out", ["co-quan.yaml", "UTF-8"])


def test_missing_registry(plan_copy, tmp_path):
    (plan_copy / CQ).unlink()
    assert_refused(run_build(plan_copy, tmp_path / "out"), tmp_path / "out", ["co-quan.yaml", "thiếu tệp"])


def test_missing_plan_folder(tmp_path):
    res = run_build(tmp_path / "khong-co", tmp_path / "out")
    assert res.exit_code == 1 and "không có thư mục" in res.output


def _ok(plan_copy, tmp_path, *must_contain):
    res = run_build(plan_copy, tmp_path / "out")
    assert res.exit_code == 0, res.output
    text = "\n".join(docx_text_blocks(tmp_path / "out/tien-lu-2024/ke-hoach.docx"))
    for s in must_contain:
        assert s in text, s
    return res, text


def test_bom_and_windows_line_endings(plan_copy, tmp_path):
    path = plan_copy / KH
    path.write_bytes(b"\xef\xbb\xbf" + path.read_text("utf-8").replace("\n", "\r\n").encode("utf-8"))
    _ok(plan_copy, tmp_path, "KẾ HOẠCH HÀNH ĐỘNG")


def test_nfd_text_comes_out_nfc(plan_copy, tmp_path):
    path = plan_copy / KH
    path.write_text(unicodedata.normalize("NFD", path.read_text("utf-8")), "utf-8")
    _, text = _ok(plan_copy, tmp_path, "Ủy ban nhân dân huyện Tiên Lữ ban hành")
    assert unicodedata.normalize("NFC", text) == text


def test_tcvn3_text_converted_with_warning(plan_copy, tmp_path):
    path = plan_copy / KH
    path.write_text(path.read_text("utf-8").replace(
        "- UBND tỉnh\n", "- Céng hßa x· héi chñ nghÜa ViÖt Nam\n"), "utf-8")
    res, _ = _ok(plan_copy, tmp_path, "- Cộng hòa xã hội chủ nghĩa Việt Nam;")
    assert "Dữ liệu có 3 cảnh báo" in res.output       # build counts; validate names each
    res = CliRunner().invoke(main, ["validate", str(plan_copy)])
    assert "TCVN3" in res.output and "ke-hoach.yaml:" in res.output


def test_special_characters_and_long_values(plan_copy, tmp_path):
    path = plan_copy / KH
    tricky = 'A & B <c> "d" \'e\' {{ x }} {% if %} {_{ y }_} {_% z %_}'
    long = "rất dài " * 4000    # 32.000 characters: still fits one Excel cell
    path.write_text(path.read_text("utf-8").replace(
        "  - UBND tỉnh\n", f"  - {yaml_quote(tricky)}\n  - {long}\n"), "utf-8")
    _, text = _ok(plan_copy, tmp_path, tricky)
    assert long.strip() in text


def yaml_quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_line_break_in_value(plan_copy, tmp_path):
    path = plan_copy / KH
    path.write_text(path.read_text("utf-8").replace("  - UBND tỉnh\n", '  - "dòng một\\ndòng hai"\n'), "utf-8")
    _ok(plan_copy, tmp_path, "dòng một")


# -- workbooks ------------------------------------------------------------------------

def _xlsx_plan(plan_copy, example_out, edit=None):
    (plan_copy / PL1).unlink()
    dst = plan_copy / "phu-luc-i.xlsx"
    shutil.copy(example_out / "phu-luc-i.xlsx", dst)
    if edit:
        wb = openpyxl.load_workbook(dst)
        edit(wb.active)
        wb.save(dst)
    return dst


def test_xlsx_appendix_builds(plan_copy, example_out, tmp_path):
    _xlsx_plan(plan_copy, example_out)
    _ok(plan_copy, tmp_path, "654,247", "105/100")


def test_xlsx_merged_cells(plan_copy, example_out, tmp_path):
    _xlsx_plan(plan_copy, example_out, lambda ws: ws.merge_cells("B8:C8"))
    assert_refused(run_build(plan_copy, tmp_path / "out"), tmp_path / "out", ["Phụ lục I!B8:C8", "ô gộp"])


def test_xlsx_formula(plan_copy, example_out, tmp_path):
    _xlsx_plan(plan_copy, example_out, lambda ws: ws.__setitem__("D9", "=1+2"))
    assert_refused(run_build(plan_copy, tmp_path / "out"), tmp_path / "out", ["Phụ lục I!D9", "công thức"])


def test_xlsx_renamed_header(plan_copy, example_out, tmp_path):
    _xlsx_plan(plan_copy, example_out, lambda ws: ws.__setitem__("C5", "ĐVT"))
    assert_refused(run_build(plan_copy, tmp_path / "out"), tmp_path / "out", ["Phụ lục I!C5", "Đơn vị tính"])


def test_xlsx_missing_header(plan_copy, example_out, tmp_path):
    _xlsx_plan(plan_copy, example_out, lambda ws: ws.__setitem__("F5", None))
    assert_refused(run_build(plan_copy, tmp_path / "out"), tmp_path / "out", ["Phụ lục I!F5"])


def test_xlsx_bad_cell_value_located(plan_copy, example_out, tmp_path):
    _xlsx_plan(plan_copy, example_out, lambda ws: ws.__setitem__("G9", "gtsx"))  # duplicate code
    assert_refused(run_build(plan_copy, tmp_path / "out"), tmp_path / "out", ["[Phụ lục I!G", "bị trùng"])


def test_xlsx_not_a_zip(plan_copy, example_out, tmp_path):
    dst = _xlsx_plan(plan_copy, example_out)
    dst.write_text("không phải excel")
    assert_refused(run_build(plan_copy, tmp_path / "out"), tmp_path / "out", ["phu-luc-i.xlsx", "không phải tệp Office"])


def test_xlsx_zip_bomb(plan_copy, example_out, tmp_path):
    dst = _xlsx_plan(plan_copy, example_out)
    with zipfile.ZipFile(dst, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/bomb.bin", b"\0" * (120 * 1024 * 1024))
    assert_refused(run_build(plan_copy, tmp_path / "out"), tmp_path / "out", ["zip bomb"])


def test_both_yaml_and_xlsx(plan_copy, example_out, tmp_path):
    shutil.copy(example_out / "phu-luc-i.xlsx", plan_copy / "phu-luc-i.xlsx")
    assert_refused(run_build(plan_copy, tmp_path / "out"), tmp_path / "out", ["chỉ giữ một"])


def test_written_xlsx_keeps_formula_like_text_as_text(plan_copy, tmp_path):
    path = plan_copy / PL1
    path.write_text(path.read_text("utf-8").replace("ten: Chi đầu tư,", 'ten: "=SUM(A1:A3)",'), "utf-8")
    assert run_build(plan_copy, tmp_path / "out").exit_code == 0
    with zipfile.ZipFile(tmp_path / "out/tien-lu-2024/phu-luc-i.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet


# -- templates ------------------------------------------------------------------------

def _template_copy(tmp_path, old: str, new: str) -> Path:
    tdir = tmp_path / "tpl"
    tdir.mkdir()
    src = TEMPLATES / "ke-hoach.docx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(tdir / "ke-hoach.docx", "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "word/document.xml":
                text = data.decode()
                assert old in text
                data = text.replace(old, new, 1).encode()
            zout.writestr(info, data)
    return tdir


@pytest.mark.parametrize("old,new,expected", [
    ("{{ loi_dan }}", "{{ loi_dan }", "chưa đóng"),
    ("{{ loi_dan }}", "{{ loi_dan ] }}", "cú pháp thẻ sai"),
    ("{{ loi_dan }}", "{{ loi_dan_moi }}", "biến «loi_dan_moi»"),
    ("{%p elif d.loai == 'muc' %}", "{%p elif d.loai == ‘muc’ %}", "dấu nháy cong"),
    ("{{ trich_yeu }}", "{{ trich_</w:t></w:r><w:r><w:rPr><w:b/><w:i/></w:rPr><w:t>yeu }}", "bị Word tách"),
])
def test_bad_template(plan_copy, tmp_path, old, new, expected):
    tdir = _template_copy(tmp_path, old, new)
    res = run_build(plan_copy, tmp_path / "out", "--templates", str(tdir))
    assert res.exit_code == 1 and expected in res.output, res.output
    assert "ke-hoach.docx" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "out/tien-lu-2024/ke-hoach.docx").exists()


def test_template_not_a_docx(plan_copy, tmp_path):
    tdir = tmp_path / "tpl"
    tdir.mkdir()
    (tdir / "ke-hoach.docx").write_text("hỏng")
    res = run_build(plan_copy, tmp_path / "out", "--templates", str(tdir))
    assert res.exit_code == 1 and "không phải tệp Word" in res.output


def test_sandbox_blocks_python_internals(plan_copy, tmp_path):
    tdir = _template_copy(tmp_path, "{{ loi_dan }}", "{{ loi_dan.__class__.__mro__ }}")
    res = run_build(plan_copy, tmp_path / "out", "--templates", str(tdir))
    text = "\n".join(docx_text_blocks(tmp_path / "out/tien-lu-2024/ke-hoach.docx")) if res.exit_code == 0 else ""
    assert "class 'object'" not in text and "<class" not in text


def test_short_way_to_dict_items_keeps_the_sandbox_and_jinja_rules():
    """Items of a context dict are taken directly, but a name of dict's own (``items``) is still
    the method as Jinja gives it, an internal is still refused, and a missing key is still an error."""
    from jinja2.exceptions import SecurityError, UndefinedError
    from kehoach_docs.render.docx_engine import make_env
    env = make_env()
    row = {"ten": "A & <B>", "items": "giá trị", "con": {"ma": "x"}}
    out = env.from_string("{{ r.ten }}|{{ r.con.ma }}|{{ r.items is callable }}|{{ r['items'] }}").render(r=row)
    assert out == "A &amp; &lt;B&gt;|x|True|giá trị"
    with pytest.raises(SecurityError):
        env.from_string("{{ r.__class__.__subclasses__() }}").render(r=row)
    with pytest.raises(UndefinedError):
        env.from_string("{{ r.khong_co }}").render(r=row)

    class Odd:      # a key equal in hash to "ten" whose comparison fails: the sandbox makes it undefined
        def __hash__(self):
            return hash("ten")

        def __eq__(self, other):
            raise TypeError("không so được")
    with pytest.raises(UndefinedError):
        env.from_string("{{ r.ten }}").render(r={Odd(): 1})


def test_short_way_to_loop_fields_keeps_the_sandbox_rules():
    """``loop.length`` and the loop's other plain fields are read directly; its internals are still
    refused and its methods still work as Jinja gives them."""
    from jinja2.exceptions import SecurityError
    from kehoach_docs.render.docx_engine import make_env
    env = make_env()
    out = env.from_string("{% for x in 'abc' %}{{ loop.index }}/{{ loop.length }}{{ loop.cycle('+', '-') }}"
                          "{{ loop.last }} {% endfor %}").render()
    assert out == "1/3+False 2/3-False 3/3+True "
    for internal in ("loop.__class__.__mro__", "loop._iterable", "loop._after"):
        with pytest.raises(SecurityError):
            env.from_string("{% for x in 'ab' %}{{ " + internal + " }}{% endfor %}").render()


def test_signer_name_left_empty_is_a_warning_not_an_error(plan_copy):
    """``ho_ten:`` with nothing after it is YAML's null: the name is not yet known, as with ``""``."""
    kh = plan_copy / KH
    kh.write_text(kh.read_text("utf-8").replace("  ho_ten: Nguyễn Thị Bích Hương", "  ho_ten:"), "utf-8")
    res = CliRunner().invoke(main, ["validate", str(plan_copy)])
    assert res.exit_code == 0, res.output
    assert "chưa ghi họ tên người ký (nguoi_ky.ho_ten)" in res.output and "Traceback" not in res.output


def test_validate_exit_codes(plan_copy):
    runner = CliRunner()
    assert runner.invoke(main, ["validate", str(plan_copy)]).exit_code == 0
    (plan_copy / CQ).write_text("co_quan: []\n", "utf-8")
    bad = runner.invoke(main, ["validate", str(plan_copy)])
    assert bad.exit_code == 1 and "co-quan.yaml" in bad.output
    assert runner.invoke(main, ["validate", "--bogus"]).exit_code == 2


def test_an_escape_past_unicode_without_libyaml(tmp_path, monkeypatch):
    """Without libyaml (PyYAML built without it), the pure-Python parser's ValueError is a message too."""
    from kehoach_docs.problems import Problems
    from kehoach_docs.source import yaml_file
    monkeypatch.setattr(yaml_file, "LOADER", __import__("yaml").SafeLoader)
    path = tmp_path / "ke-hoach.yaml"
    path.write_text('a:\n  b: "Tiên Lữ\\U00110000"\n', encoding="utf-8")
    problems = Problems()
    assert yaml_file.read_yaml(path, problems) is None
    [problem] = problems.items
    assert "vượt quá mã Unicode lớn nhất (10FFFF)" in problem.message


@pytest.mark.parametrize("text, line, expected", [
    ('a: 1\nb: "abc\nc: 2\n', "2", "dấu ngoặc kép (hoặc ngoặc đơn) mở ở dòng này không được đóng"),
    # closed by the next value's quote, the run-on value ends in a line YAML cannot read: told where it opened
    ('a:\n  b: "abc\n  c: 2\n  d: "x"\n', "2", "dấu ngoặc kép mở ở dòng này không được đóng trên dòng này, "
     "nên YAML đọc các dòng sau đến dòng 4"),
    ("a:\n  - 'abc\n  - b\n  - 'c'\n", "2", "dấu ngoặc đơn mở ở dòng này không được đóng"),
    # in a list: the list's own message speaks of the line «[» is on, so it is not quoted on another
    ('a: [\n  "VP",\n  "TCKH,\n  "CA"]\n', "3", "dấu ngoặc kép mở ở dòng này không được đóng trên dòng này, "
     "nên YAML đọc các dòng sau đến dòng 4 thành một giá trị rồi gặp lỗi ở đó; hãy thêm"),
    # a value wrapped over lines on purpose (as yaml.safe_dump writes them), then a stray character:
    # not an unclosed quote (found by a review: the advice would have broken the file further)
    ('a:\n  b: "một giá trị dài\n    gói sang dòng sau". \n', "3", "thụt lề không thẳng hàng"),
    ('a: {x: "dài\n  tiếp" y: 1}\n', "1", "hoặc thiếu dấu phẩy giữa các mục"),
    # a file that parsed has every quote closed: the tag is what is wrong
    ('a: ["dòng một\n  dòng hai", !vb abc]\n', "2", "thẻ YAML «!vb» không dùng được"),
    # an escape past Unicode: libyaml refuses it, and the pure-Python parser's re-read raised ValueError
    ('a:\n  b: "Tiên Lữ\\U00110000"\n', "2", "vượt quá mã Unicode lớn nhất (10FFFF)"),
    ("a: 1\nb: {x: 1\nc: 2\n", "2", "bảng mở bằng «{» ở dòng này chưa đóng bằng «}»"),
    ('a: "C:\\qua"\n', "1", "«\\q» không phải ký tự thoát hợp lệ"),
    ("a: 1\n---\nb: 2\n", "2", "xóa dòng «---» thứ hai"),
    ("a: !foo x\n", "1", "thẻ YAML «!foo» không dùng được"),
    ("a: 1\nb: |2\nc: 2\n", "2", 'dấu ngoặc kép: "|2"'),
    ('a: "C:\\Users\\x"\n', "1", "dấu «\\» mở đầu một ký tự thoát"),
])
def test_yaml_syntax_errors_in_vietnamese_where_the_mend_goes(tmp_path, text, line, expected):
    from kehoach_docs.problems import Problems
    from kehoach_docs.source.yaml_file import read_yaml
    path = tmp_path / "ke-hoach.yaml"
    path.write_text(text, encoding="utf-8")
    problems = Problems()
    assert read_yaml(path, problems) is None
    [problem] = problems.items
    assert problem.where == line and expected in problem.message, problem
    assert "thông báo gốc của YAML" not in problem.message


def test_an_amendment_heading_is_not_the_starters_mark(plan_copy):
    """«SỬA ĐỔI, BỔ SUNG …» is a heading, not what kehoach init left to replace (found by an attack)."""
    pl2 = plan_copy / PL2
    text = pl2.read_text("utf-8")
    start = text.index("noi_dung:") + len("noi_dung:")
    pl2.write_text(text[:start] + " SỬA ĐỔI, BỔ SUNG quy chế chi tiêu nội bộ" + text[text.index("\n", start):], "utf-8")
    res = CliRunner().invoke(main, ["-v", "validate", str(plan_copy)])
    assert res.exit_code == 0, res.output
    assert "SỬA ĐỔI" not in res.output and "còn chữ của kế hoạch mẫu" not in res.output
