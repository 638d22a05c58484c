"""What the web app keeps in its database: plans and their clerks, agencies' links, the history of
submissions, and regeneration runs. Results themselves live in the plan's ``ket-qua/<MA>.yaml``,
written by the same code as ``kehoach collect``; the history here is append-only."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Plan(models.Model):
    """A plan folder served by this server."""

    slug = models.SlugField("mã kế hoạch", max_length=200, unique=True)
    path = models.CharField("thư mục", max_length=1000)
    title = models.CharField("tên", max_length=500, blank=True)
    clerks = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="plans", blank=True)
    closed = models.BooleanField("đã đóng kỳ báo cáo", default=False)

    def __str__(self) -> str:
        return self.title or self.slug


class AgencyLink(models.Model):
    """An agency's personal link. Only the token's hash is kept; the link is shown once, when issued."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="links")
    code = models.CharField("mã cơ quan", max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    issued = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["plan", "code"])]


class Submission(models.Model):
    """One save or submission of an agency's results; never updated or deleted."""

    DRAFT, SENT, WORKBOOK = "nhap", "gui", "so"
    KINDS = [(DRAFT, "Lưu nháp"), (SENT, "Gửi báo cáo"), (WORKBOOK, "Gửi sổ nhập")]

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="submissions")
    code = models.CharField("mã cơ quan", max_length=100)
    kind = models.CharField(max_length=8, choices=KINDS)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    link = models.ForeignKey(AgencyLink, on_delete=models.PROTECT, null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    source = models.CharField("nguồn", max_length=300, blank=True)   # the workbook's file name
    #: What the form held (a draft may be incomplete), and for a submission the results stored.
    values = models.JSONField(default=dict)
    results = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["plan", "code", "at"])]
        ordering = ["-at", "-id"]

    @property
    def by(self) -> str:
        if self.user_id:
            return f"cán bộ {self.user.get_username()}"
        return f"liên kết cấp ngày {self.link.issued.astimezone().strftime('%d/%m/%Y')}" if self.link_id else ""


class Regeneration(models.Model):
    """One run of «Dựng lại văn bản», with its progress for the page that follows it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="runs")
    started = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    finished = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)
    ok = models.BooleanField(null=True)
