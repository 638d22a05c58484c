"""Vietnamese number formatting (through babel) and ND30 date forms.

Every number or date a document shows goes through this module, so the rules
(decimal comma, dot for thousands, leading zeros of ND30) live in one place.
"""

from __future__ import annotations

import re
from functools import lru_cache

import datetime as _dt
from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, format_decimal, parse_decimal

LOCALE = "vi_VN"

#: Width of a blank left for the clerk to fill in by hand (number, day, month).
BLANK = "\u00a0" * 6


def format_number(value: Decimal | int | float, max_decimals: int = 3) -> str:
    """Format a number the Vietnamese way: ``1234.5`` -> ``1.234,5``; ``8.61`` -> ``8,61``."""
    pattern = "#,##0" + ("." + "#" * max_decimals if max_decimals else "")
    number = check_magnitude(Decimal(str(value)), str(value))
    return format_decimal(number, format=pattern, locale=LOCALE)


#: Figures in a plan stay below 10^18 (a province's budget in đồng is about 10^14): beyond it a
#: number is a typo, and Decimal arithmetic on it (percentages) would fail.
MAX_MAGNITUDE = Decimal(10) ** 18


class NumberOutOfRange(ValueError):
    """A number that reads as one but is too large (or not finite) to print or compute with."""


def check_magnitude(value: Decimal, text: str) -> Decimal:
    """``value`` if it is finite and below :data:`MAX_MAGNITUDE`; else :class:`NumberOutOfRange`."""
    if not value.is_finite() or abs(value) >= MAX_MAGNITUDE:
        raise NumberOutOfRange(f"số «{text}» quá lớn hoặc không hữu hạn; các con số phải nhỏ hơn 10^18")
    return value


#: ASCII digits only: Decimal would also read «٩٨» and «９８», which print as typed in a document.
_FIGURE = re.compile(r"[+-]?[0-9.,]+")


@lru_cache(maxsize=1 << 16)
def parse_number(text: str) -> Decimal | None:
    """Parse a Vietnamese number (``654,247``, ``1.234,5``, ``-3``); ``None`` if it is not one.

    A number too large to be real raises :class:`NumberOutOfRange` rather than passing as text.
    """
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if not text or text.count(",") > 1 or not _FIGURE.fullmatch(text):
        return None
    # "6.1" is a decimal written the English way, not sixty-one: refuse it rather than guess.
    int_part = text.split(",")[0].lstrip("+-")
    if "." in int_part and any(len(g) != 3 for g in int_part.split(".")[1:]):
        return None
    try:
        value = Decimal(parse_decimal(text, locale=LOCALE, strict=False))
    except (NumberFormatError, InvalidOperation, ValueError):
        return None
    return check_magnitude(value, text)


#: «654.247»: thousands apart in Vietnamese, a decimal point to anyone used to English (one point
#: only: «12.345.678» can be no English decimal).
_THOUSANDS_OR_DECIMAL = re.compile(r"\d{1,3}\.\d{3}")


def thousands_or_decimal(text: str) -> str | None:
    """What to tell the clerk about a figure typed as text such as «654.247», read with a thousands
    separator though it may have been meant as a decimal; None for any other text. (A number cell
    holds a number, whatever way it was typed: ask only of text.)"""
    if not _THOUSANDS_OR_DECIMAL.fullmatch(text):
        return None
    return (f"«{text}»: đọc là {text} với dấu chấm ngăn cách hàng nghìn; nếu đó là số thập phân "
            f"hãy ghi {text.replace('.', ',')}")


_PERCENT_FIGURE = re.compile(r"-?[\d.]+(,\d+)?%")


def plain_percent(text: str, unit: str) -> str:
    """A figure from a percentage cell («41,7%») as it prints under the unit «%»: without a second
    «%» (41,7), as its neighbours typed as plain figures print."""
    return text[:-1] if unit == "%" and _PERCENT_FIGURE.fullmatch(text) else text


def _day(d: int) -> str:
    return f"{d:02d}"


def _month(m: int) -> str:
    # ND30 Phụ lục I, II.4b: months 1 and 2 take a leading zero, 3-12 do not.
    return f"{m:02d}" if m < 3 else str(m)


def ngay_thang_nam(year: int, month: int | None = None, day: int | None = None) -> str:
    """The ND30 date line: ``ngày 05 tháng 01 năm 2024``; unknown parts stay blank to fill in."""
    d = _day(day) if day else BLANK
    m = _month(month) if month else BLANK
    return f"ngày {d} tháng {m} năm {year}"


def ngay_so(date: _dt.date) -> str:
    """The short form used inside citations: ``05/01/2024``."""
    return f"{date.day:02d}/{date.month:02d}/{date.year}"


def upper_vi(text: str) -> str:
    """Upper-case Vietnamese text, keeping NFC (``Tiên Lữ`` -> ``TIÊN LỮ``)."""
    import unicodedata

    return unicodedata.normalize("NFC", text.upper())


def roman(n: int) -> str:
    """1 -> I, 4 -> IV, 12 -> XII."""
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += sym
            n -= value
    return out
