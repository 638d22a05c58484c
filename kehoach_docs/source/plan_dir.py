"""Load a plan folder (``data/<plan>/``) into a validated :class:`~kehoach_docs.model.bundle.Plan`.

Every file is read and validated before anything is reported, so the clerk sees all
problems at once. Appendix tables may come as YAML or as the .xlsx the build writes.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ValidationError

from ..model import plan as m
from ..model.bundle import Plan
from ..model.crossref import check_plan, keep_for_check
from ..model.errors_vi import translate
from ..problems import ERROR, WARNING, InvalidInput, Problem, Problems, rel
from ..located import Located
from ..memory import collector_held, release_freed
from ..model.compact import share_fields_sets
from . import model_cache
from .yaml_file import read_yaml

MAIN = "ke-hoach.yaml"
REGISTRY = "co-quan.yaml"
#: Each appendix: its part, its file stem and the name ``phu_luc`` in ke-hoach.yaml declares it by.
APPENDICES = {"phu_luc_i": ("phu-luc-i", "chi_tieu"), "phu_luc_ii": ("phu-luc-ii", "nhiem_vu")}

_ALL_KEYS = sorted({f for cls in vars(m).values() if isinstance(cls, type) and issubclass(cls, BaseModel)
                    for f in getattr(cls, "model_fields", {})})


def _validate(model_cls, src: Located, problems: Problems):
    try:
        model = model_cls.model_validate(src.data)
    except ValidationError as exc:
        translate(exc, src, problems, lambda _path: _ALL_KEYS)
        return None
    share_fields_sets(model)
    keep_for_check(src)
    src.release()
    return model


def look_alikes(root: Path) -> list[Problem]:
    """Files in the plan folder that look like its data files but are not read («phu-luc-i (1).xlsx»,
    «Phu-Luc-I.xlsx», «ke-hoach.yml»): a change made there would silently not apply."""
    import difflib
    import re

    from ..model.results import RESULTS_FOLDER
    read = {MAIN, REGISTRY, *(f"{stem}.{ext}" for stem, _ in APPENDICES.values() for ext in ("yaml", "xlsx"))}
    stems = [Path(n).stem for n in read]
    out = []
    candidates = [p for p in root.iterdir() if p.is_file()] if root.is_dir() else []
    results = root / RESULTS_FOLDER
    if results.is_dir():
        out += [Problem(WARNING, rel(p), None, (), f"tệp {p.name} trong {RESULTS_FOLDER}/ không được đọc: kết quả "
                        "phải là <MÃ>.yaml (sổ Excel thì nhận bằng «kehoach collect»)")
                for p in sorted(results.iterdir()) if p.is_file() and p.suffix != ".yaml"
                and not p.name.startswith((".", "~$"))]
    for p in sorted(candidates):
        if p.name in read or p.name.startswith((".", "~$")):
            continue
        bare = re.sub(r"(\s*\(\d+\)|\s*-?\s*(copy|bản sao|sao chép)( \d+)?)$", "", Path(p.name).stem.strip(),
                      flags=re.I).replace("_", "-").replace(" ", "-").casefold()
        like = difflib.get_close_matches(bare, stems, n=1, cutoff=0.85)
        if like:
            want = next(n for n in sorted(read) if Path(n).stem == like[0] and Path(n).suffix in (p.suffix, ".yaml"))
            if (root / want).exists() and (root / want).samefile(p):
                continue    # a file system that ignores case (Windows): this is the data file itself
            out.append(Problem(WARNING, rel(p), None, (), f"tệp «{p.name}» giống tệp dữ liệu «{want}» nhưng không được "
                               "đọc; chỉ tệp đúng tên (chữ thường, không có « (1)», đuôi .yaml hoặc .xlsx) mới được "
                               "dùng: đổi tên hoặc xóa tệp này"))
    return out


def _files_of(root: Path, stem: str) -> list[Path]:
    return [p for p in (root / f"{stem}.yaml", root / f"{stem}.xlsx") if p.exists()]


def _declared_appendices(main, src: Located | None) -> list[str] | None:
    """The appendices ke-hoach.yaml declares; from its raw data when it failed to validate, None
    when even that cannot tell."""
    names = [n for _, n in APPENDICES.values()]
    if main is not None:
        return main.phu_luc
    raw = src.data.get("phu_luc", names) if src is not None and isinstance(src.data, dict) else None
    return raw if isinstance(raw, list) and all(x in names for x in raw) else None


def _appendix_source(root: Path, stem: str, part: str, registry, problems: Problems,
                     others: list[str], replacement: Path | None = None) -> Located | None:
    if replacement is not None:
        from .xlsx_appendix import read_appendix
        return read_appendix(replacement, part, registry, problems)
    yml, xlsx = root / f"{stem}.yaml", root / f"{stem}.xlsx"
    if yml.exists() and xlsx.exists():
        problems.add(Problem(ERROR, rel(xlsx), None, (),
                             f"có cả {stem}.yaml và {stem}.xlsx; chỉ giữ một nguồn dữ liệu cho phụ lục"))
        return None
    if xlsx.exists():
        from .xlsx_appendix import read_appendix
        return read_appendix(xlsx, part, registry, problems)
    if yml.exists():
        return read_yaml(yml, problems)
    problems.add(Problem(ERROR, rel(root), None, (), f"thiếu tệp {stem}.yaml (hoặc {stem}.xlsx); kế hoạch không có phụ lục này thì "
                         f"khai báo trong ke-hoach.yaml «phu_luc: [{', '.join(others)}]»"))
    return None


def load_plan(root: Path | str, *, with_results: bool = True,
              workbooks: dict[str, Path] | None = None) -> Plan:
    """Read and validate the plan in ``root``; raise :class:`InvalidInput` with every problem.

    ``workbooks`` reads an appendix (``phu_luc_i``/``phu_luc_ii``) from another workbook instead of
    the folder's own file: the plan as it would be with a version of its appendix a clerk received.
    """
    with collector_held():
        plan = _load(Path(root), with_results, workbooks or {})
    release_freed()
    return plan


def _load(root: Path, with_results: bool, workbooks: dict[str, Path]) -> Plan:
    problems = Problems()
    if not root.is_dir():
        problems.add(Problem(ERROR, rel(root), None, (), "không có thư mục kế hoạch này"))
        raise InvalidInput(problems)
    for p in look_alikes(root):
        problems.add(p)
    inputs = None if workbooks else _inputs(root)
    kept = model_cache.lookup(inputs) if inputs else None
    if kept is None:
        sources: dict[str, Located] = {}
        models, found = _validated(root, workbooks, sources)
        problems.extend(found)
        if problems.errors or any(v is None for v in models.values()) or len(models) < 4:
            raise InvalidInput(problems)
        plan = _plan(root, models, sources)
        checked = check_plan(plan)
        problems.extend(checked)
        if problems.errors:
            raise InvalidInput(problems)
        # Locations are only needed while checking; a batch of thousands of agencies should not carry them.
        plan.sources.clear()
        found.extend(checked)
        names = {rel(root / name): name for name, _ in inputs or []}
        # kept only if every problem's file is known by its name, and no file changed while it was
        # read: a save in between would put one version's plan under another's bytes
        if inputs and all(p.file in names for p in found.items) and _inputs(root) == inputs:
            model_cache.store(inputs, (models, [(p.level, names[p.file], p.where, p.path, p.message, p.label)
                                                for p in found.items]))
    else:
        models, found = kept
        for level, name, where, path, message, label in found:
            problems.add(Problem(level, rel(root / name), where, path, message, label))
        plan = _plan(root, models, {})
    if with_results:
        # After the plan's own check: a refused results file is reported, never fatal to the plan.
        from .results_dir import load_results
        load_results(plan, problems)
    plan.problems = problems
    return plan


def _inputs(root: Path) -> list[tuple[str, bytes]] | None:
    """The name and bytes of every file the plan may be read from (the appendices in both forms, as
    which one is read depends on the rest); None if one cannot be read as a plain file of bounded
    size (the plan is then read the long way, which reports why)."""
    from ..untrusted_zip import MAX_FILE, file_problem
    from .yaml_file import MAX_BYTES
    files = [root / MAIN, root / REGISTRY, *(p for stem, _ in APPENDICES.values() for p in _files_of(root, stem))]
    inputs = []
    for path in files:
        limit = MAX_FILE if path.suffix == ".xlsx" else MAX_BYTES
        try:
            if file_problem(path):
                return None
            with open(path, "rb") as fh:
                data = fh.read(limit + 1)
        except OSError:
            return None
        if len(data) > limit:
            return None
        inputs.append((path.name, data))
    return inputs


def _validated(root: Path, workbooks: dict[str, Path], sources: dict[str, Located]) -> tuple[dict[str, object], Problems]:
    """The plan's four parts, each validated (None, or missing, where it failed), and every problem
    found; each part's data and locations are put in ``sources`` for the cross-check."""
    problems = Problems()
    models: dict[str, object] = {}
    for part, name, cls in (("ke_hoach", MAIN, m.KeHoach), ("co_quan", REGISTRY, m.DanhBaCoQuan)):
        path = root / name
        if not path.exists():
            problems.add(Problem(ERROR, rel(path), None, (), "thiếu tệp bắt buộc"))
            continue
        src = read_yaml(path, problems)
        if src is not None:
            sources[part] = src
            models[part] = _validate(cls, src, problems)
    registry = models.get("co_quan")
    declared = _declared_appendices(models.get("ke_hoach"), sources.get("ke_hoach"))
    for part, (stem, name) in APPENDICES.items():
        cls = m.PhuLucI if part == "phu_luc_i" else m.PhuLucII
        if declared is None and not _files_of(root, stem):
            continue    # ke-hoach.yaml is invalid: which appendices it wants is unknown, say nothing more
        if declared is not None and name not in declared:
            models[part] = cls.model_construct(tieu_de="", **{cls.ROWS: []})   # a plan without this appendix
            for found in _files_of(root, stem) + ([workbooks[part]] if part in workbooks else []):
                problems.add(Problem(ERROR, rel(found), None, (),
                                     f"có tệp {found.name} nhưng ke-hoach.yaml không khai báo phụ lục này "
                                     f"(phu_luc: [{', '.join([*declared, name])}]); thêm vào phu_luc hoặc bỏ tệp"))
            continue
        src = _appendix_source(root, stem, part, registry, problems, [n for n in declared or [] if n != name],
                               workbooks.get(part))
        if src is not None:
            sources[part] = src
            models[part] = _validate(cls, src, problems)
    return models, problems


def _plan(root: Path, models: dict[str, object], sources: dict[str, Located]) -> Plan:
    return Plan(root.resolve().name, root, models["ke_hoach"], models["co_quan"].co_quan,
                models["phu_luc_i"], models["phu_luc_ii"], sources)
