"""Read and write results as YAML files in ``data/<plan>/ket-qua/``."""

from __future__ import annotations

from pathlib import Path

import yaml

from pydantic import ValidationError

from ..model.bundle import Plan
from ..model.errors_vi import translate
from ..render.atomic import write_atomic
from .evaluation import unmeasurable
from ..problems import ERROR, Problem, Problems
from ..source.yaml_file import read_yaml
from .model import KetQuaCoQuan

FOLDER = "ket-qua"


def check_results(plan: Plan, res: KetQuaCoQuan, file: str, locate, problems: Problems) -> None:
    """Results must belong to the plan and to this agency; figures must be readable."""
    if res.co_quan not in plan.co_quan:
        problems.add(Problem(ERROR, file, locate(("co_quan",)), ("co_quan",),
                             f"mã cơ quan «{res.co_quan}» không có trong danh bạ"))
        return
    indicators, tasks = plan.assigned(res.co_quan)
    mine = {ct.ma: ct for ct in indicators}
    my_tasks = {nv.ma for nv in tasks}
    for code, r in res.chi_tieu.items():
        path = ("chi_tieu", code)
        if code not in mine:
            problems.add(Problem(ERROR, file, locate(path), path,
                                 f"chỉ tiêu «{code}» không do {res.co_quan} theo dõi"))
            continue
        why = unmeasurable(mine[code], r.uoc_thuc_hien)
        if why:
            problems.add(Problem(ERROR, file, locate(path + ("uoc_thuc_hien",)), path + ("uoc_thuc_hien",), why))
    for code in res.nhiem_vu:
        if code not in my_tasks:
            path = ("nhiem_vu", code)
            problems.add(Problem(ERROR, file, locate(path), path,
                                 f"nhiệm vụ «{code}» không giao cho {res.co_quan}"))


def load_results(plan: Plan, problems: Problems) -> None:
    """Load every ``ket-qua/*.yaml`` of the plan into ``plan.results``."""
    folder = plan.root / FOLDER
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.yaml")):
        src = read_yaml(path, problems)
        if src is None:
            continue
        try:
            res = KetQuaCoQuan.model_validate(src.data)
        except ValidationError as exc:
            translate(exc, src, problems)
            continue
        if path.stem != res.co_quan:
            problems.add(Problem(ERROR, src.file, src.locate(("co_quan",)), ("co_quan",),
                                 f"tệp {path.name} phải chứa kết quả của cơ quan «{path.stem}», "
                                 f"gặp «{res.co_quan}»"))
            continue
        before = len(problems.errors)
        check_results(plan, res, src.file, src.locate, problems)
        if len(problems.errors) == before:
            plan.results[res.co_quan] = res


HEADER = """\
# Kết quả thực hiện kế hoạch của một cơ quan (lệnh «kehoach collect» ghi tệp này; có thể sửa tay).
#   co_quan:      mã cơ quan trong co-quan.yaml (trùng tên tệp)
#   ngay_bao_cao: ngày báo cáo dd/mm/yyyy
#   chi_tieu:     mã chỉ tiêu -> uoc_thuc_hien (ví dụ "8,7", "4/10"), ghi_chu
#   nhiem_vu:     mã nhiệm vụ -> trang_thai (Hoàn thành / Đang thực hiện / Chưa thực hiện), ket_qua
"""


def results_path(plan: Plan, code: str) -> Path:
    return plan.root / FOLDER / f"{code}.yaml"


def dump_results(res: KetQuaCoQuan) -> str:
    """The YAML text of ``res``, in the key order a clerk reads, blank fields left out."""
    data: dict = {"co_quan": res.co_quan}
    if res.ngay_bao_cao:
        data["ngay_bao_cao"] = res.ngay_bao_cao.strftime("%d/%m/%Y")
    data["chi_tieu"] = {k: {f: v for f, v in r.model_dump().items() if v} for k, r in res.chi_tieu.items()}
    data["nhiem_vu"] = {k: {f: v for f, v in r.model_dump().items() if v} for k, r in res.nhiem_vu.items()}
    for key in ("kho_khan", "de_xuat"):
        if getattr(res, key):
            data[key] = getattr(res, key)
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)
    return HEADER + body


def save_results(plan: Plan, res: KetQuaCoQuan) -> Path:
    """Store ``res`` as ``ket-qua/<MA>.yaml`` beside the plan (atomically); returns the path."""
    path = results_path(plan, res.co_quan)
    write_atomic(path, dump_results(res).encode("utf-8"))
    return path
