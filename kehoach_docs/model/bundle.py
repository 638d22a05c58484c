"""The whole plan, validated: the main document, the registry, both appendices, results."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable, TypeVar

from ..problems import Problems
from ..located import Located
from .plan import ChiTieu, CoQuan, KeHoach, NhiemVu, PhuLucI, PhuLucII
from .refs import expand
from ..text.vn import roman


@dataclass
class Plan:
    """A loaded plan. ``sources`` keeps each file's data and locations for later checks."""

    name: str
    root: Path
    ke_hoach: KeHoach
    co_quan_list: list[CoQuan]
    phu_luc_i: PhuLucI
    phu_luc_ii: PhuLucII
    sources: dict[str, Located] = field(default_factory=dict)
    #: What loading found that did not stop it: warnings, and the errors of refused results files.
    problems: Problems = field(default_factory=Problems)
    results: dict = field(default_factory=dict)   # agency code -> AgencyResults
    #: Agencies whose results file was refused, with its problems: their documents wait.
    refused: dict[str, Problems] = field(default_factory=dict)

    @cached_property
    def derived(self) -> dict:
        """Values the layers above derive from the plan's own data alone (see :func:`once_per_plan`),
        kept here so that each is made once per loaded plan."""
        return {}

    @cached_property
    def indicator_table(self):
        """Phụ lục I's columns for this plan (its own value columns where it declares them)."""
        from .tables import indicator_table
        return indicator_table(self.phu_luc_i.cot, self.ke_hoach.van_ban.nam_ke_hoach, self.ke_hoach.danh_gia.can_cu)

    @cached_property
    def co_quan(self) -> dict[str, CoQuan]:
        return {c.ma: c for c in self.co_quan_list}

    @cached_property
    def chi_tieu(self) -> dict[str, ChiTieu]:
        return {ct.ma: ct for _, ct, _ in self.phu_luc_i.all_indicators()}

    @cached_property
    def nhiem_vu(self) -> dict[str, NhiemVu]:
        return {nv.ma: nv for nv in self.phu_luc_ii.nhiem_vu}

    @cached_property
    def _parents(self) -> dict[str, ChiTieu]:
        return {ct.ma: parent for _, ct, parent in self.phu_luc_i.all_indicators() if parent is not None}

    def parent_of(self, code: str) -> ChiTieu | None:
        """The indicator a sub-row belongs to (``cc-nn`` -> ``co-cau-kt``), or None."""
        return self._parents.get(code)

    @cached_property
    def _work(self) -> dict[str, tuple[list[ChiTieu], list[NhiemVu]]]:
        # One pass over both tables, so a batch of thousands of agencies stays linear.
        work: dict[str, tuple[list, list]] = {}
        for ct in self.chi_tieu.values():
            if ct.co_quan:
                work.setdefault(ct.co_quan, ([], []))[0].append(ct)
        for nv in self.phu_luc_ii.nhiem_vu:
            for code in dict.fromkeys([nv.chu_tri, *nv.phoi_hop]):
                work.setdefault(code, ([], []))[1].append(nv)
        return work

    def assigned(self, code: str) -> tuple[list[ChiTieu], list[NhiemVu]]:
        """The indicators agency ``code`` monitors and the tasks it leads or supports, in table order."""
        indicators, tasks = self._work.get(code, ([], []))
        return list(indicators), list(tasks)

    def indicator_name(self, ct: ChiTieu) -> str:
        """A sub-row is named with its parent (``Cơ cấu kinh tế: Công nghiệp và xây dựng``)."""
        parent = self.parent_of(ct.ma)
        return f"{parent.ten}: {ct.ten}" if parent else ct.ten

    def text(self, raw: str) -> str:
        """Plan text with its ``{ct:…}`` / ``{vb:…}`` references filled in."""
        return expand(raw, self.chi_tieu, self.ke_hoach.van_ban_tham_chieu, self.council_if_blank)

    @property
    def council_if_blank(self) -> bool:
        """Whether ``{ct:MA}`` on a blank target prints the council's figure (``danh_gia``)."""
        return self.ke_hoach.danh_gia.tham_chieu_trong == "ke_hoach"

    @property
    def appendix_numbers(self) -> dict[str, str]:
        """The appendices the plan has and their numbers: ``{"phu_luc_i": "I", "phu_luc_ii": "II"}``;
        a lone appendix has no number (ND30 Phụ lục I, III.1a)."""
        parts = [part for part, name in (("phu_luc_i", "chi_tieu"), ("phu_luc_ii", "nhiem_vu"))
                 if name in self.ke_hoach.phu_luc]
        return {part: roman(i) if len(parts) > 1 else "" for i, part in enumerate(parts, 1)}

    @property
    def ky_hieu(self) -> str:
        """``KH-UBND``."""
        return f"{self.ke_hoach.van_ban.loai}-{self.ke_hoach.co_quan_ban_hanh.viet_tat}"

    def agencies_with_work(self) -> list[CoQuan]:
        """Agencies that monitor an indicator, lead or support a task, in registry order."""
        return [c for c in self.co_quan_list if c.ma in self._work and not c.nhom]


T = TypeVar("T")


def once_per_plan(make: Callable[[Plan], T]) -> Callable[[Plan], T]:
    """``make(plan)`` made once per loaded plan and then shared: for what every agency's document
    prints alike (a province's plan asks thousands of times). Only for what the plan's own data
    decides, never its results, and for values no caller changes."""
    @functools.wraps(make)
    def shared(plan: Plan) -> T:
        try:
            return plan.derived[make]
        except KeyError:
            return plan.derived.setdefault(make, make(plan))
    return shared
