"""The ``kehoach`` command line (click): one group, one subcommand per job.

Messages are in Vietnamese; problems in input end with exit status 1 and never with
a Python traceback.
"""

from __future__ import annotations

import json
import sys
from functools import wraps
from pathlib import Path

import click

from . import __version__
from .pipeline import PACKAGE_ROOT
from .problems import ERROR, InvalidInput, Problem, Problems, UserError

EXAMPLE = "data/tien-lu-2024"


def default_plan_dir() -> Path:
    here = Path(EXAMPLE)
    return here if here.is_dir() else PACKAGE_ROOT / EXAMPLE


def print_problems(problems: Problems, err: bool = True) -> None:
    for p in problems.items:
        click.echo(str(p), err=err)


def friendly(fn):
    """Turn known failures into a clear message and exit status instead of a traceback."""
    @wraps(fn)
    def wrapper(*args, **kwargs):
        from .atomic import Busy
        try:
            return fn(*args, **kwargs)
        except InvalidInput as exc:
            print_problems(exc.problems)
            n = len(exc.problems.errors)
            click.echo(f"Dữ liệu có {n} lỗi; chưa tạo tệp nào.", err=True)
            sys.exit(1)
        except UserError as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
        except Busy as exc:
            click.echo(f"Thư mục {exc} đang được một lệnh kehoach khác ghi; hãy chờ lệnh đó xong.",
                       err=True)
            sys.exit(1)
        except OSError as exc:
            click.echo(f"Lỗi tệp: {exc.filename or ''}: {exc.strerror or exc}", err=True)
            sys.exit(1)
    return wrapper


plan_argument = click.argument("plan_dir", required=False, type=click.Path(path_type=Path))
output_option = click.option("-o", "--output", "output_dir", type=click.Path(path_type=Path),
                             default=Path("output"), show_default=True,
                             help="Thư mục ghi kết quả (mỗi kế hoạch một thư mục con).")
jobs_option = click.option("-j", "--jobs", type=click.IntRange(1, 256), default=None,
                           help="Số tiến trình dựng song song (mặc định: số lõi CPU).")
force_option = click.option("--force", is_flag=True, help="Dựng lại mọi tệp, kể cả tệp không đổi.")
templates_option = click.option("--templates", type=click.Path(path_type=Path, file_okay=False),
                                default=None, help="Thư mục mẫu .docx (mặc định: templates/docx).")


class _Guarded(click.Group):
    """The command group with a last-resort handler: no input, however hostile, shows a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - the point of a last resort
            from .crash import message, write_report
            click.echo(message(exc, write_report(exc)), err=True)
            sys.exit(70)


@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kehoach")
def main():
    """kehoach: dựng Kế hoạch (KH-UBND), phụ lục và báo cáo theo Nghị định 30/2020/NĐ-CP."""


def load(plan_dir: Path | None):
    from .source.plan_dir import load_plan
    plan = load_plan(plan_dir or default_plan_dir())
    print_problems(plan.warnings)
    return plan


def report_outcome(outcome, folder: Path, quiet_built: bool = False) -> None:
    """Say what was kept, built and failed (``quiet_built``: only the first and the last)."""
    from .batch.manifest import REASONS
    for note in outcome.notes:
        click.echo(f"  lưu ý: {note}", err=True)
    for output, backup in outcome.kept:
        click.echo(f"  giữ   {folder / output} đã bị sửa tay: cất thành {backup}", err=True)
    for output, msg in outcome.failed:
        click.echo(f"  LỖI   {folder / output}: {msg}", err=True)
    if quiet_built:
        return
    for output, why in outcome.built:
        click.echo(f"  dựng  {folder / output}  ({REASONS[why]})")
    click.echo(f"Đã dựng {len(outcome.built)}, không đổi {len(outcome.unchanged)}, "
               f"lỗi {len(outcome.failed)}.")


pdf_options = [
    click.option("--pdf", is_flag=True, help="Xuất thêm PDF cạnh mỗi tệp .docx (cần LibreOffice)."),
    click.option("--pdf-timeout", type=click.FloatRange(1), default=120, show_default=True,
                 help="Số giây chờ LibreOffice trước khi coi là treo và khởi động lại."),
]


def with_pdf_options(fn):
    for option in reversed(pdf_options):
        fn = option(fn)
    return fn


def _check_pdf_ready(pdf: bool) -> None:
    """Before building anything: LibreOffice and the fonts must be there, or say what to install."""
    if not pdf:
        return
    from .render.pdf import PdfError, check_prerequisites
    try:
        check_prerequisites()
    except PdfError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)


def _unchanged(fresh, force: bool, pdf: bool, n_jobs, pdf_timeout) -> bool:
    """True (after saying so, and bringing PDFs up to date) if nothing changed since the last run."""
    if force or not fresh.is_fresh():
        return False
    outputs = fresh.outputs()
    click.echo(f"Không có gì thay đổi từ lần dựng trước: {len(outputs)} tệp trong {fresh.folder} vẫn đúng.")
    if pdf and _export_pdf([fresh.folder / o for o in outputs if o.endswith(".docx")], n_jobs, pdf_timeout):
        sys.exit(1)
    return True


def _run(plan, jobs, output_dir, force, n_jobs, total=None, pdf=False, pdf_timeout=120, fresh=None):
    """Run ``jobs`` (a list, or an iterator of ``total`` jobs) with a progress bar and a summary."""
    from .pipeline import output_folder, run
    folder = output_folder(plan, output_dir)
    with click.progressbar(length=total if total is not None else len(jobs), label="Đang dựng",
                           file=sys.stderr, show_pos=True) as bar:
        outcome = run(plan, jobs, output_dir, force=force, n_jobs=n_jobs, progress=bar.update)
    report_outcome(outcome, folder)
    failed = bool(outcome.failed)
    if fresh is not None and not failed:
        fresh.mark(outcome)
    if pdf:
        docx = [folder / o for o in [*(o for o, _ in outcome.built), *outcome.unchanged] if o.endswith(".docx")]
        failed |= _export_pdf(docx, n_jobs, pdf_timeout)
    if failed:
        sys.exit(1)


def _export_pdf(docx: list[Path], n_jobs, timeout) -> bool:
    """Convert the documents whose PDF is missing or stale; True if any failed."""
    from .batch.runner import default_jobs
    from .render.pdf import convert, foreign_fonts, stale_pdfs
    todo = stale_pdfs(sorted(docx))
    if not todo:
        click.echo(f"PDF: không đổi {len(docx)}.")
        return False
    click.echo(f"PDF: đang chuyển {len(todo)} tệp bằng LibreOffice…", err=True)
    result = convert(todo, n_jobs or default_jobs(), timeout)
    bad_fonts = 0
    for f in sorted(result.converted):
        odd = foreign_fonts(f.with_suffix(".pdf"))
        if odd:
            bad_fonts += 1
            click.echo(f"  LỖI   {f.with_suffix('.pdf')}: PDF dùng phông {', '.join(odd)} ngoài Times New Roman "
                       "(thiếu chữ Việt?); cài fonts-liberation2 hoặc Times New Roman rồi chạy lại với --force",
                       err=True)
        else:
            click.echo(f"  pdf   {f.with_suffix('.pdf')}")
    for f, msg in result.failed:
        click.echo(f"  LỖI   {f.with_suffix('.pdf')}: {msg}", err=True)
    click.echo(f"PDF: đã xuất {len(result.converted)}, không đổi {len(docx) - len(todo)}, "
               f"lỗi {len(result.failed) + bad_fonts}.")
    return bool(result.failed or bad_fonts)


@main.command()
@plan_argument
@output_option
@templates_option
@force_option
@jobs_option
@with_pdf_options
@friendly
def build(plan_dir, output_dir, templates, force, jobs, pdf, pdf_timeout):
    """Dựng kế hoạch (ke-hoach.docx) và phụ lục (phu-luc-i.xlsx, phu-luc-ii.xlsx)."""
    from .pipeline import Freshness, plan_jobs, templates_dir
    from .templates_check import check_templates
    _check_pdf_ready(pdf)
    plan_dir = plan_dir or default_plan_dir()
    tdir = templates_dir(templates)
    fresh = Freshness(plan_dir, output_dir, [tdir / "ke-hoach.docx"], "build")
    if _unchanged(fresh, force, pdf, jobs, pdf_timeout):
        return
    plan = load(plan_dir)
    jobs_ = plan_jobs(plan, tdir)
    check_templates(tdir, ["ke-hoach.docx"], {"ke-hoach.docx": set(jobs_[0].context)})
    _run(plan, jobs_, output_dir, force, jobs, pdf=pdf, pdf_timeout=pdf_timeout, fresh=fresh)


agency_option = click.option("--agency", "agencies", multiple=True, metavar="MÃ",
                             help="Chỉ dựng báo cáo của cơ quan này (có thể ghi nhiều lần).")


def _report_run(plan, output_dir, templates, force, jobs, agencies=None, pdf=False, pdf_timeout=120,
                fresh=None):
    """Check the report templates, then build the drafts, workbooks and (for all agencies) the summary."""
    from .context.report_doc import report_context
    from .context.summary_doc import summary_context
    from .pipeline import SUMMARY, report_jobs, templates_dir
    from .templates_check import check_templates
    tdir = templates_dir(templates)
    codes = list(agencies) if agencies else None
    with_work = [a.ma for a in plan.agencies_with_work()]
    if codes is not None:
        unknown = [c for c in codes if c not in with_work]
        if unknown:
            click.echo("Không có cơ quan được giao nhiệm vụ, chỉ tiêu với mã: " + ", ".join(unknown)
                       + ". Các mã có thể dùng: " + ", ".join(with_work) + ".", err=True)
            sys.exit(1)
    sample = (codes or with_work)[:1]
    keys = {"bao-cao.docx": set(report_context(plan, sample[0])) if sample else None}
    names = ["bao-cao.docx"] if sample else []
    summary = None
    if codes is None:
        summary = summary_context(plan)
        keys[SUMMARY] = set(summary)
        names.append(SUMMARY)
    check_templates(tdir, names, keys)
    total = 2 * len(codes or with_work) + (0 if codes else 1)
    _run(plan, report_jobs(plan, tdir, codes, summary), output_dir, force, jobs, total=total, pdf=pdf,
         pdf_timeout=pdf_timeout, fresh=fresh)


@main.command()
@plan_argument
@output_option
@templates_option
@agency_option
@force_option
@jobs_option
@with_pdf_options
@friendly
def reports(plan_dir, output_dir, templates, agencies, force, jobs, pdf, pdf_timeout):
    """Dựng dự thảo báo cáo (bao-cao/<MÃ>.docx) và sổ nhập kết quả (bao-cao/<MÃ>.xlsx) cho từng cơ quan,
    cùng báo cáo tổng hợp (tong-hop.docx)."""
    from .pipeline import Freshness, templates_dir
    _check_pdf_ready(pdf)
    plan_dir = plan_dir or default_plan_dir()
    tdir = templates_dir(templates)
    scope = "reports" + (":" + ",".join(sorted(set(agencies))) if agencies else "")
    fresh = Freshness(plan_dir, output_dir, [tdir / "bao-cao.docx", tdir / "tong-hop.docx"], scope)
    if _unchanged(fresh, force, pdf, jobs, pdf_timeout):
        return
    plan = load(plan_dir)
    _report_run(plan, output_dir, templates, force, jobs, agencies, pdf, pdf_timeout, fresh)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@output_option
@templates_option
@jobs_option
@friendly
def collect(paths, output_dir, templates, jobs):
    """Nhận sổ nhập kết quả đã điền: kehoach collect [THƯ_MỤC_KẾ_HOẠCH] SỔ.xlsx...

    Kiểm tra từng sổ với kế hoạch, lưu kết quả vào <kế hoạch>/ket-qua/<MÃ>.yaml,
    rồi dựng lại báo cáo của các cơ quan đó và báo cáo tổng hợp.
    """
    from .results.store import save_results
    from .results.workbook import read_workbook
    plan_dir = None
    if paths and paths[0].is_dir():
        plan_dir, paths = paths[0], paths[1:]
    if not paths:
        click.echo("Cần ít nhất một sổ nhập kết quả (.xlsx).", err=True)
        sys.exit(2)
    plan = load(plan_dir)
    problems = Problems()
    received = {}
    for path in paths:
        if not path.is_file():
            problems.add(Problem(ERROR, str(path), None, (), "không có tệp này"))
            continue
        res = read_workbook(plan, path, problems)
        if res is not None:
            if res.co_quan in received:
                click.echo(f"{path}: thay cho sổ của {res.co_quan} đã đọc trước ({received[res.co_quan][0]}).")
            received[res.co_quan] = (path, res)
    print_problems(problems)
    if problems.errors:
        click.echo(f"Có {len(problems.errors)} lỗi; chưa lưu kết quả nào, hãy sửa sổ rồi gửi lại.", err=True)
        sys.exit(1)
    for code, (path, res) in received.items():
        again = code in plan.results
        stored = save_results(plan, res)
        click.echo(f"Đã nhận kết quả của {plan.co_quan[code].ten} ({code}) từ {path} → {stored}"
                   + (" (thay cho lần gửi trước)" if again else ""))
    plan = load(plan_dir)    # reload: the stored results are now the source of truth
    _report_run(plan, output_dir, templates, False, jobs)
    _print_verdicts(plan)


def _print_verdicts(plan) -> None:
    from collections import Counter

    from .context.summary_doc import indicator_table
    counts = Counter(r["danh_gia"] for r in indicator_table(plan) if r["kieu"] != "nhom" and r["danh_gia"])
    click.echo("Đánh giá chỉ tiêu: " + ", ".join(f"{v} {k.lower()}" for k, v in counts.items()) + ".")
    missing = [a.ma for a in plan.agencies_with_work() if a.ma not in plan.results]
    click.echo(f"Chưa gửi báo cáo: {', '.join(missing)}." if missing else "Mọi cơ quan đã gửi báo cáo.")


@main.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Tệp .docx ghi bảng so sánh (tệp .xlsx cùng tên ghi bên cạnh). "
                   "Mặc định: output/<kế-hoạch>/so-sanh.docx.")
@templates_option
@friendly
def diff(old, new, out_file, templates):
    """So sánh hai phiên bản kế hoạch: kehoach diff CŨ MỚI.

    CŨ, MỚI là hai thư mục kế hoạch, hoặc một thư mục và một phiên bản git của nó
    (ví dụ: kehoach diff HEAD~1 data/tien-lu-2024). Ghi «Bảng so sánh» (.docx, .xlsx).
    """
    import tempfile

    from .compare.git_rev import RevisionError, export_revision
    from .compare.plan_diff import summary
    from .batch.runner import run_jobs
    from .compare.report import TEMPLATE, comparison_jobs
    from .pipeline import guard_output, templates_dir
    from .atomic import folder_lock
    from .source.plan_dir import load_plan
    from .templates_check import check_templates
    with tempfile.TemporaryDirectory(prefix="kehoach-diff-") as tmp:
        folders, labels = [], []
        for arg, other in ((old, new), (new, old)):
            if arg.is_dir():
                folders.append(arg)
                labels.append(str(arg))
            elif other.is_dir():
                try:
                    folders.append(export_revision(other, str(arg), Path(tmp) / f"rev{len(folders)}"))
                except RevisionError as exc:
                    click.echo(f"«{arg}» không phải thư mục kế hoạch, cũng không đọc được như phiên bản git "
                               f"của {other}: {exc}", err=True)
                    sys.exit(1)
                labels.append(f"{other} @ {arg}")
            else:
                click.echo(f"Cần ít nhất một thư mục kế hoạch; «{old}» và «{new}» đều không phải thư mục.", err=True)
                sys.exit(1)
        # warnings are the data's own business (validate shows them); a comparison stays quiet
        old_plan, new_plan = load_plan(folders[0]), load_plan(folders[1])
        tdir = templates_dir(templates)
        check_templates(tdir, [TEMPLATE])
        target = out_file or Path("output") / new_plan.name / "so-sanh.docx"
        for plan_dir in folders:
            guard_output(plan_dir, target)
        changes, jobs_ = comparison_jobs(old_plan, new_plan, (labels[0], labels[1]), target.name, tdir)
        with folder_lock(target.parent):
            outcome = run_jobs(jobs_, target.parent, n_jobs=1)
        docx, xlsx = target, target.with_suffix(".xlsx")
    report_outcome(outcome, target.parent, quiet_built=True)
    if outcome.failed:
        sys.exit(1)
    if not changes:
        click.echo("Hai phiên bản không khác nhau.")
    for line in summary(changes):
        click.echo(line)
    for c in changes:
        click.echo(f"  [{c.kieu}] {c.vi_tri} – {c.noi_dung}: {_short(c.cu)} → {_short(c.moi)}")
    click.echo(f"Đã ghi {docx} và {xlsx}.")


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return "«" + (text if len(text) <= n else text[: n - 1] + "…") + "»" if text else "(không có)"


@main.command()
@plan_argument
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def validate(plan_dir, fmt):
    """Kiểm tra dữ liệu kế hoạch; báo mọi lỗi một lần. Mã thoát: 0 hợp lệ, 1 có lỗi."""
    from .source.plan_dir import load_plan
    try:
        plan = load_plan(plan_dir or default_plan_dir())
        problems = plan.warnings
    except InvalidInput as exc:
        problems = exc.problems
    if fmt == "json":
        click.echo(json.dumps([p.as_dict() for p in problems.items], ensure_ascii=False, indent=1))
    else:
        print_problems(problems, err=False)
        n_err, n_warn = len(problems.errors), len(problems.warnings)
        click.echo("Dữ liệu hợp lệ" + (f" ({n_warn} cảnh báo)." if n_warn else ".") if not n_err
                   else f"Có {n_err} lỗi, {n_warn} cảnh báo.")
    sys.exit(1 if problems.errors else 0)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def info(files):
    """In các mã băm (dữ liệu, mẫu) và phiên bản ghi trong tệp do kehoach tạo."""
    from .render.package import read_properties
    from .untrusted_zip import UnsafeZip
    status = 0
    for f in files:
        try:
            props = read_properties(f)
        except UnsafeZip as exc:
            click.echo(f"{f}: không đọc được: {exc}", err=True)
            status = 1
            continue
        if not props:
            click.echo(f"{f}: không có thông tin kehoach")
            continue
        click.echo(f"{f}:")
        for k, v in sorted(props.items()):
            click.echo(f"  {k}: {v}")
    sys.exit(status)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="json: danh sách phát hiện cho máy đọc.")
def check(files, fmt):
    """Kiểm tra tệp .docx theo thể thức Nghị định 30. Mã thoát 1 nếu có lỗi."""
    from .nd30.check import as_json, check_docx
    from .nd30.docx_model import NotADocx
    report, status = {}, 0
    for f in files:
        try:
            findings = check_docx(f)
        except NotADocx as exc:
            findings = None
            report[str(f)] = {"error": str(exc)}
            if fmt == "text":
                click.echo(f"{f}: {exc}", err=True)
            status = 1
            continue
        except OSError as exc:
            report[str(f)] = {"error": exc.strerror}
            click.echo(f"{f}: không đọc được ({exc.strerror})", err=True)
            status = 1
            continue
        errors = [x for x in findings if x.level == "error"]
        status = 1 if errors else status
        report[str(f)] = as_json(findings)
        if fmt == "text":
            for x in findings:
                click.echo(f"{f}: {x}")
            click.echo(f"{f}: {len(errors)} lỗi, {len(findings) - len(errors)} cảnh báo.")
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=1))
    sys.exit(status)
