"""Judge one indicator's reported result against its target (Vượt / Đạt / Không đạt)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .plan import ChiTieu
from .values import Kind, Value, Verdict, evaluate, parse_value, percent_of
from ..text.vn import format_number


@dataclass(frozen=True)
class Assessment:
    """A result as read, its verdict and the result as a percentage of the target."""

    result: Value
    verdict: Verdict
    percent: Decimal | None

    @property
    def so_sanh(self) -> str:
        """The "so sánh (%)" column: ``101,2``, or empty where a percentage means nothing."""
        return format_number(self.percent, max_decimals=1) if self.percent is not None else ""


def read_result(ct: ChiTieu, text: str) -> Value:
    """Read a result the way the target is read (``4/10`` is a rank where the target is one)."""
    target = ct.muc_tieu_danh_gia
    forced = target.kind if target.kind in (Kind.RANK, Kind.RATIO) and not target.top else None
    try:
        return parse_value(text, ct.don_vi, forced)
    except ValueError:
        return parse_value(text, ct.don_vi)


def unmeasurable(ct: ChiTieu, text: str) -> str | None:
    """Why ``text`` cannot be judged against a numeric target (in Vietnamese), or None if it can."""
    target = ct.muc_tieu_danh_gia
    try:
        result = read_result(ct, text)
    except ValueError as exc:   # a figure too large to be real
        return str(exc)
    if not text.strip() or not target.is_numeric:
        return None
    if result.kind not in (Kind.TEXT, Kind.RANGE, Kind.BOUND):
        return None
    example = "4/10" if target.kind in (Kind.RANK, Kind.RATIO) else "8,7"
    return (f"«{text}» không phải kết quả đo được để so với mục tiêu «{target.text}»; cần dạng {example} "
            "(giải thích ghi ở ghi chú)")


def assess(ct: ChiTieu, text: str) -> Assessment:
    """Evaluate ``text`` (what the agency reported) against ``ct``'s target and direction."""
    target = ct.muc_tieu_danh_gia
    result = read_result(ct, text)
    return Assessment(result, evaluate(target, result, ct.huong_danh_gia), percent_of(target, result))
