"""PDF next to each .docx through LibreOffice headless.

A batch is converted by a small pool of LibreOffice processes, one per job, each fed
many files per call rather than one process per file. Each converter keeps its own
user profile between runs (a fresh profile costs LibreOffice seconds to create; two
instances sharing one block each other, so a profile is held under a lock while in
use). A converter is restarted after :data:`FILES_PER_PROCESS` files, and when it stops
producing files for ``timeout`` seconds it is killed and restarted on the files left;
the file it hung on is reported. A file that did not convert is tried once more in a
fresh process, so a converter's bad moment loses no document. Before converting
we make sure a Times New Roman-compatible font with Vietnamese letters is installed
(Liberation 1.x lacks them and the PDF then mixes fonts); afterwards we read the
fonts the PDFs actually embed.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import signal
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..problems import UserError

INSTALL_HINT = ("Windows: cài LibreOffice bản cho Windows (mặc định vào C:\\Program Files\\LibreOffice); "
                "Debian/Ubuntu: sudo apt-get install libreoffice-writer-nogui fonts-liberation2")
SERIF_FONTS = ("Times New Roman", "Liberation Serif")
PDF_FONT_OK = ("TimesNewRoman", "LiberationSerif")


class PdfError(UserError):
    """PDF conversion cannot start (message in Vietnamese)."""


@dataclass
class PdfOutcome:
    converted: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)


def soffice() -> str:
    """The LibreOffice executable: ``$KEHOACH_SOFFICE``, else ``soffice``/``libreoffice`` on PATH."""
    override = os.environ.get("KEHOACH_SOFFICE")
    if override:
        found = shutil.which(override)
    else:
        found = shutil.which("soffice") or shutil.which("libreoffice") or _windows_soffice()
    if not found:
        raise PdfError("Không tìm thấy LibreOffice (lệnh soffice) để xuất PDF. " + INSTALL_HINT)
    return found


def _windows_soffice() -> str | None:
    """LibreOffice's installer does not add itself to PATH on Windows: look where it installs."""
    if sys.platform != "win32":
        return None
    for root in (os.environ.get("ProgramFiles"), os.environ.get("ProgramFiles(x86)")):
        exe = Path(root or "C:/Program Files") / "LibreOffice" / "program" / "soffice.exe"
        if exe.is_file():
            return str(exe)
    return None


def vietnamese_serif_fonts() -> set[str]:
    """Installed serif families able to print Vietnamese, by fontconfig (``fc-list :lang=vi``).

    Windows has no fontconfig, and ships Times New Roman with every Vietnamese letter.
    """
    if sys.platform == "win32" and shutil.which("fc-list") is None:
        return {"Times New Roman"}
    if shutil.which("fc-list") is None:
        raise PdfError("Không tìm thấy fc-list (fontconfig) để kiểm tra phông chữ. " + INSTALL_HINT)
    out = subprocess.run(["fc-list", ":lang=vi", "family"], capture_output=True, text=True).stdout
    families = {name.strip() for line in out.splitlines() for name in line.split(",")}
    return {f for f in SERIF_FONTS if f in families}


def check_prerequisites() -> str:
    """LibreOffice and a Vietnamese-capable Times New Roman (or Liberation Serif 2.x); returns soffice."""
    exe = soffice()
    if not vietnamese_serif_fonts():
        raise PdfError("Chưa cài phông Times New Roman hoặc phông tương thích có đủ chữ Việt (Liberation Serif "
                       "bản 2, gói fonts-liberation2); PDF sẽ lẫn phông. " + INSTALL_HINT)
    return exe


def pdf_fonts(pdf: Path) -> list[str] | None:
    """Font names ``pdf`` uses, without their subset prefix (``ABCDEF+``).

    LibreOffice writes every font dictionary in the open, each naming its font in a plain
    ``/BaseFont /Name`` entry: those are read straight from the bytes, sparing one ``pdffonts``
    process per document. Anything else (object or cross-reference streams, Type 3 fonts, escaped
    names, a font dictionary without such an entry) goes to ``pdffonts``; None when that is needed
    and not installed."""
    data = Path(pdf).read_bytes()
    names = _fonts_in_the_open(data)
    if names is not None:
        return names
    if shutil.which("pdffonts") is None:
        return None
    proc = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True)
    if proc.returncode:
        return []
    names = []
    for line in proc.stdout.splitlines()[2:]:
        name = line.split()[0] if line.split() else ""
        names.append(name.split("+", 1)[-1])
    return names


# ISO 32000-1, 7.2.2 and 7.3.5: white-space includes NUL; a name runs to white-space or a delimiter.
_WS = rb"[\x00\t\n\f\r ]*"
_BASE_FONT = re.compile(rb"/BaseFont" + _WS + rb"/([^\x00\t\n\f\r /<>\[\]()%{}]+)")
_FONT_DICT = re.compile(rb"/Type" + _WS + rb"/Font(?![A-Za-z0-9])")
_ESCAPED_NAME = re.compile(rb"/[A-Za-z0-9]*#[0-9A-Fa-f]{2}")


def _fonts_in_the_open(data: bytes) -> list[str] | None:
    """The ``/BaseFont`` names of a PDF whose every font dictionary has one in plain sight, else None."""
    if (not data.startswith(b"%PDF-") or b"/ObjStm" in data or b"/XRef" in data or b"Type3" in data
            or _ESCAPED_NAME.search(data)):
        return None
    names = _BASE_FONT.findall(data)
    if len(names) != len(_FONT_DICT.findall(data)):
        return None
    return [n.decode("latin-1").split("+", 1)[-1] for n in names]


def foreign_fonts(pdf: Path) -> list[str]:
    """Fonts in ``pdf`` other than Times New Roman / Liberation Serif (a sign of missing glyphs)."""
    names = pdf_fonts(pdf)
    return sorted({n for n in names or [] if not n.startswith(PDF_FONT_OK)})


def _batches(files: list[Path]) -> list[list[Path]]:
    """Split so that no two files of one LibreOffice call share a name (they share an outdir)."""
    batches: list[list[Path]] = []
    for f in files:
        for b in batches:
            if all(x.stem != f.stem for x in b):
                b.append(f)
                break
        else:
            batches.append([f])
    return batches


def _run_converter(exe: str, profile: Path, files: list[Path], outdir: Path, timeout: float,
                   done: set[Path]) -> bool:
    """One LibreOffice process over ``files``; returns False if it hung (killed after ``timeout``)."""
    cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nolockcheck",
           "--convert-to", "pdf", "--outdir", str(outdir), *map(str, files)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    last = time.monotonic()
    while True:
        finished = proc.poll() is not None
        for f in files:
            made = outdir / f"{f.stem}.pdf"
            if f not in done and made.exists() and (finished or _settled(made)):
                os.replace(made, f.with_suffix(".pdf"))
                done.add(f)
                last = time.monotonic()
        if finished:
            return True
        if time.monotonic() - last > timeout:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return False
        time.sleep(0.02)


def _settled(path: Path) -> bool:
    """LibreOffice writes a PDF in one go; wait until its size stops changing."""
    size = path.stat().st_size
    time.sleep(0.05)
    return size > 0 and path.stat().st_size == size


#: A converter is restarted after this many files: LibreOffice's memory grows over a long run.
FILES_PER_PROCESS = 100


def profile_home() -> Path:
    """Where the converters keep their profiles between runs."""
    from ..user_cache import cache_home
    return cache_home() / "libreoffice"


@contextlib.contextmanager
def warm_profile(fallback: Path):
    """A LibreOffice profile kept between runs that no other converter is using now (the first free
    slot, held under a file lock); ``fallback`` (a new, cold one) if the cache cannot be written."""
    from filelock import FileLock, Timeout
    home = profile_home()
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError:
        yield fallback
        return
    for n in range(64):
        lock = FileLock(str(home / f"profile-{n}.lock"), timeout=0)
        try:
            lock.acquire()
        except (Timeout, OSError):
            continue
        try:
            yield home / f"profile-{n}"
        finally:
            lock.release()
        return
    yield fallback


def _convert_share(exe: str, files: list[Path], timeout: float, work: Path, n: int, progress=None) -> PdfOutcome:
    with warm_profile(work / f"profile-{n}") as profile:
        first = _convert_with(exe, profile, files, timeout, progress)
        if not first.failed:
            return first
        # once more, in a fresh process, for what did not convert (a hang's file is left out: it hung)
        again = [f for f, why in first.failed if "treo" not in why]
        if not again:
            return first
        second = _convert_with(exe, profile, again, timeout, None)
        retried = set(second.converted)
        return PdfOutcome(first.converted + second.converted,
                          [(f, why) for f, why in first.failed if f not in retried])


def _convert_with(exe: str, profile: Path, files: list[Path], timeout: float, progress=None) -> PdfOutcome:
    outcome = PdfOutcome()
    batches = [b[i:i + FILES_PER_PROCESS] for b in _batches(files) for i in range(0, len(b), FILES_PER_PROCESS)]
    for batch in batches:
        outdir = Path(tempfile.mkdtemp(prefix=".kehoach-pdf-", dir=batch[0].parent))
        try:
            done: set[Path] = set()
            left = list(batch)
            while left:
                if _run_converter(exe, profile, left, outdir, timeout, done):
                    outcome.failed += [(f, "LibreOffice không chuyển được tệp này") for f in left if f not in done]
                    break
                hung = next(f for f in left if f not in done)
                outcome.failed.append((hung, f"LibreOffice treo quá {timeout:g} giây; đã khởi động lại cho các tệp sau"))
                left = [f for f in left if f not in done and f != hung]
            outcome.converted += [f for f in batch if f in done]
        finally:
            shutil.rmtree(outdir, ignore_errors=True)
        if progress:
            progress(len(batch))
    return outcome


def convert(files: list[Path], n_jobs: int = 1, timeout: float = 120, exe: str | None = None,
            progress=None) -> PdfOutcome:
    """Write ``X.pdf`` beside each ``X.docx`` of ``files``: one LibreOffice process per job;
    ``progress(n)`` is told after each batch of ``n`` files."""
    exe = exe or soffice()
    files = [Path(f).resolve() for f in files]
    n_jobs = max(1, min(n_jobs, len(files)))
    shares = [files[i::n_jobs] for i in range(n_jobs)]
    outcome = PdfOutcome()
    with tempfile.TemporaryDirectory(prefix="kehoach-lo-") as work:
        with ThreadPoolExecutor(max_workers=n_jobs) as pool:
            lock = threading.Lock()

            def advance(n: int) -> None:
                if progress:
                    with lock:      # the converters run in threads; one bar
                        progress(n)
            for part in pool.map(lambda a: _convert_share(exe, a[1], timeout, Path(work), a[0], advance),
                                 enumerate(shares)):
                outcome.converted += part.converted
                outcome.failed += part.failed
    return outcome


def stale_pdfs(docx_files: list[Path]) -> list[Path]:
    """The .docx whose PDF is missing or older than the document."""
    out = []
    for f in docx_files:
        pdf = f.with_suffix(".pdf")
        if not pdf.exists() or pdf.stat().st_mtime < f.stat().st_mtime:
            out.append(f)
    return out
