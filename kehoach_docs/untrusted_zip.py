"""One guard for every Office file that comes from outside: a workbook sent back by an
agency, an appendix workbook, a .docx given to ``check`` or ``info``.

Such a file is a zip whose sizes are whatever its author wrote. Before anything parses
it we bound the file, the number of parts, their declared sizes and the compression
ratio, and refuse methods other than stored/deflate; reading a part never inflates more
than its limit, and every way a damaged zip can fail becomes :class:`UnsafeZip` with a
Vietnamese message, never a traceback.
"""

from __future__ import annotations

import os
import stat
import zipfile
import zlib
from pathlib import Path

from .problems import os_reason

MAX_FILE = 20 * 1024 * 1024        # an appendix of thousands of rows is well under 2 MB
MAX_UNPACKED = 100 * 1024 * 1024   # all parts together, as declared
MAX_PART = 50 * 1024 * 1024        # one part, as actually inflated
MAX_RATIO = 100                    # declared size over packed size, whole file
MAX_MEMBERS = 5000

#: What can go wrong while inflating a damaged or hostile part.
READ_ERRORS = (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError, RuntimeError,
               KeyError, ValueError)


class UnsafeZip(Exception):
    """A foreign file that cannot be opened safely; ``str()`` is the Vietnamese reason."""


class UnreadableFile(UnsafeZip):
    """No file to read there: missing, a folder, or not ours to read (the message says which)."""


def file_problem(path: Path) -> str | None:
    """Why ``path`` is no file to read: missing, a folder, or a device or pipe (which would be read
    without end, or wait for a writer for good); None for an ordinary file."""
    return _regular_file(path)[1]


def _regular_file(path: Path) -> tuple[os.stat_result | None, str | None]:
    """``path``'s stat, or why it is no ordinary file to read (see :func:`file_problem`)."""
    try:
        st = Path(path).stat()
    except OSError as exc:
        return None, os_reason(exc)
    if stat.S_ISDIR(st.st_mode):
        return None, "đây là thư mục, không phải tệp"
    if not stat.S_ISREG(st.st_mode):
        return None, "không phải tệp thông thường (thiết bị hay ống dẫn)"
    return st, None


def open_zip(path: Path) -> zipfile.ZipFile:
    """Open ``path`` after checking its size and its parts' declared sizes and methods."""
    path = Path(path)
    st, why = _regular_file(path)
    if why:
        raise UnreadableFile(why)
    if st.st_size > MAX_FILE:
        raise UnsafeZip(f"tệp quá lớn ({st.st_size // 2**20} MB; tối đa {MAX_FILE // 2**20} MB)")
    try:
        z = zipfile.ZipFile(path)
        infos = z.infolist()
    except PermissionError as exc:
        raise UnreadableFile(os_reason(exc)) from None
    except READ_ERRORS:
        raise UnsafeZip(_not_a_zip(path)) from None
    try:
        _check_members(infos)
    except UnsafeZip:
        z.close()
        raise
    return z


#: What a file that is no zip begins with, and what it is.
_FOREIGN = ((b"%PDF", "đây là tệp PDF, không phải tệp Office (.docx, .xlsx)"),
            # Office's own container: a Word 97-2003 or Excel 97-2003 file, or a file with a password
            (b"\xd0\xcf\x11\xe0", "tệp Word/Excel đời cũ (.doc, .xls) hoặc có mật khẩu; hãy mở bằng Word/Excel, "
                                    "gỡ mật khẩu nếu có, rồi lưu lại thành .docx/.xlsx"))


def _not_a_zip(path: Path) -> str:
    """Why ``path`` is no Office file: what it is where its first bytes say so, damage where it
    begins as a zip does."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        return os_reason(exc)
    for magic, what in _FOREIGN:
        if head.startswith(magic):
            return what
    if head.startswith(b"PK"):
        return "tệp bị hỏng hoặc không phải tệp Office (.docx, .xlsx)"
    return "không phải tệp Office (.docx, .xlsx)"


def _check_members(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_MEMBERS:
        raise UnsafeZip(f"tệp có quá nhiều phần ({len(infos)}; tối đa {MAX_MEMBERS})")
    for info in infos:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnsafeZip(f"phần «{info.filename}» nén bằng phương pháp không hỗ trợ "
                            f"(mã {info.compress_type}); hãy lưu lại tệp bằng Word/Excel")
        if info.flag_bits & 0x1:
            raise UnsafeZip("tệp có mật khẩu; hãy gỡ mật khẩu rồi gửi lại")
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > MAX_UNPACKED or total / packed > MAX_RATIO:
        raise UnsafeZip("tệp giải nén ra quá lớn so với kích thước (nghi «zip bomb»); không mở")


def read_part(z: zipfile.ZipFile, name: str, limit: int = MAX_PART) -> bytes:
    """Inflate one part, never more than ``limit`` bytes whatever its header claims."""
    try:
        info = z.getinfo(name)
        if info.file_size > limit:
            raise UnsafeZip(f"phần «{name}» quá lớn ({info.file_size // 2**20} MB)")
        with z.open(info) as fh:
            data = fh.read(limit + 1)
    except UnsafeZip:
        raise
    except READ_ERRORS:
        raise UnsafeZip(f"phần «{name}» của tệp bị hỏng; hãy mở và lưu lại tệp bằng Word/Excel") from None
    if len(data) > limit:
        raise UnsafeZip(f"phần «{name}» giải nén ra quá lớn")
    return data


def not_a_workbook(path: Path) -> str:
    """Why openpyxl could not open ``path`` (a zip that passed :func:`open_zip`), as a clerk would
    say it: a Word or PowerPoint file under an .xlsx name, or a damaged workbook."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except READ_ERRORS:
        names = set()
    for part, what in (("word/document.xml", "tệp Word (.docx)"), ("ppt/presentation.xml", "tệp PowerPoint (.pptx)")):
        if part in names:
            return f"đây là {what}, không phải sổ Excel (.xlsx)"
    if "xl/workbook.xml" not in names:
        return "không phải sổ Excel (.xlsx)"
    return "sổ Excel bị hỏng, không mở được; hãy mở bằng Excel rồi lưu lại"


def check_zip(path: Path) -> None:
    """Check ``path`` as :func:`open_zip` does, for readers (openpyxl) that open it themselves."""
    open_zip(path).close()


def zip_ok(path: Path, file: str, problems) -> bool:
    """:func:`check_zip` reported as a located problem (``file`` as the clerk typed it)."""
    from .problems import ERROR, Problem
    try:
        check_zip(path)
    except UnsafeZip as exc:
        problems.add(Problem(ERROR, file, None, (), str(exc)))
        return False
    return True


def cells_ok(path: Path, file: str, problems, max_cells: int) -> bool:
    """:func:`zip_ok`, and then count a workbook's cells as a stream, before any reader builds them in memory: a file of a
    few hundred kB can declare millions of cells, which openpyxl would hold (gigabytes, minutes)
    before the sheet's extent could be checked."""
    from .problems import ERROR, Problem
    try:
        with open_zip(path) as z:
            for info in z.infolist():
                if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                    continue
                count, tail = 0, b""
                with z.open(info) as fh:
                    while chunk := fh.read(1 << 20):
                        block = tail + chunk
                        count += block.count(b"<c ") + block.count(b"<c>") + block.count(b"<c/")
                        # two bytes carried over: a tag cut by the chunk's end is counted once, with the next
                        tail = block[-2:]
                        if count > max_cells:
                            from .text.vn import format_number
                            problems.add(Problem(ERROR, file, None, (), (
                                f"một trang tính có hơn {format_number(max_cells)} ô, quá nhiều cho một sổ của "
                                "kế hoạch; hãy xóa các dòng, cột thừa")))
                            return False
    except UnsafeZip as exc:
        problems.add(Problem(ERROR, file, None, (), str(exc)))
        return False
    except READ_ERRORS:
        problems.add(Problem(ERROR, file, None, (), "tệp bị hỏng; hãy mở và lưu lại tệp bằng Excel"))
        return False
    return True
