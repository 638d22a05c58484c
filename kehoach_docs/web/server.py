"""Start the web app: settings from the command's options, the database migrated, the plans
registered, then waitress (a production WSGI server that runs on Windows as on Linux)."""

from __future__ import annotations

import os
from pathlib import Path

#: Where a plan keeps the web app's own files (its SQLite database, the session key).
STATE_FOLDER = ".kehoach"


def configure(plans: list[Path], db: str | None = None, output: Path | None = None, hosts: list[str] | None = None,
              https: bool = False, templates: Path | None = None) -> None:
    """Set up Django for ``plans``; the state folder is the first plan's ``.kehoach/``."""
    os.environ["KEHOACH_WEB_STATE"] = str(Path(plans[0]).resolve() / STATE_FOLDER)
    os.environ["KEHOACH_WEB_PLANS"] = os.pathsep.join(str(Path(p).resolve()) for p in plans)
    os.environ["KEHOACH_WEB_OUTPUT"] = str(Path(output or "output").resolve())
    os.environ["KEHOACH_WEB_HOSTS"] = ",".join(hosts or ["localhost", "127.0.0.1"])
    os.environ["KEHOACH_WEB_HTTPS"] = "1" if https else "0"
    if db:
        from ..problems import UserError
        from .db_url import BadDatabaseUrl, database
        try:
            database(db)
        except BadDatabaseUrl as exc:
            raise UserError(f"--db «{db}»: {exc}") from None
        os.environ["KEHOACH_WEB_DB"] = db
    if templates:
        os.environ["KEHOACH_WEB_TEMPLATES"] = str(Path(templates).resolve())
    os.environ["DJANGO_SETTINGS_MODULE"] = "kehoach_docs.web.settings"
    import django
    django.setup()


def prepare() -> list:
    """Create or update the database's tables, and register the plans; returns their rows."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import DatabaseError

    from ..problems import UserError
    try:
        call_command("migrate", verbosity=0, interactive=False)
    except DatabaseError as exc:
        raise UserError(f"Không mở được cơ sở dữ liệu ({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"
                        f" {settings.DATABASES['default']['NAME']}): {exc}".strip()) from None
    from .service import register_plans
    return register_plans(settings.PLANS)


def add_clerk(name: str, password: str, slugs: list[str]) -> bool:
    """Create the clerk ``name`` (or set a new password) and give them the plans; True if created."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from .models import Plan
    User = get_user_model()
    user = User.objects.filter(username=name).first()
    validate_password(password, user)
    created = user is None
    if created:
        user = User.objects.create_user(name, password=password)
    else:
        user.set_password(password)
        user.save()
    user.plans.add(*Plan.objects.filter(slug__in=slugs))
    return created


def database_name() -> str:
    """Where the accounts, links and history are kept, as a clerk should be told."""
    from django.conf import settings
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite {db['NAME']}"
    return f"PostgreSQL {db['NAME']} trên {db['HOST'] or 'máy này'}"


def clerks_exist() -> bool:
    from django.contrib.auth import get_user_model
    return get_user_model().objects.exists()


def serve(host: str, port: int, threads: int = 8) -> None:
    """Serve until interrupted."""
    from django.core.wsgi import get_wsgi_application
    from waitress import serve as waitress_serve
    waitress_serve(get_wsgi_application(), host=host, port=port, threads=threads, ident="kehoach",
                   max_request_body_size=8 * 1024 * 1024, clear_untrusted_proxy_headers=True)


def start(plans: list[Path], host: str, port: int, db: str | None, hosts: list[str], https: bool,
          output: Path, templates, echo=print) -> None:
    """``kehoach serve``: check the plans, prepare the database, say where to go, serve."""
    configure(plans, db, output, hosts or sorted({"localhost", "127.0.0.1", host} - {"0.0.0.0", "::"}) or None,
              https, templates)
    rows = prepare()
    echo(f"Trang web: http://{'localhost' if host in ('0.0.0.0', '::', '127.0.0.1') else host}:{port}/  "
         f"({len(rows)} kế hoạch: {', '.join(r.slug for r in rows)}; kết quả lưu trong ket-qua/ của từng kế hoạch; "
         f"tài khoản, liên kết và lịch sử gửi: {database_name()})")
    if not clerks_exist():
        echo("Chưa có tài khoản văn thư: tạo bằng «kehoach clerk TÊN --ke-hoach THƯ_MỤC_KẾ_HOẠCH».")
    echo("Dừng bằng Ctrl+C.")
    serve(host, port)


def create_clerk(plans: list[Path], db: str | None, name: str, password: str) -> str:
    """``kehoach clerk``: the account, and the message that says what was done."""
    from django.core.exceptions import ValidationError

    from ..problems import UserError
    configure(plans, db)
    rows = prepare()
    try:
        created = add_clerk(name, password, [r.slug for r in rows])
    except ValidationError as exc:
        raise UserError("Mật khẩu chưa dùng được: " + " ".join(exc.messages)) from None
    return (f"Đã tạo tài khoản «{name}»" if created else f"Đã đặt lại mật khẩu cho «{name}»") + \
        f", quản lý: {', '.join(r.slug for r in rows)} (lưu trong {database_name()}; chạy kehoach serve với " \
        "cùng kế hoạch đầu tiên hoặc cùng --db)."
