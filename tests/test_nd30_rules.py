"""ND30 rules as data (issue 10): one table that the checker and the template builder both read."""

from __future__ import annotations

import subprocess
import sys

from conftest import EXAMPLE, ROOT
from kehoach_docs.nd30.rules import RULES, SIZES, Size


def test_every_rule_of_the_reference_is_in_the_table():
    text = (ROOT / "docs" / "nd30-layout-rules.md").read_text("utf-8")
    section = text[text.index("## 7. Checkable rules"):text.index("## 8.")]
    import re
    numbers = {int(n) for n in re.findall(r"^(\d+)\. \*\*[EWI]\*\*", section, re.M)}
    assert numbers == set(RULES)


def test_messages_are_built_from_the_bound():
    assert str(Size(12, 13, 12)) == "12–13" and str(Size(11, 11, 11)) == "11"
    assert str(Size(12.5, 13, 13)) == "12,5–13"
    assert Size(13, 14, 14).ok(27) and not Size(13, 14, 14).ok(25)
    assert Size(11, 12, 14).use == 12          # a bound moved below the size in use pulls it along


SCRIPT = """
import sys
from pathlib import Path
import kehoach_docs.nd30.rules as rules
rules.SIZES["quoc_hieu"] = rules.Size(11, 11.5, 12)
sys.path.insert(0, {templates!r})
import build
build.main(Path({out!r}))
from kehoach_docs.cli import main
main(["build", {plan!r}, "-o", {built!r}, "--templates", {out!r}, "-j", "1"], standalone_mode=False)
from kehoach_docs.nd30.check import check_docx
new = [str(f) for f in check_docx(Path({built!r}) / "tien-lu-2024" / "ke-hoach.docx") if f.rule == 14]
old = [str(f) for f in check_docx(Path({old!r})) if f.rule == 14]
print(repr((new, old)))
"""


def test_one_bound_edit_moves_builder_and_checker(tmp_path, example_out):
    """Quốc hiệu bound 12–13 → 11–11,5: the rebuilt template uses 11,5 and passes; the old one fails."""
    script = SCRIPT.format(templates=str(ROOT / "templates"), out=str(tmp_path / "tpl"), plan=str(EXAMPLE),
                           built=str(tmp_path / "out"), old=str(example_out / "ke-hoach.docx"))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    new, old = eval(proc.stdout.strip().splitlines()[-1])
    assert new == []
    assert old and "cỡ 11–11,5" in old[0]
    from docx import Document
    doc = Document(str(tmp_path / "tpl" / "ke-hoach.docx"))
    sizes = [r.font.size.pt for t in doc.tables for c in t._cells for p in c.paragraphs for r in p.runs
             if "CỘNG HÒA" in r.text]
    assert sizes == [11.5]
    assert SIZES["quoc_hieu"].use == 12        # the test changed a copy in its own process only
