"""HTTP only: who may see what, and which page or file answers. The work is in :mod:`.service`."""

from __future__ import annotations

import re
import tempfile
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ..problems import Problems
from ..results.form import form_values, read_form
from ..results.workbook import read_workbook
from . import pages, service
from .models import Plan, Regeneration, Submission


def _address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _too_many(request):
    return render(request, "web/message.html", {"title": "Tạm khóa", "text": (
        "Có quá nhiều lần thử sai từ máy này. Hãy chờ 15 phút rồi thử lại.")}, status=429)


#: A browser that has opened a link keeps a signed cookie for it (scoped to the link's path): when
#: its address is locked out by someone else's guesses (an office behind one address), it goes on.
LINK_COOKIE = "kh_lien_ket"


def agency_view(view):
    """Resolve the link's token to its plan and agency; nothing else in the URL chooses either."""
    @wraps(view)
    def wrapper(request, token, *args, **kwargs):
        link = service.link_for(token)
        known = link is not None and request.get_signed_cookie(
            LINK_COOKIE, default=None, salt=LINK_COOKIE) == service.token_hash(token)
        if service.throttled(f"link:{_address(request)}") and not known:
            return _too_many(request)
        if link is None:
            service.record_failure(f"link:{_address(request)}")
            return render(request, "web/message.html", {"title": "Liên kết không dùng được", "text": (
                "Liên kết này không đúng hoặc đã bị thu hồi. Hãy dùng liên kết mới nhất văn thư gửi.")},
                status=404)
        plan = service.load(link.plan)
        if link.code not in plan.co_quan:
            return render(request, "web/message.html", {"title": "Cơ quan không còn trong kế hoạch", "text": (
                "Kế hoạch đã điều chỉnh, cơ quan của liên kết này không còn nhiệm vụ, chỉ tiêu nào.")}, status=410)
        response = view(request, link, plan, *args, **kwargs)
        response.set_signed_cookie(LINK_COOKIE, service.token_hash(token), salt=LINK_COOKIE,
                                   max_age=90 * 86400, path=f"/co-quan/{token}/", httponly=True,
                                   samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        return response
    return wrapper


class LoginView(auth_views.LoginView):
    """Django's sign-in, with failed attempts counted per address like link guesses."""

    template_name = "web/login.html"

    def _key(self) -> str:
        # per address and account: wrong passwords for one name do not lock out everyone behind the address
        return f"login:{_address(self.request)}:{self.request.POST.get('username', '')[:150].casefold()}"

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST" and service.throttled(self._key()):
            return _too_many(request)
        return super().dispatch(request, *args, **kwargs)

    def form_invalid(self, form):
        service.record_failure(self._key())
        return super().form_invalid(form)


# ---------------------------------------------------------------- agency

@agency_view
def agency_home(request, link, plan):
    row, code = link.plan, link.code
    values, errors, warnings = None, {}, {}
    if request.method == "POST":
        if row.closed:
            messages.error(request, "Kỳ báo cáo đã đóng; không sửa được kết quả nữa.")
            return redirect(request.path)
        posted = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        form = read_form(plan, code, posted)
        values, errors, warnings = form.values, form.errors, form.warnings
        if request.POST.get("hanh_dong") == "gui":
            if form.results is not None:
                service.submit(row, form.results, Submission.SENT, form.values, link=link)
                messages.success(request, "Đã gửi báo cáo. Có thể sửa và gửi lại cho đến khi văn thư đóng kỳ báo cáo.")
                for note in form.warnings.values():      # what was changed in what was sent
                    messages.warning(request, "Lưu ý: " + note)
                return redirect(request.path)
            messages.error(request, f"Chưa gửi: có {len(errors)} ô cần sửa (ghi ngay dưới ô).")
        else:
            service.save_draft(row, code, form.values, link=link)
            messages.success(request, "Đã lưu nháp (chưa gửi)." + (f" Còn {len(errors)} ô cần sửa trước khi gửi."
                                                                  if errors else ""))
            if not errors:
                return redirect(request.path)
    if values is None:
        last = service.latest(row, code)
        values = last.values if last is not None and last.kind == Submission.DRAFT else \
            form_values(plan, code, plan.results.get(code))
    latest = service.latest(row, code)
    return render(request, "web/agency.html", {
        "plan": plan, "row": row, "agency": plan.co_quan[code], "token": link_token(request),
        "sent": service.last_sent(row, code),
        "draft": latest if latest is not None and latest.kind == Submission.DRAFT else None,
        "pdf": service.pdf_available(), "refused": plan.refused.get(code),
        **pages.agency_page(plan, code, values, errors, warnings)})


def link_token(request) -> str:
    return request.resolver_match.kwargs["token"]


@agency_view
def agency_document(request, link, plan, kind):
    key, pdf = {"bao-cao.docx": ("bao-cao", False), "bao-cao.pdf": ("bao-cao", True),
                "so-nhap.xlsx": ("so-nhap", False)}[kind]
    if pdf and not service.pdf_available():
        raise Http404
    path = service.agency_document(link.plan, link.code, key, pdf)
    return FileResponse(open(path, "rb"), as_attachment=True, filename=f"{link.code}-{kind}")


@require_POST
@agency_view
def agency_upload(request, link, plan):
    row, code = link.plan, link.code
    if row.closed:
        messages.error(request, "Kỳ báo cáo đã đóng; không gửi sổ được nữa.")
        return redirect("web:agency", token=link_token(request))
    upload = request.FILES.get("so_nhap")
    problems = _upload_problems(upload)
    if problems is None:
        with tempfile.TemporaryDirectory(prefix="kehoach-web-") as tmp:
            # the clerk's messages name the file as the agency named it
            stem = re.sub(r"[^\w.\- ()]", "_", Path(upload.name).stem)[:60].strip(" .") or "so-nhap"
            name = stem + ".xlsx"
            path = Path(tmp) / name
            with open(path, "wb") as f:
                for chunk in upload.chunks():
                    f.write(chunk)
            found = Problems()
            res = read_workbook(plan, path, found)
            if res is not None and res.co_quan != code:
                messages.error(request, f"{name}: sổ này là của cơ quan khác ({res.co_quan}); "
                                        "hãy tải sổ của chính cơ quan mình ở trang này.")
            elif res is None or found.errors:
                problems = [str(p).replace(str(path), name) for p in found.items]
            else:
                service.submit(row, res, Submission.WORKBOOK, form_values(plan, code, res), link=link,
                               source=name)
                messages.success(request, f"Đã nhận sổ {name} và lưu kết quả.")
                for p in found.warnings:
                    messages.warning(request, str(p).replace(str(path), name))
    if problems:
        messages.error(request, "Chưa nhận sổ: " + "; ".join(problems))
    return redirect("web:agency", token=link_token(request))


def _upload_problems(upload) -> list[str] | None:
    if upload is None:
        return ["chưa chọn tệp"]
    if not upload.name.lower().endswith(".xlsx"):
        return [f"«{upload.name}» không phải tệp Excel .xlsx (sổ nhập kết quả tải ở trang này)"]
    if upload.size > settings.UPLOAD_LIMIT:
        return [f"«{upload.name}» quá lớn ({upload.size // 1024} kB; tối đa {settings.UPLOAD_LIMIT // 1024} kB)"]
    return None


# ---------------------------------------------------------------- clerk

def clerk_view(view):
    """Signed-in clerks, on plans they manage; another plan is «not found», not «forbidden»."""
    @login_required
    @wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        row = get_object_or_404(Plan, slug=slug, clerks=request.user)
        return view(request, row, *args, **kwargs)
    return wrapper


@login_required
def home(request):
    plans = list(request.user.plans.order_by("slug"))
    if len(plans) == 1:
        return redirect("web:plan", slug=plans[0].slug)
    return render(request, "web/home.html", {"plans": plans})


@clerk_view
def plan_page(request, row):
    plan = service.sync_history(row)
    last = {}
    for sub in row.submissions.exclude(kind=Submission.DRAFT).order_by("at", "id"):
        last[sub.code] = sub
    run = row.runs.order_by("-id").first()
    return render(request, "web/plan.html", {
        "row": row, "plan": plan, "run": run, "pdf": service.pdf_available(),
        **pages.clerk_page(plan, last, request.GET.get("co_quan", ""), request.GET.get("danh_gia", ""))})


@require_POST
@clerk_view
def regenerate(request, row):
    run = service.start_regeneration(row, request.user)
    return redirect("web:progress", slug=row.slug, run=run.pk)


@clerk_view
def progress(request, row, run):
    run = get_object_or_404(Regeneration, pk=run, plan=row)
    return render(request, "web/progress.html", {"row": row, "run": run})


@require_POST
@clerk_view
def close_period(request, row):
    row.closed = request.POST.get("dong") == "1"
    row.save(update_fields=["closed"])
    messages.success(request, "Đã đóng kỳ báo cáo." if row.closed else "Đã mở lại kỳ báo cáo.")
    return redirect("web:plan", slug=row.slug)


@clerk_view
def links(request, row):
    plan = service.load(row)
    if request.method == "POST":
        known = {a.ma for a in plan.agencies_with_work()}
        codes = [c for c in request.POST.getlist("co_quan") if c in known]
        if not codes:
            messages.error(request, "Chưa chọn cơ quan nào.")
        elif request.POST.get("hanh_dong") == "thu-hoi":
            revoked = sum(service.revoke_links(row, code) > 0 for code in codes)
            messages.success(request, f"Đã thu hồi liên kết của {revoked} cơ quan." if revoked
                             else "Các cơ quan đã chọn không có liên kết nào đang dùng.")
        else:
            # shown once, on the page this redirects to: reloading it cannot cancel the links just printed
            request.session[f"lien-ket-moi:{row.slug}"] = [
                {"ma": code, "ten": plan.co_quan[code].ten, "url": request.build_absolute_uri(
                    reverse("web:agency", kwargs={"token": service.issue_link(row, code, request.user)}))}
                for code in codes]
        return redirect("web:links", slug=row.slug)
    issued = request.session.pop(f"lien-ket-moi:{row.slug}", [])
    active = {l.code: l for l in row.links.filter(revoked__isnull=True)}
    return render(request, "web/links.html", {
        "row": row, "issued": issued,
        "agencies": [{"ma": a.ma, "ten": a.ten, "link": active.get(a.ma)} for a in plan.agencies_with_work()]})


@clerk_view
def history(request, row):
    service.sync_history(row)
    subs = row.submissions.select_related("link", "user")
    code = request.GET.get("co_quan", "")
    code = code if code.isprintable() and len(code) <= 100 else ""
    if code:
        subs = subs.filter(code=code)
    return render(request, "web/history.html", {"row": row, "subs": subs[:500], "code": code})


@clerk_view
def plan_file(request, row, name):
    if name == "tat-ca.zip":
        return HttpResponse(service.outputs_zip(row), content_type="application/zip",
                            headers={"Content-Disposition": f'attachment; filename="{row.slug}.zip"'})
    if name == "tong-hop.docx":
        return FileResponse(open(service.plan_document(row, "tong-hop"), "rb"), as_attachment=True,
                            filename=f"{row.slug}-tong-hop.docx")
    match = re.fullmatch(r"bao-cao/([^/]+)\.(docx|pdf)", name)
    plan = service.load(row)
    if not match or match[1] not in {a.ma for a in plan.agencies_with_work()}:
        raise Http404
    path = service.agency_document(row, match[1], "bao-cao", match[2] == "pdf")
    return FileResponse(open(path, "rb"), as_attachment=True, filename=f"{match[1]}-bao-cao.{match[2]}")
