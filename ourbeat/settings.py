"""The only settings module. Everything that differs between machines is an environment
variable read through the typed helpers in ``ourbeat.env`` and listed in ``.env.example``."""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from ourbeat.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("OURBEAT_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use the configured key; otherwise keep a random one in var/ so that a local run
    never ships a well-known key and sessions survive restarts."""
    configured = env_str("OURBEAT_SECRET_KEY", "")
    if configured:
        return configured
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("OURBEAT_DEBUG", False)
ALLOWED_HOSTS = env_list("OURBEAT_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("OURBEAT_CSRF_TRUSTED_ORIGINS", [])

# Behind TLS (production) every cookie is secure and HSTS is on; a local http run turns it off.
HTTPS = env_bool("OURBEAT_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "js_lib_leaflet",
    "rules.apps.AutodiscoverRulesConfig",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "ourbeat.core",
    "ourbeat.accounts",
    "ourbeat.places",
    "ourbeat.teams",
    "ourbeat.concerns",
    "ourbeat.engagement",
    "ourbeat.surveys",
    "ourbeat.analytics",
    "ourbeat.problems",
    "ourbeat.api",
    "ourbeat.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ourbeat.accounts.middleware.StaffMFARequiredMiddleware",
]

ROOT_URLCONF = "ourbeat.urls"
WSGI_APPLICATION = "ourbeat.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "ourbeat" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ourbeat.core.context_processors.site",
            ],
        },
    },
]

# Storage: SQLite by default, PostgreSQL (or any Django backend) through DATABASE_URL.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'ourbeat.sqlite3'}")
# Persistent connections: opening one costs more CPU than serving a cached public page.
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Measured: Django's SQLite defaults fail concurrent read-then-write requests with
    # "database is locked"; WAL plus IMMEDIATE transactions makes writers queue instead.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 5,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "ourbeat",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
    # How far a running import or analysis has got: written by the worker that runs it and
    # read by the web process that shows it, so kept in files that both see (a per-process
    # memory cache left the progress bar empty whenever a task worker ran the job).
    "progress": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "progress"),
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "staff:home"

# django-allauth: e-mail login, then TOTP; staff cannot skip the second factor
# (StaffMFARequiredMiddleware sends them to set it up).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_SIGNUP_OPEN = env_bool("OURBEAT_SIGNUP_OPEN", True)
ACCOUNT_ADAPTER = "ourbeat.accounts.adapter.AccountAdapter"
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("OURBEAT_SITE_NAME", "ourbeat")
# Accept the code of the 30-second step before or after the current one (RFC 6238's
# allowance for clock drift): a code typed as its step ends is otherwise refused.
MFA_TOTP_TOLERANCE = 1

EMAIL_BACKEND = env_str("OURBEAT_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("OURBEAT_FROM_EMAIL", "ourbeat <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("OURBEAT_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("OURBEAT_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("OURBEAT_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("OURBEAT_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("OURBEAT_EMAIL_TLS", False)
# Where django.core.mail.backends.filebased.EmailBackend writes mail (one file per
# connection): the way the end-to-end tests read the links sent to residents.
EMAIL_FILE_PATH = env_str("OURBEAT_EMAIL_FILE_PATH", str(VAR_DIR / "mail"))

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "ourbeat" / "locale"]
TIME_ZONE = env_str("OURBEAT_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("OURBEAT_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "ourbeat" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("OURBEAT_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *env_list("OURBEAT_MAP_TILE_HOSTS", [])],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if env_str("OURBEAT_TASKS", "immediate") == "database"
            else "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("OURBEAT_LOG_LEVEL", "WARNING")},
}

# ourbeat's own settings.
OURBEAT_SITE_NAME = env_str("OURBEAT_SITE_NAME", "ourbeat")
# The public address of the site, for links in e-mails.
OURBEAT_SITE_URL = env_str("OURBEAT_SITE_URL", "http://127.0.0.1:8000")
# Map tiles are optional: with none, boundaries and points still draw on a blank map.
OURBEAT_MAP_TILE_URL = env_str("OURBEAT_MAP_TILE_URL", "")
OURBEAT_MAP_TILE_ATTRIBUTION = env_str("OURBEAT_MAP_TILE_ATTRIBUTION", "")
# H3 resolution of the area index; resolution 9 cells are about 0.1 km².
OURBEAT_H3_RESOLUTION = env_int("OURBEAT_H3_RESOLUTION", 9)
OURBEAT_BOUNDARY_MAX_BYTES = env_int("OURBEAT_BOUNDARY_MAX_BYTES", 20 * 1024 * 1024)
OURBEAT_PUBLIC_PAGE_CACHE_SECONDS = env_int("OURBEAT_PUBLIC_PAGE_CACHE_SECONDS", 300)
# Open311 writes per client application (its api key; the address when it sends none), per
# worker process. A client such as FixMyStreet files for many residents, so the limit is
# generous: it stops a runaway loop, not a busy client.
OURBEAT_OPEN311_WRITE_RATE = env_str("OURBEAT_OPEN311_WRITE_RATE", "300/m")
# Rate limits count per client address. Behind reverse proxies that each append the address
# they were reached from to X-Forwarded-For, say how many there are: the client is the entry
# that many places from the right (what the client wrote itself is never trusted). 0: no
# proxy, REMOTE_ADDR is the client (ourbeat/core/client_ip.py).
OURBEAT_TRUSTED_PROXY_COUNT = env_int("OURBEAT_TRUSTED_PROXY_COUNT", 0)
if OURBEAT_TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("OURBEAT_TRUSTED_PROXY_COUNT must be 0 or more")
RATELIMIT_IP_META_KEY = "ourbeat.core.client_ip.client_ip"
# How many priorities a neighbourhood may have adopted and not yet closed at once.
OURBEAT_MAX_ACTIVE_PRIORITIES = env_int("OURBEAT_MAX_ACTIVE_PRIORITIES", 3)
# Survey results of fewer respondents than this are never published (nor derivable by
# subtraction from a total).
OURBEAT_SURVEY_MIN_CELL = env_int("OURBEAT_SURVEY_MIN_CELL", 10)
if OURBEAT_SURVEY_MIN_CELL < 1:
    raise ImproperlyConfigured("OURBEAT_SURVEY_MIN_CELL must be 1 or more")
# The largest incident file an analyst may upload (a police.uk force-month is a few MB).
OURBEAT_IMPORT_MAX_BYTES = env_int("OURBEAT_IMPORT_MAX_BYTES", 200 * 1024 * 1024)
# Problem-solving case documents: kept outside MEDIA_ROOT (never served directly), each no
# larger than this.
OURBEAT_PRIVATE_DIR = Path(env_str("OURBEAT_PRIVATE_DIR", str(VAR_DIR / "private")))
OURBEAT_DOCUMENT_MAX_BYTES = env_int("OURBEAT_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
