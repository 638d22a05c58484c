"""What the views do, below HTTP: links, submissions, history, regeneration, downloads.

Every write of results goes through :func:`kehoach_docs.results.store.save_results`, the function
``kehoach collect`` stores with, under one lock per plan, inside a database transaction that also
appends the submission to the history: the file and the history never disagree on the last one.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, transaction
from django.utils import timezone

from .. import app, documents
from ..atomic import Busy
from ..model.results import RESULTS_FOLDER, KetQuaCoQuan
from ..results.store import results_path, save_results
from ..source.plan_dir import load_plan
from .models import AgencyLink, Plan, Regeneration, Submission

#: Failed link or password attempts allowed per address in a window, before answers stop.
MAX_FAILURES, FAILURE_WINDOW = 20, 15 * 60
LOCK_TIMEOUT = 60


def token_hash(token: str) -> str:
    """Links carry 32 random bytes, so a plain SHA-256 (no salt, no stretching) cannot be reversed."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def issue_link(plan: Plan, code: str, user) -> str:
    """A new link for agency ``code``; the old one stops working. Returns the token (shown once)."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        plan.links.filter(code=code, revoked__isnull=True).update(revoked=timezone.now())
        AgencyLink.objects.create(plan=plan, code=code, token_hash=token_hash(token), issued_by=user)
    return token


def revoke_links(plan: Plan, code: str) -> int:
    """Stop agency ``code``'s link; returns how many links were still working."""
    return plan.links.filter(code=code, revoked__isnull=True).update(revoked=timezone.now())


def link_for(token: str) -> AgencyLink | None:
    link = AgencyLink.objects.select_related("plan").filter(token_hash=token_hash(token)).first()
    return link if link is not None and link.revoked is None else None


def throttled(key: str) -> bool:
    """Whether ``key`` (``link:ADDRESS``, ``login:ADDRESS:NAME``) has failed too often lately."""
    return cache.get(f"fail:{key}", 0) >= MAX_FAILURES


def record_failure(key: str) -> None:
    key = f"fail:{key}"
    cache.add(key, 0, FAILURE_WINDOW)
    try:
        cache.incr(key)
    except ValueError:      # expired between add and incr
        cache.set(key, 1, FAILURE_WINDOW)


def register_plans(folders: list[Path]) -> list[Plan]:
    """The plan folders given to ``serve``, in the database (by folder name), each checked first."""
    rows = []
    for folder in folders:
        plan = load_plan(folder, with_results=False)
        row, _ = Plan.objects.update_or_create(
            slug=plan.name, defaults={"path": str(Path(folder).resolve()),
                                                     "title": plan.text(plan.ke_hoach.van_ban.trich_yeu)[:500]})
        rows.append(row)
    return rows


def load(row: Plan):
    """The plan as its files say now (results included)."""
    return load_plan(Path(row.path))


def output_dir() -> Path:
    return Path(settings.OUTPUT)


def _lock(row: Plan):
    from filelock import FileLock
    folder = Path(row.path) / RESULTS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return FileLock(str(folder / ".kehoach-web.lock"), timeout=LOCK_TIMEOUT)


def save_draft(row: Plan, code: str, values: dict, link=None, user=None) -> Submission:
    return Submission.objects.create(plan=row, code=code, kind=Submission.DRAFT, values=values, link=link,
                                     user=user)


def submit(row: Plan, res: KetQuaCoQuan, kind: str, values: dict, *, link=None, user=None,
           source: str = "") -> Submission:
    """Store accepted results where ``collect`` stores them, and append them to the history."""
    with _lock(row):
        plan = load(row)        # read under the lock: another submission may just have landed
        _record_outside_changes(row, plan)
        with transaction.atomic():
            sub = Submission.objects.create(plan=row, code=res.co_quan, kind=kind, values=values,
                                            results=res.model_dump(mode="json"), link=link, user=user,
                                            source=source[:300])
            save_results(plan, res)
    return sub


def sync_history(row: Plan):
    """Results stored outside the web (``kehoach collect``, a hand edit of ``ket-qua/<MA>.yaml``) enter
    the history too, so it shows every version the reports were made from. Returns the plan as read."""
    with _lock(row):
        plan = load(row)
        _record_outside_changes(row, plan)
    return plan


def _record_outside_changes(row: Plan, plan) -> None:
    for code, res in plan.results.items():
        last = row.submissions.filter(code=code, kind__in=(Submission.SENT, Submission.WORKBOOK)).first()
        stored = res.model_dump(mode="json")
        if last is None or last.results != stored:
            path = results_path(plan, code)
            Submission.objects.create(plan=row, code=code, kind=Submission.WORKBOOK, results=stored,
                                      source=f"tệp {RESULTS_FOLDER}/{path.name} (kehoach collect hoặc sửa tay)")


def latest(row: Plan, code: str) -> Submission | None:
    return row.submissions.filter(code=code).first()


def last_sent(row: Plan, code: str) -> Submission | None:
    return row.submissions.filter(code=code).exclude(kind=Submission.DRAFT).first()


class _Progress(app.Reporter):
    """Regeneration progress, written to its database row for the page that shows it."""

    def __init__(self, run_id: int):
        self.run_id = run_id

    def progress(self, total, label):
        Regeneration.objects.filter(pk=self.run_id).update(total=total, done=0, message=label)
        done = [0]

        def advance(n):
            done[0] += n
            Regeneration.objects.filter(pk=self.run_id).update(done=done[0])
        import contextlib
        return contextlib.nullcontext(advance)


def start_regeneration(row: Plan, user) -> Regeneration:
    """Rebuild the plan's reports in the background; the returned row follows its progress."""
    run = Regeneration.objects.create(plan=row, user=user, message="Đang đọc dữ liệu")

    def work():
        close_old_connections()
        try:
            result = with_output(lambda: app.reports(Path(row.path), output_dir(), settings.TEMPLATES_DIR,
                                                     _Progress(run.pk)))
            built = len(result.outcome.built) if result.outcome else 0
            message = f"Xong: dựng lại {built} tệp" + (f"; chờ sửa kết quả của {', '.join(result.waiting)}"
                                                        if result.waiting else "") + "."
            Regeneration.objects.filter(pk=run.pk).update(finished=timezone.now(), ok=result.ok, message=message)
        except Exception as exc:    # shown on the progress page; the server goes on
            Regeneration.objects.filter(pk=run.pk).update(finished=timezone.now(), ok=False,
                                                          message=_message(exc))
        finally:
            close_old_connections()
    threading.Thread(target=work, daemon=True, name=f"regenerate-{row.slug}").start()
    return run


def _message(exc: Exception) -> str:
    from click import ClickException
    return exc.format_message() if isinstance(exc, ClickException) else f"Lỗi: {type(exc).__name__}: {exc}"


def with_output(action, wait: float = 120):
    """Run ``action`` (which writes the output folder); while another run holds it, wait for it."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return action()
        except Busy:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def agency_document(row: Plan, code: str, key: str, pdf: bool = False) -> Path:
    """Build (when stale) and return one of agency ``code``'s documents (``bao-cao``, ``so-nhap``)."""
    result = with_output(lambda: app.reports(Path(row.path), output_dir(), settings.TEMPLATES_DIR,
                                             agencies=[code]))
    path = result.folder / documents.DOCUMENTS[key].output.format(ma=code)
    if pdf:
        app.export_pdf([path], 1, 120, app.Reporter())
        path = path.with_suffix(".pdf")
    return path


def plan_document(row: Plan, key: str) -> Path:
    """A whole-plan document (``tong-hop``) as last built; built when missing."""
    path = output_dir() / row.slug / documents.DOCUMENTS[key].output
    if not path.exists():
        with_output(lambda: app.reports(Path(row.path), output_dir(), settings.TEMPLATES_DIR))
    return path


def outputs_zip(row: Plan) -> bytes:
    """Every generated file of the plan, as one .zip (paths as in its output folder)."""
    import io
    import zipfile
    folder = output_dir() / row.slug
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".docx", ".xlsx", ".pdf") and not path.name.startswith("."):
                z.write(path, f"{row.slug}/{path.relative_to(folder).as_posix()}")
    return buf.getvalue()


def pdf_available() -> bool:
    import shutil
    return shutil.which("soffice") is not None or shutil.which("libreoffice") is not None
