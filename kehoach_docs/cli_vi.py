"""The command line in Vietnamese: click's own texts, the group's order and its last-resort guard.

click marks its texts for gettext (``_("Usage:")``). :func:`install` gives the click modules a
Vietnamese catalogue for them, so help, usage and error messages («Thiếu tham số», «Không có
lệnh») read as the rest of the tool does; a text click adds later simply stays in English.
"""

from __future__ import annotations

import gettext
import sys

import click

from . import STOPPED

#: click's messages (msgid exactly as click marks it) and their Vietnamese.
CATALOG = {
    "Usage:": "Cách dùng:",
    "Options": "Tùy chọn",
    "Commands": "Lệnh",
    "Show this message and exit.": "Hiện hướng dẫn này rồi thoát.",
    "Show the version and exit.": "Hiện phiên bản rồi thoát.",
    "%(prog)s, version %(version)s": "%(prog)s, phiên bản %(version)s",
    "Error: {message}": "Lỗi: {message}",
    "Try '{command} {option}' for help.": "Xem «{command} {option}» để biết cách dùng.",
    "Missing argument": "Thiếu tham số",
    "Missing option": "Thiếu tùy chọn",
    "Missing parameter": "Thiếu tham số",
    "Missing command.": "Thiếu lệnh.",
    "Missing {param_type}": "Thiếu {param_type}",
    "Missing parameter: {param_name}": "Thiếu tham số: {param_name}",
    "No such command {name!r}.": "Không có lệnh «{name}».",
    "No such option {name!r}.": "Không có tùy chọn «{name}».",
    "Option {name!r} does not take a value.": "Tùy chọn «{name}» không nhận giá trị.",
    "Invalid value for {param_hint}: {message}": "Giá trị không hợp lệ cho {param_hint}: {message}",
    "Invalid value: {message}": "Giá trị không hợp lệ: {message}",
    "Argument {name!r} takes {nargs} values.": "Tham số «{name}» nhận {nargs} giá trị.",
    "{value!r} is not a valid {number_type}.": "«{value}» không phải {number_type} hợp lệ.",
    "{value} is not in the range {range}.": "{value} không nằm trong khoảng {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "«{value}» không phải đúng/sai hợp lệ. Giá trị nhận được: {states}",
    "{name} {filename!r} does not exist.": "{name} «{filename}» không tồn tại.",
    "{name} {filename!r} is a directory.": "{name} «{filename}» là thư mục.",
    "{name} {filename!r} is a file.": "{name} «{filename}» là tệp.",
    "{name} {filename!r} is not readable.": "Không đọc được {name} «{filename}».",
    "{name} {filename!r} is not writable.": "Không ghi được vào {name} «{filename}».",
    "{name} {filename!r} is not executable.": "{name} «{filename}» không chạy được.",
    "Could not open file {filename!r}: {message}": "Không mở được tệp «{filename}»: {message}",
    "file": "Tệp", "directory": "Thư mục", "path": "Đường dẫn",
    "default: {default}": "mặc định: {default}",
    "required": "bắt buộc",
    "env var: {var}": "biến môi trường: {var}",
    "Choose from:\n\t{choices}": "Chọn một trong:\n\t{choices}",
    "Aborted!": STOPPED,
    "unknown error": "lỗi không rõ",
    "integer": "số nguyên", "float": "số",
}
#: Plural forms: (singular, plural) -> (Vietnamese singular, Vietnamese plural).
PLURALS = {
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        ("Có phải ý bạn là {possibility}?", "(Có phải ý bạn là một trong: {possibilities}?)"),
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("Thừa tham số ({args})", "Thừa các tham số ({args})"),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("Tùy chọn «{name}» cần một giá trị.", "Tùy chọn «{name}» cần {nargs} giá trị."),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("«{value}» không phải {choice}.", "«{value}» không phải một trong: {choices}."),
}


class Vietnamese(gettext.NullTranslations):
    """The catalogue above as a gettext translation."""

    def gettext(self, message):
        return CATALOG.get(message, message)

    def ngettext(self, singular, plural, n):
        vi = PLURALS.get((singular, plural))
        if vi is None:
            return singular if n == 1 else plural
        return vi[0] if n == 1 else vi[1]


def install() -> None:
    """Give every loaded click module the Vietnamese catalogue in place of ``gettext``'s."""
    vi = Vietnamese()
    for name, module in list(sys.modules.items()):
        if name == "click" or name.startswith("click."):
            if getattr(module, "_", None) is gettext.gettext:
                module._ = vi.gettext
            if getattr(module, "ngettext", None) is gettext.ngettext:
                module.ngettext = vi.ngettext


class Whole(click.IntRange):
    """A whole number, named in Vietnamese in click's messages."""

    name = "số nguyên"


class Number(click.FloatRange):
    """A number, named in Vietnamese in click's messages."""

    name = "số"


class Command(click.Command):
    """A command whose usage line reads ``[TÙY_CHỌN]``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[TÙY_CHỌN]")
        super().__init__(*args, **kwargs)


class Group(click.Group):
    """The ``kehoach`` group: commands listed in the order of the work (``order``), Vietnamese usage
    words, and a last-resort handler: no input, however hostile, shows a traceback."""

    command_class = Command
    #: Command names in the order a clerk meets them; any other follows.
    order: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[TÙY_CHỌN]")
        kwargs.setdefault("subcommand_metavar", "LỆNH [THAM_SỐ]...")
        super().__init__(*args, **kwargs)

    def list_commands(self, ctx):
        return sorted(self.commands, key=lambda n: self.order.index(n) if n in self.order else len(self.order))

    def invoke(self, ctx):
        from .problems import UserError, os_reason
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:
            if exc.args:    # what the interrupted work had done and kept (batch.runner.Interrupted)
                click.echo(exc.args[0], err=True)
            raise
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except OSError as exc:   # a disk full, a file locked by Word: the user can act on it
            raise UserError(f"Lỗi tệp: {exc.filename or ''}: {os_reason(exc)}") from None
        except Exception as exc:  # noqa: BLE001 - the point of a last resort
            from .crash import message, write_report
            click.echo(message(exc, write_report(exc)), err=True)
            sys.exit(70)


install()
