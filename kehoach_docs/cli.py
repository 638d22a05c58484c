"""The ``kehoach`` command line: declarations and printing only; the work is in :mod:`.app`.

Messages are in Vietnamese. A problem the user can fix is a
:class:`~kehoach_docs.problems.UserError` (exit status 1); anything unexpected is caught by
the group's last-resort handler (exit status 70), never shown as a traceback.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click

from . import __version__
from .cli_vi import Group, Number, Whole
from .problems import Problems, UserError, rel


class ClickReporter:
    """What the application reports, printed: problems and notes to stderr, a progress bar.

    ``level`` is 0 with ``--quiet`` (errors and the summary only), 1 by default (data warnings
    counted, not repeated on every command), 2 with ``--verbose`` (everything)."""

    level = 1

    def problems(self, problems: Problems, full: bool = False) -> None:
        for p in problems.errors:
            click.secho(str(p), err=True, fg="red")
        warnings = problems.warnings
        if self.level >= 2 or (full and self.level):
            for p in warnings:
                click.secho(str(p), err=True, fg="yellow")
        elif self.level == 1 and warnings:
            click.secho(f"Dữ liệu có {len(warnings)} cảnh báo (xem chi tiết: kehoach validate, hoặc thêm -v).",
                        err=True, fg="yellow")

    @contextlib.contextmanager
    def progress(self, total: int, label: str):
        if self.level == 0:
            yield lambda n: None
            return
        with click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True, show_eta=True) as bar:
            yield bar.update

    def note(self, text: str) -> None:
        if self.level:
            click.echo(text, err=True)


REPORTER = ClickReporter()


def show_run(result) -> None:
    """Say what a run kept, built and failed, then the PDFs; exit 1 if anything failed."""
    from .batch.manifest import REASONS
    if result.outcome is None:
        click.echo(f"Không có gì thay đổi từ lần dựng trước: {len(result.outputs)} tệp trong {rel(result.folder)} "
                   "vẫn đúng.")
    else:
        folder = Path(rel(result.folder))     # every path as the clerk typed it, worked out once
        show_outcome(result.outcome, folder)
        for output, why in result.outcome.built if REPORTER.level else []:
            click.echo(f"  dựng  {folder / output}  ({REASONS[why]})")
        for output in result.outcome.unchanged if REPORTER.level >= 2 else []:
            click.echo(f"  giữ nguyên  {folder / output}")
        o = result.outcome
        click.echo(f"Đã dựng {len(o.built)}, không đổi {len(o.unchanged)}, lỗi {len(o.failed)}.")
    if result.waiting:
        click.secho("  CHỜ   chưa dựng lại tài liệu của " + ", ".join(result.waiting)
                    + ": tệp kết quả bị từ chối (xem lỗi ở trên); sửa tệp rồi chạy lại", err=True, fg="red")
    if result.pdf is not None:
        show_pdf(result.pdf)
    if not result.ok:
        sys.exit(1)


def show_many(outcomes) -> None:
    """One line for the batch, then every plan that did not go through, with why."""
    built, unchanged = sum(o.built for o in outcomes), sum(o.unchanged for o in outcomes)
    bad = [o for o in outcomes if not o.ok]
    click.echo(f"{len(outcomes)} kế hoạch: dựng {built} tệp, không đổi {unchanged}; "
               f"{len(outcomes) - len(bad)} kế hoạch xong, {len(bad)} kế hoạch lỗi.")
    for o in outcomes:
        for output, backup in o.kept:
            click.echo(f"  giữ   {rel(o.folder)}: {output} đã bị sửa tay, cất thành {backup}", err=True)
        if o.waiting:
            click.secho(f"  CHỜ   {rel(o.folder)}: tệp kết quả của {', '.join(o.waiting)} bị từ chối", err=True, fg="red")
    for o in bad:
        click.secho(f"  LỖI   {rel(o.folder)}:", err=True, fg="red")
        for line in (o.error or "").splitlines():
            click.echo(f"        {line}", err=True)
        for output, msg in o.failed:
            click.echo(f"        {output}: {msg}", err=True)
        if o.pdf_failed:
            click.echo(f"        {o.pdf_failed} tệp PDF không xuất được (chạy riêng kế hoạch này để xem)", err=True)
    if bad:
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
        click.secho(f"  LỖI   {folder / output}: {msg}", err=True, fg="red")


def show_pdf(report) -> None:
    for pdf in report.converted if REPORTER.level else []:
        click.echo(f"  pdf   {rel(pdf)}")
    for pdf, fonts in report.foreign_fonts:
        click.echo(f"  LỖI   {rel(pdf)}: PDF dùng phông {', '.join(fonts)} ngoài Times New Roman (thiếu chữ Việt?); "
                   "cài fonts-liberation2 hoặc Times New Roman rồi chạy lại với --force", err=True)
    for pdf, msg in report.failed:
        click.echo(f"  LỖI   {rel(pdf)}: {msg}", err=True)
    if report.converted or report.failed or report.foreign_fonts:
        click.echo(f"PDF: đã xuất {len(report.converted)}, không đổi {report.unchanged}, "
                   f"lỗi {len(report.failed) + len(report.foreign_fonts)}.")
    else:
        click.echo(f"PDF: không đổi {report.unchanged}.")


plan_argument = click.argument("plan_dir", required=False, type=click.Path(path_type=Path),
                               metavar="[THƯ_MỤC_KẾ_HOẠCH]")
output_option = click.option("-o", "--output", "output_dir", type=click.Path(path_type=Path), default=None,
                             metavar="THƯ_MỤC",
                             help="Thư mục ghi kết quả, mỗi kế hoạch một thư mục con (mặc định: output/ ở thư "
                                  "mục hiện tại; cạnh thư mục kế hoạch khi đang đứng trong nó).")
jobs_option = click.option("-j", "--jobs", type=Whole(1, 256), default=None, metavar="SỐ",
                           help="Số tiến trình dựng song song (mặc định: số lõi CPU).")
force_option = click.option("--force", is_flag=True, help="Dựng lại mọi tệp, kể cả tệp không đổi.")
templates_option = click.option("--templates", type=click.Path(path_type=Path, file_okay=False), metavar="THƯ_MỤC",
                                default=None, help="Thư mục mẫu .docx (mặc định: templates/docx).")
pdf_option = click.option("--pdf", is_flag=True, help="Xuất thêm PDF cạnh mỗi tệp .docx (cần LibreOffice).")
pdf_timeout_option = click.option("--pdf-timeout", type=Number(1), default=120, show_default=True, metavar="GIÂY",
                                  help="Số giây chờ LibreOffice trước khi coi là treo và khởi động lại.")
agency_option = click.option("--agency", "agencies", multiple=True, metavar="MÃ",
                             help="Chỉ dựng báo cáo của cơ quan này (có thể ghi nhiều lần).")


#: How much the commands print: (flags, level, help), taken before a command's name
#: (``kehoach -q build``) or after it (``kehoach build -q``); given both ways, the later one counts.
VERBOSITY = ((("-q", "--quiet"), 0, "Chỉ in lỗi và dòng tổng kết."),
             (("-v", "--verbose"), 2, "In mọi cảnh báo và mọi tệp, kể cả tệp không đổi."))


def _verbosity_options(f):
    """``-q`` and ``-v`` on the group (a function yet) or on a command already declared."""
    order = VERBOSITY if isinstance(f, click.Command) else reversed(VERBOSITY)   # decorators apply last first
    for flags, level, text in order:
        f = click.option(*flags, is_flag=True, expose_value=False, help=text,
                         callback=lambda ctx, param, given, level=level: _set_level(ctx, level) if given else None)(f)
    return f


def _set_level(ctx: click.Context, level: int) -> None:
    ctx.meta["kehoach.level"] = REPORTER.level = level


@click.group(name="kehoach", cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kehoach", message="%(prog)s, phiên bản %(version)s")
@_verbosity_options
@click.pass_context
def main(ctx):
    """kehoach: dựng Kế hoạch (KH-UBND), phụ lục và báo cáo theo Nghị định 30/2020/NĐ-CP."""
    REPORTER.level = ctx.meta.get("kehoach.level", 1)     # each run starts from the default


main.order = ("init", "validate", "build", "reports", "collect", "serve", "clerk", "diff", "check", "info")


plans_argument = click.argument("plan_dirs", nargs=-1, type=click.Path(path_type=Path),
                                metavar="[THƯ_MỤC_KẾ_HOẠCH]...")
executor_option = click.option("--executor", metavar="dask://MÁY:CỔNG", default=None,
                               help="Chia việc cho một cụm máy Dask (các máy cùng thấy thư mục kế hoạch và "
                                    "thư mục đầu ra).")


@main.command(short_help="Dựng kế hoạch (hoặc quyết định) và các phụ lục.")
@plans_argument
@output_option
@templates_option
@force_option
@jobs_option
@pdf_option
@pdf_timeout_option
@executor_option
def build(plan_dirs, output_dir, templates, force, jobs, pdf, pdf_timeout, executor):
    """Dựng kế hoạch (ke-hoach.docx) và phụ lục (phu-luc-i.xlsx, phu-luc-ii.xlsx).

    Nhiều kế hoạch một lần: ghi nhiều thư mục, hoặc một thư mục chứa các thư mục kế hoạch
    (ví dụ mọi xã của tỉnh); mỗi kế hoạch dựng riêng, kế hoạch lỗi được báo ở cuối.
    """
    from . import app
    if len(plan_dirs) > 1 or executor or (plan_dirs and app.is_plan_collection(plan_dirs[0])):
        show_many(app.run_many("build", plan_dirs, output_dir, templates, REPORTER, force=force, n_jobs=jobs,
                               pdf=pdf, pdf_timeout=pdf_timeout, executor=executor))
        return
    plan = app.plan_folder(plan_dirs[0] if plan_dirs else None)
    show_run(app.build(plan, app.default_output(plan, output_dir), templates, REPORTER, force=force,
                       n_jobs=jobs, pdf=pdf, pdf_timeout=pdf_timeout))


@main.command(short_help="Dựng dự thảo báo cáo, sổ nhập kết quả và báo cáo tổng hợp.")
@plans_argument
@output_option
@templates_option
@agency_option
@force_option
@jobs_option
@pdf_option
@pdf_timeout_option
@executor_option
def reports(plan_dirs, output_dir, templates, agencies, force, jobs, pdf, pdf_timeout, executor):
    """Dựng dự thảo báo cáo (bao-cao/<MÃ>.docx) và sổ nhập kết quả (bao-cao/<MÃ>.xlsx) cho từng cơ quan,
    cùng báo cáo tổng hợp (tong-hop.docx). Nhiều kế hoạch một lần như lệnh build."""
    from . import app
    if len(plan_dirs) > 1 or executor or (plan_dirs and app.is_plan_collection(plan_dirs[0])):
        if agencies:
            raise click.UsageError("--agency chỉ dùng với một kế hoạch.")
        show_many(app.run_many("reports", plan_dirs, output_dir, templates, REPORTER, force=force, n_jobs=jobs,
                               pdf=pdf, pdf_timeout=pdf_timeout, executor=executor))
        return
    plan = app.plan_folder(plan_dirs[0] if plan_dirs else None)
    show_run(app.reports(plan, app.default_output(plan, output_dir), templates, REPORTER, agencies=agencies,
                         force=force, n_jobs=jobs, pdf=pdf, pdf_timeout=pdf_timeout))


@main.command(short_help="Nhận sổ nhập kết quả đã điền, dựng lại báo cáo.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path),
                metavar="[THƯ_MỤC_KẾ_HOẠCH] SỔ.xlsx...")
@output_option
@templates_option
@jobs_option
@click.option("--nhan-ket-qua-ban-cu", "accept_changed", is_flag=True,
              help="Sổ làm từ bản kế hoạch trước khi điều chỉnh: vẫn nhận kết quả của các dòng kế hoạch đã đổi.")
def collect(paths, output_dir, templates, jobs, accept_changed):
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
    result = app.collect(plan, list(paths), app.default_output(plan, output_dir), templates, REPORTER, n_jobs=jobs,
                         accept_changed=accept_changed)
    for r in result.received:
        click.echo(f"Đã nhận kết quả của {r.name} ({r.code}) từ {r.source} → {r.stored}"
                   + (" (thay cho lần gửi trước)" if r.replaced else ""))
    click.echo("Đánh giá chỉ tiêu: " + ", ".join(f"{v} {k.lower()}" for k, v in result.verdicts.items()) + ".")
    click.echo(f"Chưa gửi báo cáo: {', '.join(result.missing)}." if result.missing else "Mọi cơ quan đã gửi báo cáo.")
    show_run(result.run)


@main.command(short_help="So sánh hai phiên bản kế hoạch (Bảng so sánh).")
@click.argument("old", type=click.Path(path_type=Path), metavar="CŨ")
@click.argument("new", type=click.Path(path_type=Path), metavar="MỚI")
@click.option("-o", "--output", "out_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              metavar="TỆP.docx",
              help="Tệp .docx ghi bảng so sánh (tệp .xlsx cùng tên ghi bên cạnh). "
                   "Mặc định: output/<kế-hoạch>/so-sanh.docx.")
@click.option("--ten-ban-cu", metavar="TÊN", default=None,
              help="Tên bản cũ trong bảng so sánh (mặc định: «bản đã ban hành»).")
@click.option("--ten-ban-moi", metavar="TÊN", default=None,
              help="Tên bản mới trong bảng so sánh (mặc định: «bản điều chỉnh»).")
@click.option("--ke-hoach", "plan_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              metavar="THƯ_MỤC_KẾ_HOẠCH",
              help="Kế hoạch mà hai sổ phụ lục thuộc về (mặc định: thư mục hiện tại, hoặc thư mục chứa sổ).")
@templates_option
def diff(old, new, out_file, ten_ban_cu, ten_ban_moi, plan_dir, templates):
    """So sánh hai phiên bản kế hoạch: kehoach diff CŨ MỚI.

    CŨ, MỚI là hai thư mục kế hoạch (kehoach diff ban-cu ban-moi); hoặc hai sổ phụ lục .xlsx
    của cùng một kế hoạch (kehoach diff phu-luc-i-cu.xlsx phu-luc-i.xlsx); hoặc một thư mục
    và một phiên bản git của nó (kehoach diff HEAD~1 data/tien-lu-2024).
    Ghi «Bảng so sánh» (.docx, .xlsx).
    """
    from . import app
    from .compare.plan_diff import summary
    result = app.diff(old, new, out_file, templates, REPORTER, labels=(ten_ban_cu, ten_ban_moi),
                      plan_dir=plan_dir)
    show_outcome(result.run.outcome, result.run.folder)
    if result.run.outcome.failed:
        sys.exit(1)
    if not result.changes:
        click.echo("Hai phiên bản không khác nhau.")
    for line in summary(result.changes):
        click.echo(line)
    for c in result.changes:
        click.echo(f"  [{c.thay_doi}] {c.vi_tri} – {c.noi_dung}: " + " → ".join(_shown_change(c.cu, c.moi)))
    click.echo(f"Đã ghi {result.docx} và {result.xlsx}.")


def _shown_change(old: str, new: str, n: int = 60) -> tuple[str, str]:
    """Both sides of a change in at most ``n`` characters each, cut around where they first differ,
    so a long text changed near its end does not show the same beginning twice."""
    old, new = " ".join(old.split()), " ".join(new.split())
    start = 0
    if max(len(old), len(new)) > n:
        start = max(0, len(os.path.commonprefix([old, new])) - n // 3)

    def shown(text: str) -> str:
        if not text:
            return "(không có)"
        part = text[start:]
        part = part if len(part) <= n else part[:n - 1] + "…"
        return "«" + ("…" if start else "") + part + "»"
    return shown(old), shown(new)


@main.command(short_help="Kiểm tra dữ liệu kế hoạch, báo mọi lỗi một lần.")
@plan_argument
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="json: danh sách vấn đề cho máy đọc.")
def validate(plan_dir, fmt):
    """Kiểm tra dữ liệu kế hoạch; báo mọi lỗi một lần. Mã thoát: 0 hợp lệ, 1 có lỗi."""
    from . import app
    problems = app.validate(app.plan_folder(plan_dir))
    if fmt == "json":
        import json
        click.echo(json.dumps([p.as_dict() for p in problems.items], ensure_ascii=False, indent=1))
    else:
        for p in problems.items:
            click.echo(str(p))
        n_err, n_warn = len(problems.errors), len(problems.warnings)
        click.echo("Dữ liệu hợp lệ" + (f" ({n_warn} cảnh báo)." if n_warn else ".") if not n_err
                   else f"Có {n_err} lỗi, {n_warn} cảnh báo.")
    sys.exit(1 if problems.errors else 0)


@main.command(short_help="Tạo thư mục kế hoạch mới cho UBND xã hoặc tỉnh.")
@click.argument("folder", type=click.Path(path_type=Path), metavar="THƯ_MỤC")
@click.option("--cap", type=click.Choice(["xã", "tỉnh"]), default="xã", show_default=True,
              help="Cấp chính quyền ban hành kế hoạch.")
@click.option("--dia-danh", required=True, metavar="TÊN", help="Tên xã hoặc tỉnh, ví dụ «Tân Lập».")
@click.option("--nam", type=Whole(2000, 2100), required=True, metavar="NĂM", help="Năm kế hoạch.")
def init(folder, cap, dia_danh, nam):
    """Tạo thư mục kế hoạch mới (có chú thích tiếng Việt) cho UBND xã hoặc tỉnh."""
    from . import app
    files = app.init(folder, cap, dia_danh, nam)
    for f in files if REPORTER.level else []:
        click.echo(f"  tạo   {f}")
    click.echo(f"Đã tạo kế hoạch mẫu. Sửa các dòng «SỬA:», rồi chạy: kehoach validate {folder} && "
               f"kehoach build {folder}")


@main.command(short_help="Mở trang web nhập kết quả cho cơ quan và theo dõi cho văn thư.")
@click.argument("plan_dirs", nargs=-1, type=click.Path(path_type=Path, file_okay=False),
                metavar="[THƯ_MỤC_KẾ_HOẠCH]...")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ĐỊA_CHỈ",
              help="Địa chỉ nghe; 0.0.0.0 để máy khác trong mạng nội bộ truy cập.")
@click.option("--port", type=Whole(1, 65535), default=8000, show_default=True, metavar="CỔNG", help="Cổng.")
@click.option("--db", metavar="URL", default=None,
              help="Cơ sở dữ liệu: sqlite:///ĐƯỜNG_DẪN hoặc postgresql://NGƯỜI_DÙNG:MẬT_KHẨU@MÁY:CỔNG/TÊN "
                   "(mặc định: SQLite trong thư mục .kehoach/ của kế hoạch đầu tiên).")
@click.option("--ten-mien", "hosts", multiple=True, metavar="TÊN",
              help="Tên miền hoặc địa chỉ người dùng gõ vào trình duyệt (nhắc lại được); mặc định: localhost "
                   "và địa chỉ --host.")
@click.option("--https", is_flag=True, help="Máy chủ đứng sau HTTPS (cookie chỉ gửi qua HTTPS).")
@output_option
@templates_option
def serve(plan_dirs, host, port, db, hosts, https, output_dir, templates):
    """Mở trang web: cơ quan nhập kết quả qua liên kết riêng, văn thư theo dõi và tải báo cáo.

    Không ghi thư mục: dùng thư mục hiện tại nếu là thư mục kế hoạch.
    """
    from . import app
    from .web import server
    plans = [app.plan_folder(p) for p in plan_dirs] or [app.plan_folder(None)]
    server.start(plans, host, port, db, list(hosts), https, app.default_output(plans[0], output_dir), templates,
                 echo=click.echo)


@main.command(short_help="Tạo tài khoản văn thư cho trang web, hoặc đặt lại mật khẩu.")
@click.argument("name", metavar="TÊN_ĐĂNG_NHẬP")
@click.option("--ke-hoach", "plan_dirs", multiple=True, type=click.Path(path_type=Path, file_okay=False),
              metavar="THƯ_MỤC_KẾ_HOẠCH", help="Kế hoạch văn thư này quản lý (nhắc lại được).")
@click.option("--db", metavar="URL", default=None, help="Cơ sở dữ liệu, như ở lệnh serve.")
@click.option("--mat-khau-stdin", "from_stdin", is_flag=True, help="Đọc mật khẩu từ đầu vào chuẩn (cho kịch bản).")
def clerk(name, plan_dirs, db, from_stdin):
    """Tạo tài khoản văn thư (mật khẩu hỏi khi chạy) và giao kế hoạch cho tài khoản đó."""
    from . import app
    from .web import server
    plans = [app.plan_folder(p) for p in plan_dirs] or [app.plan_folder(None)]
    password = (sys.stdin.readline().rstrip("\r\n") if from_stdin
                else click.prompt("Mật khẩu", hide_input=True, confirmation_prompt="Nhắc lại mật khẩu"))
    click.echo(server.create_clerk(plans, db, name, password))


@main.command(short_help="In mã băm dữ liệu, mẫu và phiên bản ghi trong tệp.")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="TỆP...")
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


@main.command(short_help="Kiểm tra tệp .docx theo thể thức Nghị định 30.")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="TỆP.docx...")
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
        import json
        click.echo(json.dumps(report, ensure_ascii=False, indent=1))
    sys.exit(status)


for _command in main.commands.values():     # «kehoach build -q» as well as «kehoach -q build»
    _verbosity_options(_command)
