"""The plan as validated data (pydantic models), one class per part of the documents.

Field names are the Vietnamese keys the clerk types in the YAML files, so that an
error about ``chi_tieu[3].don_vi`` points at exactly what they wrote.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, ClassVar, Literal, Union

from pydantic import (BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator,
                      model_validator)

from ..text.vn import check_magnitude, format_number, ngay_so, ngay_thang_nam, upper_vi
from .values import Direction, Kind, RangeRule, Scale, Value, parse_value

MIN_YEAR, MAX_YEAR = 1945, 2100

# ND30 Phụ lục III: abbreviations of document types (mixed case is official).
DOC_TYPES = {
    "NQ": "Nghị quyết", "QĐ": "Quyết định", "CT": "Chỉ thị", "QC": "Quy chế", "QyĐ": "Quy định",
    "TC": "Thông cáo", "TB": "Thông báo", "HD": "Hướng dẫn", "CTr": "Chương trình",
    "KH": "Kế hoạch", "PA": "Phương án", "ĐA": "Đề án", "DA": "Dự án", "BC": "Báo cáo",
    "BB": "Biên bản", "TTr": "Tờ trình",
}
UNNUMBERED_TYPES = {"Luật", "Bộ luật", "Pháp lệnh", "Hiến pháp"}
KY_HIEU_PART = re.compile(r"^[A-ZĐ][A-Za-zĐđ0-9]*$")
CODE = re.compile(r"[A-Za-zĐđ0-9][A-Za-zĐđ0-9_.-]*")    # the whole code (fullmatch: no line end after it)


class Strict(BaseModel):
    """Unknown keys are errors (most are typos); surrounding spaces are dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def as_text(v):
    """Accept a number typed without quotes as the text a clerk meant (8.61 -> "8,61")."""
    if isinstance(v, bool):
        raise ValueError("cần chữ hoặc số, không phải đúng/sai")
    if isinstance(v, (int, float, Decimal)):
        return format_number(check_magnitude(Decimal(str(v)), str(v)), max_decimals=6)
    if v is None:
        return ""
    return v


class NgayBanHanh(Strict):
    """A date that may be partly blank until the document is signed (``ngày   tháng   năm 2024``)."""

    nam: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    thang: int | None = Field(default=None, ge=1, le=12)
    ngay: int | None = Field(default=None, ge=1, le=31)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, v):
        if isinstance(v, dt.date):
            return {"nam": v.year, "thang": v.month, "ngay": v.day}
        if isinstance(v, int) and not isinstance(v, bool):
            return {"nam": v}
        if isinstance(v, str):
            parts = [p.strip() for p in v.split("/")]
            if len(parts) == 1 and parts[0].isdigit():
                return {"nam": int(parts[0])}
            if len(parts) == 3 and all(p.isdigit() or not p for p in parts) and parts[2]:
                return {"nam": int(parts[2]), "thang": int(parts[1]) if parts[1] else None,
                        "ngay": int(parts[0]) if parts[0] else None}
            raise ValueError(f"ngày «{v}» không đúng dạng ngày/tháng/năm (ví dụ 05/01/2024 "
                             "hoặc để trống ngày, tháng: /  /2024)")
        return v

    @model_validator(mode="after")
    def _real(self):
        if self.ngay and not self.thang:
            raise ValueError("có ngày nhưng thiếu tháng")
        if self.ngay and self.thang:
            try:
                dt.date(self.nam, self.thang, self.ngay)
            except ValueError:
                raise ValueError(f"ngày {self.ngay:02d}/{self.thang:02d}/{self.nam} không có thật") from None
        return self

    def dong_ngay(self) -> str:
        """``ngày 05 tháng 01 năm 2024`` (blank parts left to fill in)."""
        return ngay_thang_nam(self.nam, self.thang, self.ngay)

    def as_date(self) -> dt.date | None:
        return dt.date(self.nam, self.thang, self.ngay) if self.ngay and self.thang else None


# Names Windows reserves for devices, with any extension; a file "CON.docx" cannot exist there
# nor on the shared folders offices keep documents on.
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10)),
                    "COM¹", "COM²", "COM³", "LPT¹", "LPT²", "LPT³"}
MAX_CODE = 64


def _check_code(v: str) -> str:
    """A code (``ma``) goes into file names and references: letters, digits, ``_ - .`` only,
    and a name that every file system the offices use can hold."""
    if not CODE.fullmatch(v):
        raise ValueError(_code_mistake(v))
    if len(v) > MAX_CODE:
        raise ValueError(f"mã dài {len(v)} ký tự; tối đa {MAX_CODE}")
    if v.endswith("."):
        raise ValueError(f"mã «{v}» không được kết thúc bằng dấu chấm (Windows bỏ dấu chấm cuối tên tệp)")
    if v.split(".")[0].upper() in WINDOWS_RESERVED:
        raise ValueError(f"mã «{v}» trùng tên thiết bị Windows dành riêng (CON, PRN, AUX, NUL, COM1…, LPT1…); "
                         "hãy chọn mã khác")
    return v


_CODE_CHAR = re.compile(r"[A-Za-zĐđ0-9_.-]")


def _code_mistake(v: str) -> str:
    """What is wrong with a code :data:`CODE` refuses, naming the characters it cannot hold."""
    if not v:
        return "mã không được để trống"
    bad = [c for c in dict.fromkeys(v) if not _CODE_CHAR.match(c)]
    v = "".join(c if c.isprintable() else f"U+{ord(c):04X}" for c in v)
    if bad:
        shown = ", ".join("dấu cách" if c == " " else f"«{c}»" if c.isprintable() else f"U+{ord(c):04X}"
                          for c in bad)
        return (f"mã «{v}» có ký tự không dùng được trong mã: {shown}; mã chỉ gồm chữ cái không dấu "
                "(được dùng Đ), chữ số và '_', '-', '.' (ví dụ TCKH, UBND-XA-01)")
    return f"mã «{v}» phải bắt đầu bằng chữ cái hoặc chữ số (ví dụ TCKH, UBND-XA-01)"


def real_date(v):
    if isinstance(v, str):
        m = re.fullmatch(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*", v)
        if not m:
            raise ValueError(f"ngày «{v}» không đúng dạng dd/mm/yyyy (ví dụ 05/01/2024)")
        d, mth, y = map(int, m.groups())
        try:
            v = dt.date(y, mth, d)
        except ValueError:
            raise ValueError(f"ngày «{v.strip()}» không có thật") from None
    if isinstance(v, dt.date) and not (MIN_YEAR <= v.year <= MAX_YEAR):
        raise ValueError(f"năm {v.year} không hợp lý (cần từ {MIN_YEAR} đến {MAX_YEAR})")
    return v


#: Bodies that decide collectively: what they issue is signed «TM.» (for) them (ND30 Phụ lục I, II.7b).
COLLECTIVE_BODIES = frozenset({"Ủy ban nhân dân", "Hội đồng nhân dân"})


class CoQuanBanHanh(Strict):
    """The issuing body: ``Ủy ban nhân dân`` + level + place (any level; no district assumed)."""

    loai: str = "Ủy ban nhân dân"
    cap: Literal["tỉnh", "thành phố", "huyện", "quận", "thị xã", "xã", "phường", "thị trấn", "đặc khu"]
    dia_danh: str = Field(min_length=1)
    viet_tat: str = "UBND"
    noi_ban_hanh: str | None = None
    co_quan_chu_quan: str | None = None

    @field_validator("viet_tat")
    @classmethod
    def _abbr(cls, v):
        if not all(KY_HIEU_PART.match(p) for p in v.split("-")):
            raise ValueError(f"chữ viết tắt «{v}» không hợp lệ cho ký hiệu (chữ in hoa, số, nối bằng '-')")
        return v

    @property
    def tap_the(self) -> str | None:
        """The collective body a document of it is signed for (``TM. ỦY BAN NHÂN DÂN``), or None for
        a body headed by one person (a Sở, a Phòng: its head signs in his own right)."""
        return self.loai if self.loai in COLLECTIVE_BODIES else None

    @property
    def ten(self) -> str:
        """``Ủy ban nhân dân huyện Tiên Lữ``."""
        return f"{self.loai} {self.cap} {self.dia_danh}"

    @property
    def dong_ten(self) -> list[str]:
        """The header lines: ``ỦY BAN NHÂN DÂN`` / ``HUYỆN TIÊN LỮ``."""
        return [upper_vi(self.loai), upper_vi(f"{self.cap} {self.dia_danh}")]

    @property
    def ten_cap_tren(self) -> str:
        """How a subordinate agency names it above its own name: ``UBND HUYỆN TIÊN LỮ``."""
        return upper_vi(f"{self.viet_tat} {self.cap} {self.dia_danh}")

    @property
    def dia_danh_ngay(self) -> str:
        return self.noi_ban_hanh or self.dia_danh


class ThongTinVanBan(Strict):
    """Type, number, date and summary (trích yếu) of the plan itself."""

    loai: str = "KH"
    ten_loai: str | None = None
    so: int | None = Field(default=None, ge=1, le=99999)
    ngay: NgayBanHanh
    trich_yeu: str = Field(min_length=1)
    nam: int | None = Field(default=None, ge=MIN_YEAR, le=MAX_YEAR)

    @field_validator("loai")
    @classmethod
    def _type(cls, v):
        if v not in DOC_TYPES:
            raise ValueError(f"loại văn bản «{v}» không có trong bảng viết tắt của Nghị định 30 "
                             f"(ví dụ: KH, BC, QĐ)")
        return v

    @property
    def ten_loai_day_du(self) -> str:
        return self.ten_loai or DOC_TYPES[self.loai]

    @property
    def nam_ke_hoach(self) -> int:
        return self.nam or self.ngay.nam


#: What ``kehoach init``'s templates (``starter/*.yaml.j2``) write where the clerk must put the real
#: thing («SỬA - nội dung nhiệm vụ», a figure «SỬA», a resolution's number): it prints as it is,
#: so it shows on paper, and every command warns of it (``crossref``) until it is replaced.
TO_EDIT = "SỬA"


class VanBanThamChieu(Strict):
    """A cited document: type, number/symbol, date, issuer, summary."""

    loai: str = Field(min_length=2)
    so_ky_hieu: str | None = None
    ngay: dt.date | None = None
    co_quan: str | None = None
    trich_yeu: str | None = None

    _check_date = field_validator("ngay", mode="before")(classmethod(lambda cls, v: real_date(v)))

    @field_validator("so_ky_hieu")
    @classmethod
    def _symbol(cls, v):
        if v is not None and v != TO_EDIT and not re.fullmatch(r"\d+[a-z]?(/\d{4})?[-/][\wĐđ&]+([-/][\wĐđ&]+)*", v):
            raise ValueError(f"số, ký hiệu «{v}» không đúng dạng (ví dụ 01/NQ-CP, 726-KL/TU, "
                             "01/2023/QĐ-UBND)")
        return v

    @model_validator(mode="after")
    def _complete(self):
        if self.loai not in UNNUMBERED_TYPES:
            missing = [k for k in ("so_ky_hieu", "ngay", "co_quan") if getattr(self, k) is None]
            if missing:
                raise ValueError("trích dẫn " + self.loai + " thiếu " + ", ".join(missing)
                                 + " (cần loại, số ký hiệu, ngày, cơ quan ban hành)")
        return self

    def full(self, with_issuer: bool = True, with_type: bool = True) -> str:
        """``Nghị quyết số 01/NQ-CP ngày 05/01/2024 của Chính phủ về …`` (ND30 full citation)."""
        parts = [self.loai] if with_type else []
        if self.loai in UNNUMBERED_TYPES:
            if self.trich_yeu:
                parts.append(self.trich_yeu)
            if self.ngay:
                parts.append(ngay_thang_nam(self.ngay.year, self.ngay.month, self.ngay.day))
            return " ".join(parts)
        parts += [f"số {self.so_ky_hieu}", f"ngày {ngay_so(self.ngay)}"]
        if with_issuer:
            parts.append(f"của {self.co_quan}")
        if self.trich_yeu:
            parts.append(self.trich_yeu)
        return " ".join(parts)

    def short(self) -> str:
        """``Nghị quyết số 01/NQ-CP ngày 05/01/2024 của Chính phủ`` (without the summary)."""
        if self.loai in UNNUMBERED_TYPES:
            return f"{self.loai} {self.trich_yeu or ''}".strip()
        return f"{self.loai} số {self.so_ky_hieu} ngày {ngay_so(self.ngay)} của {self.co_quan}"


class NhomVanBan(Strict):
    """Several documents of one type cited together: ``các Nghị quyết số …; số …``."""

    nhom: list[str] = Field(min_length=2)


def _keyed(*keys):
    """A discriminator choosing a union member by which key a mapping has (else the last tag)."""
    def pick(v):
        if isinstance(v, str):
            return "str"
        data = v if isinstance(v, dict) else getattr(v, "__dict__", None)
        if not isinstance(data, dict):
            return None     # pydantic reports union_tag_not_found, which we say in Vietnamese
        for k in keys:
            if k in data:
                return k
        return "khac"
    return Discriminator(pick)


class CanCuTrichDan(Strict):
    """A legal-basis paragraph built from citations: ``Căn cứ A; B;``."""

    mo_dau: str = "Căn cứ"
    van_ban: list[Annotated[Union[Annotated[str, Tag("str")], Annotated[NhomVanBan, Tag("khac")]],
                            _keyed()]] = Field(min_length=1)


class CanCuDoan(Strict):
    """A legal-basis paragraph written out in full."""

    doan: str = Field(min_length=1)


class Gach(Strict):
    """A bullet item (``- …``)."""

    gach: str = Field(min_length=1)


class Doan(Strict):
    """A plain paragraph."""

    doan: str = Field(min_length=1)


class Muc(Strict):
    """A numbered part of the body (I., 1., 1.1.); without children it is a numbered paragraph."""

    tieu_de: str = Field(min_length=1)
    ma: str | None = None
    noi_dung: list[Annotated[Union[Annotated["Muc", Tag("khac")], Annotated[Gach, Tag("gach")],
                                   Annotated[Doan, Tag("doan")], Annotated[str, Tag("str")]],
                             _keyed("gach", "doan")]] = []

    @field_validator("noi_dung", mode="before")
    @classmethod
    def _null(cls, v):
        return [] if v is None else v


class NguoiKy(Strict):
    """Signature block: ``TM. ỦY BAN NHÂN DÂN`` / ``KT. CHỦ TỊCH`` / ``PHÓ CHỦ TỊCH`` / name."""

    thay_mat: str | None = None
    ky_thay: str | None = None
    quyen: bool = False
    chuc_vu: str = Field(min_length=1)
    ho_ten: str = ""

    @field_validator("ho_ten", mode="before")
    @classmethod
    def _blank(cls, v):
        # ``ho_ten:`` left empty in YAML reads as null: the name not yet known, warned about as ""
        return "" if v is None else v

    @property
    def dong_tham_quyen(self) -> list[str]:
        return self.authority_lines()

    @property
    def deputy(self) -> bool:
        """Whether the signer is a deputy («Phó …»)."""
        return upper_vi(self.chuc_vu).startswith("PHÓ")

    @property
    def deputy_in_own_right(self) -> bool:
        """A deputy signing without «KT.» (for the head)."""
        return self.deputy and not self.ky_thay

    def authority_lines(self, on_behalf_of: str | None = None) -> list[str]:
        """The lines above the signature. ``on_behalf_of`` (a collective body) stands for ``thay_mat``
        where none is given, and only above its head or a deputy signing for the head (``KT.``): ND30
        has no «TM.» above a deputy in his own right."""
        lines = []
        if self.deputy_in_own_right:
            on_behalf_of = None
        if self.thay_mat or on_behalf_of:
            lines.append("TM. " + upper_vi(self.thay_mat or on_behalf_of))
        if self.ky_thay:
            lines.append("KT. " + upper_vi(self.ky_thay))
        lines.append(("Q. " if self.quyen else "") + upper_vi(self.chuc_vu))
        return lines

    @model_validator(mode="after")
    def _deputy(self):
        if self.ky_thay and not self.deputy:
            raise ValueError("ký thay (KT.) thì chức vụ người ký phải là cấp phó (ví dụ PHÓ CHỦ TỊCH)")
        if re.match(r"^(TS|ThS|GS|PGS|KS|CN)\.", self.ho_ten):
            raise ValueError("họ tên người ký không ghi học hàm, học vị (Nghị định 30)")
        return self


class Dieu(Strict):
    """An article of a Quyết định: ``Điều n.`` in bold, then ``doan``; ``khoan`` are its numbered
    clauses (``1. …``) where it has them."""

    doan: str = Field(min_length=1)
    khoan: list[str] = []


class KemTheo(Strict):
    """The plan issued with the decision (ND30 Mẫu 1.3): ``Điều 1. Ban hành kèm theo Quyết định
    này …``; it prints after the decision with its own header, type name and summary."""

    ten_loai: str = "Kế hoạch"
    trich_yeu: str = Field(min_length=1)
    loi_dan: str | None = None
    #: Also write the attached plan on its own (``ke-hoach-kem-theo.docx``).
    tach_rieng: bool = False


class QuyetDinh(Strict):
    """``quyet_dinh`` in ke-hoach.yaml: the plan is issued as a Quyết định (ND30 Mẫu 1.2).

    Without ``kem_theo`` the plan's sections (``noi_dung``) print inside Điều 1, after its text;
    with it they print in the attached plan."""

    #: The authority line under the summary; by default ``ỦY BAN NHÂN DÂN TỈNH …`` of the issuer.
    tham_quyen: str | None = None
    #: Who proposed it: printed ``Theo đề nghị của ….`` as the last line of the căn cứ block.
    theo_de_nghi: str = Field(min_length=1)
    dieu: list[Dieu] = Field(min_length=2)
    kem_theo: KemTheo | None = None

    @field_validator("dieu", mode="before")
    @classmethod
    def _plain(cls, v):
        # An article without clauses may be written as plain text.
        return [{"doan": x} if isinstance(x, str) else x for x in v] if isinstance(v, list) else v

    @field_validator("theo_de_nghi")
    @classmethod
    def _lead(cls, v):
        return re.sub(r"^theo đề nghị của\s+", "", v, flags=re.I).rstrip(" .;")


class LinhVuc(Strict):
    """One sector of the summary report's narrative: a title and its paragraphs."""

    tieu_de: str = Field(min_length=1)
    noi_dung: list[str] = Field(min_length=1)


class TongHop(Strict):
    """``tong_hop`` in ke-hoach.yaml: the shape of the summary report of results (tong-hop.docx),
    as provinces send it to their councils. Nothing set: the report as a district sends it."""

    #: Who it is addressed to ("Thường trực Hội đồng nhân dân tỉnh"); prints "Kính gửi:" and makes
    #: "Như trên" the first recipient.
    kinh_gui: list[str] = []
    #: The document the report answers, a key of ``van_ban_tham_chieu`` (the council's resolution);
    #: by default the plan itself.
    tham_chieu: str | None = None
    #: The sector-by-sector narrative, before the indicators.
    linh_vuc: list[LinhVuc] = []
    #: The indicator table as an appendix (``phu_luc``) or in the body (``noi_dung``).
    bang_chi_tieu: Literal["phu_luc", "noi_dung"] = "phu_luc"


class DanhGia(Strict):
    """``danh_gia`` in ke-hoach.yaml: how this plan judges results. The defaults are the rules a
    district's plan has always used; a province states its own."""

    #: What a result is judged against: the target aimed for (``muc_tieu``), the council's figure
    #: (``ke_hoach``) or a column the plan declares (``nam_2026``); where that one is blank, the other.
    can_cu: str = "muc_tieu"
    #: ``vuot_dat``: Vượt / Đạt / Không đạt; ``dat``: Đạt / Không đạt only.
    thang: Scale = Scale.THREE
    #: A result written as a range ("7-7,5"): refused (``tu_choi``), or judged by its less
    #: favourable end (``bat_loi``) or its middle (``giua``).
    ket_qua_khoang: RangeRule = RangeRule.REFUSE
    #: An indicator with sub-rows: judged on its own figures (``rieng``), or met only when every
    #: sub-row is met and missed when any is missed (``theo_chi_tiet``).
    chi_tieu_tong_hop: Literal["rieng", "theo_chi_tiet"] = "rieng"
    #: The summary's count line: every row (``tat_ca``), or main indicators and their components
    #: counted apart, as provinces report to their councils (``chu_yeu``).
    dem: Literal["tat_ca", "chu_yeu"] = "tat_ca"
    #: ``{ct:MA}`` on a blank target aimed for: an error (``bao_loi``), or the council's figure
    #: (``ke_hoach``) for plans that state one figure per indicator.
    tham_chieu_trong: Literal["bao_loi", "ke_hoach"] = "bao_loi"


class KeHoach(Strict):
    """``ke-hoach.yaml``: everything of the main document except the appendix tables."""

    co_quan_ban_hanh: CoQuanBanHanh
    van_ban: ThongTinVanBan
    van_ban_tham_chieu: dict[str, VanBanThamChieu] = {}
    can_cu: list[Annotated[Union[Annotated[CanCuDoan, Tag("doan")], Annotated[CanCuTrichDan, Tag("khac")]],
                           _keyed("doan")]] = Field(min_length=1)
    loi_dan: str | None = None
    noi_dung: list[Muc] = Field(min_length=1)
    noi_nhan: list[str] = Field(min_length=1)
    nguoi_ky: NguoiKy
    danh_gia: DanhGia = DanhGia()
    tong_hop: TongHop = TongHop()
    quyet_dinh: QuyetDinh | None = None
    #: The appendices the plan has: ``chi_tieu`` (Phụ lục I, phu-luc-i.yaml), ``nhiem_vu`` (Phụ lục II,
    #: phu-luc-ii.yaml); one, both or none (``[]``).
    phu_luc: list[Literal["chi_tieu", "nhiem_vu"]] = ["chi_tieu", "nhiem_vu"]

    @field_validator("phu_luc")
    @classmethod
    def _once(cls, v):
        if len(set(v)) != len(v):
            raise ValueError("mỗi phụ lục chỉ ghi một lần")
        return sorted(v, key=["chi_tieu", "nhiem_vu"].index)

    @model_validator(mode="after")
    def _shape(self):
        if self.quyet_dinh is not None and self.loi_dan:
            raise ValueError("Quyết định không dùng loi_dan: ghi lời dẫn vào Điều 1 (quyet_dinh.dieu) hoặc "
                             "quyet_dinh.kem_theo.loi_dan")
        return self

    @field_validator("noi_nhan")
    @classmethod
    def _recipients(cls, v):
        # Punctuation is the renderer's job: accept "- UBND tỉnh;" as typed.
        return [re.sub(r"[;.,]+$", "", re.sub(r"^[-–+•]\s*", "", x)).strip() for x in v]


class CoQuan(Strict):
    """An agency of the registry: every table refers to it by ``ma``."""

    ma: str
    ten: str = Field(min_length=1)
    ten_ngan: str | None = None
    viet_tat: str | None = None
    thu_truong: str | None = None
    ho_ten_thu_truong: str | None = None
    cap_tren: str | None = None
    nhom: bool = False
    ten_khac: list[str] = []

    _code = field_validator("ma")(classmethod(lambda cls, v: _check_code(v)))

    @field_validator("viet_tat")
    @classmethod
    def _abbr(cls, v):
        if v is not None and not all(KY_HIEU_PART.match(p) for p in v.split("-")):
            raise ValueError(f"chữ viết tắt «{v}» không dùng được trong ký hiệu (chữ in hoa, số; "
                             "không dấu cách, không '&')")
        return v

    @property
    def ten_bang(self) -> str:
        """The name printed in tables."""
        return self.ten_ngan or self.ten


class DanhBaCoQuan(Strict):
    """``co-quan.yaml``."""

    co_quan: list[CoQuan] = Field(min_length=1)


class ChiTieu(Strict):
    """A row of Phụ lục I; ``chi_tiet`` are its italic sub-rows."""

    ma: str
    ten: str = Field(min_length=1)
    don_vi: str = ""
    ke_hoach: str = ""
    muc_tieu: str = ""
    co_quan: str | None = None
    huong: Direction | None = None
    kieu: Kind | None = None
    chi_tiet: list["ChiTieu"] = []
    #: Shares the STT of the indicator before it (two peer indicators under one number).
    cung_so: bool = False
    #: Values of columns a plan declares beyond the standard ones, by column key.
    cot_them: dict[str, str] = {}

    _extra_as_text = field_validator("cot_them", mode="before")(
        classmethod(lambda cls, v: {str(k): as_text(x) for k, x in v.items()} if isinstance(v, dict) else v))

    _num_as_text = field_validator("ke_hoach", "muc_tieu", "don_vi", mode="before")(
        classmethod(lambda cls, v: as_text(v)))

    _code = field_validator("ma")(classmethod(lambda cls, v: _check_code(v)))

    @model_validator(mode="after")
    def _kind(self):
        for key in ("ke_hoach", "muc_tieu"):
            try:
                parse_value(getattr(self, key), self.don_vi, self.kieu)
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from None
        return self

    @property
    def gia_tri_ke_hoach(self) -> Value:
        return parse_value(self.ke_hoach, self.don_vi, self.kieu)

    @property
    def gia_tri_muc_tieu(self) -> Value:
        return parse_value(self.muc_tieu, self.don_vi, self.kieu)

    def muc_tieu_theo(self, can_cu: str = "muc_tieu") -> Value:
        """What results are judged against: the figure named by ``can_cu`` (``muc_tieu``,
        ``ke_hoach`` or one of the plan's own columns, such as this year's target of a five-year
        plan); where that is blank, the target aimed for, else the council's figure."""
        if can_cu not in STANDARD_VALUES:
            own = parse_value(self.cot_them.get(can_cu, ""), self.don_vi, self.kieu)
            if own.text.strip():
                return own
            can_cu = "muc_tieu"
        first, second = ((self.gia_tri_muc_tieu, self.gia_tri_ke_hoach) if can_cu == "muc_tieu"
                         else (self.gia_tri_ke_hoach, self.gia_tri_muc_tieu))
        return first if first.text.strip() else second


#: The value columns of Phụ lục I that the model holds in fields of their own.
STANDARD_VALUES = ("ke_hoach", "muc_tieu")


class CotChiTieu(Strict):
    """A value column of Phụ lục I as the plan declares it (``cot`` in phu-luc-i.yaml): one of the
    standard ones (``ke_hoach``, ``muc_tieu``) or the plan's own (previous-year actual, a five-year
    plan's target per year …), whose values each indicator gives in ``cot_them``."""

    ma: str
    #: Header; ``{nam}`` is the plan's year, ``{nam_truoc}`` the year before. Required for own columns.
    tieu_de: str | None = None

    _code = field_validator("ma")(classmethod(lambda cls, v: _check_code(v)))

    @model_validator(mode="before")
    @classmethod
    def _plain(cls, v):
        return {"ma": v} if isinstance(v, str) else v

    @model_validator(mode="after")
    def _titled(self):
        if self.ma not in STANDARD_VALUES and not self.tieu_de:
            raise ValueError(f"cột «{self.ma}» là cột riêng của kế hoạch: cần tieu_de (ví dụ «Thực hiện năm "
                             "{nam_truoc}»)")
        return self


class NhomChiTieu(Strict):
    """A group row of Phụ lục I (``A. Kinh tế``)."""

    ky_hieu: str | None = None
    ten: str = Field(min_length=1)
    chi_tieu: list[ChiTieu] = Field(min_length=1)


class PhuLucI(Strict):
    """``phu-luc-i.yaml``: the table of indicators."""

    ROWS: ClassVar[str] = "nhom"

    tieu_de: str = Field(min_length=1)
    #: The value columns, in print order; by default the council's figure and the target aimed for.
    cot: list[CotChiTieu] | None = None
    nhom: list[NhomChiTieu] = Field(min_length=1)
    #: Notes printed under the table, for the markers in the values ("[1] Theo giá so sánh 2010.").
    chu_thich: list[str] = []

    @field_validator("cot")
    @classmethod
    def _columns(cls, v):
        if v is not None:
            if not v:
                raise ValueError("cần ít nhất một cột số liệu")
            keys = [c.ma for c in v]
            twice = sorted({k for k in keys if keys.count(k) > 1})
            if twice:
                raise ValueError(f"cột {', '.join(twice)} khai báo hai lần")
            reserved = {"stt", "ten", "don_vi", "co_quan", "ma", "ma_co_quan", "huong", "kieu_gia_tri",
                        "uoc", "so_sanh", "danh_gia", "ghi_chu"}
            clash = [k for k in keys if k in reserved]
            if clash:
                raise ValueError(f"mã cột {', '.join(clash)} trùng tên cột sẵn có; hãy đặt mã khác")
        return v

    @property
    def own_columns(self) -> list[str]:
        """Keys of the plan's own value columns (values in ``cot_them``)."""
        return [c.ma for c in self.cot or [] if c.ma not in STANDARD_VALUES]

    @field_validator("nhom", mode="before")
    @classmethod
    def _letters(cls, v):
        """A group written without ``ky_hieu`` is lettered A, B, … by its place, as printed."""
        if isinstance(v, list):
            return [{**g, "ky_hieu": chr(ord("A") + i)} if isinstance(g, dict) and g.get("ky_hieu") is None else g
                    for i, g in enumerate(v)]
        return v

    def all_indicators(self):
        """Every indicator with its sub-rows, in table order, as (group, indicator, parent)."""
        for g in self.nhom:
            for ct in g.chi_tieu:
                yield g, ct, None
                for sub in ct.chi_tiet:
                    yield g, sub, ct


class NhiemVu(Strict):
    """A row of Phụ lục II."""

    ma: str
    noi_dung: str = Field(min_length=1)
    thuoc: str | None = None
    chu_tri: str
    phoi_hop: list[str] = []
    thoi_han: str = Field(min_length=1)
    #: Values of columns a plan declares beyond the standard ones, by column key.
    cot_them: dict[str, str] = {}

    # a task's code keys its row in every agency's workbook, web form and results file, as an
    # indicator's does: the same rule
    _code = field_validator("ma")(classmethod(lambda cls, v: _check_code(v)))

    _extra_as_text = field_validator("cot_them", mode="before")(
        classmethod(lambda cls, v: {str(k): as_text(x) for k, x in v.items()} if isinstance(v, dict) else v))

    _deadline_text = field_validator("thoi_han", mode="before")(classmethod(
        lambda cls, v: ngay_so(v) if isinstance(v, dt.date) else as_text(v)))

    @field_validator("thoi_han")
    @classmethod
    def _deadline(cls, v):
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", v):
            real_date(v)
        return v

    @field_validator("phoi_hop", mode="before")
    @classmethod
    def _list(cls, v):
        if v is None:
            return []
        if isinstance(v, str):
            return [x.strip() for x in v.split(",") if x.strip()]
        return v


class PhuLucII(Strict):
    """``phu-luc-ii.yaml``: the table of tasks."""

    ROWS: ClassVar[str] = "nhiem_vu"

    tieu_de: str = Field(min_length=1)
    nhiem_vu: list[NhiemVu] = Field(min_length=1)
