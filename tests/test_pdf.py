"""``--pdf``: LibreOffice conversion per job, restart of a hung converter, clear errors (issue 5)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from conftest import EXAMPLE
from kehoach_docs.cli import main
from kehoach_docs.render import pdf

needs_lo = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by .ci/run")


@needs_lo
def test_build_writes_a_pdf_in_the_right_fonts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["build", str(EXAMPLE), "-o", "ra", "-j", "1", "--pdf"])
    assert res.exit_code == 0, res.output
    # named as the files built are, from where the clerk stands (they were absolute; found by a tester)
    assert "  dựng  ra/tien-lu-2024/ke-hoach.docx" in res.output and "  pdf   ra/tien-lu-2024/ke-hoach.pdf" in res.output
    tmp_path = tmp_path / "ra"
    out = tmp_path / "tien-lu-2024" / "ke-hoach.pdf"
    assert out.read_bytes()[:5] == b"%PDF-"
    fonts = pdf.pdf_fonts(out)
    assert fonts and all(f.startswith(pdf.PDF_FONT_OK) for f in fonts)
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True).stdout
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "HUYỆN TIÊN LỮ" in text
    assert "Phụ lục I" in text and "Phụ lục II" in text
    again = CliRunner().invoke(main, ["build", str(EXAMPLE), "-o", str(tmp_path), "-j", "1", "--pdf"])
    assert again.exit_code == 0 and "PDF: không đổi 1." in again.output


def test_missing_libreoffice_is_a_clear_error_before_anything_is_built(tmp_path, monkeypatch):
    monkeypatch.setenv("KEHOACH_SOFFICE", str(tmp_path / "khong-co-soffice"))
    res = CliRunner().invoke(main, ["build", str(EXAMPLE), "-o", str(tmp_path / "out"), "--pdf"])
    assert res.exit_code == 1
    assert "Không tìm thấy LibreOffice" in res.output and "apt-get install" in res.output
    assert "Traceback" not in res.output and not (tmp_path / "out").exists()


def test_missing_vietnamese_fonts_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "soffice", lambda: "/usr/bin/true")
    monkeypatch.setattr(pdf, "vietnamese_serif_fonts", lambda: set())
    res = CliRunner().invoke(main, ["reports", str(EXAMPLE), "-o", str(tmp_path / "out"), "--pdf"])
    assert res.exit_code == 1
    assert "fonts-liberation2" in res.output and not (tmp_path / "out").exists()


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """The converters' kept profiles go to this test's folder, not the user's cache."""
    monkeypatch.setenv("KEHOACH_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def fake_soffice(tmp_path):
    """A stand-in for LibreOffice: logs each start, hangs on files named ``treo``, else writes a PDF."""
    log = tmp_path / "starts.log"
    script = tmp_path / "fake-soffice"
    script.write_text(textwrap.dedent(f"""\
        #!{sys.executable}
        import sys, time, pathlib
        args = sys.argv[1:]
        profile = next(a for a in args if a.startswith("-env:UserInstallation="))
        outdir = pathlib.Path(args[args.index("--outdir") + 1])
        files = [pathlib.Path(a) for a in args[args.index("--outdir") + 2:]]
        with open({str(log)!r}, "a") as fh:
            fh.write(profile + " " + " ".join(f.stem for f in files) + "\\n")
        for f in files:
            if f.stem.startswith("treo"):
                time.sleep(60)
            flaky = f.with_suffix(".lan-dau")
            if f.stem.startswith("chap-chon") and not flaky.exists():
                flaky.write_text("x")      # fails the first time only
                continue
            (outdir / (f.stem + ".pdf")).write_bytes(b"%PDF-1.4 fake")
        """))
    script.chmod(0o755)
    return script, log


def _docs(folder, *names):
    folder.mkdir(exist_ok=True)
    out = []
    for n in names:
        (folder / f"{n}.docx").write_bytes(b"docx")
        out.append(folder / f"{n}.docx")
    return out


def test_one_process_converts_many_files_and_a_hung_one_is_restarted(tmp_path, fake_soffice):
    exe, log = fake_soffice
    files = _docs(tmp_path / "docs", "a", "treo", "b", "c")
    result = pdf.convert(files, n_jobs=1, timeout=1, exe=str(exe))
    assert sorted(f.stem for f in result.converted) == ["a", "b", "c"]
    assert [(f.stem, "treo" in msg) for f, msg in result.failed] == [("treo", True)]
    starts = log.read_text().splitlines()
    assert [s.split(" ", 1)[1] for s in starts] == ["a treo b c", "b c"]     # restarted on the rest only
    assert all((tmp_path / "docs" / f"{n}.pdf").exists() for n in "abc")
    assert not list((tmp_path / "docs").glob(".kehoach-pdf-*"))            # no temporary folder left


def test_each_job_has_its_own_converter_and_profile(tmp_path, fake_soffice):
    exe, log = fake_soffice
    files = _docs(tmp_path / "docs", "a", "b", "c", "d") + _docs(tmp_path / "bao-cao", "a")
    result = pdf.convert(files, n_jobs=2, timeout=10, exe=str(exe))
    assert len(result.converted) == 5 and not result.failed
    starts = log.read_text().splitlines()
    profiles = {s.split(" ", 1)[0] for s in starts}
    assert len(profiles) == 2
    # two files named a.docx never share one call (LibreOffice writes both to one outdir)
    assert all(s.split(" ", 1)[1].split().count("a") <= 1 for s in starts)
    assert (tmp_path / "bao-cao" / "a.pdf").exists()


def test_profiles_are_kept_between_runs_and_converters_restart(tmp_path, fake_soffice, monkeypatch):
    exe, log = fake_soffice
    monkeypatch.setattr(pdf, "FILES_PER_PROCESS", 2)
    pdf.convert(_docs(tmp_path / "docs", "a", "b", "c", "d", "e"), n_jobs=1, timeout=10, exe=str(exe))
    pdf.convert(_docs(tmp_path / "docs2", "f"), n_jobs=1, timeout=10, exe=str(exe))
    starts = log.read_text().splitlines()
    # after every 2 files a fresh process; the same kept profile in both runs, in the cache
    assert [s.split(" ", 1)[1] for s in starts] == ["a b", "c d", "e", "f"]
    profiles = {s.split(" ", 1)[0] for s in starts}
    assert len(profiles) == 1 and (tmp_path / "cache" / "libreoffice" / "profile-0").as_uri() in profiles.pop()


def test_a_file_that_did_not_convert_is_tried_again(tmp_path, fake_soffice):
    exe, log = fake_soffice
    result = pdf.convert(_docs(tmp_path / "docs", "a", "chap-chon"), n_jobs=1, timeout=10, exe=str(exe))
    assert sorted(f.stem for f in result.converted) == ["a", "chap-chon"] and not result.failed
    assert [s.split(" ", 1)[1] for s in log.read_text().splitlines()] == ["a chap-chon", "chap-chon"]


def test_fonts_read_from_the_pdf_itself(tmp_path, monkeypatch):
    """A PDF whose every font dictionary names its font in plain sight is read from its bytes,
    subset prefix dropped; anything the bytes could hide a font behind is left to pdffonts."""
    plain = tmp_path / "a.pdf"
    plain.write_bytes(b"%PDF-1.6\n1 0 obj <</Type/Font/Subtype/TrueType/BaseFont/BAAAAA+LiberationSerif-Bold>>\n"
                      b"2 0 obj << /Type /Font /BaseFont\x00/DejaVuSans /Encoding /WinAnsiEncoding >>\n%%EOF\n")
    assert pdf.pdf_fonts(plain) == ["LiberationSerif-Bold", "DejaVuSans"]
    assert pdf.foreign_fonts(plain) == ["DejaVuSans"]
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    hidden = {
        "object stream": b"1 0 obj <</Type/ObjStm/N 3/First 12>>stream\nx\nendstream\n",
        "cross-reference stream": b"9 0 obj <</Type/XRef/Size 3>>stream\nx\nendstream\n",
        "Type 3 font, no name": b"1 0 obj <</Type/Font/Subtype/Type3/FontMatrix[1 0 0 1 0 0]>>\n",
        "name by reference": b"1 0 obj <</Type/Font/Subtype/TrueType/BaseFont 6 0 R>>\n6 0 obj /Arial\n",
        "comment before the name": b"1 0 obj <</Type/Font/BaseFont %x\n/Arial>>\n",
        "escaped key": b"1 0 obj <</Type/Font/Base#46ont/Arial>>\n",
        "no name at all": b"1 0 obj <</Type/Font/Subtype/TrueType/FirstChar 32>>\n",
    }
    for why, body in hidden.items():
        f = tmp_path / "b.pdf"
        f.write_bytes(b"%PDF-1.7\n" + body + b"%%EOF\n")
        assert pdf.pdf_fonts(f) is None, why       # a font it cannot see is not taken for none
