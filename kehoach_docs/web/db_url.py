"""``--db`` as Django's DATABASES entry: ``sqlite:///path`` or ``postgresql://user:pass@host:port/name``."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit


class BadDatabaseUrl(ValueError):
    pass


def database(url: str) -> dict:
    """The Django database settings for ``url``."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # as dj-database-url reads it: sqlite:////abs/path, sqlite:///relative/path, sqlite:///C:/path
        path = unquote(parts.path)[1:]
        if not path:
            raise BadDatabaseUrl("sqlite:///ĐƯỜNG_DẪN cần đường dẫn tới tệp cơ sở dữ liệu")
        # IMMEDIATE: a writer takes the lock when its transaction starts, so two submissions at once
        # wait for each other instead of failing with «database is locked» half-way.
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path,
                "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"}}
    if parts.scheme in ("postgres", "postgresql"):
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise BadDatabaseUrl("postgresql://NGƯỜI_DÙNG:MẬT_KHẨU@MÁY:CỔNG/TÊN_CSDL cần tên cơ sở dữ liệu")
        return {"ENGINE": "django.db.backends.postgresql", "NAME": name,
                "USER": unquote(parts.username or ""), "PASSWORD": unquote(parts.password or ""),
                "HOST": parts.hostname or "", "PORT": str(parts.port or "")}
    raise BadDatabaseUrl(f"không hiểu «{parts.scheme or url}»; dùng sqlite:///ĐƯỜNG_DẪN hoặc "
                         "postgresql://NGƯỜI_DÙNG:MẬT_KHẨU@MÁY:CỔNG/TÊN_CSDL")
