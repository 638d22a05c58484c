"""Plain data read from a file, with the location of every value.

Readers (YAML, XLSX) produce a :class:`Located`: the data as dicts/lists/scalars and
a map from each field path to where it stands in its file, so that any later check
can point the clerk to the right line or cell.
"""

from __future__ import annotations

from typing import Any, Callable

from .problems import ERROR, WARNING, Problem, Problems
from .text.hygiene import clean_text


class Located:
    """Data plus ``where[path] -> where`` (a line, a cell) for each value and container.

    ``where`` may be given, or found when asked by ``find_where`` (reading the file again; given
    a path, it finds that path and its ancestors only): a plan of thousands of rows rarely needs
    more than a few locations, and a map of every value's path is as large as the data itself.
    """

    def __init__(self, data: Any, file: str, where: dict[tuple, str] | None = None, *,
                 find_where: Callable[[tuple | None], dict[tuple, str]] | None = None,
                 reread: Callable[[], Any] | None = None):
        self._data, self.file = data, file
        self._where, self._find_where, self._asked = where, find_where, 0
        self._reread = reread
        #: Paths of the data are prefixed with ``prefix`` when merged into a plan.
        self.prefix: tuple = ()
        #: What checks took from the data before it was released (see :meth:`release`).
        self.kept: dict[str, Any] = {}

    @property
    def data(self) -> Any:
        """The file's plain data; read from the file again if it was released."""
        if self._data is _RELEASED:
            self._data = self._reread()
        return self._data

    def release(self) -> None:
        """Drop the data once it is validated, where the file can give it again.

        A province's appendix is megabytes of raw rows beside its models; held until the plan is
        whole, both would be at the peak of reading, and the process keeps its peak.
        """
        if self._reread is not None:
            self._data = _RELEASED

    @property
    def where(self) -> dict[tuple, str]:
        if self._where is None:
            self._where = self._find_where(None) if self._find_where else {}
            self._find_where = None
        return self._where

    def locate(self, path: tuple) -> str | None:
        """The location of ``path`` or of its nearest located ancestor."""
        if self._where is None and self._find_where and self._asked < FEW:
            # a plan with a warning or two: find just those, not the line of every value
            self._asked += 1
            return nearest(self._find_where(tuple(path)), path)
        return nearest(self.where, path)


_RELEASED = object()

#: Locations looked up one by one (each reads the file again, up to that value) before all of a
#: file's are found at once.
FEW = 3


def nearest(where: dict[tuple, str], path: tuple) -> str | None:
    """``where[path]``, or the location of the closest ancestor that has one."""
    path = tuple(path)
    while True:
        if path in where:
            return where[path]
        if not path:
            return None
        path = path[:-1]


def clean_strings(value: Any, path: tuple, file: str, where: dict, problems: Problems) -> Any:
    """Apply text hygiene to every string inside ``value``, reporting with locations."""
    if isinstance(value, str):
        text, issues = clean_text(value)
        for issue in issues:
            problems.add(Problem(ERROR if issue.level == "error" else WARNING, file, nearest(where, path), path,
                                 issue.message))
        return text
    if isinstance(value, dict):
        return {k: clean_strings(v, path + (k,), file, where, problems) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_strings(v, path + (i,), file, where, problems) for i, v in enumerate(value)]
    return value
