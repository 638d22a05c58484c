"""Every kind of document kehoach writes, declared once (as Sphinx registers its builders).

A :class:`DocType` names its template or workbook writer, its context builder, where its
output goes and for what (one per plan, per agency, per pair of plan versions), which
command writes it, and its shape for ``kehoach check``. The commands, the freshness
fingerprint, the template lint and ``--templates`` all read :data:`DOCUMENTS`; adding a
document type is one :func:`register` call.
"""

from __future__ import annotations

import functools
import importlib
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from .batch.jobs import Job, document_time

if TYPE_CHECKING:     # the model (pydantic) is loaded only by commands that read a plan
    from .model.bundle import Plan

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
BUILTIN_TEMPLATES = PACKAGE_ROOT / "templates" / "docx"

PLAN, AGENCY, PAIR = "plan", "agency", "pair"


@dataclass(frozen=True)
class DocType:
    """One kind of output file.

    ``context`` is ``"module:function"`` (imported when first used, so a command loads only
    what it builds). Its arguments follow the scope: ``(plan)``, ``(plan, agency_code)`` or
    ``(comparison)``. ``part`` takes one key of that context (an appendix of the plan).
    """

    key: str
    command: str                    # "build", "reports" or "diff"
    scope: str                      # PLAN, AGENCY or PAIR
    output: str                     # "ke-hoach.docx", "bao-cao/{ma}.xlsx"
    title: str                      # document property; {trich_yeu} and {co_quan} are filled in
    context: str
    template: str | None = None     # a .docx template in the templates folder
    writer: str | None = None       # a workbook writer of render.xlsx_writers
    part: str | None = None
    shape: str | None = None        # "KH", "BC", "SS": which ND30 rules ``check`` applies
    whole_plan_only: bool = False   # left out when ``reports --agency`` builds a few agencies
    extra: dict = field(default_factory=dict)
    #: Which plans have this document (a plan issued as a QĐ has no ``ke-hoach.docx``); None: every plan.
    when: Callable[[Plan], bool] | None = None

    def applies(self, plan: Plan) -> bool:
        return self.when is None or self.when(plan)

    @property
    def kind(self) -> str:
        return "docx" if self.template else "xlsx"


DOCUMENTS: dict[str, DocType] = {}


def register(doc: DocType) -> DocType:
    """Add a document type; its key must be new."""
    if doc.key in DOCUMENTS:
        raise ValueError(f"document type {doc.key!r} is registered twice")
    DOCUMENTS[doc.key] = doc
    return doc


def _decision(plan: Plan):
    return plan.ke_hoach.quyet_dinh


for _doc in (
    DocType("ke-hoach", "build", PLAN, "ke-hoach.docx", "{trich_yeu}", "kehoach_docs.context.plan_doc:plan_context",
            template="ke-hoach.docx", shape="KH", when=lambda plan: _decision(plan) is None),
    DocType("quyet-dinh", "build", PLAN, "quyet-dinh.docx", "{trich_yeu}",
            "kehoach_docs.context.decision_doc:decision_context", template="quyet-dinh.docx", shape="QĐ",
            when=lambda plan: _decision(plan) is not None),
    DocType("ke-hoach-kem-theo", "build", PLAN, "ke-hoach-kem-theo.docx", "{trich_yeu}",
            "kehoach_docs.context.decision_doc:attached_plan_context", template="ke-hoach-kem-theo.docx", shape="KT",
            when=lambda plan: bool(_decision(plan) and _decision(plan).kem_theo and _decision(plan).kem_theo.tach_rieng)),
    DocType("phu-luc-i", "build", PLAN, "phu-luc-i.xlsx", "Phụ lục I", "kehoach_docs.context.plan_doc:appendix_context",
            writer="phu_luc", part="phu_luc_i", extra={"part": "phu_luc_i"},
            when=lambda plan: "phu_luc_i" in plan.appendix_numbers),
    DocType("phu-luc-ii", "build", PLAN, "phu-luc-ii.xlsx", "Phụ lục II",
            "kehoach_docs.context.plan_doc:appendix_context",
            writer="phu_luc", part="phu_luc_ii", extra={"part": "phu_luc_ii"},
            when=lambda plan: "phu_luc_ii" in plan.appendix_numbers),
    DocType("bao-cao", "reports", AGENCY, "bao-cao/{ma}.docx", "Báo cáo - {co_quan}",
            "kehoach_docs.context.report_doc:report_context", template="bao-cao.docx", shape="BC"),
    DocType("so-nhap", "reports", AGENCY, "bao-cao/{ma}.xlsx", "Nhập kết quả - {co_quan}",
            "kehoach_docs.context.report_doc:entry_context", writer="nhap_ket_qua"),
    DocType("tong-hop", "reports", PLAN, "tong-hop.docx", "Báo cáo tổng hợp",
            "kehoach_docs.context.summary_doc:summary_context", template="tong-hop.docx", shape="BC",
            whole_plan_only=True),
    DocType("so-sanh", "diff", PAIR, "so-sanh.docx", "Bảng so sánh", "kehoach_docs.compare.doc_context:comparison_context",
            template="so-sanh.docx", shape="SS"),
    DocType("so-sanh-xlsx", "diff", PAIR, "so-sanh.xlsx", "Bảng so sánh",
            "kehoach_docs.compare.doc_context:comparison_context", writer="so_sanh"),
):
    register(_doc)


def of_command(command: str) -> list[DocType]:
    """The document types ``command`` writes, in declaration order."""
    return [d for d in DOCUMENTS.values() if d.command == command]


def templates_dir(override: str | Path | None = None) -> Path:
    """Where the .docx templates are: ``--templates``, ``$KEHOACH_TEMPLATES`` or the project's own."""
    if override:
        return Path(override)
    env = os.environ.get("KEHOACH_TEMPLATES")
    return Path(env) if env else BUILTIN_TEMPLATES


def template_path(folder: Path, doc: DocType) -> Path:
    """A template from ``folder``, or the built-in one when the folder does not have it:
    a custom folder needs only the templates it changes."""
    mine = Path(folder) / doc.template
    return mine if mine.exists() or Path(folder) == BUILTIN_TEMPLATES else BUILTIN_TEMPLATES / doc.template


def _template_of(folder: Path, doc: DocType) -> str | None:
    return str(template_path(folder, doc)) if doc.template else None


def templates_of(command: str, folder: Path, agencies_only: bool = False) -> list[Path]:
    """The template files ``command`` reads (its freshness depends on them)."""
    return [template_path(folder, d) for d in of_command(command)
            if d.template and not (agencies_only and d.whole_plan_only)]


@functools.cache
def _function(spec: str):
    module, name = spec.split(":")
    return getattr(importlib.import_module(module), name)


def plan_time(plan: Plan) -> str:
    d = plan.ke_hoach.van_ban.ngay
    return document_time(d.nam, d.thang, d.ngay)


def _job(doc: DocType, context: dict, title: str, ts: str, template: str | None, plan: str, **fmt) -> Job:
    if doc.part:
        context = context[doc.part]
    return Job(doc.output.format(**fmt), doc.kind, context, title, ts, template=template, writer=doc.writer, plan=plan,
               extra=dict(doc.extra, **({"year": fmt["year"]} if doc.writer == "phu_luc" else {})),
               local=doc.scope == PLAN or rows_in(context, limit=LOCAL_ROWS) > LOCAL_ROWS)


#: An agency document with more rows than this (the office that supports every task of a province)
#: is rendered where the plan is held, as the whole plan's documents are.
LOCAL_ROWS = 1000


def rows_in(value, depth: int = 3, limit: int | None = None) -> int:
    """How many list items a context holds within ``depth`` levels (its rows, their sub-rows);
    counting stops once past ``limit``. Asked of every document's context, so a loop, not recursion."""
    total, todo = 0, [(value, depth)]
    while todo:
        item, level = todo.pop()
        if isinstance(item, list):
            total += len(item)
            if limit is not None and total > limit:
                break
        elif isinstance(item, dict):
            item = item.values()
        else:
            continue
        if level > 0:
            todo += [(v, level - 1) for v in item if isinstance(v, (list, dict))]
    return total


@dataclass
class Sample:
    """One document of a template, its context built only if the template must be checked."""

    template: str | None
    writer: str | None
    build: Callable[[], Job]

    @classmethod
    def of(cls, job: Job) -> Sample:
        """A job already built, as a sample."""
        return cls(job.template, job.writer, lambda: job)


def jobs_for(command: str, plan: Plan, folder: Path, agencies: list[str] | None = None, *,
             whole_plan: bool | None = None) -> tuple[list[Sample], Iterator[Job]]:
    """The jobs of ``command`` for ``plan``: ``(samples, all_jobs)``.

    ``samples`` holds every per-plan document and the first agency's (one of each template, so
    the templates can be checked against real contexts before anything is written), each
    built only when asked. ``all_jobs`` yields every job in output order, building each context
    when its turn comes, so that a province's summary (tens of megabytes of rows) is not held
    while its thousands of agency documents are made. A context shared by several documents
    (the plan's, with its two appendices) is built once. ``agencies`` limits the agency
    documents to those codes and leaves out the documents that summarise the whole plan.
    ``whole_plan`` picks a part of ``all_jobs``: False for all but those documents, True for them alone.
    """
    docs = [d for d in of_command(command) if d.applies(plan)]
    ts = plan_time(plan)
    year = plan.ke_hoach.van_ban.nam_ke_hoach
    trich_yeu = plan.text(plan.ke_hoach.van_ban.trich_yeu)
    template = {d.key: _template_of(folder, d) for d in docs}     # looked up once, not per agency

    def plan_job(doc: DocType, made: dict[str, dict]) -> Job:
        if doc.context not in made:
            made[doc.context] = _function(doc.context)(plan)
        return _job(doc, made[doc.context], doc.title.format(trich_yeu=trich_yeu), ts, template[doc.key], plan.name,
                    year=year)

    def agency_job(code: str, doc: DocType) -> Job:
        return _job(doc, _function(doc.context)(plan, code), doc.title.format(co_quan=plan.co_quan[code].ten),
                    ts, template[doc.key], plan.name, ma=code, year=year)

    first = [d for d in docs if d.scope == PLAN and not d.whole_plan_only]
    last = [d for d in docs if d.scope == PLAN and d.whole_plan_only and agencies is None]
    codes = [c for c in (agencies if agencies is not None else [a.ma for a in plan.agencies_with_work()])
             if c not in plan.refused]     # a refused results file: that agency's documents wait
    per_agency = [d for d in docs if d.scope == AGENCY] if codes else []

    def all_jobs() -> Iterator[Job]:
        made: dict[str, dict] = {}
        if whole_plan is not True:
            for doc in first:
                yield plan_job(doc, made)
            made.clear()
            for code in codes:
                for doc in per_agency:
                    yield agency_job(code, doc)
        if whole_plan is not False:
            for doc in last:
                yield plan_job(doc, made)

    def sample(doc: DocType, build: Callable[[], Job]) -> Sample:
        return Sample(template[doc.key], doc.writer, build)

    checked: dict[str, dict] = {}       # the samples' own: dropped with them after the check
    samples = [sample(d, functools.partial(plan_job, d, checked)) for d in first + last]
    samples += [sample(d, functools.partial(agency_job, codes[0], d)) for d in per_agency]
    return samples, all_jobs()


def count_jobs(command: str, plan: Plan, agencies: list[str] | None = None) -> int:
    """How many files :func:`jobs_for` yields, without building a context (for a progress bar)."""
    docs = [d for d in of_command(command) if d.applies(plan)]
    codes = agencies if agencies is not None else [a.ma for a in plan.agencies_with_work()]
    n_agencies = sum(c not in plan.refused for c in codes)
    return sum(n_agencies if d.scope == AGENCY else int(not (agencies is not None and d.whole_plan_only))
               for d in docs)


@dataclass
class Comparison:
    """Two versions of a plan and the labels that name them in the comparison."""

    old: Plan
    new: Plan
    labels: tuple[str, str]

    @cached_property
    def changes(self) -> list:
        """Every difference, computed once for the documents and the summary on screen."""
        from .compare.plan_diff import compare_plans
        return compare_plans(self.old, self.new)


def comparison_jobs(pair: Comparison, name: str, folder: Path) -> list[Job]:
    """The jobs of ``diff``: the comparison as ``name`` (.docx) and the workbook of the same stem."""
    ts = plan_time(pair.new)
    stem = Path(name).stem
    out = []
    shared: dict[str, dict] = {}
    for doc in of_command("diff"):
        ctx = shared.setdefault(doc.context, _function(doc.context)(pair))
        job = _job(doc, ctx, doc.title, ts, _template_of(folder, doc), pair.new.name)
        job.output = stem + Path(doc.output).suffix
        out.append(job)
    return out
