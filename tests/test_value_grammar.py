"""The value grammar of provincial practice: each written target parsed into kind, bounds and
qualifier, printed exactly as written, and judged against a result under each scale and basis."""

from decimal import Decimal as D

import pytest

from kehoach_docs.model.evaluation import assess
from kehoach_docs.model.plan import ChiTieu, DanhGia
from kehoach_docs.model.values import Kind, Scale, Verdict, parse_value

N, B, R, T, K, X = Kind.NUMBER, Kind.BOUND, Kind.RANGE, Kind.RANK, Kind.RATIO, Kind.TEXT
V, M, F, H = "Vượt", "Đạt", "Không đạt", "Cần đánh giá thủ công"

# text, unit, kind, low, high, op, qualifier, change, rest, note, result, verdict on the Vượt/Đạt/Không đạt scale
CASES = [
    ("8,61", "%", N, "8.61", None, None, "", "", "", "", "8,7", V),
    ("8,61", "%", N, "8.61", None, None, "", "", "", "", "8,61", M),
    ("8,61", "%", N, "8.61", None, None, "", "", "", "", "8,5", F),
    ("1.234,5", "tỷ đồng", N, "1234.5", None, None, "", "", "", "", "1.300", V),
    ("phấn đấu đạt 100%", "%", N, "100", None, None, "", "", "", "", "100", M),
    ("khoảng 40", "km", N, "40", None, None, "khoảng", "", "", "", "40", M),
    ("Khoảng 40", "km", N, "40", None, None, "khoảng", "", "", "", "38", F),
    ("khoảng 1.200-1.500", "hộ", R, "1200", "1500", None, "khoảng", "", "", "", "1.300", M),
    ("khoảng 1.200-1.500", "hộ", R, "1200", "1500", None, "khoảng", "", "", "", "1.600", V),
    ("ước 7,2", "%", N, "7.2", None, None, "ước", "", "", "", "7,2", M),
    ("ước đạt 7,2", "%", N, "7.2", None, None, "ước đạt", "", "", "", "7", F),
    ("ước tính 95", "%", N, "95", None, None, "ước tính", "", "", "", "96", V),
    ("xấp xỉ 50", "%", N, "50", None, None, "xấp xỉ", "", "", "", "50", M),
    ("gần 100", "xã", N, "100", None, None, "gần", "", "", "", "99", F),
    ("trên dưới 30", "%", N, "30", None, None, "trên dưới", "", "", "", "31", V),
    ("ước 7,2", "%", N, "7.2", None, None, "ước", "", "", "", "khoảng 7,3", V),
    ("15% trở lên", "%", B, "15", None, ">=", "", "", "", "", "15", M),
    ("15% trở lên", "%", B, "15", None, ">=", "", "", "", "", "14,9", F),
    ("từ 6 trở lên", "xã", B, "6", None, ">=", "", "", "", "", "7", M),
    ("tối thiểu 5", "xã", B, "5", None, ">=", "", "", "", "", "4", F),
    ("ít nhất 90", "%", B, "90", None, ">=", "", "", "", "", "95", M),
    ("không dưới 80", "%", B, "80", None, ">=", "", "", "", "", "79", F),
    ("không thấp hơn 70", "%", B, "70", None, ">=", "", "", "", "", "70", M),
    ("không quá 3", "%", B, "3", None, "<=", "", "", "", "", "3", M),
    ("không vượt quá 2,5", "%", B, "2.5", None, "<=", "", "", "", "", "2,6", F),
    ("tối đa 10", "vụ", B, "10", None, "<=", "", "", "", "", "9", M),
    ("dưới 1%", "%", B, "1", None, "<", "", "", "", "", "0,9", M),
    ("<1%", "%", B, "1", None, "<", "", "", "", "", "1", F),
    ("trên 95%", "%", B, "95", None, ">", "", "", "", "", "95", F),
    ("> 50", "%", B, "50", None, ">", "", "", "", "", "51", M),
    ("≥ 98%", "%", B, "98", None, ">=", "", "", "", "", "98", M),
    ("≤ 5", "%", B, "5", None, "<=", "", "", "", "", "6", F),
    ("đạt trên 95%", "%", B, "95", None, ">", "", "", "", "", "96", M),
    ("3 trở xuống", "%", B, "3", None, "<=", "", "", "", "", "2", M),
    ("tăng 5%", "%", N, "5", None, None, "", "tang", "", "", "tăng 6%", V),
    ("tăng 5%", "%", N, "5", None, None, "", "tang", "", "", "5", M),
    ("tăng 5%", "%", N, "5", None, None, "", "tang", "", "", "giảm 1%", F),
    ("giảm 2-3", "%", R, "-3", "-2", None, "", "giam", "", "", "giảm 2,5", M),
    ("giảm 2-3%", "%", R, "-3", "-2", None, "", "giam", "", "", "giảm 4%", V),
    ("giảm 2-3%", "%", R, "-3", "-2", None, "", "giam", "", "", "1", F),
    ("tăng 6,5-7%", "%", R, "6.5", "7", None, "", "tang", "", "", "7,5", V),
    ("tăng bình quân 7%/năm", "%", N, "7", None, None, "", "tang", "", "", "7", M),
    ("tăng 10% so với cùng kỳ", "%", N, "10", None, None, "", "tang", "", "", "9", F),
    ("giảm ít nhất 2%", "%", B, "-2", None, "<=", "", "giam", "", "", "giảm 3%", M),
    ("giảm ít nhất 2%", "%", B, "-2", None, "<=", "", "giam", "", "", "giảm 1%", F),
    ("tăng trên 5%", "%", B, "5", None, ">", "", "tang", "", "", "tăng 5%", F),
    ("giảm 1,5%", "%", N, "-1.5", None, None, "", "giam", "", "", "giảm 1,5%", M),
    ("6,5-7%[2]", "%", R, "6.5", "7", None, "", "", "", "[2]", "6,8", M),
    ("6,5-7%(1)", "%", R, "6.5", "7", None, "", "", "", "(1)", "6", F),
    ("8,61*", "%", N, "8.61", None, None, "", "", "", "*", "9", V),
    ("95%²", "%", N, "95", None, None, "", "", "", "²", "95", M),
    ("khoảng 6,5-7%[3]", "%", R, "6.5", "7", None, "khoảng", "", "", "[3]", "7,2", V),
    ("6,5%-7%", "%", R, "6.5", "7", None, "", "", "", "", "6,6", M),
    ("6,5-7", "%", R, "6.5", "7", None, "", "", "", "", "7,1", V),
    ("từ 6,5 đến 7", "%", R, "6.5", "7", None, "", "", "", "", "6,4", F),
    ("Top 10", "Xếp hạng", T, "10", None, None, "", "", "", "", "8", M),
    ("Top 10", "Xếp hạng", T, "10", None, None, "", "", "", "", "12", F),
    ("Top 10 và thuộc nhóm khá", "Xếp hạng", T, "10", None, None, "", "", "và thuộc nhóm khá", "", "8", H),
    ("Top 10 và thuộc nhóm khá", "Xếp hạng", T, "10", None, None, "", "", "và thuộc nhóm khá", "", "15", F),
    ("trong nhóm 20 tỉnh dẫn đầu", "Thứ hạng PCI", T, "20", None, None, "", "", "tỉnh dẫn đầu", "", "25", F),
    ("Hạng 5/63", "Thứ hạng", T, "5", "63", None, "", "", "", "", "4/63", V),
    ("xếp thứ 5", "Thứ hạng", T, "5", None, None, "", "", "", "", "5", M),
    ("5/10", "Xếp hạng", T, "5", "10", None, "", "", "", "", "6/10", F),
    ("105/100", "Bé trai/100 bé gái", K, "105", "100", None, "", "", "", "", "104/100", F),
    ("Tăng trưởng khá", "", X, None, None, None, "", "", "", "", "tốt", H),
    ("100%", "%", N, "100", None, None, "", "", "", "", "", "Chưa có kết quả"),
]


def test_enough_cases():
    assert len(CASES) >= 60


@pytest.mark.parametrize("text, unit, kind, low, high, op, qualifier, change, rest, note, result, verdict", CASES)
def test_parsed(text, unit, kind, low, high, op, qualifier, change, rest, note, result, verdict):
    v = parse_value(text, unit)
    assert v.text == text       # printed exactly as written
    assert (v.kind, v.op, v.qualifier, v.change, v.rest, v.note) == (kind, op, qualifier, change, rest, note)
    assert v.low == (D(low) if low is not None else None)
    if kind != Kind.RANK or high is not None:
        assert v.high == (D(high) if high is not None else None)


@pytest.mark.parametrize("can_cu", ["muc_tieu", "ke_hoach"])
@pytest.mark.parametrize("scale", list(Scale))
@pytest.mark.parametrize("text, unit, kind, low, high, op, qualifier, change, rest, note, result, verdict", CASES)
def test_judged(text, unit, kind, low, high, op, qualifier, change, rest, note, result, verdict, scale, can_cu):
    other = "ke_hoach" if can_cu == "muc_tieu" else "muc_tieu"
    # The other column holds a figure that would give a different verdict: the basis must decide.
    ct = ChiTieu(ma="x", ten="Chỉ tiêu", don_vi=unit, **{can_cu: text, other: "999.999"})
    got = assess(ct, result, DanhGia(can_cu=can_cu, thang=scale)).verdict.value
    expected = M if scale == Scale.TWO and verdict == V else verdict
    assert got == expected


def test_in_words_keeps_the_clerks_wording_where_it_carries_more_than_a_bound():
    assert parse_value("<1%").in_words() == "dưới 1"
    assert parse_value("giảm ít nhất 2%").in_words() == "giảm ít nhất 2%"
    assert parse_value("trên 95%[2]").in_words() == "trên 95%[2]"
