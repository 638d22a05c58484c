"""Problems found in input, with where they are: the vocabulary every check reports in.

Like MkDocs' config errors, each problem names the file, the line (YAML) or sheet!cell
(XLSX), the field's key path, what was found and what was expected, in Vietnamese.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass, field
from pathlib import Path

import click


ERROR = "error"
WARNING = "warning"

_LEVEL_VI = {ERROR: "lỗi", WARNING: "cảnh báo"}


def format_path(path: tuple) -> str:
    """``("nhom", 0, "chi_tieu", 3, "ma")`` -> ``nhom[1].chi_tieu[4].ma`` (1-based, as a clerk counts)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclass(frozen=True)
class Problem:
    """One finding. ``where`` is ``"12"`` (a YAML line) or ``"Phụ lục I!C7"`` (a cell)."""

    level: str
    file: str
    where: str | None
    path: tuple
    message: str
    #: What a clerk sees there (``Phụ lục I, chỉ tiêu «…», cột «…»``), printed before the key path.
    label: str = ""

    def __str__(self) -> str:
        from .text.hygiene import escape_invisible    # its tables cost more to build than --help takes
        loc = self.file
        if self.where:
            loc += f":{self.where}" if self.where[:1].isdigit() else f" [{self.where}]"
        key = format_path(self.path)
        where = f"{self.label} ({key}): " if self.label and key else f"{key}: " if key else ""
        return escape_invisible(f"{loc}: {_LEVEL_VI[self.level]}: " + where + self.message)

    def as_dict(self) -> dict:
        from .text.hygiene import escape_invisible
        return {
            "level": self.level, "file": escape_invisible(self.file), "where": self.where,
            "path": escape_invisible(format_path(self.path)), "message": escape_invisible(self.message),
            "label": escape_invisible(self.label),
        }


@dataclass
class Problems:
    """An ordered collection of problems; ``errors`` decides whether input is usable."""

    items: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        if problem not in self.items:
            self.items.append(problem)

    def extend(self, other: "Problems") -> None:
        for p in other.items:
            self.add(p)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.level == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.level == WARNING]

    def __bool__(self) -> bool:
        return bool(self.items)


class UserError(click.ClickException):
    """Every failure the user can fix (bad data, a busy or wrong folder, LibreOffice missing).

    click prints it and exits with status 1; ``show`` writes the Vietnamese message alone,
    without click's English "Error:" prefix.
    """

    exit_code = 1

    def show(self, file=None) -> None:
        click.echo(self.format_message(), err=True)


class InvalidInput(UserError):
    """Input that cannot be used; carries every problem found, not only the first."""

    def __init__(self, problems: Problems, closing: str = "chưa tạo tệp nào"):
        self.problems = problems
        n = len(problems.errors)
        super().__init__("\n".join(str(p) for p in problems.items) + f"\nDữ liệu có {n} lỗi; {closing}.")


#: The system's reasons for a failed file operation that a clerk meets, in Vietnamese; the system
#: gives them in English (Linux) or in the language Windows was installed in.
_OS_REASONS = {
    errno.ENOENT: "không có tệp hoặc thư mục này",
    errno.EACCES: "không có quyền truy cập, hoặc tệp đang mở trong chương trình khác (Word, Excel)",
    errno.EPERM: "không được phép",
    errno.EISDIR: "đây là thư mục, không phải tệp",
    errno.ENOTDIR: "một phần của đường dẫn không phải thư mục",
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EROFS: "ổ đĩa chỉ cho phép đọc",
    errno.EBUSY: "tệp đang được dùng",
    errno.ENAMETOOLONG: "tên tệp hoặc đường dẫn quá dài",
    errno.EIO: "lỗi đọc ghi của ổ đĩa",
}


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, in Vietnamese where the reason is a common one, else as the
    system words it."""
    return _OS_REASONS.get(exc.errno) or exc.strerror or str(exc)


def rel(path: Path | str) -> str:
    """A path as the clerk typed it: relative to the working folder when possible."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
