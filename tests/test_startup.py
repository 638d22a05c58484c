"""Start-up imports only what a command needs (issue 14): the help, and a rebuild with nothing to
do, never load the model (pydantic), the Vietnamese number library, the renderers or the web app.
Counted as modules, not timed (the benchmark times them)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import EXAMPLE, ROOT

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


def test_ctrl_c_while_the_program_loads_stops_it_without_a_traceback(monkeypatch, capsys):
    """A Ctrl-C in the first tenth of a second, while the modules load, printed Python's traceback
    (found by a tester): the command says «Đã dừng.» then, as at any later moment."""
    import importlib.abc

    class Interrupted(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name == "kehoach_docs.cli":
                raise KeyboardInterrupt

    monkeypatch.delitem(sys.modules, "kehoach_docs.cli", raising=False)
    monkeypatch.setattr(sys, "meta_path", [Interrupted(), *sys.meta_path])
    from kehoach_docs.__main__ import run
    with pytest.raises(SystemExit) as stopped:
        run()
    assert stopped.value.code == 1
    assert capsys.readouterr().err.strip() == "Đã dừng."
    # the installed command starts there, not at click's main (which only handles what comes after)
    assert 'kehoach = "kehoach_docs.__main__:run"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
