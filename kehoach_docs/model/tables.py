"""Every table column, declared once: the appendices, the result workbooks, the report tables.

A :class:`Column` says what a column holds (its model field, or how it is derived), how it
is titled (with the plan's year where it has one), how wide and how aligned it is, whether
it prints or is a protected code outside the print area, whether a clerk may edit it in the
workbook, and its label in the comparison table. The document contexts, the workbook writers
and readers, the template builder, the summary and report tables and ``diff`` all read these
declarations: adding a column is one :class:`Column` here (and a model field if it holds data).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from dataclasses import field as dc_field
from types import SimpleNamespace
from typing import Callable

#: The model field holding the values of plan-declared columns (``field="cot_them.th_2025"``).
EXTRA = "cot_them"
_EXTRA_DOT = EXTRA + "."

#: The statuses of a task, in the order the workbook's list offers them.
STATUSES = ("Hoàn thành", "Đang thực hiện", "Chưa thực hiện")


def _agency_name(plan, code: str | None) -> str:
    return plan.co_quan[code].ten_bang if code and code in plan.co_quan else (code or "")


def _enum(value) -> str:
    return value.value if value is not None else ""


@dataclass(frozen=True)
class Column:
    """One column. ``show(plan, item)`` is the text a document prints for a model item."""

    key: str                          # key of a row in contexts and workbooks
    header: str                       # ``{nam}`` takes the plan's year
    width: float                      # workbook width, in characters
    weight: int                       # share of a .docx table's width (twips in the appendix layout)
    align: str = "center"             # "left" or "center", in documents and workbooks
    printed: bool = True              # False: a code kept in the workbook outside the print area
    editable: bool = True             # a clerk may change it in the appendix workbook
    label: str | None = None          # its name in the comparison table; None: not compared
    field: str | None = None          # the model field it holds; None: derived (STT, results)
    code_for: str | None = None       # the visible column whose code this hidden column keeps
    short: str | None = None          # header in narrow tables (report drafts, result workbooks)
    abbr: str | None = None           # header in the narrowest tables (ĐVT)
    #: A value column of Phụ lục I: the plan chooses which of these it prints (``cot``), and the
    #: documents print them in one run of cells, as many as the plan has.
    value: bool = False
    #: A value column that also prints in the report tables (agency drafts, the summary, the
    #: result workbook); a plan with many (a five-year plan's years) reports only the ones that count.
    reported: bool = True
    show: Callable | None = dc_field(default=None, compare=False)

    def title(self, year: int | None = None) -> str:
        if year is None:
            return self.header
        return self.header.replace("{nam_truoc}", str(year - 1)).replace("{nam}", str(year))

    def short_title(self, year: int | None = None) -> str:
        """The header in narrow tables (report drafts, result workbooks)."""
        return replace(self, header=self.short or self.header).title(year)

    @property
    def yearly(self) -> bool:
        return "{nam" in self.header

    def text(self, plan, item) -> str:
        """What a document prints for ``item`` in this column."""
        if self.show is not None:
            return self.show(plan, item)
        value = self.held(item)
        return "" if value is None else str(value)

    def held(self, item):
        """The model value this column holds (``cot_them.X``: a plan-declared column's value)."""
        if not self.field:
            return None
        if self.field.startswith(_EXTRA_DOT):
            return getattr(item, EXTRA).get(self.field[len(_EXTRA_DOT):], "")
        return getattr(item, self.field)


@dataclass
class Table:
    """A table's columns in order, and where its workbook sheet puts them."""

    key: str
    sheet: str
    columns: list[Column]
    header_row: int = 5

    def add(self, column: Column, before: str | None = None) -> Column:
        """Declare one more column (before the column ``before``, else last): every document,
        workbook, reader and comparison that reads this table takes it from here on."""
        if any(c.key == column.key for c in self.columns):
            raise ValueError(f"column {column.key!r} is declared twice in {self.key}")
        at = next((i for i, c in enumerate(self.columns) if c.key == before), len(self.columns))
        self.columns.insert(at, column)
        return column

    @property
    def printed(self) -> list[Column]:
        return [c for c in self.columns if c.printed]

    def values(self, reports: bool = False) -> list[Column]:
        """The value columns, in print order; ``reports``: only those the report tables print."""
        return [c for c in self.columns if c.value and (c.reported or not reports)]

    @property
    def compared(self) -> list[Column]:
        return [c for c in self.columns if c.label]

    def __getitem__(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


INDICATORS = Table("phu_luc_i", "Phụ lục I", [
    Column("stt", "STT", 6, 800),
    Column("ten", "Chỉ tiêu", 48, 5600, "left", label="Tên chỉ tiêu", field="ten"),
    Column("don_vi", "Đơn vị tính", 12, 1300, label="Đơn vị tính", field="don_vi", abbr="ĐVT"),
    Column("ke_hoach", "Kế hoạch năm {nam} HĐND giao", 15, 1800, label="Kế hoạch HĐND giao", field="ke_hoach",
           short="Kế hoạch giao", value=True),
    Column("muc_tieu", "Mục tiêu phấn đấu năm {nam}", 15, 1800, label="Mục tiêu phấn đấu", field="muc_tieu",
           short="Mục tiêu phấn đấu", value=True),
    Column("co_quan", "Cơ quan chủ trì theo dõi, đánh giá", 30, 2703, "left", label="Cơ quan theo dõi",
           field="co_quan", show=lambda plan, ct: _agency_name(plan, ct.co_quan)),
    Column("ma", "Mã chỉ tiêu", 12, 0, printed=False, editable=False, field="ma"),
    Column("ma_co_quan", "Mã cơ quan", 12, 0, printed=False, code_for="co_quan",
           show=lambda plan, ct: ct.co_quan or ""),
    Column("huong", "Hướng đánh giá (tang/giam/bam_sat)", 14, 0, printed=False, label="Hướng đánh giá", field="huong",
           show=lambda plan, ct: _enum(ct.huong)),
    Column("kieu_gia_tri", "Kiểu giá trị", 12, 0, printed=False, label="Kiểu giá trị", field="kieu",
           show=lambda plan, ct: _enum(ct.kieu)),
])

TASKS = Table("phu_luc_ii", "Phụ lục II", [
    Column("stt", "STT", 6, 800),
    Column("noi_dung", "Nhiệm vụ", 60, 6200, "left", label="Nội dung", field="noi_dung",
           show=lambda plan, nv: plan.text(nv.noi_dung)),
    Column("chu_tri", "Cơ quan chủ trì", 26, 2400, "left", label="Cơ quan chủ trì", field="chu_tri",
           show=lambda plan, nv: _agency_name(plan, nv.chu_tri)),
    Column("phoi_hop", "Cơ quan phối hợp", 30, 3000, "left", label="Cơ quan phối hợp", field="phoi_hop",
           show=lambda plan, nv: "; ".join(_agency_name(plan, c) for c in nv.phoi_hop)),
    Column("thoi_han", "Thời gian hoàn thành", 16, 1603, label="Thời gian hoàn thành", field="thoi_han"),
    Column("ma", "Mã nhiệm vụ", 10, 0, printed=False, editable=False, field="ma"),
    Column("thuoc", "Thuộc mục", 18, 0, printed=False, label="Thuộc mục", field="thuoc",
           show=lambda plan, nv: nv.thuoc or ""),
    Column("ma_chu_tri", "Mã cơ quan chủ trì", 14, 0, printed=False, code_for="chu_tri",
           show=lambda plan, nv: nv.chu_tri),
    Column("ma_phoi_hop", "Mã cơ quan phối hợp", 18, 0, printed=False, code_for="phoi_hop",
           show=lambda plan, nv: "; ".join(nv.phoi_hop)),
    # The text as written, kept only where it holds references ({ct:…}) that the visible cell expands.
    Column("noi_dung_goc", "Nội dung gốc (có tham chiếu)", 30, 0, printed=False, code_for="noi_dung",
           show=lambda plan, nv: nv.noi_dung if plan.text(nv.noi_dung) != nv.noi_dung else ""),
])

#: More value columns than this, and the report tables print only the council's figure and the
#: column results are judged against (a five-year plan's report of one year).
MAX_REPORTED_VALUES = 3


def indicator_table(cot=None, year: int | None = None, basis: str = "muc_tieu") -> Table:
    """Phụ lục I with the value columns a plan declares (``cot``, its list of ``CotChiTieu``) in
    place of the standard two; :data:`INDICATORS` itself when the plan declares none. ``basis``
    is the column results are judged against (``danh_gia.can_cu``)."""
    if not cot:
        return INDICATORS
    values = []
    for spec in cot:
        if isinstance(spec, dict):      # as a workbook or a context keeps it
            spec = SimpleNamespace(ma=spec["ma"], tieu_de=spec.get("tieu_de"))
        if spec.ma in ("ke_hoach", "muc_tieu"):
            col = INDICATORS[spec.ma]
            if spec.tieu_de:
                col = replace(col, header=spec.tieu_de, short=spec.tieu_de)
        else:
            col = Column(spec.ma, spec.tieu_de, 15, 1800, field=f"{EXTRA}.{spec.ma}", short=spec.tieu_de, value=True)
        title = col.title(year)
        values.append(replace(col, header=title, short=col.short_title(year), label=title))
    if len(values) > MAX_REPORTED_VALUES:
        values = [replace(c, reported=c.key in (basis, "ke_hoach")) for c in values]
    rest = [c for c in INDICATORS.columns if not c.value]
    at = next(i for i, c in enumerate(INDICATORS.columns) if c.value)
    return Table(INDICATORS.key, INDICATORS.sheet, rest[:at] + values + rest[at:], INDICATORS.header_row)


#: Result columns of the report tables, after the indicator's own.
RESULTS = (
    Column("uoc", "Ước thực hiện", 14, 1300),
    Column("so_sanh", "So sánh (%)", 10, 1000),
    Column("danh_gia", "Đánh giá", 12, 1300),
)

def _weighted(columns, weights: dict[str, int]) -> list[Column]:
    """``columns`` with the width shares of one particular table (a narrower page, more columns);
    a column declared later keeps its own share."""
    return [replace(c, weight=weights.get(c.key, c.weight)) for c in columns]


def summary_columns(table: Table = INDICATORS) -> list[Column]:
    """The summary report's indicator table: Phụ lục I as printed, results before the agency."""
    return _weighted([*[c for c in table.printed if c.key != "co_quan" and c.reported], *RESULTS, table["co_quan"]],
                     {"stt": 700, "ten": 3800, "don_vi": 1000, "ke_hoach": 1300, "muc_tieu": 1300, "uoc": 1300,
                      "so_sanh": 1000, "danh_gia": 1300, "co_quan": 2303})


def report_columns(table: Table = INDICATORS) -> list[Column]:
    """An agency's report draft (portrait): its own indicators, no agency column, short headers."""
    return _weighted([*[c for c in table.printed if c.key != "co_quan" and c.reported], *RESULTS],
                     {"stt": 650, "ten": 2371, "don_vi": 800, "ke_hoach": 1050, "muc_tieu": 1050, "uoc": 1100,
                      "so_sanh": 850, "danh_gia": 1200})

def _entry(column: Column, width: float, editable: bool = False) -> Column:
    """A plan column as the result-entry workbook shows it: short header, locked."""
    return replace(column, header=column.short or column.header, width=width, editable=editable, printed=True)


def entry_indicators(table: Table = INDICATORS) -> Table:
    """The result-entry workbook an agency fills in: the plan's columns (locked, its value columns
    as the plan declares them), then what it enters."""
    return Table("chi_tieu", "Chỉ tiêu", [
        _entry(table["ma"], 12),
        _entry(table["ten"], 48),
        _entry(table["don_vi"], 12),
        *[_entry(c, 14) for c in table.values(reports=True)],
        _entry(RESULTS[0], 14, editable=True),
        Column("ghi_chu", "Ghi chú", 30, 0, "left"),
    ], header_row=4)


ENTRY_INDICATORS = entry_indicators()

ENTRY_TASKS = Table("nhiem_vu", "Nhiệm vụ", [
    _entry(TASKS["ma"], 12),
    _entry(TASKS["noi_dung"], 56),
    Column("vai_tro", "Vai trò", 11, 0, editable=False),
    Column("thoi_han", "Thời hạn", 14, 0, editable=False),
    Column("trang_thai", "Tình trạng", 18, 0),
    Column("ket_qua", "Kết quả thực hiện", 50, 0, "left"),
], header_row=4)

#: The other sheets of the result-entry workbook.
GUIDE_SHEET, GENERAL_SHEET, META_SHEET = "Hướng dẫn", "Khó khăn - Đề xuất", "kehoach"
#: The general sheet: (row, key, label); the value goes in column B.
GENERAL_ROWS = [(4, "ngay_bao_cao", "Ngày báo cáo (dd/mm/yyyy)"), (5, "kho_khan", "Khó khăn, vướng mắc"),
                (6, "de_xuat", "Đề xuất, kiến nghị")]
#: The hidden sheet that names the plan and the agency a workbook belongs to.
META_ROWS = [(1, "ke_hoach"), (2, "co_quan"), (3, "dinh_dang"), (4, "ban_ke_hoach")]
ENTRY_FORMAT = "1"

APPENDICES = {t.key: t for t in (INDICATORS, TASKS)}
#: Labels of the workbook cells beside the table (outside the print area) that keep, as JSON, what
#: the plan declares about the table: its own value columns, and the notes under it.
COLUMNS_LABEL = "Khai báo cột số liệu (không sửa)"
NOTES_LABEL = "Chú thích dưới bảng (như dữ liệu)"


def appendix_table(part: str, cot=None, year: int | None = None) -> Table:
    """The columns of appendix ``part`` for a plan that declares value columns ``cot``."""
    return indicator_table(cot, year) if part == INDICATORS.key else APPENDICES[part]
