"""Read and write results as YAML files in ``data/<plan>/ket-qua/``."""

from __future__ import annotations


from pydantic import ValidationError

from ..model.bundle import Plan
from ..model.errors_vi import translate
from ..model.values import Kind, parse_value
from ..problems import ERROR, Problem, Problems
from ..source.yaml_file import read_yaml
from .model import KetQuaCoQuan

FOLDER = "ket-qua"


def assigned(plan: Plan, code: str) -> tuple[list, list]:
    """The indicators an agency monitors and the tasks it leads or supports."""
    indicators = [ct for ct in plan.chi_tieu.values() if ct.co_quan == code]
    tasks = [nv for nv in plan.phu_luc_ii.nhiem_vu if nv.chu_tri == code or code in nv.phoi_hop]
    return indicators, tasks


def check_results(plan: Plan, res: KetQuaCoQuan, file: str, locate, problems: Problems) -> None:
    """Results must belong to the plan and to this agency; figures must be readable."""
    if res.co_quan not in plan.co_quan:
        problems.add(Problem(ERROR, file, locate(("co_quan",)), ("co_quan",),
                             f"mã cơ quan «{res.co_quan}» không có trong danh bạ"))
        return
    indicators, tasks = assigned(plan, res.co_quan)
    mine = {ct.ma: ct for ct in indicators}
    my_tasks = {nv.ma for nv in tasks}
    for code, r in res.chi_tieu.items():
        path = ("chi_tieu", code)
        if code not in mine:
            problems.add(Problem(ERROR, file, locate(path), path,
                                 f"chỉ tiêu «{code}» không do {res.co_quan} theo dõi"))
            continue
        ct = mine[code]
        target = ct.muc_tieu_danh_gia
        value = parse_value(r.uoc_thuc_hien, ct.don_vi)
        if target.is_numeric and value.kind in (Kind.TEXT, Kind.RANGE, Kind.BOUND):
            problems.add(Problem(ERROR, file, locate(path + ("uoc_thuc_hien",)), path + ("uoc_thuc_hien",),
                                 f"kết quả «{r.uoc_thuc_hien}» phải là một số (ví dụ 8,7) hoặc thứ hạng "
                                 "(4/10) để so với chỉ tiêu"))
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
