"""A clerk's first week (issue 12): figures typed in Excel print the Vietnamese way, stale PDFs never
outlive their document, look-alike files are not silently ignored."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
from docx import Document
import pytest

from conftest import EXAMPLE, build_plan, docx_text_blocks
from kehoach_docs.model.tables import INDICATORS, TASKS
from kehoach_docs.source.plan_dir import load_plan


def _row_of(ws, table, code: str):
    col = [c.key for c in table.columns].index("ma")
    return next(r for r in ws.iter_rows(min_row=table.header_row + 1) if r[col].value == code)


def _typed_workbook(example_out: Path, plan: Path) -> None:
    """The example's phu-luc-i.xlsx with figures typed as Excel numbers, a percentage and a date."""
    shutil.copytree(EXAMPLE, plan)
    (plan / "phu-luc-i.yaml").unlink()
    (plan / "phu-luc-ii.yaml").unlink()
    keys = [c.key for c in INDICATORS.columns]
    wb = openpyxl.load_workbook(example_out / "phu-luc-i.xlsx")
    ws = wb.active
    _row_of(ws, INDICATORS, "thu-ns")[keys.index("ke_hoach")].value = 612.5
    pct = _row_of(ws, INDICATORS, "truong-cq")[keys.index("muc_tieu")]
    pct.value, pct.number_format = 0.417, "0.0%"
    _row_of(ws, INDICATORS, "chi-ns")[keys.index("ke_hoach")].value = "654.247"
    wb.save(plan / "phu-luc-i.xlsx")
    wb = openpyxl.load_workbook(example_out / "phu-luc-ii.xlsx")
    ws = wb.active
    import datetime as dt
    deadline = _row_of(ws, TASKS, "nv01")[[c.key for c in TASKS.columns].index("thoi_han")]
    deadline.value, deadline.number_format = dt.datetime(2024, 6, 30), "dd/mm/yyyy"
    wb.save(plan / "phu-luc-ii.xlsx")


def _check_printed(plan_dir: Path, out: Path) -> None:
    plan = load_plan(plan_dir)
    assert plan.chi_tieu["thu-ns"].ke_hoach == "612,5"
    assert plan.chi_tieu["truong-cq"].muc_tieu == "41,7"          # unit "%": no second "%"
    assert plan.nhiem_vu["nv01"].thoi_han == "30/06/2024"
    warned = [str(p) for p in plan.problems.items if "654.247" in p.message]
    assert warned and "[Phụ lục I!" in warned[0] and "654,247" in warned[0]
    build_plan(plan_dir, out)
    text = "\n".join(docx_text_blocks(out / plan_dir.name / "ke-hoach.docx"))
    assert "612,5" in text and "41,7" in text and "612.5" not in text and "0.417" not in text


def test_numbers_typed_in_excel_print_the_vietnamese_way(example_out, tmp_path):
    plan = tmp_path / "tien-lu-2024"
    _typed_workbook(example_out, plan)
    _check_printed(plan, tmp_path / "out")


def test_and_after_libreoffice_calc_saved_the_workbook(example_out, tmp_path):
    plan = tmp_path / "typed" / "tien-lu-2024"
    _typed_workbook(example_out, plan)
    calc = tmp_path / "calc"
    for name in ("phu-luc-i.xlsx", "phu-luc-ii.xlsx"):
        proc = subprocess.run(["soffice", "--headless", "--calc", "--convert-to", "xlsx:Calc MS Excel 2007 XML",
                               "--outdir", str(calc), str(plan / name)], capture_output=True, text=True, timeout=180)
        assert (calc / name).exists(), proc.stdout + proc.stderr
        shutil.copy(calc / name, plan / name)
    _check_printed(plan, tmp_path / "out")


def test_a_pdf_never_outlives_its_document(tmp_path):
    from click.testing import CliRunner

    from conftest import FIXTURES
    from kehoach_docs.cli import main
    plan = tmp_path / "xa-pl2-2026"
    shutil.copytree(FIXTURES / "xa-pl2-2026", plan)
    out = tmp_path / "out"
    run = CliRunner()
    assert run.invoke(main, ["build", str(plan), "-o", str(out), "--pdf"]).exit_code == 0
    pdf = out / "xa-pl2-2026" / "ke-hoach.pdf"
    assert pdf.exists()
    p = plan / "phu-luc-ii.yaml"
    p.write_text(p.read_text("utf-8").replace("Số hóa hồ sơ hộ tịch", "Số hóa toàn bộ hồ sơ hộ tịch"), "utf-8")
    res = run.invoke(main, ["build", str(plan), "-o", str(out)])
    assert res.exit_code == 0 and not pdf.exists()               # the old figures are not left to be printed
    assert "xóa" in res.output and "ke-hoach.pdf" in res.output
    res = run.invoke(main, ["build", str(plan), "-o", str(out), "--pdf"])
    assert res.exit_code == 0 and pdf.exists()
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Số hóa toàn bộ hồ sơ hộ tịch" in text


@pytest.mark.parametrize("cap, agency", [("xã", "Phòng Văn hóa - Xã hội"), ("tỉnh", "Sở Nông nghiệp và Môi trường")])
def test_init_writes_a_starter_plan_that_builds(tmp_path, cap, agency):
    from click.testing import CliRunner

    from kehoach_docs.cli import main
    run = CliRunner()
    plan = tmp_path / "moi"
    res = run.invoke(main, ["init", str(plan), "--cap", cap, "--dia-danh", "Tân Lập", "--nam", "2027", "-q"])
    assert res.exit_code == 0, res.output
    assert "  tạo " not in res.output and res.output.startswith("Đã tạo kế hoạch mẫu.")     # -q: the summary alone
    text = (plan / "ke-hoach.yaml").read_text("utf-8")
    assert f"cap: {cap}" in text and "# SỬA:" in text and "Ủy ban nhân dân" in text
    assert agency in (plan / "co-quan.yaml").read_text("utf-8")
    # what is left to replace is warned of with its line, as is the signer's empty name (found by a tester:
    # «Dữ liệu hợp lệ.», then «SỬA - …», a figure of 0 and no signer printed in the plan)
    res = run.invoke(main, ["validate", str(plan)])
    assert res.exit_code == 0 and "Dữ liệu hợp lệ (6 cảnh báo)." in res.output, res.output
    assert res.output.count("còn chữ của kế hoạch mẫu «SỬA") == 5 and "chưa ghi họ tên người ký" in res.output
    assert "phu-luc-ii.yaml:4: cảnh báo:" in res.output
    # the council's resolution is cited with the mark, not with a number that looks real (a reviewer
    # found «Nghị quyết số 01/NQ-HĐND ngày 01/12/2026» printed, and nothing warned of it)
    assert "ke-hoach.yaml:19: cảnh báo:" in res.output
    res = run.invoke(main, ["build", str(plan), "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    blocks = docx_text_blocks(tmp_path / "out" / "moi" / "ke-hoach.docx")
    assert f"{cap.upper()} TÂN LẬP" in blocks and "KẾ HOẠCH" in blocks
    assert any(b.startswith("Căn cứ Nghị quyết số SỬA ngày 01/12/2026") for b in blocks), blocks
    # never over a folder that holds something
    res = run.invoke(main, ["init", str(plan), "--dia-danh", "Khác", "--nam", "2027"])
    assert res.exit_code == 1 and "không ghi đè" in res.output
    assert "Tân Lập" in (plan / "ke-hoach.yaml").read_text("utf-8")


def test_no_silent_example(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from kehoach_docs.cli import main
    run = CliRunner()
    monkeypatch.chdir(tmp_path)
    for cmd in ("build", "reports", "validate"):
        res = run.invoke(main, [cmd])
        assert res.exit_code == 1 and "Chưa chỉ thư mục kế hoạch" in res.output and "kehoach init" in res.output
    assert not (tmp_path / "output").exists()
    # inside a plan folder, that plan (not the example), with the output beside it, not in it
    assert run.invoke(main, ["init", "xa", "--dia-danh", "Tân Lập", "--nam", "2027"]).exit_code == 0
    monkeypatch.chdir(tmp_path / "xa")
    res = run.invoke(main, ["build"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "output" / "xa" / "ke-hoach.docx").exists() and not (tmp_path / "xa" / "output").exists()
    # the example by name
    monkeypatch.chdir(tmp_path)
    assert run.invoke(main, ["validate", "tien-lu-2024"]).exit_code == 0


def test_look_alike_files_are_not_silently_ignored(tmp_path, example_out):
    plan = tmp_path / "tien-lu-2024"
    shutil.copytree(EXAMPLE, plan)
    for name in ("phu-luc-i (1).xlsx", "Phu-Luc-I - Copy.xlsx", "ke-hoach.yml"):
        shutil.copy(example_out / "phu-luc-i.xlsx" if name.endswith("xlsx") else EXAMPLE / "ke-hoach.yaml", plan / name)
    (plan / "ghi-chu.txt").write_text("không liên quan", "utf-8")
    (plan / "ket-qua").mkdir()
    (plan / "ket-qua" / "TCKH.xlsx").write_bytes(b"")
    warned = {p.file.rsplit("/", 1)[-1]: p.message for p in load_plan(plan).problems.items if "không được" in p.message}
    assert set(warned) == {"phu-luc-i (1).xlsx", "Phu-Luc-I - Copy.xlsx", "ke-hoach.yml", "TCKH.xlsx"}
    assert "«phu-luc-i.xlsx»" in warned["phu-luc-i (1).xlsx"] and "«ke-hoach.yaml»" in warned["ke-hoach.yml"]
    assert "kehoach collect" in warned["TCKH.xlsx"]


def test_signature_never_alone_and_rows_never_split(example_out, reports_out, tmp_path):
    from kehoach_docs.nd30.check import check_docx
    from test_nd30_check import corrupt
    path = example_out / "ke-hoach.docx"
    levels = {(f.level, f.rule) for f in check_docx(path)}
    assert ("warning", 37) not in levels and ("warning", 38) not in levels
    doc = Document(str(path))
    appendix = next(t for t in doc.tables if t.rows[0].cells[0].text == "STT")
    assert all(r._tr.xpath("./w:trPr/w:cantSplit") for r in appendix.rows[1:])
    # on paper: the page with the signature also holds the end of the text
    proc = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                          capture_output=True, text=True, timeout=180)
    pages = subprocess.run(["pdftotext", "-layout", str(tmp_path / "ke-hoach.pdf"), "-"], capture_output=True,
                           text=True).stdout.split("\f")
    signed = next(p for p in pages if "Nơi nhận:" in p)
    assert "./." in signed, proc.stderr
    # a document whose last paragraph is not kept with the signature is warned
    bad = corrupt(path, tmp_path / "bad.docx", "word/styles.xml", "<w:keepNext/>", "", count=99)
    assert ("warning", 37) in {(f.level, f.rule) for f in check_docx(bad)}
    # the agency's name breaks where a reader would
    header = Document(str(reports_out / "bao-cao" / "TCKH.docx")).tables[0].rows[0].cells[0].text
    assert "PHÒNG TÀI CHÍNH -\nKẾ HOẠCH" in header


def test_header_lines_break_between_words_a_reader_keeps_together():
    from kehoach_docs.context.common import header_lines
    assert header_lines("PHÒNG GIÁO DỤC VÀ ĐÀO TẠO") == ["PHÒNG GIÁO DỤC", "VÀ ĐÀO TẠO"]
    assert header_lines("SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH") == ["SỞ VĂN HÓA, THỂ THAO", "VÀ DU LỊCH"]
    assert header_lines("SỞ Y TẾ") == ["SỞ Y TẾ"]


ENGLISH = ("Usage", "Options", "Commands", "Show this", "Missing", "Error", "Try '", "No such", "Did you mean",
           "default:", "Invalid value", "is not", "PLAN_DIR", "TEXT", "INTEGER", "PATH")


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"], ["reports", "--help"], ["buidl"], ["init"],
                                  ["build", "--jobs", "x"], ["check"], ["validate", "--format", "xml"],
                                  ["diff", "a"], ["build", "--khong-co"]])
def test_the_command_line_speaks_vietnamese_only(args):
    from click.testing import CliRunner

    from kehoach_docs.cli import main
    res = CliRunner().invoke(main, args)
    assert res.exit_code in (0, 2), res.output
    assert not [w for w in ENGLISH if w in res.output], res.output
    assert ("Cách dùng: kehoach" in res.output) and (res.exit_code == 0 or "Lỗi: " in res.output)


def test_commands_in_working_order_and_quiet_or_verbose(tmp_path):
    from click.testing import CliRunner

    from kehoach_docs.cli import main
    run = CliRunner()
    listed = [line.split()[0] for line in run.invoke(main, ["--help"]).output.split("Lệnh:")[1].splitlines()
              if line.strip()]
    assert listed == ["init", "validate", "build", "reports", "collect", "serve", "clerk", "diff", "check", "info"]
    normal = run.invoke(main, ["build", str(EXAMPLE), "-o", str(tmp_path / "a")]).output
    assert "Dữ liệu có 2 cảnh báo" in normal and "  dựng  " in normal and "ký hiệu nhóm" not in normal
    quiet = run.invoke(main, ["-q", "build", str(EXAMPLE), "-o", str(tmp_path / "b")]).output
    assert quiet.strip() == "Đã dựng 3, không đổi 0, lỗi 0."
    loud = run.invoke(main, ["-v", "build", str(EXAMPLE), "-o", str(tmp_path / "a"), "--force"]).output
    assert "ký hiệu nhóm chỉ tiêu là I, B, C, D" in loud
    # after the command's name too, as a clerk types them (it was «Không có tùy chọn «-q»»); the later wins
    after = run.invoke(main, ["build", str(EXAMPLE), "-o", str(tmp_path / "c"), "-q"])
    assert after.exit_code == 0 and after.output.strip() == "Đã dựng 3, không đổi 0, lỗi 0."
    both = run.invoke(main, ["-q", "build", str(EXAMPLE), "-o", str(tmp_path / "c"), "--force", "-v"]).output
    assert "ký hiệu nhóm chỉ tiêu là I, B, C, D" in both
    again = run.invoke(main, ["build", str(EXAMPLE), "-o", str(tmp_path / "d")]).output
    assert again == normal.replace(str(tmp_path / "a"), str(tmp_path / "d"))     # each run starts from the default
    assert all("-q, --quiet" in run.invoke(main, [name, "--help"]).output for name in listed)


def test_workbooks_print_as_they_are(reports_out, example_out, tmp_path):
    """The largest agency's workbook on at most 5 A4 pages, no sheet split sideways, every row tall
    enough for its wrapped text (LibreOffice Calc lays the pages out)."""
    sizes = {p.name: p.stat().st_size for p in (reports_out / "bao-cao").glob("*.xlsx")}
    largest = reports_out / "bao-cao" / max(sizes, key=sizes.get)
    pdf = tmp_path / (largest.stem + ".pdf")
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(largest)],
                   capture_output=True, timeout=180)
    pages = int(next(line.split()[-1] for line in subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                text=True).stdout.splitlines() if line.startswith("Pages:")))
    assert pages <= 5
    for path in (largest, example_out / "phu-luc-i.xlsx", example_out / "phu-luc-ii.xlsx"):
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            if ws.sheet_state == "hidden":
                continue
            assert int(ws.page_setup.paperSize) == 9 and int(ws.page_setup.fitToWidth) == 1, (path, ws.title)  # A4
            assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_area, (path, ws.title)
    from kehoach_docs.render.xlsx_print import lines_of
    ws = openpyxl.load_workbook(example_out / "phu-luc-ii.xlsx").active
    width = ws.column_dimensions["B"].width
    for row in ws.iter_rows(min_row=TASKS.header_row + 1):
        text = row[1].value or ""
        need = lines_of(text, width)
        assert need == 1 or (ws.row_dimensions[row[0].row].height or 0) >= need * 15, (row[0].row, text)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by .ci/run")
def test_no_text_of_an_agency_workbook_is_cut_off_on_paper(reports_out, tmp_path):
    """Every word of the guide and of a long difficulty typed by the agency is on the printed page:
    LibreOffice cuts a wrapped cell wider than the page at its edge, whatever the fit to width."""
    from kehoach_docs.model.tables import GENERAL_ROWS, GENERAL_SHEET, GUIDE_SHEET
    wb = openpyxl.load_workbook(reports_out / "bao-cao" / "TCKH.xlsx")
    said = "Nguồn vốn đầu tư công giải ngân chậm do vướng mắc giải phóng mặt bằng, thủ tục đất đai kéo dài kéo dài"
    ws = wb[GENERAL_SHEET]
    for row, key, _ in GENERAL_ROWS:
        if key != "ngay_bao_cao":
            ws.cell(row, 2).value = said
    typed = tmp_path / "TCKH.xlsx"
    wb.save(typed)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(typed)],
                   capture_output=True, timeout=180)
    words = subprocess.run(["pdftotext", "-layout", str(tmp_path / "TCKH.pdf"), "-"], capture_output=True,
                           text=True).stdout.split()
    printed = " ".join(words)
    guide = [" ".join(str(c.value).split()) for c in wb[GUIDE_SHEET]["A"] if c.value]
    assert guide and all(line in printed for line in guide), [line for line in guide if line not in printed]
    # beside its label the typed text is interleaved line by line: count its words instead
    times = sum(key != "ngay_bao_cao" for _, key, _ in GENERAL_ROWS)
    assert all(words.count(w) >= said.split().count(w) * times for w in set(said.split()))


def test_a_hand_edit_says_which_data_line_to_change(plan_copy, tmp_path):
    from click.testing import CliRunner

    from kehoach_docs.cli import main
    run = CliRunner()
    out = tmp_path / "out"
    assert run.invoke(main, ["build", str(plan_copy), "-o", str(out)]).exit_code == 0
    path = out / "tien-lu-2024" / "ke-hoach.docx"
    doc = Document(str(path))
    target = next(p for p in doc.paragraphs if p.text.startswith("Yêu cầu các phòng, ban, ngành"))
    target.runs[0].text = "Yêu cầu các phòng, ban (đã sửa trong Word)" + target.runs[0].text[30:]
    doc.save(str(path))
    res = run.invoke(main, ["build", str(plan_copy), "-o", str(out), "--force"])
    assert res.exit_code == 0, res.output
    assert "ke-hoach.sua-tay.docx" in res.output and "hãy sửa trong dữ liệu" in res.output
    line = next(n for n, text in enumerate((plan_copy / "ke-hoach.yaml").read_text("utf-8").splitlines(), 1)
                if "Yêu cầu các phòng, ban, ngành" in text)
    assert f"ke-hoach.yaml:{line}" in res.output
    # the clerk sees their own words beside what the data printed (found by a tester: only the old text)
    assert "» → «Yêu cầu các phòng, ban (đã sửa trong Word)" in res.output


def test_messages_name_the_row_and_column_a_clerk_sees(tmp_path, example_out):
    plan = tmp_path / "tien-lu-2024"
    shutil.copytree(EXAMPLE, plan)
    p = plan / "phu-luc-i.yaml"
    p.write_text(p.read_text("utf-8").replace('muc_tieu: "559,8", co_quan: TCKH}', 'muc_tieu: "559,8", co_quan: TCKX}'),
                 "utf-8")
    from kehoach_docs.problems import InvalidInput
    with pytest.raises(InvalidInput) as exc:
        load_plan(plan)
    msg = str(exc.value.problems.errors[0])
    assert ("Phụ lục I, nhóm «Kinh tế», chỉ tiêu «Thu ngân sách trên địa bàn», cột «Cơ quan chủ trì theo dõi, "
            "đánh giá» (nhom[1].chi_tieu[3].co_quan): mã cơ quan «TCKX»") in msg
    # the same from the workbook: the cell, the row and the column
    (plan / "phu-luc-i.yaml").unlink()
    wb = openpyxl.load_workbook(example_out / "phu-luc-ii.xlsx")
    ws = wb.active
    row = _row_of(ws, TASKS, "nv01")
    row[[c.key for c in TASKS.columns].index("ma_chu_tri")].value = "KHONG"
    row[[c.key for c in TASKS.columns].index("chu_tri")].value = "KHONG"
    (plan / "phu-luc-ii.yaml").unlink()
    wb.save(plan / "phu-luc-ii.xlsx")
    shutil.copy(example_out / "phu-luc-i.xlsx", plan / "phu-luc-i.xlsx")
    with pytest.raises(InvalidInput) as exc:
        load_plan(plan)
    msg = next(str(p) for p in exc.value.problems.errors if "KHONG" in p.message)
    assert "[Phụ lục II!" in msg and "Phụ lục II, nhiệm vụ «" in msg and "cột «Cơ quan chủ trì»" in msg
