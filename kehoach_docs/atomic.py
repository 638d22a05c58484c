"""Writes that never leave a half-written file, and a lock per output folder."""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import sys
from contextlib import contextmanager
from pathlib import Path

from .problems import UserError


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place."""
    made: list[str] = []    # the temporary file's name, known before the file exists
    try:
        _fill(_create_temporary(path, made), data)
        os.replace(made[0], path)
    except BaseException:
        # an interrupt (Ctrl-C in a worker that runs a whole plan) may come just after the file
        # is made and before its name is returned: the name was noted before, so nothing is left
        for tmp in made:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        raise


def _fill(fd: int, data: bytes) -> None:
    """Write ``data`` to the open, empty file ``fd``, then close it (also if the write fails)."""
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


#: Created as an ordinary file (the umask applies, unlike mkstemp's 0600), binary on Windows.
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def _create_temporary(path: Path, made: list[str]) -> int:
    """A new file ``.<name>.<8 random characters>.tmp`` beside ``path``, open for writing, its name
    put in ``made`` before it is made; the folder is made if missing. Thousands are made per batch:
    one ``open``, no ``chmod``."""
    for _ in range(100):
        made[:] = [os.path.join(path.parent, f".{path.name}.{secrets.token_hex(4)}.tmp")]
        try:
            return os.open(made[0], _FLAGS, 0o666)
        except FileExistsError:
            made.clear()        # another's: not ours to remove
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
    raise FileExistsError(errno.EEXIST, "không tạo được tệp tạm", str(path.parent))


class Rewrites:
    """:func:`write_atomic` for a run of files that replace older ones: each new file is written into
    the inode of the file the write before it replaced (kept under a temporary name), not a new one.

    A ``reports --force`` replaces thousands of files. Made the plain way, each write allocates an
    inode and frees one, and on ext4 an allocation slows as recently freed inodes pile up (from
    0.02 to 0.7 ms a file here, more than rendering the file). Reused, the replaced file is still
    renamed away whole, so a reader sees the old file or the new one, never part of either.

    A replaced file is reused only where that cannot show: it was a regular file (never what a
    symbolic link points to), on a local file system (a network client may read a file it no longer
    has open), no other name points at it, no one has it open (a download still reading the old
    bytes), and it has the owner and permissions of a file this writer makes and no extended
    attributes (an ACL, a label) that a new file would not get. Anything else, and anywhere but
    Linux (where an open reader cannot be seen cheaply), gets a new temporary file, as
    :func:`write_atomic` makes. One thread at a time; :meth:`close` removes what is kept.
    """

    def __init__(self) -> None:
        #: folder -> (temporary name, device, inode) of a replaced file kept for the next write
        self._spare: dict[str, tuple[str, int, int]] = {}
        self._plain: set[str] = set()            # folders where nothing is reused
        self._local: set[str] = set()            # folders found on a local file system
        self._made: tuple | None = None          # (owner, group, mode) of a temporary file made here

    def write(self, path: Path, data: bytes) -> None:
        """Write ``data`` to ``path`` atomically, as :func:`write_atomic`."""
        folder = os.path.dirname(path)
        made: list[str] = []
        try:
            fd = self._reuse(self._spare.pop(folder, None), made)
            if fd is None:
                fd = _create_temporary(Path(path), made)
                if self._made is None:
                    st = os.fstat(fd)
                    self._made = (st.st_uid, st.st_gid, st.st_mode)
            _fill(fd, data)
            old = self._keep_replaced(path, folder)
            try:
                os.replace(made[0], path)
            except BaseException:
                _unlink(old and old[0])     # a second name of the file still in place: only the name goes
                raise
            if old:
                self._spare[folder] = old
        except BaseException:
            for tmp in made:
                _unlink(tmp)
            raise

    def close(self) -> None:
        """Remove the replaced files kept for reuse."""
        while self._spare:
            _unlink(self._spare.popitem()[1][0])

    def _reuse(self, spare: tuple[str, int, int] | None, made: list[str]) -> int | None:
        """The kept file open for writing and emptied, its name put in ``made``; None if it will not serve.

        Emptied first, not written over in place, though that costs five times the write here (its
        blocks freed and allocated again, the file flushed when renamed): a file emptied and written
        anew is one ext4 puts on disk before the rename that names it (``auto_da_alloc``). Written
        over in place, a power cut within half a minute left files holding the old bytes of the
        document before them under their new names, or a mix (a review reproduced it on a copied
        disk image), and the manifest's times and sizes then vouched for them."""
        if spare is None:
            return None
        name, dev, ino = spare
        made.append(name)       # from here on, a failure removes it
        try:
            fd = os.open(name, os.O_WRONLY | os.O_NOFOLLOW)
        except OSError:
            _unlink(made.pop())
            return None
        try:
            st = os.fstat(fd)
            if ((st.st_dev, st.st_ino) == (dev, ino) and st.st_nlink == 1
                    and (st.st_uid, st.st_gid, st.st_mode) == self._made and not os.listxattr(fd) and _alone(fd)):
                os.ftruncate(fd, 0)
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
        _unlink(made.pop())
        return None

    def _keep_replaced(self, path: Path, folder: str) -> tuple[str, int, int] | None:
        """A second, temporary name for the regular file at ``path``, with its device and inode
        (None if there is none, or nothing is reused in ``folder``)."""
        if not _REUSABLE or folder in self._plain:
            return None
        if folder not in self._local:       # asked once a folder, not once a document
            if not _local(folder):
                self._plain.add(folder)
                return None
            self._local.add(folder)
        try:
            st = os.lstat(path)
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode):    # a symbolic link: what it points to is not ours to write
            return None
        name = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(4)}.tmp")
        try:
            os.link(path, name)             # link(2) does not follow a link put there meanwhile…
        except (FileNotFoundError, FileExistsError):
            return None
        except OSError:                     # no hard links here (some shares)
            self._plain.add(folder)
            return None
        return name, st.st_dev, st.st_ino   # …and the inode is checked again before reuse


#: Reuse needs Linux: a write lease tells whether anyone has the file open, and SIGURG (ignored
#: by default) can stand for the lease-break signal, which would otherwise end the process.
_REUSABLE = sys.platform.startswith("linux") and hasattr(os, "O_NOFOLLOW") and hasattr(os, "listxattr")
#: File systems where no one can read a file without having it open here.
_LOCAL_FS = {"ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "f2fs", "jfs", "reiserfs", "bcachefs"}
_fs_types: dict[int, str] = {}


def _local(folder: str) -> bool:
    """Whether ``folder`` is on a local disk file system (Linux's mount table tells)."""
    try:
        dev = os.stat(folder).st_dev
        if dev not in _fs_types:
            with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    fields = line.split()
                    major, minor = fields[2].split(":")
                    if os.makedev(int(major), int(minor)) == dev:
                        _fs_types[dev] = fields[fields.index("-") + 1]
            _fs_types.setdefault(dev, "")
        return _fs_types[dev] in _LOCAL_FS
    except (OSError, ValueError, IndexError):
        return False


def _alone(fd: int) -> bool:
    """Whether no one else has the file open: a reader that opened it before it was replaced must go
    on reading the old bytes, as rename promises. Linux grants a write lease only then."""
    try:
        import fcntl
        import signal
        fcntl.fcntl(fd, getattr(fcntl, "F_SETSIG", 10), signal.SIGURG)   # a lease broken meanwhile: ignored
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
    except (ImportError, AttributeError, OSError):
        return False
    return True


def _unlink(name: str | None) -> None:
    """Remove a temporary name if it is there; a failure leaves it to the next run's sweep (the
    error being handled is the one to report)."""
    if name:
        try:
            os.unlink(name)
        except OSError:
            pass


class Busy(UserError):
    """Another kehoach command holds the output folder."""

    def __init__(self, folder: str):
        super().__init__(f"Thư mục {folder} đang được một lệnh kehoach khác ghi; hãy chờ lệnh đó xong.")


LOCK_NAME = ".kehoach.lock"


@contextmanager
def folder_lock(folder: Path):
    """Hold an exclusive lock on ``folder`` (``.kehoach.lock``) for the duration of a build.

    filelock picks the platform's own lock (``flock`` on Linux and macOS, ``msvcrt`` on
    Windows, where the offices that use this work), released by the system if the process
    dies. Once held, temporary files that an interrupted run left behind are swept.
    """
    from filelock import FileLock, Timeout

    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / LOCK_NAME), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise Busy(str(folder)) from None
    try:
        sweep_temporaries(folder)
        yield
    finally:
        lock.release()


def sweep_temporaries(folder: Path) -> list[Path]:
    """Remove what :func:`write_atomic` leaves when killed mid-write (``.<name>.<random>.tmp``).

    Only called under the folder's lock, so no live write can be among them.
    """
    swept = []
    for tmp in folder.rglob(".*.tmp"):
        if tmp.is_file() and _TMP.match(tmp.name):
            try:
                tmp.unlink()
                swept.append(tmp)
            except OSError:
                pass
    return swept


_TMP = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")
