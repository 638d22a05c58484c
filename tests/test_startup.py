"""Start-up imports only what a command needs (issue 14): the help, and a rebuild with nothing to
do, never load the model (pydantic), the Vietnamese number library, the renderers or the web app.
Counted as modules, not timed (the benchmark times them)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from conftest import EXAMPLE

HEAVY = {"pydantic", "babel", "docx", "docxtpl", "openpyxl", "lxml", "jinja2", "django", "yaml"}


def loaded_after(code: str, cwd) -> set[str]:
    script = code + "\nimport sys, json\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=cwd, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_help_loads_nothing_heavy(tmp_path):
    code = ("from kehoach_docs.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass")
    assert loaded_after(code, tmp_path) & HEAVY == set()


def test_a_rebuild_with_nothing_to_do_loads_nothing_heavy(tmp_path):
    plan = tmp_path / "tien-lu-2024"
    shutil.copytree(EXAMPLE, plan)
    run = [sys.executable, "-m", "kehoach_docs", "-q", "reports", str(plan), "-o", str(tmp_path / "out")]
    subprocess.run(run, check=True, capture_output=True)
    code = ("from kehoach_docs.cli import main\n"
            f"try:\n    main({json.dumps(['reports', str(plan), '-o', str(tmp_path / 'out')])})\n"
            "except SystemExit as e:\n    assert not e.code, e.code")
    assert loaded_after(code, tmp_path) & HEAVY == set()
