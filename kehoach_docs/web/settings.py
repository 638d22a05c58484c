"""Django settings for ``kehoach serve``, read from the environment that :mod:`.server` sets.

Nothing here is for a developer's machine only: DEBUG is never on, cookies are HttpOnly and
SameSite, and secure (HTTPS only) when the server is told it sits behind HTTPS.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from .db_url import database

STATE = Path(os.environ.get("KEHOACH_WEB_STATE", ".kehoach"))


def _secret_key() -> str:
    """One random key per state folder, kept there (sessions survive a restart)."""
    path = STATE / "secret-key"
    if not path.exists():
        STATE.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("KEHOACH_WEB_HOSTS", "localhost,127.0.0.1").split(",") if h]
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
                  "django.contrib.messages", "kehoach_docs.web.apps.WebConfig"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kehoach_docs.web.middleware.UserErrorPage",
]
ROOT_URLCONF = "kehoach_docs.web.urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                                 "django.contrib.auth.context_processors.auth",
                                                 "django.contrib.messages.context_processors.messages"]}}]
DATABASES = {"default": database(os.environ.get("KEHOACH_WEB_DB") or f"sqlite:///{STATE / 'web.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600          # a working day
_HTTPS = os.environ.get("KEHOACH_WEB_HTTPS") == "1"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _HTTPS
if _HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = [f"https://{h}" for h in ALLOWED_HOSTS]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"    # an agency's link never leaves the site in a Referer header
X_FRAME_OPTIONS = "DENY"

#: A returned workbook is a few hundred kB; anything far larger is refused before it is read.
UPLOAD_LIMIT = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_LIMIT + 256 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_LIMIT + 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

AUTH_PASSWORD_VALIDATORS = [{"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
                             "OPTIONS": {"min_length": 8}},
                            {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"}]

#: The plans this server serves, and where their documents go.
PLANS = [Path(p) for p in os.environ.get("KEHOACH_WEB_PLANS", "").split(os.pathsep) if p]
OUTPUT = Path(os.environ.get("KEHOACH_WEB_OUTPUT", "output"))
TEMPLATES_DIR = os.environ.get("KEHOACH_WEB_TEMPLATES") or None

LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "loggers": {"django": {"handlers": ["console"], "level": "WARNING"}}}
