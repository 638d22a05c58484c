"""Indicator values as written in a plan: numbers, bounds, ranges, ratios, ranks, text.

A plan writes its targets the way people do ("8,61", "<1%", "dưới 3", "8,5-9,5",
"105/100", "5/10", "Top 5"). We keep the text exactly as written (it is what the
documents print) and parse its meaning once, for evaluation against results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum

from ..text.vn import format_number, parse_number


class Kind(str, Enum):
    """What a written value means."""

    BLANK = "trong"
    NUMBER = "so"
    BOUND = "can"
    RANGE = "khoang"
    RATIO = "ti_le"
    RANK = "hang"
    TEXT = "chu"


class Direction(str, Enum):
    """Whether a higher or a lower figure is better."""

    UP = "tang"
    DOWN = "giam"


class Verdict(str, Enum):
    """The evaluation of a result against its target."""

    EXCEEDED = "Vượt"
    MET = "Đạt"
    MISSED = "Không đạt"
    NO_RESULT = "Chưa có kết quả"
    MANUAL = "Cần đánh giá thủ công"
    NO_TARGET = "Chưa có mục tiêu"


_NUM = r"[-+]?\d[\d.]*(?:,\d+)?"
_BOUND_WORDS = [
    (re.compile(r"^(?:<=|≤|không quá|tối đa)\s*(" + _NUM + r")$", re.I), "<="),
    (re.compile(r"^(?:>=|≥|ít nhất|tối thiểu|từ)\s*(" + _NUM + r")(?:\s*trở lên)?$", re.I), ">="),
    (re.compile(r"^(?:<|dưới)\s*(" + _NUM + r")$", re.I), "<"),
    (re.compile(r"^(?:>|trên)\s*(" + _NUM + r")$", re.I), ">"),
]
_RANGE = re.compile(r"^(?:từ\s*)?(" + _NUM + r")\s*(?:-|–|—|đến)\s*(" + _NUM + r")$", re.I)
_SLASH = re.compile(r"^(\d[\d.]*(?:,\d+)?)\s*/\s*(\d[\d.]*(?:,\d+)?)$")
_TOP = re.compile(r"^(?:top|tốp|hạng|thứ)\s*(\d+)(?:\s*/\s*(\d+))?$", re.I)
_RANK_UNITS = {"xếp hạng", "hạng", "thứ hạng"}


@dataclass(frozen=True)
class Value:
    """A value as written (``text``) and what it means."""

    text: str
    kind: Kind
    low: Decimal | None = None      # number, bound limit, range start, ratio/rank numerator
    high: Decimal | None = None     # range end, ratio/rank denominator
    op: str | None = None           # for bounds: < <= > >=
    top: bool = False               # "Top N": any rank up to N meets it

    @property
    def is_numeric(self) -> bool:
        return self.kind in (Kind.NUMBER, Kind.BOUND, Kind.RANGE, Kind.RATIO, Kind.RANK)

    def number(self) -> Decimal | None:
        """One number standing for the value (a ratio's quotient, a rank's position)."""
        if self.kind in (Kind.NUMBER, Kind.BOUND):
            return self.low
        if self.kind == Kind.RATIO and self.high:
            return self.low / self.high
        if self.kind == Kind.RANK:
            return self.low
        return None

    def in_words(self) -> str:
        """The value as a sentence says it: ``<1`` -> ``dưới 1``; others as written."""
        if self.kind == Kind.BOUND:
            word = {"<": "dưới", "<=": "không quá", ">": "trên", ">=": "từ"}[self.op]
            return f"{word} {format_number(self.low)}"
        return self.text

    def default_direction(self) -> Direction:
        if self.kind == Kind.BOUND and self.op in ("<", "<="):
            return Direction.DOWN
        if self.kind == Kind.RANK:
            return Direction.DOWN
        return Direction.UP


def parse_value(text: str, unit: str = "", kind: Kind | None = None) -> Value:
    """Parse a written value; ``unit`` helps tell a rank (``5/10`` in ``Xếp hạng``) from a ratio.

    ``kind`` forces an interpretation (as the data's ``kieu`` field does); a text that
    cannot be read as that kind raises ``ValueError`` with a Vietnamese message.
    """
    raw = text
    t = " ".join(text.replace("\u00a0", " ").split())
    if t.endswith("%"):
        t = t[:-1].rstrip()
    is_rank_unit = unit.strip().lower() in _RANK_UNITS
    value = _parse(raw, t, is_rank_unit)
    if kind is not None and value.kind != kind:
        if kind == Kind.TEXT:
            return Value(raw, Kind.TEXT)
        if kind == Kind.RANK and value.kind == Kind.RATIO:
            return Value(raw, Kind.RANK, value.low, value.high)
        if kind == Kind.RATIO and value.kind == Kind.RANK and not value.top:
            return Value(raw, Kind.RATIO, value.low, value.high)
        raise ValueError(f"«{raw}» không đọc được là {KIND_VI[kind]}")
    return value


def _parse(raw: str, t: str, is_rank_unit: bool) -> Value:
    if not t:
        return Value(raw, Kind.BLANK)
    n = parse_number(t) if re.fullmatch(_NUM, t) else None
    if n is not None:
        return Value(raw, Kind.RANK if is_rank_unit else Kind.NUMBER, n, None)
    for pattern, op in _BOUND_WORDS:
        m = pattern.match(t)
        if m and parse_number(m.group(1)) is not None:
            return Value(raw, Kind.BOUND, parse_number(m.group(1)), None, op)
    m = _SLASH.match(t)
    if m:
        a, b = parse_number(m.group(1)), parse_number(m.group(2))
        if a is not None and b:
            return Value(raw, Kind.RANK if is_rank_unit else Kind.RATIO, a, b)
    m = _TOP.match(t)
    if m:
        return Value(raw, Kind.RANK, Decimal(m.group(1)),
                     Decimal(m.group(2)) if m.group(2) else None, top=t.lower().startswith(("top", "tốp")))
    m = _RANGE.match(t)
    if m:
        a, b = parse_number(m.group(1)), parse_number(m.group(2))
        if a is not None and b is not None and a <= b:
            return Value(raw, Kind.RANGE, a, b)
    return Value(raw, Kind.TEXT)


KIND_VI = {
    Kind.BLANK: "ô trống", Kind.NUMBER: "số", Kind.BOUND: "cận (<, dưới, trên…)",
    Kind.RANGE: "khoảng (a-b)", Kind.RATIO: "tỉ số (a/b)", Kind.RANK: "thứ hạng (5/10, Top 5)",
    Kind.TEXT: "chữ",
}


def evaluate(target: Value, result: Value, direction: Direction | None = None) -> Verdict:
    """Judge ``result`` against ``target``: Vượt, Đạt or Không đạt, or why no verdict."""
    if target.kind == Kind.BLANK:
        return Verdict.NO_TARGET
    if result.kind == Kind.BLANK:
        return Verdict.NO_RESULT
    if target.kind == Kind.TEXT or not result.is_numeric:
        return Verdict.MANUAL
    direction = direction or target.default_direction()
    r = result.number()
    if r is None:
        return Verdict.MANUAL
    if target.kind == Kind.BOUND:
        ok = {"<": r < target.low, "<=": r <= target.low,
              ">": r > target.low, ">=": r >= target.low}[target.op]
        return Verdict.MET if ok else Verdict.MISSED
    if target.kind == Kind.RANGE:
        if target.low <= r <= target.high:
            return Verdict.MET
        better = r > target.high if direction == Direction.UP else r < target.low
        return Verdict.EXCEEDED if better else Verdict.MISSED
    if target.kind == Kind.RANK:
        if target.top:
            return Verdict.MET if r <= target.low else Verdict.MISSED
        # Smaller position is better for a rank, whatever the data says about direction.
        return _compare(r, target.low, Direction.DOWN)
    return _compare(r, target.number(), direction)


def _compare(r: Decimal, t: Decimal, direction: Direction) -> Verdict:
    if r == t:
        return Verdict.MET
    better = r > t if direction == Direction.UP else r < t
    return Verdict.EXCEEDED if better else Verdict.MISSED


def percent_of(target: Value, result: Value) -> Decimal | None:
    """Result as a percentage of target (the report's "so sánh (%)"), where that means something."""
    if target.kind not in (Kind.NUMBER, Kind.RATIO) or not result.is_numeric:
        return None
    t, r = target.number(), result.number()
    if t is None or r is None or t == 0:
        return None
    try:
        return (r / t * 100).quantize(Decimal("0.1"))
    except InvalidOperation:    # a quotient beyond Decimal's precision: no meaningful percentage
        return None
