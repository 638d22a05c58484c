"""Vietnamese number formatting (through babel) and ND30 date forms.

Every number or date a document shows goes through this module, so the rules
(decimal comma, dot for thousands, leading zeros of ND30) live in one place.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, format_decimal, parse_decimal

LOCALE = "vi_VN"

#: Width of a blank left for the clerk to fill in by hand (number, day, month).
BLANK = "\u00a0" * 6


def format_number(value: Decimal | int | float, max_decimals: int = 3) -> str:
    """Format a number the Vietnamese way: ``1234.5`` -> ``1.234,5``; ``8.61`` -> ``8,61``."""
    pattern = "#,##0" + ("." + "#" * max_decimals if max_decimals else "")
    return format_decimal(Decimal(str(value)), format=pattern, locale=LOCALE)


def parse_number(text: str) -> Decimal | None:
    """Parse a Vietnamese number (``654,247``, ``1.234,5``, ``-3``); ``None`` if it is not one."""
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if not text or text.count(",") > 1:
        return None
    # "6.1" is a decimal written the English way, not sixty-one: refuse it rather than guess.
    int_part = text.split(",")[0].lstrip("+-")
    if "." in int_part and any(len(g) != 3 for g in int_part.split(".")[1:]):
        return None
    try:
        return Decimal(parse_decimal(text, locale=LOCALE, strict=False))
    except (NumberFormatError, InvalidOperation, ValueError):
        return None


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
