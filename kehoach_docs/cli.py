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
from .problems import InvalidInput, Problems

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
        from .render.atomic import Busy
        try:
            return fn(*args, **kwargs)
        except InvalidInput as exc:
            print_problems(exc.problems)
            n = len(exc.problems.errors)
            click.echo(f"Dữ liệu có {n} lỗi; chưa tạo tệp nào.", err=True)
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kehoach")
def main():
    """kehoach: dựng Kế hoạch (KH-UBND), phụ lục và báo cáo theo Nghị định 30/2020/NĐ-CP."""


def load(plan_dir: Path | None):
    from .source.plan_dir import load_plan
    plan = load_plan(plan_dir or default_plan_dir())
    print_problems(plan.warnings)
    return plan


def report_outcome(outcome, folder: Path) -> None:
    from .batch.manifest import REASONS
    for output, why in outcome.built:
        click.echo(f"  dựng  {folder / output}  ({REASONS[why]})")
    for output, msg in outcome.failed:
        click.echo(f"  LỖI   {folder / output}: {msg}", err=True)
    click.echo(f"Đã dựng {len(outcome.built)}, không đổi {len(outcome.unchanged)}, "
               f"lỗi {len(outcome.failed)}.")


def _run(plan, jobs, output_dir, force, n_jobs):
    from .pipeline import output_folder, run
    folder = output_folder(plan, output_dir)
    with click.progressbar(length=len(jobs), label="Đang dựng", file=sys.stderr,
                           show_pos=True) as bar:
        outcome = run(plan, jobs, output_dir, force=force, n_jobs=n_jobs, progress=bar.update)
    report_outcome(outcome, folder)
    if outcome.failed:
        sys.exit(1)


@main.command()
@plan_argument
@output_option
@templates_option
@force_option
@jobs_option
@friendly
def build(plan_dir, output_dir, templates, force, jobs):
    """Dựng kế hoạch (ke-hoach.docx) và phụ lục (phu-luc-i.xlsx, phu-luc-ii.xlsx)."""
    from .pipeline import plan_jobs, templates_dir
    from .templates_check import check_templates
    plan = load(plan_dir)
    tdir = templates_dir(templates)
    jobs_ = plan_jobs(plan, tdir)
    check_templates(tdir, ["ke-hoach.docx"], {"ke-hoach.docx": set(jobs_[0].context)})
    _run(plan, jobs_, output_dir, force, jobs)


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
    import zipfile
    from .render.package import read_properties
    status = 0
    for f in files:
        try:
            props = read_properties(f)
        except (OSError, zipfile.BadZipFile) as exc:
            click.echo(f"{f}: không đọc được ({exc})", err=True)
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
