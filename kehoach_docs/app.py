"""What each command does, top to bottom, with no printing (as MkDocs' ``build()``).

The command line (``cli.py``) and the web app call these functions and show what they
report through a :class:`Reporter`. Failures the user can fix are raised as
:class:`~kehoach_docs.problems.UserError`.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from . import documents
from .batch.runner import Outcome
from .pipeline import Freshness, guard_output, output_folder, run
from .problems import ERROR, InvalidInput, Problem, Problems, UserError, os_reason


class Reporter:
    """Where the application says what happens; the default says nothing (tests, the web)."""

    def problems(self, problems: Problems, full: bool = False) -> None:
        """Warnings (or errors) found in input that did not stop the command; ``full``: each one
        matters to this command (the workbooks ``collect`` just read), not only their count."""

    @contextlib.contextmanager
    def progress(self, total: int, label: str) -> Iterator[Callable[[int], None]]:
        """A progress bar over ``total`` steps; yields the function that advances it."""
        yield lambda n: None

    def note(self, text: str) -> None:
        """A line of information."""


@dataclass
class PdfReport:
    converted: list[Path] = field(default_factory=list)
    unchanged: int = 0
    failed: list[tuple[Path, str]] = field(default_factory=list)
    foreign_fonts: list[tuple[Path, list[str]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.failed or self.foreign_fonts)


@dataclass
class RunResult:
    """What ``build``, ``reports`` or ``collect`` did in one output folder."""

    folder: Path
    outcome: Outcome | None = None          # None: nothing had changed since the last run
    outputs: list[str] = field(default_factory=list)
    pdf: PdfReport | None = None
    #: Agencies whose documents were not rebuilt because their results file was refused.
    waiting: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return ((self.outcome is None or not self.outcome.failed) and (self.pdf is None or self.pdf.ok)
                and not self.waiting)


EXAMPLE = "data/tien-lu-2024"
EXAMPLE_NAME = Path(EXAMPLE).name
MAIN_FILE = "ke-hoach.yaml"


def plan_folder(plan_dir: Path | None) -> Path:
    """The plan to work on: the folder given; with none, the current folder when it is a plan.
    The built-in example is used only when asked for by name (``tien-lu-2024``), never silently."""
    if plan_dir is not None:
        path = Path(plan_dir)
        if not path.exists() and path.as_posix() == EXAMPLE_NAME:
            return documents.PACKAGE_ROOT / EXAMPLE
        return path
    if (Path.cwd() / MAIN_FILE).is_file():
        return Path.cwd()
    raise UserError(
        f"Chưa chỉ thư mục kế hoạch, và thư mục hiện tại ({Path.cwd()}) không có {MAIN_FILE}.\n"
        "  - dựng một kế hoạch:        kehoach build THƯ_MỤC_KẾ_HOẠCH\n"
        "  - bắt đầu kế hoạch mới:     kehoach init THƯ_MỤC --cap xã --dia-danh \"Tân Lập\" --nam 2027\n"
        f"  - xem ví dụ có sẵn:         kehoach build {EXAMPLE_NAME}")


def is_plan_collection(path: Path) -> bool:
    """A folder of plan folders (every commune of a province), not a plan itself."""
    path = Path(path)
    return path.is_dir() and not (path / MAIN_FILE).is_file() and any(
        (p / MAIN_FILE).is_file() for p in path.iterdir() if p.is_dir())


def run_many(command: str, paths: list[Path], output_dir: Path | None, templates, reporter: Reporter, *,
             force: bool = False, n_jobs: int | None = None, pdf: bool = False, pdf_timeout: float = 120,
             executor: str | None = None):
    """``command`` over many plans in one pool of workers (see :mod:`kehoach_docs.many`)."""
    from .many import plan_folders, run_plans
    if pdf:
        from .render.pdf import check_prerequisites
        check_prerequisites()
    plans = plan_folders([plan_folder(p) for p in paths] if paths else [plan_folder(None)])
    return run_plans(command, plans, Path(output_dir) if output_dir else Path("output"), templates, reporter,
                     force=force, n_jobs=n_jobs, pdf=pdf, pdf_timeout=pdf_timeout, executor=executor)


def default_output(plan_dir: Path, output_dir: Path | None) -> Path:
    """``-o`` as given; else ``output/`` beside the plan folder when working inside it (never inside
    the plan), or ``output/`` in the current folder."""
    if output_dir is not None:
        return Path(output_dir)
    if Path(plan_dir).resolve() == Path.cwd().resolve():
        return Path(plan_dir).resolve().parent / "output"
    return Path("output")


def init(folder: Path, cap: str, dia_danh: str, year: int) -> list[Path]:
    """Write a starter plan for a province or a commune into a new folder."""
    from .starter import write_starter
    return write_starter(folder, cap, dia_danh, year)


def load(plan_dir: Path, reporter: Reporter):
    """Load and validate a plan; its warnings go to ``reporter``."""
    from .source.plan_dir import load_plan
    plan = load_plan(plan_dir)
    reporter.problems(plan.problems)
    return plan


def validate(plan_dir: Path) -> Problems:
    """Every problem of a plan's data (errors and warnings), without writing anything."""
    from .source.plan_dir import load_plan
    try:
        return load_plan(plan_dir).problems
    except InvalidInput as exc:
        return exc.problems


def _not_yet_used(samples, folder: Path) -> list:
    """The samples whose template this version has not yet built anything from in ``folder``: a
    template that already made documents here has passed its check (it costs a render per template)."""
    from . import build_id
    from .batch.jobs import template_hash
    from .batch.manifest import Manifest
    used = {e.get("template") for e in Manifest(folder).entries.values() if e.get("version") == build_id()}
    return [s for s in samples if not s.template or template_hash(s) not in used]


def _check_templates(samples: list[documents.Sample]) -> None:
    """Check each sample's template against the keys of its real context."""
    from .templates_check import check_templates
    keys: dict[Path, set] = {}
    for sample in samples:
        if sample.template and Path(sample.template) not in keys:
            keys[Path(sample.template)] = set(sample.build().context)
    check_templates(list(keys), keys)


def _render(command: str, plan, output_dir: Path, templates: Path, reporter: Reporter, *, force: bool,
            n_jobs: int | None, agencies: list[str] | None = None, fresh: Freshness | None = None,
            pool=None) -> Outcome:
    """Check the templates against real contexts, then render every document of ``command``."""
    samples, jobs = documents.jobs_for(command, plan, templates, agencies, whole_plan=False)
    _check_templates(_not_yet_used(samples, output_folder(plan, output_dir)))
    del samples     # a checked sample holds its context (the summary's, on a first run): not for the batch
    # The documents that summarise the whole plan come last, rendered here once the workers are gone:
    # their context is the largest of the command (a province's every row), and the workers' memory
    # would otherwise stay beside it.
    summaries = documents.jobs_for(command, plan, templates, agencies, whole_plan=True)[1]
    with reporter.progress(documents.count_jobs(command, plan, agencies), "Đang dựng") as advance:
        outcome = run(plan, jobs, output_dir, force=force, n_jobs=n_jobs, progress=advance, pool=pool,
                      close_pool=True, after=summaries)
    _hint_hand_edits(plan, output_folder(plan, output_dir), outcome, reporter)
    if fresh is not None and not outcome.failed and not plan.refused:
        fresh.mark(outcome)     # with a refused file, the next run must say so again
    return outcome


def _hint_hand_edits(plan, folder: Path, outcome: Outcome, reporter: Reporter) -> None:
    """For each document moved aside as edited by hand, the data lines to change so the edit lasts."""
    from .hand_edits import where_to_edit
    for output, backup in outcome.kept:
        if output.endswith(".docx"):
            hints = where_to_edit(plan.root, folder / Path(output).parent / backup, folder / output)
            if hints:
                reporter.note(f"  {backup}: để sửa đổi không mất khi dựng lại, hãy sửa trong dữ liệu:")
                for h in hints:
                    reporter.note(f"    {h}")


def _run_command(command: str, plan_dir: Path, output_dir: Path, templates: str | Path | None, reporter: Reporter,
                 *, force: bool, n_jobs: int | None, pdf: bool, pdf_timeout: float,
                 agencies: list[str] | None = None) -> RunResult:
    if pdf:
        from .render.pdf import check_prerequisites
        check_prerequisites()
    tdir = documents.templates_dir(templates)
    scope = command + (":" + ",".join(sorted(set(agencies))) if agencies else "")
    fresh = Freshness(plan_dir, output_dir, documents.templates_of(command, tdir, bool(agencies)), scope)
    if not force and fresh.is_fresh():
        result = RunResult(fresh.folder, None, fresh.outputs())
    else:
        with _workers(command, tdir, n_jobs, agencies) as pool:    # started before the plan is read
            plan = load(plan_dir, reporter)
            if pool is not None:
                from .memory import set_aside_while_pool_runs
                set_aside_while_pool_runs()
            if agencies:
                agencies = _known_agencies(plan, agencies)
            outcome = _render(command, plan, output_dir, tdir, reporter, force=force, n_jobs=n_jobs,
                              agencies=agencies, fresh=fresh, pool=pool)
        result = RunResult(output_folder(plan, output_dir), outcome,
                           [o for o, _ in outcome.built] + outcome.unchanged,
                           waiting=_waiting(command, plan, agencies))
    if pdf:
        result.pdf = export_pdf([result.folder / o for o in result.outputs if o.endswith(".docx")], n_jobs,
                                pdf_timeout, reporter)
    return result


@contextlib.contextmanager
def _workers(command: str, templates: Path, n_jobs: int | None, agencies: list[str] | None):
    """The command's worker processes, forked before the plan is loaded (None: render here).

    A province's plan takes a hundred megabytes to read; workers forked after it would each
    copy the pages they touch, so the memory of the whole command would grow with the plan
    several times over instead of once.
    """
    from .batch.runner import default_jobs, warm_pool
    n = n_jobs or default_jobs()
    if n < 2 or agencies and len(agencies) < 2:      # a handful of documents: no pool
        yield None
        return
    with warm_pool(n, documents.templates_of(command, templates, bool(agencies))) as pool:
        yield pool


def _waiting(command: str, plan, agencies: list[str] | None) -> list[str]:
    """Agencies whose documents ``command`` would have written but left as they were."""
    if not any(d.scope == documents.AGENCY for d in documents.of_command(command)):
        return []
    return [c for c in plan.refused if agencies is None or c in agencies]


def _known_agencies(plan, codes: list[str]) -> list[str]:
    """The registry's spelling of each code (``tckh`` is ``TCKH``); unknown codes are an error."""
    with_work = {a.ma.casefold(): a.ma for a in plan.agencies_with_work()}
    unknown = [c for c in codes if c.casefold() not in with_work]
    if unknown:
        raise UserError("Không có cơ quan được giao nhiệm vụ, chỉ tiêu với mã: " + ", ".join(unknown)
                        + ". Các mã có thể dùng: " + ", ".join(with_work.values()) + ".")
    return list(dict.fromkeys(with_work[c.casefold()] for c in codes))


def build(plan_dir: Path, output_dir: Path, templates=None, reporter: Reporter | None = None, *,
          force: bool = False, n_jobs: int | None = None, pdf: bool = False, pdf_timeout: float = 120) -> RunResult:
    """The plan (``ke-hoach.docx``) and its appendix workbooks; nothing if nothing changed."""
    return _run_command("build", plan_dir, output_dir, templates, reporter or Reporter(), force=force,
                        n_jobs=n_jobs, pdf=pdf, pdf_timeout=pdf_timeout)


def reports(plan_dir: Path, output_dir: Path, templates=None, reporter: Reporter | None = None, *,
            agencies: list[str] | None = None, force: bool = False, n_jobs: int | None = None,
            pdf: bool = False, pdf_timeout: float = 120) -> RunResult:
    """Each agency's report draft and result workbook, and (for all agencies) the summary report."""
    return _run_command("reports", plan_dir, output_dir, templates, reporter or Reporter(), force=force,
                        n_jobs=n_jobs, pdf=pdf, pdf_timeout=pdf_timeout, agencies=list(agencies) if agencies else None)


@dataclass
class Received:
    code: str
    name: str
    source: Path
    stored: Path
    replaced: bool          # the agency had sent results before


@dataclass
class CollectResult:
    received: list[Received]
    run: RunResult
    verdicts: dict[str, int]
    missing: list[str]      # agencies that have not reported


def collect(plan_dir: Path, workbooks: list[Path], output_dir: Path, templates=None,
            reporter: Reporter | None = None, *, n_jobs: int | None = None,
            accept_changed: bool = False) -> CollectResult:
    """Check every returned workbook against the plan; store them all or none; rebuild the reports."""
    from .results.store import save_results
    from .results.workbook import read_workbook
    from .untrusted_zip import file_problem
    reporter = reporter or Reporter()
    plan = load(plan_dir, reporter)
    problems = Problems()
    received = {}
    for path in workbooks:
        why = file_problem(Path(path))
        if why:
            problems.add(Problem(ERROR, str(path), None, (), why))
            continue
        res = read_workbook(plan, Path(path), problems, accept_changed)
        if res is not None:
            if res.co_quan in received:
                reporter.note(f"{path}: thay cho sổ của {res.co_quan} đã đọc trước ({received[res.co_quan][0]}).")
            received[res.co_quan] = (Path(path), res)
    if problems.errors:
        raise InvalidInput(problems, "chưa lưu kết quả nào, hãy sửa sổ rồi gửi lại")
    reporter.problems(problems, full=True)
    done = []
    for code, (path, res) in received.items():
        again = code in plan.results
        done.append(Received(code, plan.co_quan[code].ten, path, save_results(plan, res), again))
    plan = load(plan_dir, Reporter())    # reload: the stored results are now the source of truth
    outcome = _render("reports", plan, output_dir, documents.templates_dir(templates), reporter, force=False,
                      n_jobs=n_jobs)
    result = RunResult(output_folder(plan, output_dir), outcome, [o for o, _ in outcome.built] + outcome.unchanged)
    return CollectResult(done, result, verdict_counts(plan),
                         [a.ma for a in plan.agencies_with_work() if a.ma not in plan.results])


def verdict_counts(plan) -> dict[str, int]:
    """How many indicators got each verdict (``{"Đạt": 12, …}``)."""
    from collections import Counter

    from .context.summary_doc import indicator_table
    return dict(Counter(r["danh_gia"] for r in indicator_table(plan) if r["loai"] != "nhom" and r["danh_gia"]))


@dataclass
class DiffResult:
    changes: list
    docx: Path
    xlsx: Path
    run: RunResult


#: How the comparison names the two versions unless the clerk gives names.
VERSION_LABELS = ("bản đã ban hành", "bản điều chỉnh")


def diff(old: Path, new: Path, out_file: Path | None = None, templates=None,
         reporter: Reporter | None = None, labels: tuple[str | None, str | None] = (None, None),
         plan_dir: Path | None = None) -> DiffResult:
    """Compare two versions of a plan: two folders, two appendix workbooks (read into ``plan_dir``,
    else the folder beside them), a folder and a workbook, or a folder and a git revision of it.
    The versions are named as an official document names them (``labels``, else «bản đã ban hành»
    and «bản điều chỉnh»), never by a folder, a file or a revision."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="kehoach-diff-") as tmp:
        sides = [_diff_side(Path(arg), Path(other), plan_dir, Path(tmp) / f"rev{i}")
                 for i, (arg, other) in enumerate(((old, new), (new, old)))]
        # warnings are the data's own business (validate shows them); a comparison stays quiet
        names = tuple(given or default for given, default in zip(labels, VERSION_LABELS))
        pair = documents.Comparison(*(load_side() for load_side in sides), names)
        target = Path(out_file) if out_file else Path("output") / pair.new.name / "so-sanh.docx"
        for plan in (pair.old, pair.new):
            guard_output(plan.root, target)
        jobs = documents.comparison_jobs(pair, target.name, documents.templates_dir(templates))
        _check_templates([documents.Sample.of(job) for job in jobs])
        from .atomic import folder_lock
        from .batch.runner import run_jobs
        with folder_lock(target.parent):
            outcome = run_jobs(jobs, target.parent, n_jobs=1)
    return DiffResult(pair.changes, target, target.with_suffix(".xlsx"),
                      RunResult(target.parent, outcome, [j.output for j in jobs]))


def _diff_side(arg: Path, other: Path, plan_dir: Path | None, scratch: Path):
    """How to load one side of a comparison; every argument is checked before anything is read."""
    from .source.plan_dir import load_plan
    if arg.is_dir():
        return lambda: load_plan(arg)
    if arg.suffix.lower() == ".xlsx":
        if not arg.is_file():
            raise UserError(f"Không có tệp «{arg}».")
        base = plan_dir or (other if other.is_dir() else
                            arg.parent if (arg.parent / MAIN_FILE).is_file() else None)
        try:
            base = plan_folder(base)
        except UserError:
            raise UserError(f"«{arg}» là một sổ phụ lục; cần biết nó thuộc kế hoạch nào: ghi "
                            "--ke-hoach THƯ_MỤC_KẾ_HOẠCH, hoặc chạy lệnh trong thư mục kế hoạch.") from None
        from .source.xlsx_appendix import appendix_part
        problems = Problems()
        part = appendix_part(arg, problems)
        if part is None:
            raise InvalidInput(problems)
        return lambda: load_plan(base, workbooks={part: arg})
    if other.is_dir():
        from .compare.git_rev import RevisionError, export_revision
        try:
            folder = export_revision(other, str(arg), scratch)
        except RevisionError as exc:
            raise UserError(f"«{arg}» không phải thư mục kế hoạch hay sổ phụ lục (.xlsx), cũng không đọc được "
                            f"như phiên bản git của {other}: {exc.format_message()}") from None
        return lambda: load_plan(folder)
    if not (other.is_file() and other.suffix.lower() == ".xlsx"):
        raise UserError(f"«{arg}» và «{other}» đều không phải thư mục kế hoạch hay sổ phụ lục (.xlsx); "
                        "một phiên bản git chỉ so được với thư mục kế hoạch của nó.")
    raise UserError(f"«{arg}» không phải thư mục kế hoạch hay sổ phụ lục (.xlsx).")


def export_pdf(docx: list[Path], n_jobs: int | None, timeout: float, reporter: Reporter) -> PdfReport:
    """Convert the documents whose PDF is missing or stale, and check the fonts each PDF embeds."""
    from .batch.runner import default_jobs
    from .render.pdf import convert, foreign_fonts, stale_pdfs
    todo = stale_pdfs(sorted(docx))
    report = PdfReport(unchanged=len(docx) - len(todo))
    if not todo:
        return report
    with reporter.progress(len(todo), "PDF (LibreOffice)") as advance:
        result = convert(todo, n_jobs or default_jobs(), timeout, progress=advance)
    from concurrent.futures import ThreadPoolExecutor
    converted = sorted(result.converted)
    with ThreadPoolExecutor(max_workers=n_jobs or default_jobs()) as pool:    # one pdffonts per PDF
        fonts = list(pool.map(lambda f: foreign_fonts(f.with_suffix(".pdf")), converted))
    for f, odd in zip(converted, fonts):
        if odd:
            report.foreign_fonts.append((f.with_suffix(".pdf"), odd))
        else:
            report.converted.append(f.with_suffix(".pdf"))
    report.failed = [(f.with_suffix(".pdf"), msg) for f, msg in result.failed]
    return report


def properties(path: Path) -> dict[str, str]:
    """The hashes and version kehoach wrote into a file (empty if it did not make it), and, where it
    carries a seal, whether it is still as kehoach wrote it (``nguyen_ven``)."""
    from .render.package import SEAL, is_sealed, read_properties
    from .untrusted_zip import UnsafeZip
    try:
        props = read_properties(path)
    except UnsafeZip as exc:
        raise UserError(f"{path}: không đọc được: {exc}") from None
    if props.pop(SEAL, None) is not None:
        props["nguyen_ven"] = "có" if is_sealed(path) else "không (tệp đã được sửa sau khi kehoach dựng)"
    return props


def check(path: Path):
    """The ND30 findings of one .docx."""
    from .nd30.check import check_docx
    from .nd30.docx_model import NotADocx
    try:
        return check_docx(path)
    except NotADocx as exc:
        raise UserError(f"{path}: {exc}") from None
    except OSError as exc:
        raise UserError(f"{path}: không đọc được ({os_reason(exc)})") from None
