"""The results of one agency (``ket-qua/<MA>.yaml``), as ``collect`` stores them or a clerk writes them."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import field_validator

from .plan import Strict, as_text, real_date
from .tables import STATUSES
from .values import parse_value

#: Where a plan folder keeps its agencies' results, one ``<MA>.yaml`` each.
RESULTS_FOLDER = "ket-qua"


class KetQuaChiTieu(Strict):
    """The result of one indicator (``uoc_thuc_hien``: the estimated/achieved figure)."""

    uoc_thuc_hien: str = ""
    ghi_chu: str = ""

    _as_text = field_validator("uoc_thuc_hien", mode="before")(classmethod(lambda cls, v: as_text(v)))

    @field_validator("uoc_thuc_hien")
    @classmethod
    def _figures(cls, v: str) -> str:
        parse_value(v)      # refuses a figure too large to print or compare
        return v


class KetQuaNhiemVu(Strict):
    """The outcome of one task."""

    trang_thai: Literal[STATUSES] | None = None
    ket_qua: str = ""


class KetQuaCoQuan(Strict):
    """Everything one agency reported."""

    co_quan: str
    ngay_bao_cao: dt.date | None = None
    chi_tieu: dict[str, KetQuaChiTieu] = {}
    nhiem_vu: dict[str, KetQuaNhiemVu] = {}
    kho_khan: str = ""
    de_xuat: str = ""

    _date = field_validator("ngay_bao_cao", mode="before")(classmethod(lambda cls, v: real_date(v)))

    @field_validator("chi_tieu", "nhiem_vu", mode="before")
    @classmethod
    def _none(cls, v):
        return {} if v is None else v
