"""Plain data read from a file, with the location of every value.

Readers (YAML, XLSX) produce a :class:`Located`: the data as dicts/lists/scalars and
a map from each field path to where it stands in its file, so that any later check
can point the clerk to the right line or cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .problems import ERROR, WARNING, Problem, Problems
from .text.hygiene import clean_text


@dataclass
class Located:
    """Data plus ``where[path] -> (file, where)`` for each value and container."""

    data: Any
    file: str
    where: dict[tuple, str] = field(default_factory=dict)
    # Paths of the data are prefixed with ``prefix`` when merged into a plan.
    prefix: tuple = ()

    def locate(self, path: tuple) -> str | None:
        """The location of ``path`` or of its nearest located ancestor."""
        return nearest(self.where, path)


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
