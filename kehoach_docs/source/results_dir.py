"""Read an agency's results files (``ket-qua/<MA>.yaml``) into the plan, checked against it."""

from __future__ import annotations

from pydantic import ValidationError

from ..model.bundle import Plan
from ..model.errors_vi import translate
from ..model.evaluation import unmeasurable
from ..model.results import RESULTS_FOLDER, KetQuaCoQuan
from ..problems import ERROR, Problem, Problems
from .yaml_file import read_yaml


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
        why = unmeasurable(mine[code], r.uoc_thuc_hien, plan.ke_hoach.danh_gia)
        if why:
            problems.add(Problem(ERROR, file, locate(path + ("uoc_thuc_hien",)), path + ("uoc_thuc_hien",), why))
    for code in res.nhiem_vu:
        if code not in my_tasks:
            path = ("nhiem_vu", code)
            problems.add(Problem(ERROR, file, locate(path), path,
                                 f"nhiệm vụ «{code}» không giao cho {res.co_quan}"))


def load_results(plan: Plan, problems: Problems) -> None:
    """Load every ``ket-qua/*.yaml`` of the plan into ``plan.results``.

    A file with an error is refused on its own: its problems go to ``problems`` and its agency to
    ``plan.refused``, and the plan and every other agency carry on (a bad report must not stop
    the plan being built)."""
    folder = plan.root / RESULTS_FOLDER
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.yaml")):
        own = Problems()
        res = _read(plan, path, own)
        problems.extend(own)
        if own.errors:
            plan.refused[res.co_quan if res is not None and res.co_quan in plan.co_quan else path.stem] = own
        elif res is not None:
            plan.results[res.co_quan] = res


def _read(plan: Plan, path, problems: Problems) -> KetQuaCoQuan | None:
    src = read_yaml(path, problems)
    if src is None:
        return None
    try:
        res = KetQuaCoQuan.model_validate(src.data)
    except ValidationError as exc:
        translate(exc, src, problems)
        return None
    if path.stem != res.co_quan:
        problems.add(Problem(ERROR, src.file, src.locate(("co_quan",)), ("co_quan",),
                             f"tệp {path.name} phải chứa kết quả của cơ quan «{path.stem}», "
                             f"gặp «{res.co_quan}»"))
        return None
    check_results(plan, res, src.file, src.locate, problems)
    return res
