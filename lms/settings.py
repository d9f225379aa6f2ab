"""One settings module; every knob is an environment variable with a development default.

Production refuses to start without a SECRET_KEY rather than run on a known one. Variables
come from the environment, else from a `.env` file beside manage.py (or the file ENV_FILE
names); `.env.example` lists every one of them with a comment, as does the README.
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from lms.env_file import read_env_file

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# The test run never reads a developer's .env: its results must not depend on one.
if "pytest" not in sys.modules:
    read_env_file()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true for local development).")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

# Signing keys (certificates/signing.py): private keys are stored encrypted with this key.
# Losing it makes every stored key unusable, so it is backed up apart from the database.
SIGNING_KEY_ENCRYPTION_KEY = env.str("SIGNING_KEY_ENCRYPTION_KEY", default="")
if not SIGNING_KEY_ENCRYPTION_KEY:
    # The test run (pytest imported) gets the development key like DEBUG does; a production
    # server must not sign with a key anyone can read here.
    if not DEBUG and "pytest" not in sys.modules:
        raise ImproperlyConfigured(
            "Set SIGNING_KEY_ENCRYPTION_KEY (or DEBUG=true for local development)."
        )
    SIGNING_KEY_ENCRYPTION_KEY = "insecure-development-signing-key-do-not-use-in-production"
# A RFC 3161 time-stamping server; when set, every PDF signature carries its timestamp.
SIGNING_TSA_URL = env.str("SIGNING_TSA_URL", default="")
# Files uploaded on the verification page are read in memory up to this size, never stored.
VERIFY_UPLOAD_MAX_BYTES = env.int("VERIFY_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute address printed on PDFs and in emails (QR codes must work off-site).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "lms",  # the demo seeding command, which seeds every app
    "accounts",
    "contacts",
    "courses",
    "certificates",
    "api",  # API, webhooks: a thin interface over every app's services and selectors
    "ninja",  # the API docs page's own static files, instead of a CDN
]

MIDDLEWARE = [
    # First: every log line of the request, this middleware's included, carries its id.
    "lms.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files with hashed names and far-future cache headers, before sessions and auth.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a certificate is being issued; IMMEDIATE takes the write
    # lock at BEGIN, so two issuers queue up instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    # A database that does not answer fails a request (and /healthz) in seconds, not minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
# Persistent connections: a request reuses its process's connection instead of paying for a
# new one (PostgreSQL: a connection and its authentication; SQLite: opening the file and the
# PRAGMAs above): make bench measured ~2.6-2.9x the download rate on PostgreSQL, ~1.4x on
# SQLite. The health check replaces a connection the server closed before it is used.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("uk", _("Ukrainian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Kyiv")
USE_I18N = True
FORMAT_MODULE_PATH = ["lms.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Issued PDFs live outside MEDIA_ROOT and have no URL: only views that check who asks serve them.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
# Where uploads (default) and issued PDFs (private) live: "local" folders on this machine, or
# "s3" for an S3-compatible bucket shared by several machines (README, "Several machines").
STORAGE = env.str("STORAGE", default="local")
if STORAGE not in ("local", "s3"):
    raise ImproperlyConfigured(f'STORAGE must be "local" or "s3", not "{STORAGE}".')
if STORAGE == "s3":
    _s3 = {
        "bucket_name": env.str("S3_BUCKET", default=""),
        "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("S3_REGION", default="") or None,
        "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
        "addressing_style": env.str("S3_ADDRESSING_STYLE", default="") or None,
    }
    if not _s3["bucket_name"]:
        raise ImproperlyConfigured("STORAGE=s3 needs S3_BUCKET.")
    STORAGES = {
        "default": {"BACKEND": "lms.storage.S3MediaStorage", "OPTIONS": _s3},
        "private": {"BACKEND": "lms.storage.S3PrivateStorage", "OPTIONS": _s3},
    }
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {
            "BACKEND": "lms.storage.PrivateStorage",
            "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT)},
        },
    }
# With DEBUG=false static files carry a hash in their names and are served by whitenoise with
# a one-year immutable Cache-Control; `manage.py collectstatic` writes them and the manifest.
# Tests run with DEBUG=false but without collectstatic: there (pytest) a missing manifest
# entry falls back to the plain name (lms.storage.StaticStorage); the collected_static tests
# run against a real collectstatic.
if "pytest" in sys.modules:
    STATICFILES_FINDERS = [
        "django.contrib.staticfiles.finders.FileSystemFinder",
        "django.contrib.staticfiles.finders.AppDirectoriesFinder",
        "lms.storage.CollectedFilesFinder",  # the browser tests' server: hashed names
    ]
STORAGES["staticfiles"] = {
    "BACKEND": (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "lms.storage.StaticStorage"
    )
}

# Certificate rendering limits (README, "Security"). Each render runs in a child of a small
# pool per process, killed when past the time limit; the memory cap is its address space.
CERTIFICATE_MAX_PAGES = env.int("CERTIFICATE_MAX_PAGES", default=2)
CERTIFICATE_RENDER_TIMEOUT = env.float("CERTIFICATE_RENDER_TIMEOUT", default=15.0)
CERTIFICATE_RENDER_MEMORY_MB = env.int("CERTIFICATE_RENDER_MEMORY_MB", default=1024)
CERTIFICATE_RENDER_WORKERS = env.int("CERTIFICATE_RENDER_WORKERS", default=2)
CERTIFICATE_RENDER_TASKS_PER_WORKER = env.int("CERTIFICATE_RENDER_TASKS_PER_WORKER", default=200)

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="certificates@localhost")

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Without a broker, background tasks run in-process so the embedded setup needs nothing else.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    # Eager calls still build a producer; an in-memory transport keeps them from reaching for
    # a default amqp://localhost that may belong to something else on the machine.
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
# One queue name for senders and workers; tests give their worker a queue of its own.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
# Nothing lost when a worker dies: a task is acknowledged after it ran, and a worker process
# killed mid-task hands its message back (prefork). Every task is safe to run twice (claims,
# locks, per-item outcomes). A whole worker killed leaves its message unacknowledged in Redis,
# which delivers it again after the visibility timeout; that must outlast the longest retry
# countdown (retry_backoff_max 600 s) or a waiting retry would be delivered twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
if CELERY_BROKER_URL.startswith("sqla+"):
    # kombu's SQLAlchemy transport (`make demo`) hands its options to create_engine, which
    # refuses unknown ones; its messages are not redelivered by timeout anyway.
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
# A bulk or export job without a heartbeat for this many seconds lost its worker and is
# taken over (certificates/heartbeat.py), by its task delivered again or by beat.
JOB_STALE_AFTER = env.int("JOB_STALE_AFTER", default=180)
# `celery -A lms beat`: accesses whose scheduled start arrives are evaluated for automatic
# issuance. Without a worker, `manage.py evaluate_started_accesses` does it from cron.
# Every minute, jobs that lost their worker are queued again.
CELERY_BEAT_SCHEDULE = {
    "evaluate-started-accesses": {
        "task": "certificates.tasks.evaluate_started_accesses",
        "schedule": 3600.0,
    },
    "bulk-jobs-resume": {
        "task": "certificates.tasks.bulk_jobs_resume",
        "schedule": 60.0,
    },
    # Webhook retries whose queued message was lost (api/webhooks.py).
    "webhook-deliveries-due": {"task": "api.tasks.webhook_deliveries_due", "schedule": 60.0},
    # Expiry reminders (see "Certificate expiry" below); `manage.py send_expiry_reminders`
    # does the same from cron. Each reminder is sent once however often this runs.
    "send-expiry-reminders": {
        "task": "certificates.tasks.send_expiry_reminders",
        "schedule": 24 * 3600.0,
    },
    # API Idempotency-Keys older than a day are never replayed (api/idempotency.py).
    "idempotency-keys-clear": {
        "task": "api.tasks.idempotency_keys_clear",
        "schedule": 24 * 3600.0,
    },
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Threads, not prefork: a render runs in the render pool's own child processes, which a prefork
# pool's (daemonic) child may not start, so every render in a worker would fail there. Any
# `celery -A lms worker` takes this unless told --pool.
CELERY_WORKER_POOL = "threads"
# Tasks at once per worker (default: one per core); the renders themselves run in the render
# pool's children (CERTIFICATE_RENDER_WORKERS).
CELERY_WORKER_CONCURRENCY = env.int("WORKER_CONCURRENCY", default=0) or None
# Beat remembers when each schedule last ran here (run ONE beat for all machines).
CELERY_BEAT_SCHEDULE_FILENAME = str(
    env.path("CELERY_BEAT_SCHEDULE_FILE", default=VAR_DIR / "celerybeat-schedule")
)
# Worker log lines keep the LOGGING below (JSON, request id) instead of Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# Requests per minute per API token (api/http.py); counted in CACHES.
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=300)


# Every line carries the request id (lms/logs.py): of the web request, or of the request that
# queued the Celery task. LOG_FORMAT=json writes one JSON object per line for a log collector.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f'LOG_FORMAT must be "text" or "json", not "{LOG_FORMAT}".')
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "lms.logs.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "lms.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
    },
}

# Error reporting to Sentry (or a Sentry-compatible server): off unless SENTRY_DSN is set.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,  # students' names and emails stay out of error reports
    )

# /healthz: each check (database, cache, broker, storage) gives up after this many seconds.
HEALTH_CHECK_TIMEOUT = env.float("HEALTH_CHECK_TIMEOUT", default=2.0)

# Security ---------------------------------------------------------------------------------
# Everything about HTTPS, headers, login throttling and rate limits lives here; the README's
# "Security" section lists the variables and the production values.

# The client address every limit keys on (lms/client_ip.py): REMOTE_ADDR only, unless this
# many reverse proxies that append to X-Forwarded-For stand in front of the app.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# HTTPS. Behind a proxy that terminates TLS, name the header it sets (X-Forwarded-Proto) so
# Django knows the request was secure; the proxy must overwrite what clients send in it.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# A load balancer polls /healthz over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
_proxy_ssl_header = env.str("SECURE_PROXY_SSL_HEADER", default="")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https") if _proxy_ssl_header else None
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Content Security Policy (django-csp): scripts and stylesheets only from our own static files,
# no inline script anywhere. Inline style *attributes* stay allowed: progress bars draw their
# width from data; they cannot run code.
INSTALLED_APPS += ["csp", "axes"]
MIDDLEWARE += [
    "csp.middleware.CSPMiddleware",
    # Last, as axes asks: it turns a locked-out login's response into the lockout page.
    "axes.middleware.AxesMiddleware",
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],  # Bootstrap's icons and the template preview are data: URLs
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT failures for one account, or from
# one address, logins are refused for LOGIN_COOLOFF_MINUTES, the right password included.
# Retrying during the lockout does not extend it, so the time on the lockout page holds.
AUTHENTICATION_BACKENDS = [
    "accounts.throttling.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "lms.client_ip.client_ip"
AXES_USERNAME_CALLABLE = "accounts.throttling.login_username"
AXES_LOCKOUT_CALLABLE = "accounts.throttling.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # successful logins need no table of their own
AXES_VERBOSE = False  # no banner on every manage.py command; failures are still logged

# Rate limits on Django's cache (lms/ratelimit.py); set CACHE_URL to Redis to share the counts
# between processes. Password reset: per client address and per email address, per window.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=10)
PASSWORD_RESET_LIMIT_PER_EMAIL = env.int("PASSWORD_RESET_LIMIT_PER_EMAIL", default=3)
PASSWORD_RESET_RATE_WINDOW = env.int("PASSWORD_RESET_RATE_WINDOW", default=3600)  # seconds
# The public verify page: lookups per client address per minute; an unknown code costs 5.
VERIFY_RATE_LIMIT_PER_MINUTE = env.int("VERIFY_RATE_LIMIT_PER_MINUTE", default=30)

# Certificate expiry: the student is emailed this many days before a certificate expires,
# once per number (comma-separated, e.g. "30,7"; empty: no reminders). The largest number is
# also the window in which staff see "expires soon" and a Renew button.
_reminder_days = env.list("CERTIFICATE_EXPIRY_REMINDER_DAYS", default=["30", "7"])
CERTIFICATE_EXPIRY_REMINDER_DAYS = sorted(
    {int(days) for days in _reminder_days if days.strip() and int(days) > 0}, reverse=True
)
