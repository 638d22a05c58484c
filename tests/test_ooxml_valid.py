"""Every generated .docx and .xlsx passes an OOXML validator nobody here wrote (openxml-audit).

LibreOffice opening a file proves little about Word or Excel; the validator checks the
parts against the ECMA-376 schemas and the semantic rules the Open XML SDK applies.
Every document type is covered: the plan and its appendices, agency drafts and
workbooks, the summary report and the comparison, for the example and the commune plan.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import EXAMPLE, FIXTURES
from kehoach_docs.cli import main


def audit(folder) -> list[dict]:
    """Every file's findings of severity ``error``."""
    proc = subprocess.run([sys.executable, "-m", "openxml_audit", "-r", "-o", "json", "-m", "0", str(folder)],
                          capture_output=True, text=True, timeout=600)
    report = json.loads(proc.stdout)
    assert report, proc.stderr
    return report


@pytest.fixture(scope="module")
def every_output(tmp_path_factory):
    out = tmp_path_factory.mktemp("audit")
    run = CliRunner()
    for plan in (EXAMPLE, FIXTURES / "xa-2027", FIXTURES / "tinh-qd-2026", FIXTURES / "tinh-kem-theo-2026-2030",
                 FIXTURES / "xa-pl2-2026"):
        for cmd in ("build", "reports"):
            res = run.invoke(main, [cmd, str(plan), "-o", str(out), "-j", "1"])
            assert res.exit_code == 0, res.output
    old = out / "cu" / "tien-lu-2024"
    shutil.copytree(EXAMPLE, old)
    pl1 = old / "phu-luc-i.yaml"
    pl1.write_text(pl1.read_text("utf-8").replace('muc_tieu: "8,61"', 'muc_tieu: "8,5"', 1), "utf-8")
    res = run.invoke(main, ["diff", str(old), str(EXAMPLE), "-o", str(out / "so-sanh" / "so-sanh.docx")])
    assert res.exit_code == 0, res.output
    shutil.rmtree(out / "cu")
    return out


def test_every_document_type_is_audited(every_output):
    names = {p.name for p in every_output.rglob("*") if p.suffix in (".docx", ".xlsx")}
    for expected in ("ke-hoach.docx", "quyet-dinh.docx", "ke-hoach-kem-theo.docx", "phu-luc-i.xlsx", "phu-luc-ii.xlsx", "tong-hop.docx", "TCKH.docx",
                     "TCKH.xlsx", "so-sanh.docx", "so-sanh.xlsx"):
        assert expected in names


def test_no_schema_or_semantic_errors(every_output):
    report = audit(every_output)
    files = {r["file"] for r in report}
    assert len(files) == len([p for p in every_output.rglob("*") if p.suffix in (".docx", ".xlsx")])
    errors = [(r["file"], e["part_uri"], e.get("path"), e["description"])
              for r in report for e in r.get("errors", []) if e["severity"] == "error"]
    assert errors == []


def test_validator_catches_what_we_fixed(every_output, tmp_path):
    """The audit is not vacuous: a table with two widths (the old template's fault) is reported."""
    import zipfile
    src = every_output / "tien-lu-2024" / "ke-hoach.docx"
    bad = tmp_path / "bad.docx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:tblW ", b'<w:tblW w:w="0" w:type="auto"/><w:tblW ', 1)
            zout.writestr(info.filename, data)
    report = audit(tmp_path)
    assert any("tblW" in e["description"] for r in report for e in r["errors"] if e["severity"] == "error")
