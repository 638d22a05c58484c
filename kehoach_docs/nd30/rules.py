"""The ND30 layout rules as data: one row per checkable rule of ``docs/nd30-layout-rules.md`` §7.

The checker reads the bounds and builds its messages from them, and the template builder
(``templates/build.py``) takes the sizes it writes from the same rows, so changing a bound
here is the only edit: both follow it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..text.vn import format_number

#: Document shapes: KH (plan), BC (report), QĐ (decision), KT (a plan issued with a QĐ, printed on
#: its own: no Số, no date, not signed), SS (comparison table, an unnumbered, unsigned
#: attachment). A rule applies to the shapes it names.
ALL_SHAPES = frozenset({"KH", "BC", "QĐ", "KT", "SS"})
SIGNED = frozenset({"KH", "BC", "QĐ"})
DATED = ALL_SHAPES - {"KT"}


@dataclass(frozen=True)
class Size:
    """A font-size bound in points, and the size our templates use within it."""

    lo: float
    hi: float
    use: float

    def __post_init__(self):
        if not self.lo <= self.use <= self.hi:   # a bound edited below the size we use: follow it
            object.__setattr__(self, "use", min(max(self.use, self.lo), self.hi))

    def ok(self, half_points: int | None) -> bool:
        """Whether ``w:sz`` (half-points) is within the bound."""
        return half_points is not None and self.lo * 2 <= half_points <= self.hi * 2

    @property
    def half_points(self) -> int:
        """The size the templates write, as ``w:sz``."""
        return round(self.use * 2)

    def __str__(self) -> str:
        lo, hi = format_number(self.lo, 1), format_number(self.hi, 1)
        return lo if lo == hi else f"{lo}–{hi}"


@dataclass(frozen=True)
class Rule:
    """One checkable rule: its number in §7, the decree's article, what it covers, where it applies."""

    number: int
    article: str
    subject: str
    shapes: frozenset = ALL_SHAPES


RULES: dict[int, Rule] = {r.number: r for r in [
    Rule(1, "Phụ lục I, I.1-2", "khổ giấy A4, trang đầu đứng"),
    Rule(2, "Phụ lục I, I.3", "lề trang đứng"),
    Rule(3, "(chưa quy định)", "lề trang ngang"),
    Rule(4, "Phụ lục I, I.7", "số trang"),
    Rule(5, "Phụ lục I, III.1đ", "số trang phụ lục"),
    Rule(6, "Phụ lục I, I.4", "phông chữ"),
    Rule(7, "Phụ lục I, I.4", "màu chữ"),
    Rule(8, "Phụ lục I, I.4", "bảng mã Unicode"),
    Rule(9, "Phụ lục I, II.6e", "đoạn văn nội dung"),
    Rule(10, "TT 01/2011", "cỡ chữ đồng nhất"),
    Rule(11, "Phụ lục I, II.6e", "thụt đầu dòng"),
    Rule(12, "Phụ lục I, II.6e", "khoảng cách đoạn"),
    Rule(13, "Phụ lục I, II.6e", "giãn dòng"),
    Rule(14, "Phụ lục I, II.1a", "Quốc hiệu"),
    Rule(15, "Phụ lục I, II.1b", "Tiêu ngữ"),
    Rule(16, "mẫu Phụ lục I", "cỡ Quốc hiệu và Tiêu ngữ"),
    Rule(17, "Phụ lục I, II.2b", "tên cơ quan ban hành"),
    Rule(18, "Phụ lục I, II.3", "số, ký hiệu", SIGNED),
    Rule(19, "Phụ lục I, II.4", "địa danh, ngày tháng", DATED),
    Rule(20, "Phụ lục I, II.5b", "tên loại văn bản"),
    Rule(21, "Phụ lục I, II.5b", "trích yếu"),
    Rule(22, "Phụ lục I, II.6a", "căn cứ"),
    Rule(23, "Phụ lục I, II.6a-b", "trích dẫn văn bản"),
    Rule(24, "Phụ lục I, II.6đ", "đề mục"),
    Rule(25, "mẫu Phụ lục III", "kết thúc nội dung"),
    Rule(26, "Phụ lục I, II.7", "khối chữ ký", SIGNED),
    Rule(27, "Phụ lục I, II.9d", "nơi nhận", SIGNED),
    Rule(28, "Phụ lục I, II.9b,d", "kính gửi"),
    Rule(29, "Phụ lục I, III.3", "ký hiệu người soạn thảo"),
    Rule(30, "Phụ lục I, III.1b-c", "tiêu đề phụ lục"),
    Rule(31, "Phụ lục I, III.1a", "đánh số phụ lục"),
    Rule(32, "Phụ lục I, III.1", "phụ lục khổ ngang"),
    Rule(33, "Phụ lục I, III.4", "địa chỉ cuối trang đầu"),
    # Rules of the Quyết định form, beyond §7 of the reference (numbered on from it).
    Rule(34, "Phụ lục III, Mẫu 1.2", "thẩm quyền ban hành và «QUYẾT ĐỊNH:»", frozenset({"QĐ"})),
    Rule(35, "Phụ lục I, II.6đ; Mẫu 1.2", "điều", frozenset({"QĐ"})),
    Rule(36, "Phụ lục III, Mẫu 1.3", "văn bản ban hành kèm theo quyết định", frozenset({"QĐ", "KT"})),
    # Page layout a program can check without laying out pages (added by kehoach-docs).
    Rule(37, "Phụ lục I, II.7-9 (thực tiễn)", "khối chữ ký không đứng riêng một trang", SIGNED),
    Rule(38, "Phụ lục I, III.1 (thực tiễn)", "dòng bảng phụ lục không tách trang"),
]}

#: The sizes of ND30's elements (§7 rules 4, 9, 14-21, 26-28, 30), in points.
SIZES: dict[str, Size] = {
    "so_trang": Size(13, 14, 14),          # rule 4
    "noi_dung": Size(13, 14, 14),          # rule 9
    "quoc_hieu": Size(12, 13, 12),         # rule 14
    "tieu_ngu": Size(13, 14, 13),          # rule 15
    "co_quan": Size(12, 13, 13),           # rule 17
    "so_ky_hieu": Size(13, 13, 13),        # rule 18
    "dia_danh_ngay": Size(13, 14, 14),     # rule 19
    "ten_loai": Size(13, 14, 14),          # rule 20
    "trich_yeu": Size(13, 14, 14),         # rule 21
    "chu_ky": Size(13, 14, 14),            # rule 26: authority, position, name
    "noi_nhan_tieu_de": Size(12, 12, 12),  # rule 27: "Nơi nhận:"
    "noi_nhan": Size(11, 11, 11),          # rule 27: the items
    "kinh_gui": Size(13, 14, 14),          # rule 28
    "phu_luc": Size(14, 14, 14),           # rule 30: "Phụ lục I"
    "phu_luc_tieu_de": Size(13, 14, 14),   # rule 30: its title and "(Kèm theo …)"
}


def applies(rule: int, shape: str | None) -> bool:
    """Whether ``rule`` is checked on a document of ``shape`` (None: an unknown shape, every rule)."""
    return shape is None or shape in RULES[rule].shapes
