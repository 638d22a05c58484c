"""Running jobs for a plan: the output folder, its guard and lock, and the no-op fingerprint."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .atomic import folder_lock
from .batch.jobs import Job
from .batch.runner import Outcome, run_jobs
from .problems import UserError

if TYPE_CHECKING:     # the model (pydantic) is loaded only by commands that read a plan
    from .model.bundle import Plan


def fingerprint(plan_dir: Path, templates: list[Path], scope: str) -> str:
    """A hash of every input of a command: the plan's files (results included), the templates it
    uses, the package version with its rendering code (:func:`~kehoach_docs.build_id`) and the
    command's own options (``scope``)."""
    import hashlib

    from . import build_id
    h = hashlib.sha256(f"{build_id()}\0{scope}\0".encode())
    root = Path(plan_dir)
    # hidden files and folders are tools' own (locks, the web app's database in .kehoach/), not data
    files = sorted(p for p in root.rglob("*")
                   if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts))
    for p in [*files, *templates]:
        name = p.relative_to(root).as_posix() if p.is_relative_to(root) else f"template:{p.name}"
        h.update(name.encode() + b"\0")
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def plan_folder_name(plan_dir: Path) -> str:
    """The output subfolder of a plan, known before loading it (the plan folder's name)."""
    return Path(plan_dir).resolve().name


def guard_output(plan_dir: Path, target: Path) -> None:
    """Refuse to write ``target`` (a folder or file) inside the plan folder: sources are never outputs.

    ``-o`` pointed at the plan's parent would otherwise put ``phu-luc-i.xlsx`` beside the
    clerk's own ``phu-luc-i.xlsx``, or over it.
    """
    root, where = Path(plan_dir).resolve(), Path(target).resolve()
    if where == root or where.is_relative_to(root):
        raise UserError(f"không ghi kết quả vào {where}: đó là (hoặc nằm trong) thư mục kế hoạch {root}, "
                        "nơi chứa dữ liệu gốc. Hãy chọn thư mục khác với -o (ví dụ: -o output)")


class Freshness:
    """The fast no-op check of one command: a fingerprint of every input, compared with the last run.

    Computed before the plan is loaded, so a rebuild with nothing changed costs a few
    file reads instead of validating and rendering contexts for every document.
    """

    def __init__(self, plan_dir: Path, output_dir: Path, templates: list[Path], scope: str):
        self.scope = scope
        self.folder = Path(output_dir) / plan_folder_name(plan_dir)
        guard_output(plan_dir, self.folder)
        self.value = fingerprint(plan_dir, templates, scope)

    def is_fresh(self) -> bool:
        from .batch.manifest import Manifest
        if self.folder.is_dir():
            with folder_lock(self.folder):   # sweeps what an interrupted run left, even on a no-op
                self._manifest = Manifest(self.folder)
        else:
            self._manifest = Manifest(self.folder)
        return self._manifest.is_fresh(self.scope, self.value)

    def outputs(self) -> list[str]:
        """The outputs of the last run (after :meth:`is_fresh` said it is current)."""
        return self._manifest.inputs[self.scope]["outputs"]

    def mark(self, outcome: Outcome) -> None:
        """Record a successful run's fingerprint and outputs."""
        outcome.manifest.mark_fresh(self.scope, self.value, [o for o, _ in outcome.built] + outcome.unchanged)


def output_folder(plan: Plan, out_dir: Path) -> Path:
    return Path(out_dir) / plan.name


def run(plan: Plan, jobs: Iterable[Job], out_dir: Path, **kw) -> Outcome:
    """Run ``jobs`` into ``out_dir/<plan>/`` under the folder lock."""
    folder = output_folder(plan, out_dir)
    guard_output(plan.root, folder)
    with folder_lock(folder):
        return run_jobs(jobs, folder, **kw)
