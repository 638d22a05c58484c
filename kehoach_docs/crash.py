"""The last resort: an unexpected exception becomes a Vietnamese message and a short report file.

A clerk never sees a traceback; the technical detail goes to a file they can send on.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import traceback
from pathlib import Path


def write_report(exc: BaseException, argv: list[str] | None = None) -> Path | None:
    """Write the traceback, the command and the versions to a file in the temporary folder."""
    from . import __version__
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    body = (f"kehoach {__version__}, Python {sys.version.split()[0]}, {sys.platform}\n"
            f"lệnh: {' '.join(argv if argv is not None else sys.argv)}\n\n"
            + "".join(traceback.format_exception(exc)))
    try:
        fd, name = tempfile.mkstemp(prefix=f"kehoach-loi-{stamp}-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(body)
        return Path(name)
    except OSError:
        return None


def message(exc: BaseException, report: Path | None) -> str:
    """What the user reads instead of a traceback."""
    where = (f" Chi tiết kỹ thuật đã ghi vào {report}; hãy gửi tệp này cho người phụ trách kỹ thuật."
             if report else "")
    return (f"Lỗi ngoài dự kiến trong kehoach ({type(exc).__name__}). Dữ liệu gốc không bị thay đổi và "
            f"không có tệp nào bị ghi dở.{where}")
