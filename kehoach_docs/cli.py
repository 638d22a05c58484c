"""The ``kehoach`` command line: declarations and printing only; the work is in :mod:`.app`.

Messages are in Vietnamese. A problem the user can fix is a
:class:`~kehoach_docs.problems.UserError` (exit status 1); anything unexpected is caught by
the group's last-resort handler (exit status 70), never shown as a traceback.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import click

from . import __version__
from .problems import Problems, UserError


class _Guarded(click.Group):
    """The command group with a last-resort handler: no input, however hostile, shows a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except OSError as exc:   # a disk full, a file locked by Word: the user can act on it
            raise UserError(f"Lỗi tệp: {exc.filename or ''}: {exc.strerror or exc}") from None
        except Exception as exc:  # noqa: BLE001 - the point of a last resort
            from .crash import message, write_report
            click.echo(message(exc, write_report(exc)), err=True)
            sys.exit(70)


class ClickReporter:
    """What the application reports, printed: problems and notes to stderr, a progress bar."""

    def problems(self, problems: Problems) -> None:
        for p in problems.items:
            click.echo(str(p), err=True)

    @contextlib.contextmanager
    def progress(self, total: int, label: str):
        with click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True) as bar:
            yield bar.update

    def note(self, text: str) -> None:
        click.echo(text, err=True)


REPORTER = ClickReporter()


def show_run(result) -> None:
    """Say what a run kept, built and failed, then the PDFs; exit 1 if anything failed."""
    from .batch.manifest import REASONS
    if result.outcome is None:
        click.echo(f"Không có gì thay đổi từ lần dựng trước: {len(result.outputs)} tệp trong {result.folder} "
                   "vẫn đúng.")
    else:
        show_outcome(result.outcome, result.folder)
        for output, why in result.outcome.built:
            click.echo(f"  dựng  {result.folder / output}  ({REASONS[why]})")
        o = result.outcome
        click.echo(f"Đã dựng {len(o.built)}, không đổi {len(o.unchanged)}, lỗi {len(o.failed)}.")
    if result.waiting:
        click.echo("  CHỜ   chưa dựng lại tài liệu của " + ", ".join(result.waiting)
                   + ": tệp kết quả bị từ chối (xem lỗi ở trên); sửa tệp rồi chạy lại", err=True)
    if result.pdf is not None:
        show_pdf(result.pdf)
    if not result.ok:
        sys.exit(1)


def show_outcome(outcome, folder: Path) -> None:
    """Notes, hand-edited files kept aside and failures of one run."""
    for note in outcome.notes:
        click.echo(f"  lưu ý: {note}", err=True)
    for output, backup in outcome.kept:
        click.echo(f"  giữ   {folder / output} đã bị sửa tay: cất thành {backup}", err=True)
    for pdf in outcome.stale_pdfs:
        click.echo(f"  xóa   {folder / pdf}: bản PDF cũ không còn khớp với .docx vừa dựng "
                   "(dựng lại bằng --pdf)", err=True)
    for output, msg in outcome.failed:
        click.echo(f"  LỖI   {folder / output}: {msg}", err=True)


def show_pdf(report) -> None:
    for pdf in report.converted:
        click.echo(f"  pdf   {pdf}")
    for pdf, fonts in report.foreign_fonts:
        click.echo(f"  LỖI   {pdf}: PDF dùng phông {', '.join(fonts)} ngoài Times New Roman (thiếu chữ Việt?); "
                   "cài fonts-liberation2 hoặc Times New Roman rồi chạy lại với --force", err=True)
    for pdf, msg in report.failed:
        click.echo(f"  LỖI   {pdf}: {msg}", err=True)
    if report.converted or report.failed or report.foreign_fonts:
        click.echo(f"PDF: đã xuất {len(report.converted)}, không đổi {report.unchanged}, "
                   f"lỗi {len(report.failed) + len(report.foreign_fonts)}.")
    else:
        click.echo(f"PDF: không đổi {report.unchanged}.")


plan_argument = click.argument("plan_dir", required=False, type=click.Path(path_type=Path))
output_option = click.option("-o", "--output", "output_dir", type=click.Path(path_type=Path), default=None,
                             help="Thư mục ghi kết quả, mỗi kế hoạch một thư mục con (mặc định: output/ ở thư "
                                  "mục hiện tại; cạnh thư mục kế hoạch khi đang đứng trong nó).")
jobs_option = click.option("-j", "--jobs", type=click.IntRange(1, 256), default=None,
                           help="Số tiến trình dựng song song (mặc định: số lõi CPU).")
force_option = click.option("--force", is_flag=True, help="Dựng lại mọi tệp, kể cả tệp không đổi.")
templates_option = click.option("--templates", type=click.Path(path_type=Path, file_okay=False),
                                default=None, help="Thư mục mẫu .docx (mặc định: templates/docx).")
pdf_option = click.option("--pdf", is_flag=True, help="Xuất thêm PDF cạnh mỗi tệp .docx (cần LibreOffice).")
pdf_timeout_option = click.option("--pdf-timeout", type=click.FloatRange(1), default=120, show_default=True,
                                  help="Số giây chờ LibreOffice trước khi coi là treo và khởi động lại.")
agency_option = click.option("--agency", "agencies", multiple=True, metavar="MÃ",
                             help="Chỉ dựng báo cáo của cơ quan này (có thể ghi nhiều lần).")


@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kehoach")
def main():
    """kehoach: dựng Kế hoạch (KH-UBND), phụ lục và báo cáo theo Nghị định 30/2020/NĐ-CP."""


@main.command()
@plan_argument
@output_option
@templates_option
@force_option
@jobs_option
@pdf_option
@pdf_timeout_option
def build(plan_dir, output_dir, templates, force, jobs, pdf, pdf_timeout):
    """Dựng kế hoạch (ke-hoach.docx) và phụ lục (phu-luc-i.xlsx, phu-luc-ii.xlsx)."""
    from . import app
    plan = app.plan_folder(plan_dir)
    show_run(app.build(plan, app.default_output(plan, output_dir), templates, REPORTER, force=force,
                       n_jobs=jobs, pdf=pdf, pdf_timeout=pdf_timeout))


@main.command()
@plan_argument
@output_option
@templates_option
@agency_option
@force_option
@jobs_option
@pdf_option
@pdf_timeout_option
def reports(plan_dir, output_dir, templates, agencies, force, jobs, pdf, pdf_timeout):
    """Dựng dự thảo báo cáo (bao-cao/<MÃ>.docx) và sổ nhập kết quả (bao-cao/<MÃ>.xlsx) cho từng cơ quan,
    cùng báo cáo tổng hợp (tong-hop.docx)."""
    from . import app
    plan = app.plan_folder(plan_dir)
    show_run(app.reports(plan, app.default_output(plan, output_dir), templates, REPORTER, agencies=agencies,
                         force=force, n_jobs=jobs, pdf=pdf, pdf_timeout=pdf_timeout))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@output_option
@templates_option
@jobs_option
def collect(paths, output_dir, templates, jobs):
    """Nhận sổ nhập kết quả đã điền: kehoach collect [THƯ_MỤC_KẾ_HOẠCH] SỔ.xlsx...

    Kiểm tra từng sổ với kế hoạch, lưu kết quả vào <kế hoạch>/ket-qua/<MÃ>.yaml,
    rồi dựng lại báo cáo của các cơ quan đó và báo cáo tổng hợp.
    """
    from . import app
    plan_dir = None
    if paths and paths[0].is_dir():
        plan_dir, paths = paths[0], paths[1:]
    if not paths:
        raise click.UsageError("Cần ít nhất một sổ nhập kết quả (.xlsx).")
    plan = app.plan_folder(plan_dir)
    result = app.collect(plan, list(paths), app.default_output(plan, output_dir), templates, REPORTER, n_jobs=jobs)
    for r in result.received:
        click.echo(f"Đã nhận kết quả của {r.name} ({r.code}) từ {r.source} → {r.stored}"
                   + (" (thay cho lần gửi trước)" if r.replaced else ""))
    click.echo("Đánh giá chỉ tiêu: " + ", ".join(f"{v} {k.lower()}" for k, v in result.verdicts.items()) + ".")
    click.echo(f"Chưa gửi báo cáo: {', '.join(result.missing)}." if result.missing else "Mọi cơ quan đã gửi báo cáo.")
    show_run(result.run)


@main.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Tệp .docx ghi bảng so sánh (tệp .xlsx cùng tên ghi bên cạnh). "
                   "Mặc định: output/<kế-hoạch>/so-sanh.docx.")
@templates_option
def diff(old, new, out_file, templates):
    """So sánh hai phiên bản kế hoạch: kehoach diff CŨ MỚI.

    CŨ, MỚI là hai thư mục kế hoạch, hoặc một thư mục và một phiên bản git của nó
    (ví dụ: kehoach diff HEAD~1 data/tien-lu-2024). Ghi «Bảng so sánh» (.docx, .xlsx).
    """
    from . import app
    from .compare.plan_diff import summary
    result = app.diff(old, new, out_file, templates, REPORTER)
    show_outcome(result.run.outcome, result.run.folder)
    if result.run.outcome.failed:
        sys.exit(1)
    if not result.changes:
        click.echo("Hai phiên bản không khác nhau.")
    for line in summary(result.changes):
        click.echo(line)
    for c in result.changes:
        click.echo(f"  [{c.thay_doi}] {c.vi_tri} – {c.noi_dung}: {_short(c.cu)} → {_short(c.moi)}")
    click.echo(f"Đã ghi {result.docx} và {result.xlsx}.")


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return "«" + (text if len(text) <= n else text[: n - 1] + "…") + "»" if text else "(không có)"


@main.command()
@plan_argument
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def validate(plan_dir, fmt):
    """Kiểm tra dữ liệu kế hoạch; báo mọi lỗi một lần. Mã thoát: 0 hợp lệ, 1 có lỗi."""
    from . import app
    problems = app.validate(app.plan_folder(plan_dir))
    if fmt == "json":
        click.echo(json.dumps([p.as_dict() for p in problems.items], ensure_ascii=False, indent=1))
    else:
        for p in problems.items:
            click.echo(str(p))
        n_err, n_warn = len(problems.errors), len(problems.warnings)
        click.echo("Dữ liệu hợp lệ" + (f" ({n_warn} cảnh báo)." if n_warn else ".") if not n_err
                   else f"Có {n_err} lỗi, {n_warn} cảnh báo.")
    sys.exit(1 if problems.errors else 0)


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--cap", type=click.Choice(["xã", "tỉnh"]), default="xã", show_default=True,
              help="Cấp chính quyền ban hành kế hoạch.")
@click.option("--dia-danh", required=True, help="Tên xã hoặc tỉnh, ví dụ «Tân Lập».")
@click.option("--nam", type=click.IntRange(2000, 2100), required=True, help="Năm kế hoạch.")
def init(folder, cap, dia_danh, nam):
    """Tạo thư mục kế hoạch mới (có chú thích tiếng Việt) cho UBND xã hoặc tỉnh."""
    from . import app
    files = app.init(folder, cap, dia_danh, nam)
    for f in files:
        click.echo(f"  tạo   {f}")
    click.echo(f"Đã tạo kế hoạch mẫu. Sửa các dòng «SỬA:», rồi chạy: kehoach validate {folder} && "
               f"kehoach build {folder}")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def info(files):
    """In các mã băm (dữ liệu, mẫu) và phiên bản ghi trong tệp do kehoach tạo."""
    from . import app
    status = 0
    for f in files:
        try:
            props = app.properties(f)
        except UserError as exc:
            click.echo(exc.format_message(), err=True)
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
    from . import app
    from .nd30.check import as_json
    report, status = {}, 0
    for f in files:
        try:
            findings = app.check(f)
        except UserError as exc:
            report[str(f)] = {"error": exc.format_message()}
            if fmt == "text":
                click.echo(exc.format_message(), err=True)
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
