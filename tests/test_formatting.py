from decimal import Decimal

import pytest

from kehoach_docs.text.vn import format_number, ngay_so, ngay_thang_nam, parse_number, upper_vi


@pytest.mark.parametrize("value,text", [
    (Decimal("8.61"), "8,61"), (Decimal("1234.5"), "1.234,5"), (Decimal("654.247"), "654,247"),
    (100, "100"), (Decimal("0.8"), "0,8"), (Decimal("-3"), "-3"),
])
def test_format_number_vietnamese(value, text):
    assert format_number(value) == text


@pytest.mark.parametrize("text,value", [
    ("8,61", Decimal("8.61")), ("1.234,5", Decimal("1234.5")), ("1.234", Decimal("1234")),
    ("6.1", None), ("abc", None), ("", None), ("1,2,3", None),
])
def test_parse_number(text, value):
    assert parse_number(text) == value


def test_nd30_dates_leading_zeros():
    assert ngay_thang_nam(2024, 1, 5) == "ngày 05 tháng 01 năm 2024"
    assert ngay_thang_nam(2024, 2, 29) == "ngày 29 tháng 02 năm 2024"
    assert ngay_thang_nam(2020, 3, 5) == "ngày 05 tháng 3 năm 2020"
    assert ngay_thang_nam(2019, 12, 31) == "ngày 31 tháng 12 năm 2019"
    blank = ngay_thang_nam(2024)
    assert blank.startswith("ngày ") and blank.endswith(" năm 2024") and "tháng" in blank


def test_citation_date_and_upper():
    import datetime as dt
    assert ngay_so(dt.date(2024, 1, 5)) == "05/01/2024"
    assert upper_vi("huyện Tiên Lữ") == "HUYỆN TIÊN LỮ"
