"""Indicator values as written in a plan: numbers, bounds, ranges, ratios, ranks, text.

A plan writes its targets the way people do ("8,61", "<1%", "dưới 3", "8,5-9,5",
"105/100", "5/10", "Top 5"). We keep the text exactly as written (it is what the
documents print) and parse its meaning once, for evaluation against results.
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, replace
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
    """Whether a higher or a lower figure is better, or any departure from the target misses it."""

    UP = "tang"
    DOWN = "giam"
    #: Structure shares ("Cơ cấu … 30%"): off target on either side is a miss, never "Vượt".
    BAND = "bam_sat"


class Verdict(str, Enum):
    """The evaluation of a result against its target."""

    EXCEEDED = "Vượt"
    MET = "Đạt"
    MISSED = "Không đạt"
    NO_RESULT = "Chưa có kết quả"
    MANUAL = "Cần đánh giá thủ công"
    NO_TARGET = "Chưa có mục tiêu"


class Scale(str, Enum):
    """The verdicts a plan uses: Vượt / Đạt / Không đạt, or only Đạt / Không đạt."""

    THREE = "vuot_dat"
    TWO = "dat"


class RangeRule(str, Enum):
    """How a result written as a range ("7-7,5") is judged."""

    WORSE_END = "bat_loi"    # the end less favourable to the plan: the cautious reading
    MIDPOINT = "giua"
    REFUSE = "tu_choi"


_NUM = r"[-+]?\d[\d.]*(?:,\d+)?"
# Words around a figure, in the order they are taken off. Each table is the whole vocabulary
# of its kind, so adding a phrase met in practice is one line.
_FOOTNOTE = re.compile(r"\s*(\[\s*\d+\s*\]|\(\s*(?:\d+|\*+)\s*\)|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\*+)$")
_VERB = re.compile(r"^(?:phấn đấu\s+)?đạt(?:\s+mức)?\s+", re.I)
_QUALIFIERS = re.compile(r"^(khoảng|ước tính|ước đạt|ước|xấp xỉ|gần|trên dưới)\s+", re.I)
_CHANGE = re.compile(r"^(tăng|giảm)(?:\s+(?:thêm|bình quân|trung bình))?\s+", re.I)
_CHANGE_TAIL = re.compile(r"\s*(?:/\s*năm|mỗi năm|hằng năm|hàng năm|so với .+)$", re.I)
_BOUND_WORDS = [
    (re.compile(r"^(?:<=|≤|không quá|không vượt quá|không cao hơn|không lớn hơn|tối đa)\s*(" + _NUM + r")$",
                re.I), "<="),
    (re.compile(r"^(?:>=|≥|ít nhất|tối thiểu|không dưới|không thấp hơn|không ít hơn|từ)\s*(" + _NUM
                + r")(?:\s*trở lên)?$", re.I), ">="),
    (re.compile(r"^(?:<|dưới|thấp hơn|nhỏ hơn|ít hơn)\s*(" + _NUM + r")$", re.I), "<"),
    (re.compile(r"^(?:>|trên|hơn|cao hơn|lớn hơn|vượt)\s*(" + _NUM + r")$", re.I), ">"),
    (re.compile(r"^(" + _NUM + r")\s*trở lên$", re.I), ">="),
    (re.compile(r"^(" + _NUM + r")\s*trở xuống$", re.I), "<="),
]
_RANGE = re.compile(r"^(?:từ\s*)?(" + _NUM + r")\s*(?:-|–|—|đến|tới)\s*(" + _NUM + r")$", re.I)
_SLASH = re.compile(r"^(\d[\d.]*(?:,\d+)?)\s*/\s*(\d[\d.]*(?:,\d+)?)$")
_TOP = re.compile(r"^(?:(top|tốp|trong nhóm|nhóm)|(?:xếp\s+)?(?:hạng|thứ|vị trí thứ))\s*(\d+)"
                  r"(?:\s*/\s*(\d+))?(?:\s+(.+))?$", re.I)
_RANK_UNITS = {"xếp hạng", "hạng", "thứ hạng"}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}


@dataclass(frozen=True)
class Value:
    """A value as written (``text``) and what it means.

    The text is what documents print; the rest is its reading: ``kind`` and ``low``/``high``/``op``,
    a ``qualifier`` ("khoảng", "ước"), a ``change`` ("tang"/"giam": the figure is a change, stored
    signed), a rank's trailing words (``rest``: "và thuộc nhóm khá") and a ``note`` marker ("[2]").
    """

    text: str
    kind: Kind
    low: Decimal | None = None      # number, bound limit, range start, ratio/rank numerator
    high: Decimal | None = None     # range end, ratio/rank denominator
    op: str | None = None           # for bounds: < <= > >=
    top: bool = False               # "Top N": any rank up to N meets it
    qualifier: str = ""
    change: str = ""
    rest: str = ""
    note: str = ""

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
        if self.kind == Kind.BOUND and not (self.change or self.qualifier or self.note):
            word = {"<": "dưới", "<=": "không quá", ">": "trên", ">=": "từ"}[self.op]
            return f"{word} {format_number(self.low)}"
        return self.text

    def default_direction(self) -> Direction:
        if self.kind == Kind.BOUND and self.op in ("<", "<="):
            return Direction.DOWN
        if self.kind == Kind.RANK or self.change == "giam":
            return Direction.DOWN
        return Direction.UP

    def in_sense_of(self, target: "Value") -> "Value":
        """A result typed without "tăng/giảm" for a change target is read in the target's sense:
        against "giảm 2%", a result of "3" means a fall of 3."""
        if target.change != "giam" or self.change or not self.is_numeric:
            return self
        return replace(_negated(self), change="giam")


@lru_cache(maxsize=4096)      # a plan reads the same targets for every document that shows them
def parse_value(text: str, unit: str = "", kind: Kind | None = None) -> Value:
    """Parse a written value; ``unit`` helps tell a rank (``5/10`` in ``Xếp hạng``) from a ratio.

    ``kind`` forces an interpretation (as the data's ``kieu`` field does); a text that
    cannot be read as that kind raises ``ValueError`` with a Vietnamese message.
    """
    raw = text
    t = " ".join(text.replace("\u00a0", " ").split())
    is_rank_unit = unit.strip().lower() in _RANK_UNITS
    value = _parse(raw, t, is_rank_unit)
    if kind is not None and value.kind != kind:
        if kind == Kind.TEXT:
            return Value(raw, Kind.TEXT)
        if kind == Kind.RANK and value.kind == Kind.RATIO:
            return replace(value, kind=Kind.RANK)
        if kind == Kind.RATIO and value.kind == Kind.RANK and not value.top:
            return replace(value, kind=Kind.RATIO)
        raise ValueError(f"«{raw}» không đọc được là {KIND_VI[kind]}")
    return value


def _take(pattern: re.Pattern, t: str) -> tuple[str, str]:
    """Take ``pattern`` off ``t``: (what matched, trimmed of spaces, the rest)."""
    m = pattern.search(t)
    if not m:
        return "", t
    return m.group(1).strip(), (t[:m.start()] + t[m.end():]).strip()


def _parse(raw: str, t: str, is_rank_unit: bool) -> Value:
    if not t:
        return Value(raw, Kind.BLANK)
    note, t = _take(_FOOTNOTE, t)
    t = _VERB.sub("", t)
    qualifier, t = _take(_QUALIFIERS, t)
    change, t = _take(_CHANGE, t)
    if change:
        t = _CHANGE_TAIL.sub("", t)
    found = _figure(raw, t.replace("%", " ").strip() if "%" in t else t, is_rank_unit)
    if found.kind == Kind.TEXT:
        return Value(raw, Kind.TEXT)
    extra = {"qualifier": qualifier.lower(), "note": note}
    if change:
        if found.kind not in (Kind.NUMBER, Kind.BOUND, Kind.RANGE):
            return Value(raw, Kind.TEXT)
        extra["change"] = "tang" if change.lower() == "tăng" else "giam"
        if extra["change"] == "giam":
            found = _negated(found)
    return replace(found, text=raw, **extra)


def _negated(v: Value) -> Value:
    """A fall written as a positive figure ("giảm 2-3") as the signed change it is ([-3, -2])."""
    if v.kind == Kind.RANGE:
        return replace(v, low=-v.high, high=-v.low)
    return replace(v, low=-v.low, op=_FLIP.get(v.op, v.op))


def _figure(raw: str, t: str, is_rank_unit: bool) -> Value:
    """The figure itself, with its qualifiers already taken off."""
    t = " ".join(t.split())
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
        return Value(raw, Kind.RANK, Decimal(m.group(2)), Decimal(m.group(3)) if m.group(3) else None,
                     top=bool(m.group(1)), rest=(m.group(4) or "").strip())
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


def evaluate(target: Value, result: Value, direction: Direction | None = None,
             scale: Scale = Scale.THREE, range_rule: RangeRule = RangeRule.WORSE_END) -> Verdict:
    """Judge ``result`` against ``target``: Vượt, Đạt or Không đạt, or why no verdict.

    The rules, in the order they apply: a blank target or result gives no verdict; text on
    either side needs a person; a range result stands for one figure chosen by ``range_rule``;
    a bound is met or missed; a range target is met inside it and beaten or missed outside;
    "Top N" is met at rank N or better, and a rank target with words beyond the figure ("và
    thuộc nhóm khá") is only ever missed by the figure, otherwise left to a person; under
    ``Direction.BAND`` any departure is a miss; ``Scale.TWO`` reports "Vượt" as "Đạt".
    """
    verdict = _judge(target, result, direction or target.default_direction(), range_rule)
    if scale == Scale.TWO and verdict == Verdict.EXCEEDED:
        return Verdict.MET
    return verdict


def result_figure(result: Value, direction: Direction, rule: RangeRule) -> Decimal | None:
    """The one figure a result stands for; a range by ``rule`` (None where it cannot be judged)."""
    if result.kind == Kind.RANGE:
        if rule == RangeRule.MIDPOINT:
            return (result.low + result.high) / 2
        if rule == RangeRule.WORSE_END:
            return result.high if direction == Direction.DOWN else result.low
        return None
    if result.kind == Kind.BOUND:
        return None
    return result.number()


def _judge(target: Value, result: Value, direction: Direction, rule: RangeRule) -> Verdict:
    if target.kind == Kind.BLANK:
        return Verdict.NO_TARGET
    if result.kind == Kind.BLANK:
        return Verdict.NO_RESULT
    if target.kind == Kind.TEXT or not result.is_numeric:
        return Verdict.MANUAL
    result = result.in_sense_of(target)
    if direction == Direction.BAND and result.kind == Kind.RANGE and rule != RangeRule.REFUSE:
        # A range result meets a band only when all of it does.
        ends = [_judge(target, replace(result, kind=Kind.NUMBER, low=x, high=None), direction, rule)
                for x in (result.low, result.high)]
        return Verdict.MET if all(v == Verdict.MET for v in ends) else Verdict.MISSED
    r = result_figure(result, direction, rule)
    if r is None:
        return Verdict.MANUAL
    if target.kind == Kind.BOUND:
        ok = {"<": r < target.low, "<=": r <= target.low,
              ">": r > target.low, ">=": r >= target.low}[target.op]
        return Verdict.MET if ok else Verdict.MISSED
    if target.kind == Kind.RANGE:
        if target.low <= r <= target.high:
            return Verdict.MET
        if direction == Direction.BAND:
            return Verdict.MISSED
        better = r > target.high if direction == Direction.UP else r < target.low
        return Verdict.EXCEEDED if better else Verdict.MISSED
    if target.kind == Kind.RANK:
        if target.top:
            met = r <= target.low
        else:
            # Smaller position is better for a rank, whatever the data says about direction.
            verdict = _compare(r, target.low, Direction.DOWN)
            met = verdict != Verdict.MISSED
            if not target.rest:
                return verdict
        if not met:
            return Verdict.MISSED
        return Verdict.MANUAL if target.rest else Verdict.MET
    t = target.number()
    if direction == Direction.BAND:
        # Judged at the target's own precision: 30,4 meets "30"; 30,6 does not.
        places = max(0, -t.as_tuple().exponent)
        return Verdict.MET if round(r, places) == t else Verdict.MISSED
    return _compare(r, t, direction)


def _compare(r: Decimal, t: Decimal, direction: Direction) -> Verdict:
    if r == t:
        return Verdict.MET
    better = r > t if direction == Direction.UP else r < t
    return Verdict.EXCEEDED if better else Verdict.MISSED


def percent_of(target: Value, result: Value) -> Decimal | None:
    """Result as a percentage of target (the report's "so sánh (%)"), where that means something:
    plain figures and ratios, not changes, bounds or ranges."""
    if target.kind not in (Kind.NUMBER, Kind.RATIO) or target.change or not result.is_numeric \
            or result.kind == Kind.RANGE:
        return None
    t, r = target.number(), result.number()
    if t is None or r is None or t == 0:
        return None
    try:
        return (r / t * 100).quantize(Decimal("0.1"))
    except InvalidOperation:    # a quotient beyond Decimal's precision: no meaningful percentage
        return None
