"""Write an agency's results as ``ket-qua/<MA>.yaml`` beside the plan (read by ``source.results_dir``)."""

from __future__ import annotations

from pathlib import Path

import yaml

from ..atomic import write_atomic
from ..model.bundle import Plan
from ..model.results import RESULTS_FOLDER, KetQuaCoQuan



HEADER = """\
# Kết quả thực hiện kế hoạch của một cơ quan (lệnh «kehoach collect» ghi tệp này; có thể sửa tay).
#   co_quan:      mã cơ quan trong co-quan.yaml (trùng tên tệp)
#   ngay_bao_cao: ngày báo cáo dd/mm/yyyy
#   chi_tieu:     mã chỉ tiêu -> uoc_thuc_hien (ví dụ "8,7", "4/10"), ghi_chu
#   nhiem_vu:     mã nhiệm vụ -> trang_thai (Hoàn thành / Đang thực hiện / Chưa thực hiện), ket_qua
"""


def results_path(plan: Plan, code: str) -> Path:
    return plan.root / RESULTS_FOLDER / f"{code}.yaml"


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
