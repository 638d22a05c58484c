"""Judge one indicator's reported result against its target, by the plan's own rules (``danh_gia``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .plan import ChiTieu, DanhGia
from .values import Direction, Kind, RangeRule, Value, Verdict, evaluate, parse_value, percent_of
from ..text.vn import NumberOutOfRange, format_number

#: The rules of a plan that does not state its own.
DEFAULT_POLICY = DanhGia()


@dataclass(frozen=True)
class Assessment:
    """A result as read, its verdict, the result as a percentage of the target, and the target."""

    result: Value
    verdict: Verdict
    percent: Decimal | None
    target: Value

    @property
    def so_sanh(self) -> str:
        """The "so sánh (%)" column: ``101,2``, or empty where a percentage means nothing (none, or
        one too large to be real: a result typed as 10^17 against a target of 98)."""
        if self.percent is None:
            return ""
        try:
            return format_number(self.percent, max_decimals=1)
        except NumberOutOfRange:
            return ""


def target_of(ct: ChiTieu, policy: DanhGia = DEFAULT_POLICY) -> Value:
    """The figure results are judged against under ``policy``."""
    return ct.muc_tieu_theo(policy.can_cu)


def direction_of(ct: ChiTieu, policy: DanhGia = DEFAULT_POLICY) -> Direction:
    """The indicator's stated direction, else what its target implies ("dưới 3" is lower-is-better)."""
    return _direction(ct, target_of(ct, policy))


def _direction(ct: ChiTieu, target: Value) -> Direction:
    return ct.huong or target.default_direction()


def read_result(ct: ChiTieu, text: str, policy: DanhGia = DEFAULT_POLICY) -> Value:
    """Read a result the way the target is read (``4/10`` is a rank where the target is one)."""
    return _read(ct, text, target_of(ct, policy))


def _read(ct: ChiTieu, text: str, target: Value) -> Value:
    forced = target.kind if target.kind in (Kind.RANK, Kind.RATIO) and not target.top else None
    try:
        return parse_value(text, ct.don_vi, forced)
    except ValueError:
        return parse_value(text, ct.don_vi)


def unmeasurable(ct: ChiTieu, text: str, policy: DanhGia = DEFAULT_POLICY) -> str | None:
    """Why ``text`` cannot be judged against a numeric target (in Vietnamese), or None if it can."""
    target = target_of(ct, policy)
    try:
        result = _read(ct, text, target)
    except ValueError as exc:   # a figure too large to be real
        return str(exc)
    if not text.strip() or not target.is_numeric:
        return None
    ranges = policy.ket_qua_khoang != RangeRule.REFUSE
    if result.kind not in (Kind.TEXT, Kind.BOUND) and (ranges or result.kind != Kind.RANGE):
        return None
    example = "4/10" if target.kind in (Kind.RANK, Kind.RATIO) else ("8,7 hoặc 7-7,5" if ranges else "8,7")
    return (f"«{text}» không phải kết quả đo được để so với mục tiêu «{target.text}»; cần dạng {example} "
            "(giải thích ghi ở ghi chú)")


def assess(ct: ChiTieu, text: str, policy: DanhGia = DEFAULT_POLICY) -> Assessment:
    """Evaluate ``text`` (what the agency reported) against ``ct``'s target under ``policy``."""
    target = target_of(ct, policy)     # found once: a province's summary judges thousands
    result = _read(ct, text, target)
    verdict = evaluate(target, result, _direction(ct, target), policy.thang, policy.ket_qua_khoang)
    return Assessment(result, verdict, percent_of(target, result), target)


def composite(verdicts: list[Verdict]) -> Verdict | None:
    """A parent's verdict from its sub-rows' (``chi_tieu_tong_hop: theo_chi_tiet``): missed when
    any is missed; met when all are met or beaten; otherwise None (not yet known)."""
    judged = [v for v in verdicts if v not in (Verdict.NO_TARGET,)]
    if not judged:
        return None
    if Verdict.MISSED in judged:
        return Verdict.MISSED
    if all(v in (Verdict.MET, Verdict.EXCEEDED) for v in judged):
        return Verdict.MET
    if Verdict.MANUAL in judged:
        return Verdict.MANUAL
    return Verdict.NO_RESULT
