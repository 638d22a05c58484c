"""Issue 9: nothing lost, nothing hangs.

Each numbered finding of the issue has its case here, with the exact outcome: the
message and where it points, what was written and what was kept. Hostile files are
made on the fly (a bomb of aliases, a zip whose part inflates past its header…).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from conftest import ROOT, docx_text_blocks
from kehoach_docs.cli import main

RUN = CliRunner()


def cli(*args):
    return RUN.invoke(main, [str(a) for a in args])


def no_traceback(res):
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.output


def edit_docx(path: Path, words: str) -> bytes:
    """Edit a document as a clerk does in Word: add a paragraph, save."""
    doc = Document(str(path))
    doc.add_paragraph(words)
    doc.save(str(path))
    return path.read_bytes()


def kept_copies(folder: Path, stem: str) -> list[Path]:
    return sorted(folder.glob(f"{stem}.sua-tay*"))


def build(plan, out, *extra):
    res = cli("build", plan, "-o", out, "-j", "1", *extra)
    no_traceback(res)
    return res


# -- 1. hand edits survive every way an output is replaced ---------------------------------------

def _change_target(plan: Path) -> None:
    p = plan / "phu-luc-i.yaml"
    p.write_text(p.read_text("utf-8").replace('muc_tieu: "8,61"', 'muc_tieu: "8,7"', 1), "utf-8")


def _change_template(templates: Path) -> None:
    doc = Document(str(templates / "ke-hoach.docx"))
    doc.core_properties.comments = "sửa mẫu"
    doc.save(str(templates / "ke-hoach.docx"))


@pytest.mark.parametrize("how", ["data", "template", "version", "force", "manifest-deleted",
                                 "manifest-damaged", "manifest-wrong-shape"])
def test_hand_edit_survives_every_rebuild(plan_copy, tmp_path, how, monkeypatch):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates" / "docx", templates)
    out = tmp_path / "out"
    assert build(plan_copy, out, "--templates", templates).exit_code == 0
    folder = out / "tien-lu-2024"
    edited = edit_docx(folder / "ke-hoach.docx", "Đoạn do văn thư thêm bằng Word")
    extra = []
    manifest = folder / ".kehoach-manifest.json"
    if how == "data":
        _change_target(plan_copy)
    elif how == "template":
        _change_template(templates)
    elif how == "version":
        import kehoach_docs
        import kehoach_docs.batch.jobs as jobs
        for mod in (kehoach_docs, jobs):
            monkeypatch.setattr(mod, "__version__", "9.9.9")
    elif how == "force":
        extra = ["--force"]
    elif how == "manifest-deleted":
        manifest.unlink()
    elif how == "manifest-damaged":
        manifest.write_text("{ hỏng", "utf-8")
    elif how == "manifest-wrong-shape":
        manifest.write_text(json.dumps({"outputs": [1, 2], "inputs": "x"}), "utf-8")
    res = build(plan_copy, out, "--templates", templates, *extra)
    assert res.exit_code == 0, res.output
    copies = kept_copies(folder, "ke-hoach")
    assert [c.name for c in copies] == ["ke-hoach.sua-tay.docx"], res.output
    assert copies[0].read_bytes() == edited
    assert "ke-hoach.docx đã bị sửa tay: cất thành ke-hoach.sua-tay.docx" in res.output
    assert "Đoạn do văn thư thêm bằng Word" not in docx_text_blocks(folder / "ke-hoach.docx")
    if how.startswith("manifest-d") or how.endswith("shape"):
        if how != "manifest-deleted":
            assert "bị hỏng" in res.output and "bỏ qua" in res.output
        # unedited outputs rebuilt to the same bytes are not copied
        assert not kept_copies(folder, "phu-luc-i")


def test_unedited_outputs_are_replaced_without_copies(plan_copy, tmp_path):
    out = tmp_path / "out"
    build(plan_copy, out)
    _change_target(plan_copy)
    res = build(plan_copy, out)
    assert "dữ liệu thay đổi" in res.output
    assert not list((out / "tien-lu-2024").glob("*.sua-tay*"))


@pytest.mark.parametrize("lost", ["record-missing", "manifest-deleted"])
def test_kehoachs_own_files_are_known_without_their_record(plan_copy, tmp_path, lost):
    """A file kehoach wrote that no record holds (its run was killed before recording it, or the
    manifest was deleted) is known by the seal in its properties: a rebuild with other data
    replaces it without a .sua-tay copy, and a file edited by hand is still kept."""
    out = tmp_path / "out"
    build(plan_copy, out)
    folder = out / "tien-lu-2024"
    manifest = folder / ".kehoach-manifest.json"
    before = manifest.read_bytes()
    _change_target(plan_copy)
    build(plan_copy, out)
    if lost == "record-missing":
        manifest.write_bytes(before)    # as if the run that wrote these had been killed before recording
    else:
        manifest.unlink()
    edited = edit_docx(folder / "ke-hoach.docx", "Đoạn do văn thư thêm bằng Word")
    p = plan_copy / "phu-luc-i.yaml"
    p.write_text(p.read_text("utf-8").replace('muc_tieu: "8,7"', 'muc_tieu: "8,8"', 1), "utf-8")
    res = build(plan_copy, out)
    assert res.exit_code == 0, res.output
    assert [c.name for c in folder.glob("*.sua-tay*")] == ["ke-hoach.sua-tay.docx"], res.output
    assert (folder / "ke-hoach.sua-tay.docx").read_bytes() == edited
    assert "8,8" in [c.value for row in openpyxl.load_workbook(folder / "phu-luc-i.xlsx").active.iter_rows()
                     for c in row]


def test_another_outputs_file_copied_over_one_is_kept(plan_copy, tmp_path):
    """A file kehoach made for another output (another agency's draft copied over this one) is not
    this output as kehoach wrote it: it is kept as .sua-tay before the rebuild."""
    out = tmp_path / "out"
    res = cli("reports", plan_copy, "-o", out, "-j", "1")
    assert res.exit_code == 0, res.output
    folder = out / "tien-lu-2024" / "bao-cao"
    shutil.copy(folder / "YT.docx", folder / "VP.docx")
    res = cli("reports", plan_copy, "-o", out, "-j", "1")
    assert res.exit_code == 0, res.output
    assert (folder / "VP.sua-tay.docx").read_bytes() == (folder / "YT.docx").read_bytes()
    assert [p.name for p in folder.glob("*.sua-tay*")] == ["VP.sua-tay.docx"]


def test_the_seal_tells_only_files_as_kehoach_wrote_them(example_out, reports_out, tmp_path):
    """A file is sealed only as kehoach wrote it: saved again by Excel's library or Word's, with a
    byte added after or before its records, or with one part changed (its size kept), it is not."""
    from kehoach_docs.render.package import is_sealed
    src = example_out
    assert is_sealed(src / "phu-luc-i.xlsx") and is_sealed(src / "ke-hoach.docx")
    data = (src / "ke-hoach.docx").read_bytes()
    cases = {"after.docx": data + b"\0", "before.docx": b"\0" + data}
    with zipfile.ZipFile(io.BytesIO(data)) as z, zipfile.ZipFile(buf := io.BytesIO(), "w", zipfile.ZIP_DEFLATED) as w:
        for info in z.infolist():
            part = z.read(info)
            w.writestr(info, part.replace(b"Tr", b"TR", 1) if info.filename == "word/document.xml" else part)
    cases["part.docx"] = buf.getvalue()
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
        assert not is_sealed(tmp_path / name), name
    wb = openpyxl.load_workbook(src / "phu-luc-i.xlsx")
    wb.save(tmp_path / "saved.xlsx")
    doc = Document(str(src / "ke-hoach.docx"))
    doc.save(str(tmp_path / "saved.docx"))
    assert not is_sealed(tmp_path / "saved.xlsx") and not is_sealed(tmp_path / "saved.docx")
    (tmp_path / "not-a-zip.docx").write_bytes(b"PK\3\4 broken")
    assert not is_sealed(tmp_path / "not-a-zip.docx")
    # only the custom properties changed, in a tool that keeps the zip's layout: a property added
    def rezip(name: str, custom: bytes) -> Path:
        with zipfile.ZipFile(io.BytesIO(data)) as z, zipfile.ZipFile(tmp_path / name, "w", zipfile.ZIP_DEFLATED) as w:
            for info in z.infolist():
                w.writestr(info, custom if info.filename == "docProps/custom.xml" else z.read(info))
        return tmp_path / name
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        custom = z.read("docProps/custom.xml")
    assert is_sealed(rezip("same.docx", custom))        # the same bytes zipped the same way
    added = custom.replace(b"</Properties>", b'<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="9" '
                                             b'name="Ghi_chu_duyet"><vt:lpwstr>x</vt:lpwstr></property></Properties>')
    assert not is_sealed(rezip("added.docx", added))
    # written as one output, found as another (another agency's draft copied over this one)
    assert is_sealed(reports_out / "bao-cao" / "YT.docx", "tien-lu-2024/bao-cao/YT.docx")
    assert not is_sealed(reports_out / "bao-cao" / "YT.docx", "tien-lu-2024/bao-cao/VP.docx")


def test_a_crafted_properties_part_is_read_in_bounded_time(tmp_path):
    """Found by a review: the properties pattern took time growing with the cube of a crafted part
    (a 4.5 kB file held a rebuild for over a minute, Ctrl-C waiting on it). Run as a process with
    a bound, so a regression fails here instead of hanging the suite."""
    path = tmp_path / "ke-hoach.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as w:     # stored: the zip-bomb guard lets it by
        w.writestr("[Content_Types].xml", "<Types/>")
        w.writestr("docProps/custom.xml", '<property name="a"' * 3500)
    code = ("import sys; from kehoach_docs.render.package import is_sealed, read_properties; "
            "print(is_sealed(sys.argv[1]), read_properties(sys.argv[1]))")
    res = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60)
    assert res.stdout.strip() == "False {}", res.stderr


def test_second_edit_gets_its_own_copy(plan_copy, tmp_path):
    out = tmp_path / "out"
    build(plan_copy, out)
    folder = out / "tien-lu-2024"
    first = edit_docx(folder / "ke-hoach.docx", "lần một")
    build(plan_copy, out)
    second = edit_docx(folder / "ke-hoach.docx", "lần hai")
    build(plan_copy, out, "--force")
    copies = kept_copies(folder, "ke-hoach")
    assert [c.name for c in copies] == ["ke-hoach.sua-tay-2.docx", "ke-hoach.sua-tay.docx"]
    assert (folder / "ke-hoach.sua-tay.docx").read_bytes() == first
    assert (folder / "ke-hoach.sua-tay-2.docx").read_bytes() == second


def test_collect_keeps_an_edited_summary(plan_copy, tmp_path):
    out = tmp_path / "out"
    res = cli("reports", plan_copy, "-o", out, "-j", "1")
    assert res.exit_code == 0, res.output
    folder = out / "tien-lu-2024"
    edited = edit_docx(folder / "tong-hop.docx", "Văn phòng sửa báo cáo tổng hợp")
    book = tmp_path / "TCKH.xlsx"
    shutil.copy(folder / "bao-cao" / "TCKH.xlsx", book)
    wb = openpyxl.load_workbook(book)
    ws = wb["Chỉ tiêu"]
    ws.cell(row=5, column=6).value = 600
    wb.save(book)
    res = cli("collect", plan_copy, book, "-o", out, "-j", "1")
    no_traceback(res)
    assert res.exit_code == 0, res.output
    assert (folder / "tong-hop.sua-tay.docx").read_bytes() == edited
    assert "tong-hop.docx đã bị sửa tay" in res.output


def test_diff_keeps_an_edited_comparison(plan_copy, tmp_path):
    old = tmp_path / "cu" / "tien-lu-2024"
    shutil.copytree(plan_copy, old)
    _change_target(plan_copy)
    target = tmp_path / "so-sanh" / "so-sanh.docx"
    res = cli("diff", old, plan_copy, "-o", target)
    assert res.exit_code == 0, res.output
    edited = edit_docx(target, "ghi chú tay")
    p = plan_copy / "phu-luc-i.yaml"
    p.write_text(p.read_text("utf-8").replace('muc_tieu: "8,7"', 'muc_tieu: "8,8"', 1), "utf-8")
    res = cli("diff", old, plan_copy, "-o", target)
    no_traceback(res)
    assert res.exit_code == 0, res.output
    assert (target.parent / "so-sanh.sua-tay.docx").read_bytes() == edited
    assert "8,8" in "\n".join(docx_text_blocks(target))


# -- 2. bounded input -------------------------------------------------------------------------

def alias_bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("tail, line_offset, message", [
    (alias_bomb(), 2, "không dùng bí danh YAML (*a0)"),
    ("r: &r [*r]\n", 1, "không dùng bí danh YAML (*r)"),
    ("d: " + "[" * 5000 + "]" * 5000 + "\n", 1, "các mục lồng nhau quá sâu (quá 40 cấp)"),
], ids=["alias-bomb", "recursive-alias", "deep-nesting"])
def test_yaml_bombs_are_refused_with_their_line(plan_copy, tmp_path, tail, line_offset, message):
    path = plan_copy / "ke-hoach.yaml"
    text = path.read_text("utf-8")
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text + tail, "utf-8")
    line = text.count("\n") + line_offset
    res = cli("validate", plan_copy)
    no_traceback(res)
    assert res.exit_code == 1
    assert f"ke-hoach.yaml:{line}: lỗi: {message}" in res.output


def _result_book(tmp_path) -> tuple[Path, Path, Path]:
    plan = tmp_path / "tien-lu-2024"
    shutil.copytree(ROOT / "data" / "tien-lu-2024", plan)
    out = tmp_path / "out"
    res = cli("reports", plan, "-o", out, "-j", "1", "--agency", "TCKH")
    assert res.exit_code == 0, res.output
    book = tmp_path / "TCKH.xlsx"
    shutil.copy(out / "tien-lu-2024" / "bao-cao" / "TCKH.xlsx", book)
    return plan, out, book


def test_far_cell_in_a_result_workbook(tmp_path):
    plan, out, book = _result_book(tmp_path)
    wb = openpyxl.load_workbook(book)
    wb["Chỉ tiêu"].cell(row=1048576, column=1).number_format = "0.00"
    wb.save(book)
    res = cli("collect", plan, book, "-o", out)
    no_traceback(res)
    assert res.exit_code == 1
    assert "TCKH.xlsx [Chỉ tiêu!G1048576]: lỗi: trang tính có ô dùng tới dòng 1048576, cột 7 " \
           "(tối đa 5000 dòng, 50 cột)" in res.output
    assert not (plan / "ket-qua").exists()


def test_far_cell_in_an_appendix_workbook(plan_copy, tmp_path, example_out):
    (plan_copy / "phu-luc-ii.yaml").unlink()
    dst = plan_copy / "phu-luc-ii.xlsx"
    shutil.copy(example_out / "phu-luc-ii.xlsx", dst)
    wb = openpyxl.load_workbook(dst)
    wb.worksheets[0].cell(row=1048576, column=3).font = openpyxl.styles.Font(bold=True)
    wb.save(dst)
    res = cli("validate", plan_copy)
    no_traceback(res)
    assert res.exit_code == 1
    from openpyxl.utils import get_column_letter
    from kehoach_docs.model.tables import TASKS
    last = get_column_letter(len(TASKS.columns))
    assert f"phu-luc-ii.xlsx [Phụ lục II!{last}1048576]: lỗi: trang tính có ô dùng tới dòng 1048576" in res.output


# -- hostile zips, shared by collect, the appendix reader, check and info ------------------------

def _patch_central(data: bytes, name: str, *, method: int | None = None, size: int | None = None) -> bytes:
    """Rewrite the central-directory record of ``name``: its compression method or declared size."""
    buf = bytearray(data)
    pos = buf.find(b"PK\x01\x02")
    while pos != -1:
        nlen = struct.unpack_from("<H", buf, pos + 28)[0]
        if buf[pos + 46: pos + 46 + nlen].decode() == name:
            if method is not None:
                struct.pack_into("<H", buf, pos + 10, method)
            if size is not None:
                struct.pack_into("<I", buf, pos + 24, size)
            return bytes(buf)
        pos = buf.find(b"PK\x01\x02", pos + 4)
    raise KeyError(name)


def _damaged_directory(data: bytes) -> bytes:
    pos = data.find(b"PK\x01\x02")
    return data[:pos] + b"XX\x01\x02" + data[pos + 4:]


def _rezip(src: Path, replace: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info)))
    return out.getvalue()


@pytest.fixture
def docx_file(example_out, tmp_path) -> Path:
    dst = tmp_path / "ke-hoach.docx"
    shutil.copy(example_out / "ke-hoach.docx", dst)
    return dst


@pytest.mark.parametrize("damage, message", [
    ("inflates", "phần «word/document.xml» của tệp bị hỏng"),
    ("method", "nén bằng phương pháp không hỗ trợ (mã 99)"),
    ("directory", "tệp bị hỏng hoặc không phải tệp Office"),
    ("no-body", "không có phần thân văn bản (w:body)"),
])
def test_check_on_damaged_documents(docx_file, damage, message):
    data = docx_file.read_bytes()
    if damage == "inflates":
        data = _patch_central(data, "word/document.xml", size=100)
    elif damage == "method":
        data = _patch_central(data, "word/document.xml", method=99)
    elif damage == "directory":
        data = _damaged_directory(data)
    else:
        data = _rezip(docx_file, {"word/document.xml": b'<w:document xmlns:w="http://schemas.openxmlformats.org/'
                                                          b'wordprocessingml/2006/main"/>'})
    docx_file.write_bytes(data)
    res = cli("check", docx_file)
    no_traceback(res)
    assert res.exit_code == 1
    assert message in res.output


@pytest.mark.parametrize("what, message", [
    ("missing", "không có tệp hoặc thư mục này"),
    ("folder", "đây là thư mục, không phải tệp"),
    ("pdf", "đây là tệp PDF, không phải tệp Office (.docx, .xlsx)"),
    ("doc", "tệp Word/Excel đời cũ (.doc, .xls) hoặc có mật khẩu"),
    ("text", "không phải tệp Office (.docx, .xlsx)"),
])
def test_check_and_info_say_what_the_file_is(tmp_path, what, message):
    """Found by a tester: a missing file was «không phải tệp Word .docx hợp lệ: … (No such file or
    directory)», a folder and kehoach's own PDF «tệp bị hỏng». Each now says what it is, in Vietnamese."""
    path = tmp_path / {"missing": "khong-co.docx", "folder": "thu-muc", "pdf": "ke-hoach.pdf",
                       "doc": "cu.doc", "text": "ghi-chu.docx"}[what]
    if what == "folder":
        path.mkdir()
    elif what != "missing":
        path.write_bytes({"pdf": b"%PDF-1.7\n", "doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
                          "text": "không phải zip".encode()}[what])
    for command in ("check", "info"):
        res = cli(command, path)
        no_traceback(res)
        assert res.exit_code == 1 and f"{path}: " in res.output and message in res.output, res.output
        assert "No such file" not in res.output and "tệp bị hỏng" not in res.output
        if what in ("missing", "folder"):       # nothing there to be a valid or invalid Word file
            assert "không phải tệp Word" not in res.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes (POSIX)")
def test_a_pipe_or_a_device_is_refused_not_waited_on(plan_copy, tmp_path):
    """Found by an attack: «check» on a named pipe waited for a writer for good, and «info /dev/zero»
    read 4 GB in five seconds; a plan file that is a pipe would do the same. Run as processes with a
    bound, so a regression fails here instead of hanging the suite."""
    pipe = tmp_path / "ong.docx"
    os.mkfifo(pipe)
    (plan_copy / "co-quan.yaml").unlink()
    os.mkfifo(plan_copy / "co-quan.yaml")
    kehoach = [sys.executable, "-m", "kehoach_docs"]
    for args, expected in ((["check", str(pipe)], "không phải tệp thông thường (thiết bị hay ống dẫn)"),
                           (["info", "/dev/zero"], "không phải tệp thông thường"),
                           (["validate", str(plan_copy)], "co-quan.yaml: lỗi: không đọc được tệp (không phải tệp thông thường")):
        proc = subprocess.run(kehoach + args, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1 and expected in proc.stdout + proc.stderr, proc.stdout + proc.stderr
        assert "Traceback" not in proc.stderr


def test_info_bounded_and_damaged(docx_file, tmp_path):
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("docProps/custom.xml", b"\0" * (200 * 1024 * 1024))
    latin = tmp_path / "latin.docx"
    latin.write_bytes(_rezip(docx_file, {"docProps/custom.xml": "<Properties>é</Properties>".encode("latin-1")}))
    broken = tmp_path / "broken.docx"
    broken.write_bytes(_damaged_directory(docx_file.read_bytes()))
    res = cli("info", bomb, latin, broken, docx_file)
    no_traceback(res)
    assert res.exit_code == 1
    assert f"{bomb}: không đọc được: tệp giải nén ra quá lớn" in res.output
    assert f"{latin}: không đọc được: phần «docProps/custom.xml» không phải văn bản UTF-8" in res.output
    assert f"{broken}: không đọc được: tệp bị hỏng" in res.output
    assert "data_sha256:" in res.output    # the sound file is still read
    assert "nguyen_ven: có" in res.output     # and told to be as kehoach wrote it
    edit_docx(docx_file, "sửa")
    assert "nguyen_ven: không (tệp đã được sửa sau khi kehoach dựng)" in cli("info", docx_file).output


def test_a_word_file_named_xlsx_is_called_what_it_is(tmp_path, example_out):
    """Found by a tester: «không mở được tệp Excel (OSError)», a word of Python's, for a .docx renamed."""
    plan, out, book = _result_book(tmp_path)
    shutil.copy(out / "tien-lu-2024" / "bao-cao" / "TCKH.docx", book)
    res = cli("collect", plan, book, "-o", out)
    no_traceback(res)
    assert res.exit_code == 1 and "TCKH.xlsx: lỗi: đây là tệp Word (.docx), không phải sổ Excel (.xlsx)" in res.output
    (plan / "phu-luc-i.yaml").unlink()
    shutil.copy(example_out / "ke-hoach.docx", plan / "phu-luc-i.xlsx")
    res = cli("validate", plan)
    assert res.exit_code == 1 and "phu-luc-i.xlsx: lỗi: đây là tệp Word (.docx)" in res.output
    assert "OSError" not in res.output


def test_damaged_workbook_in_collect_and_as_plan_source(tmp_path, example_out):
    plan, out, book = _result_book(tmp_path)
    book.write_bytes(_damaged_directory(book.read_bytes()))
    res = cli("collect", plan, book, "-o", out)
    no_traceback(res)
    assert res.exit_code == 1 and "TCKH.xlsx: lỗi: tệp bị hỏng hoặc không phải tệp Office" in res.output
    (plan / "phu-luc-i.yaml").unlink()
    (plan / "phu-luc-i.xlsx").write_bytes(_damaged_directory((example_out / "phu-luc-i.xlsx").read_bytes()))
    res = cli("validate", plan)
    no_traceback(res)
    assert res.exit_code == 1 and "phu-luc-i.xlsx: lỗi: tệp bị hỏng" in res.output


# -- 3. the output folder is never the plan folder -------------------------------------------------

def test_output_inside_the_plan_is_refused(plan_copy, tmp_path):
    res = build(plan_copy, tmp_path / "out")   # makes phu-luc-i.xlsx to put in the plan
    (plan_copy / "phu-luc-i.yaml").unlink()
    source = plan_copy / "phu-luc-i.xlsx"
    shutil.copy(tmp_path / "out" / "tien-lu-2024" / "phu-luc-i.xlsx", source)
    before = source.read_bytes()
    for target in (plan_copy.parent, plan_copy):
        res = build(plan_copy, target)
        assert res.exit_code == 1
        assert "thư mục kế hoạch" in res.output and "-o" in res.output
    assert source.read_bytes() == before
    assert not (plan_copy / "ke-hoach.docx").exists()
    assert not (plan_copy / "tien-lu-2024").exists()
    res = cli("diff", plan_copy, plan_copy, "-o", plan_copy / "so-sanh.docx")
    assert res.exit_code == 1 and not (plan_copy / "so-sanh.docx").exists()


# -- 4. text too long for a cell --------------------------------------------------------------------

def test_text_over_a_cell_is_an_error_not_a_cut(plan_copy):
    p = plan_copy / "phu-luc-ii.yaml"
    text = p.read_text("utf-8")
    first = text.index("    noi_dung: ")
    end = text.index("\n", first)
    p.write_text(text[:first] + "    noi_dung: " + "dài " * 9000 + text[end:], "utf-8")
    line = text[:first].count("\n") + 1
    res = cli("validate", plan_copy)
    assert res.exit_code == 1
    assert f"phu-luc-ii.yaml:{line}: lỗi: nhiem_vu[1].noi_dung: dài 35.999 ký tự, quá 32.767 ký tự" in res.output


# -- 5. tracebacks become located errors ------------------------------------------------------------

@pytest.mark.parametrize("old, new, message", [
    ('muc_tieu: "8,61"', 'muc_tieu: "10.000.000.000.000.000.000.000.000.000"', "quá lớn hoặc không hữu hạn"),
    ('muc_tieu: "8,61"', "muc_tieu: 1.0e+30", "quá lớn hoặc không hữu hạn"),
    ('muc_tieu: "8,61"', "muc_tieu: .inf", "số «inf» quá lớn hoặc không hữu hạn"),
    ('muc_tieu: "8,61"', "muc_tieu: .nan", "số «nan» quá lớn hoặc không hữu hạn"),
    ('muc_tieu: "8,61"', 'muc_tieu: "8,61\\ud800"', "U+D800"),
])
def test_numbers_and_characters_that_cannot_print(plan_copy, old, new, message):
    p = plan_copy / "phu-luc-i.yaml"
    text = p.read_text("utf-8")
    assert old in text
    p.write_text(text.replace(old, new, 1), "utf-8")
    line = text[: text.index(old)].count("\n") + 1
    res = cli("validate", plan_copy)
    no_traceback(res)
    assert res.exit_code == 1
    assert f"phu-luc-i.yaml:{line}: lỗi: " in res.output and message in res.output
    assert "\ud800" not in res.output


def test_huge_result_in_workbook_and_results_file(tmp_path):
    plan, out, book = _result_book(tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["Chỉ tiêu"]
    ws.cell(row=5, column=6).value = 1e30
    wb.save(book)
    res = cli("collect", plan, book, "-o", out)
    no_traceback(res)
    assert res.exit_code == 1
    assert "TCKH.xlsx [Chỉ tiêu!F5]: lỗi: " in res.output and "quá lớn" in res.output
    (plan / "ket-qua").mkdir()
    (plan / "ket-qua" / "TCKH.yaml").write_text("co_quan: TCKH\nchi_tieu:\n  thu-ns:\n    uoc_thuc_hien: 1.0e+40\n",
                                                 "utf-8")
    res = cli("reports", plan, "-o", out)
    no_traceback(res)
    assert res.exit_code == 1
    assert "ket-qua/TCKH.yaml:4: lỗi: chi_tieu.thu-ns.uoc_thuc_hien" in res.output


def test_last_resort_handler(monkeypatch, tmp_path):
    import kehoach_docs.source.plan_dir as plan_dir
    monkeypatch.setattr(plan_dir, "load_plan", lambda *a, **k: 1 / 0)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    res = cli("validate", ROOT / "data" / "tien-lu-2024")
    assert res.exit_code == 70
    assert "Traceback" not in res.output
    assert "Lỗi ngoài dự kiến trong kehoach (ZeroDivisionError)" in res.output
    reports = list(tmp_path.glob("kehoach-loi-*.txt"))
    assert len(reports) == 1 and "ZeroDivisionError" in reports[0].read_text("utf-8")


# -- 6. nothing printed wrong ------------------------------------------------------------------------

def test_template_escapes_and_invisible_characters(plan_copy, tmp_path):
    kh = plan_copy / "ke-hoach.yaml"
    text = kh.read_text("utf-8")
    text = text.replace("  - UBND tỉnh\n", '  - "Giữ {_{ x }_} và {_% y %_}"\n  - "Sở\\u202eTài chính\\u200b"\n')
    kh.write_text(text, "utf-8")
    res = build(plan_copy, tmp_path / "out")
    assert res.exit_code == 0, res.output
    assert "Dữ liệu có 3 cảnh báo" in res.output          # counted on build, each named by validate
    res = cli("validate", plan_copy)
    assert "đã xóa 2 ký tự định dạng vô hình (U+202E, U+200B)" in res.output
    blocks = docx_text_blocks(tmp_path / "out" / "tien-lu-2024" / "ke-hoach.docx")
    assert "- Giữ {_{ x }_} và {_% y %_};" in blocks
    assert "- SởTài chính;" in blocks


def test_reference_in_a_cited_summary_is_refused(plan_copy):
    kh = plan_copy / "ke-hoach.yaml"
    text = kh.read_text("utf-8")
    old = "    trich_yeu: về kinh tế - xã hội, tài chính, ngân sách nhà nước và đầu tư công năm 2024"
    assert old in text
    kh.write_text(text.replace(old, old + " {ct:gtsx}", 1), "utf-8")
    line = text[: text.index(old)].count("\n") + 1
    code = "kl726-tu"
    res = cli("validate", plan_copy)
    assert res.exit_code == 1
    assert (f"ke-hoach.yaml:{line}: lỗi: van_ban_tham_chieu.{code}.trich_yeu: tham chiếu «{{ct:gtsx}}» "
            "chỉ dùng được trong lời văn") in res.output


# -- 7. leftovers and platform -------------------------------------------------------------------------

def test_interrupted_writes_are_swept(plan_copy, tmp_path):
    out = tmp_path / "out"
    build(plan_copy, out)
    folder = out / "tien-lu-2024"
    leftovers = [folder / ".ke-hoach.docx.k2j4h1x0.tmp", folder / ".phu-luc-i.xlsx.abcd_123.tmp"]
    for f in leftovers:
        f.write_bytes(b"half")
    mine = folder / ".ghi-chu.tmp"     # not ours: not touched
    mine.write_text("x")
    build(plan_copy, out, "--force")
    assert not any(f.exists() for f in leftovers)
    assert mine.exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_outputs_are_ordinary_files_for_their_readers(tmp_path):
    """A temporary file is created with the umask's permissions, as any program's output is, and
    keeps them when renamed into place; a missing folder is made."""
    from kehoach_docs.atomic import write_atomic
    old = os.umask(0o027)
    try:
        target = tmp_path / "moi" / "bao-cao" / "TCKH.docx"
        write_atomic(target, b"one")
        write_atomic(target, b"two")
    finally:
        os.umask(old)
    assert target.read_bytes() == b"two"
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in target.parent.iterdir()] == ["TCKH.docx"]


def test_an_interrupt_just_after_the_temporary_file_is_made_leaves_nothing(tmp_path, monkeypatch):
    """Ctrl-C reaches a worker that runs a whole plan anywhere, also between the open that makes the
    temporary file and the line that learns its name (found by an attack: 3 in 130 interrupts left
    a ``..kehoach-manifest.json.….tmp``)."""
    import kehoach_docs.atomic as atomic
    real_open = os.open

    def open_then_interrupted(*args, **kwargs):
        real_open(*args, **kwargs)
        raise KeyboardInterrupt
    monkeypatch.setattr(atomic.os, "open", open_then_interrupted)
    target = tmp_path / "TCKH.docx"
    target.write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt):
        atomic.write_atomic(target, b"new")
    assert [p.name for p in tmp_path.iterdir()] == ["TCKH.docx"] and target.read_bytes() == b"old"


def _rewrite(tmp_path, names, first=b"old ", then=b"new "):
    """Write ``names`` plainly, then again through one :class:`Rewrites`; the inodes before and after."""
    from kehoach_docs.atomic import Rewrites, write_atomic
    for n in names:
        write_atomic(tmp_path / n, first + n.encode())
    before = {n: (tmp_path / n).stat().st_ino for n in names}
    rewrites = Rewrites()
    for n in names:
        rewrites.write(tmp_path / n, then + n.encode())
    rewrites.close()
    return before, {n: (tmp_path / n).stat().st_ino for n in names}


def test_a_run_of_rewrites_reuses_each_replaced_file_for_the_next(tmp_path):
    """A batch writes each file into the inode that the write before it replaced (no new inode per
    file, which ext4 makes slowly once thousands were freed), and leaves nothing else behind."""
    names = ["A.docx", "A.xlsx", "B.docx", "B.xlsx"]
    before, after = _rewrite(tmp_path, names)
    assert [(tmp_path / n).read_bytes() for n in names] == [b"new " + n.encode() for n in names]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)
    if sys.platform.startswith("linux"):
        assert [after[n] for n in names[1:]] == [before[n] for n in names[:-1]]


def test_a_reused_file_holds_exactly_the_new_bytes_longer_or_shorter(tmp_path):
    """A reused file holds the new bytes alone, whether the file it was held more or less."""
    names = ["A.docx", "B.docx", "C.docx", "D.docx"]
    sizes = {"A.docx": 50_000, "B.docx": 10, "C.docx": 70_000, "D.docx": 3}   # B is written into A's old file…
    _rewrite(tmp_path, names, first=b"x" * 40_000)
    from kehoach_docs.atomic import Rewrites
    rewrites = Rewrites()
    for n in names:
        rewrites.write(tmp_path / n, n.encode() * (sizes[n] // 6 + 1))
    rewrites.close()
    for n in names:
        assert (tmp_path / n).read_bytes() == n.encode() * (sizes[n] // 6 + 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == names


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="files reused on Linux only")
def test_a_reused_file_is_emptied_before_it_is_written(tmp_path, monkeypatch):
    """A reused file is emptied, then written: ext4 then puts its new bytes on disk before the rename
    that names it. Written over in place, a power cut soon after a rebuild left outputs holding the
    old bytes of the document written before them (a review's reproduction on a disk image)."""
    import kehoach_docs.atomic as atomic
    from kehoach_docs.atomic import Rewrites, write_atomic
    for n in ("A.docx", "B.docx"):
        write_atomic(tmp_path / n, b"old " + n.encode() * 100)
    rewrites = Rewrites()
    rewrites.write(tmp_path / "A.docx", b"new A")        # keeps A's old file for B
    calls = []
    real_truncate, real_write = atomic.os.ftruncate, atomic.os.write
    monkeypatch.setattr(atomic.os, "ftruncate", lambda fd, n: calls.append(("truncate", n)) or real_truncate(fd, n))
    monkeypatch.setattr(atomic.os, "write", lambda fd, b: calls.append(("write", len(b))) or real_write(fd, b))
    rewrites.write(tmp_path / "B.docx", b"new B")
    monkeypatch.undo()
    rewrites.close()
    assert calls[:2] == [("truncate", 0), ("write", 5)]
    assert (tmp_path / "B.docx").read_bytes() == b"new B"


def test_a_replaced_file_someone_still_reads_keeps_its_bytes(tmp_path):
    """A download that opened a draft before it was replaced goes on reading the old bytes to the
    end, as rename promises: a file open elsewhere is not reused."""
    from kehoach_docs.atomic import Rewrites, write_atomic
    for n in ("A.docx", "B.docx"):
        write_atomic(tmp_path / n, b"old " + n.encode() * 1000)
    with open(tmp_path / "A.docx", "rb") as reader:
        first = reader.read(10)
        rewrites = Rewrites()
        rewrites.write(tmp_path / "A.docx", b"new A")
        rewrites.write(tmp_path / "B.docx", b"new B")
        rewrites.close()
        assert first + reader.read() == b"old " + b"A.docx" * 1000
    assert (tmp_path / "A.docx").read_bytes() == b"new A" and (tmp_path / "B.docx").read_bytes() == b"new B"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["A.docx", "B.docx"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_replaced_file_with_another_name_or_other_permissions_is_never_reused(tmp_path):
    """A file that someone linked elsewhere, or gave other permissions, keeps its bytes: only a file
    that is the writer's alone, as it would make it, is emptied for the next write."""
    from kehoach_docs.atomic import Rewrites, write_atomic
    names = ["A.docx", "B.docx", "C.docx"]
    for n in names:
        write_atomic(tmp_path / n, b"old " + n.encode())
    other = tmp_path / "khac" / "ban-sao-A.docx"
    other.parent.mkdir()
    os.link(tmp_path / "A.docx", other)
    os.chmod(tmp_path / "B.docx", 0o600)
    mode_b = (tmp_path / "B.docx").stat().st_mode
    rewrites = Rewrites()
    rewrites.write(tmp_path / "Z.docx", b"first")        # a new file: its temporary sets the mode
    for n in names:
        rewrites.write(tmp_path / n, b"new " + n.encode())
    rewrites.close()
    assert other.read_bytes() == b"old A.docx"
    assert (tmp_path / "C.docx").stat().st_mode != mode_b
    assert [(tmp_path / n).read_bytes() for n in names] == [b"new " + n.encode() for n in names]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["khac", "Z.docx", *names])


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_an_output_that_is_a_symbolic_link_never_lets_a_write_through(tmp_path):
    """A clerk moved a draft elsewhere and linked it back: the link is replaced by the new draft, and
    the file it pointed to is never written, not by this write nor by the next (found by a review:
    the link's target got another agency's workbook)."""
    from kehoach_docs.atomic import Rewrites, write_atomic
    out, elsewhere = tmp_path / "out", tmp_path / "chia-se"
    out.mkdir()
    elsewhere.mkdir()
    (elsewhere / "TP.docx").write_bytes(b"ban cua van thu")
    os.symlink(elsewhere / "TP.docx", out / "A.docx")
    write_atomic(out / "B.docx", b"old B")
    rewrites = Rewrites()
    rewrites.write(out / "A.docx", b"new A")
    rewrites.write(out / "B.docx", b"new B")
    rewrites.write(out / "C.docx", b"new C")
    rewrites.close()
    assert (elsewhere / "TP.docx").read_bytes() == b"ban cua van thu"
    assert not any(p.is_symlink() for p in out.iterdir())
    assert [(out / n).read_bytes() for n in ("A.docx", "B.docx", "C.docx")] == [b"new A", b"new B", b"new C"]


@pytest.mark.skipif(not hasattr(os, "setxattr"), reason="extended attributes")
def test_a_replaced_file_with_an_acl_or_label_is_not_reused(tmp_path):
    """Extended attributes (an ACL granting someone access, a label) belong to one document: a file
    carrying any is never reused for the next one."""
    from kehoach_docs.atomic import Rewrites, write_atomic
    for n in ("A.docx", "B.docx"):
        write_atomic(tmp_path / n, b"old " + n.encode())
    try:
        os.setxattr(tmp_path / "A.docx", "user.kehoach", b"chi-TCKH")
    except OSError:
        pytest.skip("this file system keeps no user attributes")
    rewrites = Rewrites()
    rewrites.write(tmp_path / "A.docx", b"new A")
    rewrites.write(tmp_path / "B.docx", b"new B")
    rewrites.close()
    assert os.listxattr(tmp_path / "B.docx") == [] and (tmp_path / "B.docx").read_bytes() == b"new B"


def test_rewrites_without_hard_links_still_write_every_file(tmp_path, monkeypatch):
    """On a file system with no hard links (FAT, some network shares) each write makes its own file."""
    import kehoach_docs.atomic as atomic
    tried = []

    def refused(src, dst):
        tried.append(src)
        raise PermissionError(1, "Operation not permitted")
    monkeypatch.setattr(atomic.os, "link", refused)
    names = ["A.docx", "B.docx", "C.docx"]
    _rewrite(tmp_path, names)
    assert [(tmp_path / n).read_bytes() for n in names] == [b"new " + n.encode() for n in names]
    assert sorted(p.name for p in tmp_path.iterdir()) == names
    assert len(tried) == 1          # refused once, not asked again for that folder


@pytest.mark.parametrize("fails", ["replace", "write"])
def test_a_rewrite_that_fails_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch, fails):
    """Interrupted at the rename or the write, a rewrite leaves the file it was replacing whole and
    takes away the temporary names it made (the reused file's, and the second name of the old one)."""
    import kehoach_docs.atomic as atomic
    from kehoach_docs.atomic import Rewrites, write_atomic
    for n in ("A.docx", "B.docx"):
        write_atomic(tmp_path / n, b"old " + n.encode())
    rewrites = Rewrites()
    rewrites.write(tmp_path / "A.docx", b"new A")        # keeps A's old file for the next write

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    if fails == "replace":
        monkeypatch.setattr(atomic.os, "replace", interrupted)
    else:
        monkeypatch.setattr(atomic.os, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        rewrites.write(tmp_path / "B.docx", b"new B")
    monkeypatch.undo()
    rewrites.close()
    assert (tmp_path / "B.docx").read_bytes() == b"old B.docx"
    assert (tmp_path / "A.docx").read_bytes() == b"new A"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["A.docx", "B.docx"]


def test_kill_during_write_leaves_nothing_half_written(plan_copy, tmp_path):
    out = tmp_path / "out"
    build(plan_copy, out)
    folder = out / "tien-lu-2024"
    before = (folder / "ke-hoach.docx").read_bytes()
    script = (
        "import os, sys\n"
        "import kehoach_docs.atomic as a\n"
        "real = os.replace\n"
        "def die(*args):\n"
        "    os.kill(os.getpid(), 9)\n"
        "os.replace = die\n"
        "from kehoach_docs.cli import main\n"
        f"main(['build', {str(plan_copy)!r}, '-o', {str(out)!r}, '--force', '-j', '1'])\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert proc.returncode == -9
    assert (folder / "ke-hoach.docx").read_bytes() == before
    assert list(folder.glob(".*.tmp"))              # the killed write left its temporary file…
    build(plan_copy, out)
    assert not list(folder.glob(".*.tmp"))          # …which the next run sweeps


@pytest.mark.parametrize("code", ["CON", "nul", "Com1", "LPT9.bak", "TCKH."])
def test_agency_codes_valid_on_windows(plan_copy, code):
    p = plan_copy / "co-quan.yaml"
    text = p.read_text("utf-8")
    p.write_text(text.replace("  - ma: TK\n", f"  - ma: {code!r}\n", 1), "utf-8")
    line = text[: text.index("  - ma: TK\n")].count("\n") + 1
    res = cli("validate", plan_copy)
    assert res.exit_code == 1
    assert f"co-quan.yaml:{line}: lỗi: " in res.output
    assert ("Windows" in res.output)


def test_lock_without_fcntl(tmp_path):
    """On Windows there is no fcntl: the package imports and the lock still excludes a second run."""
    script = (
        "import sys\n"
        "sys.modules['fcntl'] = None\n"
        "import warnings; warnings.simplefilter('ignore')\n"
        "from pathlib import Path\n"
        "from kehoach_docs.atomic import Busy, folder_lock\n"
        "import kehoach_docs.cli\n"
        f"folder = Path({str(tmp_path)!r})\n"
        "with folder_lock(folder):\n"
        "    try:\n"
        "        with folder_lock(folder):\n"
        "            print('not exclusive')\n"
        "    except Busy:\n"
        "        print('busy')\n"
        "with folder_lock(folder):\n"
        "    print('again')\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["busy", "again"]


def test_busy_folder_is_reported(plan_copy, tmp_path):
    from kehoach_docs.atomic import folder_lock
    out = tmp_path / "out"
    with folder_lock(out / "tien-lu-2024"):
        res = build(plan_copy, out)
    assert res.exit_code == 1 and "đang được một lệnh kehoach khác ghi" in res.output


def test_format_character_list_covers_unicode():
    import unicodedata
    from kehoach_docs.text.hygiene import FORMAT_CHARS
    missing = [hex(i) for i in range(sys.maxunicode + 1)
               if unicodedata.category(chr(i)) == "Cf" and not FORMAT_CHARS.match(chr(i))]
    assert missing == []


@pytest.mark.parametrize("old, new, message", [
    ("    van_ban: [nq01-cp, kl726-tu]", "    van_ban: [true, kl726-tu]",
     "ke-hoach.yaml:72: lỗi: can_cu[1].van_ban[1]: cần một dòng chữ hoặc một bảng khóa: giá trị, gặp «True»"),
    ("    van_ban: [nq01-cp, kl726-tu]", "    van_ban: [[1, 2], kl726-tu]",
     "ke-hoach.yaml:72: lỗi: can_cu[1].van_ban[1]: cần một dòng chữ hoặc một bảng khóa: giá trị, gặp một danh sách"),
], ids=["bool-in-union", "list-in-union"])
def test_odd_types_get_vietnamese_messages(plan_copy, old, new, message):
    p = plan_copy / "ke-hoach.yaml"
    text = p.read_text("utf-8")
    assert old in text
    p.write_text(text.replace(old, new, 1), "utf-8")
    res = cli("validate", plan_copy)
    no_traceback(res)
    assert res.exit_code == 1 and message in res.output


@pytest.mark.parametrize("body", ['ngay_bao_cao: "\\ud800"', 'kho_khan: "a\\ud800"',
                                  'chi_tieu: {thu-ns: {uoc_thuc_hien: "\\ud800"}}'])
def test_surrogates_in_a_results_file(plan_copy, body):
    (plan_copy / "ket-qua").mkdir()
    (plan_copy / "ket-qua" / "TCKH.yaml").write_text(f"co_quan: TCKH\n{body}\n", "utf-8")
    res = cli("validate", plan_copy)
    no_traceback(res)
    assert res.exit_code == 1
    assert "ket-qua/TCKH.yaml:2: lỗi: " in res.output and "U+D800" in res.output
    assert "mã lỗi" not in res.output
