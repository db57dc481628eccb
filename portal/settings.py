"""Settings for the disclosure-catalog portal, read from the environment only.

Production sets DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and DATABASE_URL (postgres://...), and
REDIS_URL for the shared cache and the task queue; the README's "Production" section lists
every variable. Without DJANGO_DEBUG=1 a missing DJANGO_SECRET_KEY stops the process.
Local runs (``make run``) set DJANGO_DEBUG=1 and use SQLite; the secret key is then generated
once into ``.secret_key`` (git- and docker-ignored), which is never read when debug is off.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def _secret_key(debug: bool) -> str:
    """DJANGO_SECRET_KEY; under debug only, a key kept in .secret_key for this checkout."""
    key = os.environ.get("DJANGO_SECRET_KEY", "").strip()
    if key:
        return key
    if not debug:
        raise ImproperlyConfigured(
            "未设置 DJANGO_SECRET_KEY：生产环境必须通过环境变量提供密钥"
            "（例如 python -c 'import secrets; print(secrets.token_urlsafe(50))' 生成）。"
            " DJANGO_SECRET_KEY is not set: production takes the secret key from the environment"
            " (本地开发请设置 DJANGO_DEBUG=1 / for local development set DJANGO_DEBUG=1)."
        )
    key_file = BASE_DIR / ".secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = _secret_key(DEBUG)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "axes",
    "simple_history",
    "import_export",
    "dbbackup",
    "catalogs",
    "items",
    "records",
    "matters",
    "guides",
    "policies",
    "inquiries",
    "participation",
    "review",
    "assessment",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Staff pages: Content-Security-Policy and Cache-Control: no-store (portal.middleware).
    "portal.middleware.StaffPageHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # NUL bytes and ids beyond 64 bits: 400/404 before any view or query (portal.middleware).
    "portal.middleware.RequestSanityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that a locked-out login never reaches the view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Chinese full-text matching (pg_trgm) needs a UTF-8 database.
    DATABASES["default"]["TEST"] = {"TEMPLATE": "template0", "CHARSET": "UTF8"}
# A read replica for the public site and the API (portal.routers.PublicReadRouter).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# Public pages' and the API's reads go to "replica" when it is set; all else to "default".
DATABASE_ROUTERS = ["portal.routers.PublicReadRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        # Django's rule with a Chinese message (Django 5.2's zh-hans catalog lacks it).
        "NAME": "catalogs.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# Five failed logins lock an account (from whatever address) and, separately, an address
# (for whatever accounts) for 30 minutes from the fifth failure; attempts while locked do not
# extend it. The province administrator sees and lifts locks under 登录安全 (portal.admin).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "portal.security.LoginAttemptHandler"
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_ENABLE_ADMIN = False
# The client address: REMOTE_ADDR, unless the request came through one of these reverse
# proxies (addresses or networks, e.g. "127.0.0.1,172.16.0.0/12"); then X-Forwarded-For.
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES")
AXES_CLIENT_IP_CALLABLE = "portal.security.client_ip"
CSRF_FAILURE_VIEW = "portal.errors.csrf_failure"
# Chinese names for django-axes' models and fields (it ships no Chinese translation).
LOCALE_PATHS = [BASE_DIR / "locale"]

SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Backups (make backup): outside the code tree in production, a git-ignored folder locally.
BACKUP_DIR = Path(
    os.environ.get("DJANGO_BACKUP_DIR", BASE_DIR / "backups" if DEBUG else "/var/backups/gongkai")
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "dbbackup": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(BACKUP_DIR)},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 365 * 24 * 3600

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "gongkai@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# SMTP (DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 30

DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

IMPORT_EXPORT_USE_TRANSACTIONS = True

# Cache: Redis, shared by every app server and the worker, when REDIS_URL is set
# (redis://redis:6379/1); otherwise each process keeps its own in memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "gongkai",
            # A cache outage slows pages down; it must not take them down.
            "OPTIONS": {"IGNORE_EXCEPTIONS": True},
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Scheduled and long jobs: Celery (portal/celery.py) with Redis as the broker. The worker runs
# the tasks in portal/tasks.py; beat (one process only) enqueues them on this schedule.
# Citizen submissions (questions, comments) are counted per client address with
# django-ratelimit; behind a proxy the address is the one portal.security trusts.
RATELIMIT_IP_META_KEY = "portal.security.ratelimit_ip"

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
# Without a broker (local runs, tests) a task sent with .delay() runs at once, in-process.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "3600"))
CELERY_BEAT_SCHEDULE = {
    # Daily at 08:00 China time; send_reminders is idempotent, so a retry sends nothing twice.
    "send-reminders": {
        "task": "portal.tasks.send_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    # Nightly at 02:30, when county sites are quiet; bounded concurrency, at most 2 per host.
    "verify-channels": {
        "task": "portal.tasks.verify_channels",
        "schedule": crontab(hour=2, minute=30),
    },
    # Nightly at 03:15: erase citizens' personal data past the province's retention period.
    "purge-inquiry-personal-data": {
        "task": "inquiries.tasks.purge_inquiry_personal_data",
        "schedule": crontab(hour=3, minute=15),
    },
    # Nightly at 03:20: commenters' names and phones, after the same retention period.
    "forget-participation-personal-data": {
        "task": "portal.tasks.forget_participation_personal_data",
        "schedule": crontab(hour=3, minute=20),
    },
}

# Backups (django-dbbackup): one file per database dump and per media archive; the backup
# and restore commands in portal/management/commands pair them by their time stamp.
DBBACKUP_DATABASES = ["default"]
DBBACKUP_FILENAME_TEMPLATE = "db-{datetime}.{extension}"
DBBACKUP_MEDIA_FILENAME_TEMPLATE = "media-{datetime}.{extension}"
DBBACKUP_CLEANUP_KEEP = int(os.environ.get("DJANGO_BACKUP_KEEP", "30"))
DBBACKUP_SEND_EMAIL = False

# Absolute address of the portal, for links in reminder mails ("https://gongkai.example.gov.cn").
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "")

# Public pages may be cached by a CDN for this long.
PUBLIC_CACHE_SECONDS = int(os.environ.get("PUBLIC_CACHE_SECONDS", "300"))

# Staff pages (portal.middleware: strict CSP, no-store): the admin, the review workspaces and
# the records' evidence screens (evidence photos set their own caching by who may see them).
STAFF_PATH_PREFIXES = (
    "/admin/",
    "/review/",
    "/records/catalogs/",
    "/guides/",
    "/matters/",
    "/policies/",
    "/inquiries/",
    "/participation/",
)

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
