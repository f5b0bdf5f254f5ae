"""Laminar settings: one file, driven by environment variables.

DJANGO_ENV selects the defaults: "production" (the default), "development" or "test"
(the default while pytest runs).
Outside development and test there is no default SECRET_KEY and DEBUG is off.
"""

import json
import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Under pytest the test defaults apply unless DJANGO_ENV says otherwise.
ENVIRONMENT = os.environ.get("DJANGO_ENV") or ("test" if "pytest" in sys.modules else "production")
if ENVIRONMENT not in {"production", "development", "test"}:
    raise ImproperlyConfigured("DJANGO_ENV must be production, development or test.")
LOCAL = ENVIRONMENT in {"development", "test"}

DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not LOCAL:
        raise ImproperlyConfigured("SECRET_KEY must be set outside development and tests.")
    SECRET_KEY = "local-only-insecure-key-for-development-and-tests-" + "x" * 20

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if LOCAL else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "tracker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tracker.auth.middleware.StaffSessionLimitsMiddleware",
    "tracker.auth.middleware.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tracker.auth.middleware.PatientPagesNotCachedMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tracker.views.navigation.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at the start of a transaction, so two
    # concurrent check-ins queue instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DB_POOL", default=ENVIRONMENT == "production"
):
    # psycopg's connection pool (psycopg-pool), one per process: a request or a task borrows
    # an open connection instead of opening one. Size it to the threads of one process (a
    # gunicorn sync worker or a task worker uses one). Persistent connections and a pool
    # exclude each other, so CONN_MAX_AGE is 0 with it.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DB_POOL_MIN_SIZE", "1")),
        "max_size": int(os.environ.get("DB_POOL_MAX_SIZE", "4")),
        "timeout": int(os.environ.get("DB_POOL_TIMEOUT", "10")),
    }

AUTH_USER_MODEL = "tracker.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# django-axes first: it refuses a locked-out sign-in before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Lockout after repeated failed sign-ins, per (account, address) pair: a stranger guessing
# from elsewhere locks only their own address out of that account, never the patient. The
# account as a whole pauses after ACCOUNT_FAILURE_LIMIT failures from anywhere, so rotating
# addresses buys no more guesses (tracker.auth.sign_in).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
ACCOUNT_FAILURE_LIMIT = int(os.environ.get("ACCOUNT_FAILURE_LIMIT", "10"))
AXES_HANDLER = "tracker.auth.sign_in.AccountAndAddressHandler"
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tracker.auth.sign_in.locked_out"
AXES_CLIENT_IP_CALLABLE = "tracker.auth.access.client_address"
AXES_VERBOSE = ENVIRONMENT != "test"
AXES_USERNAME_CALLABLE = "tracker.auth.sign_in.attempted_username"

# Staff pass a second factor (TOTP) before any patient data (tracker.auth.middleware).
OTP_TOTP_ISSUER = "Laminar"
# Staff sessions end after 15 minutes idle and 12 hours in all; patients' last 30 days.
STAFF_SESSION_IDLE_SECONDS = 15 * 60
STAFF_SESSION_MAX_SECONDS = 12 * 60 * 60

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if ENVIRONMENT == "test":
    # Argon2 is deliberately slow; tests create hundreds of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not LOCAL
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# In development and tests WhiteNoise serves straight from static/ (no collectstatic).
WHITENOISE_USE_FINDERS = LOCAL
WHITENOISE_AUTOREFRESH = LOCAL

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sessions and the rate-limit counters (tracker.auth.rate_limits), which every worker and
# machine must share. With REDIS_URL set (outside tests; REDIS_CACHE=0 opts out) both live in
# Redis: a signed-in request reads its session with no database round trip ("cached_db"
# sessions, written through to the database, so losing Redis signs nobody out). If Redis
# stops answering, sessions are read from the database and the error is logged; counting
# pauses until it is back. Without Redis: the database cache (migration 0006's table) and
# database sessions.
_REDIS_CACHE_URL = (
    os.environ.get("REDIS_URL", "") if env_bool("REDIS_CACHE", ENVIRONMENT != "test") else ""
)
if _REDIS_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": _REDIS_CACHE_URL,
            "KEY_PREFIX": "laminar",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "laminar_cache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

_MAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    {
        "development": "django.core.mail.backends.console.EmailBackend",
        "test": "django.core.mail.backends.locmem.EmailBackend",
    }.get(ENVIRONMENT, "django.core.mail.backends.smtp.EmailBackend"),
)
MAILERS = {"default": {"BACKEND": _MAIL_BACKEND}}
if _MAIL_BACKEND.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS"),
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Laminar <noreply@localhost>")

# The task queue. By default the database (django-tasks-db; worker `manage.py db_worker`).
# TASKS_BACKEND=rq puts it on Redis at REDIS_URL through RQ (django-tasks-rq; workers
# `manage.py rqworker --job-class django_tasks_rq.Job default`, on any number of machines).
# A dotted path names any other backend; tests run tasks at once unless told otherwise.
TASK_BACKENDS = {
    "db": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
_TASKS_BACKEND = os.environ.get("TASKS_BACKEND") or ("immediate" if ENVIRONMENT == "test" else "db")
TASKS = {"default": {"BACKEND": TASK_BACKENDS.get(_TASKS_BACKEND, _TASKS_BACKEND)}}
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# django-rq reads its queues from here; a job may run for 10 minutes (a nightly batch takes
# seconds). Defined whatever the backend, so /healthz/ready and tests can reach them.
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
if TASKS["default"]["BACKEND"] == TASK_BACKENDS["rq"]:
    if not os.environ.get("REDIS_URL") and not LOCAL:
        raise ImproperlyConfigured("TASKS_BACKEND=rq needs REDIS_URL.")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
# The nightly work (evaluate_flags, send_reminders, the digest) is queued as one task per
# batch of this many patients (or staff, for the digest); a batch that fails is tried again
# up to NIGHTLY_BATCH_ATTEMPTS times in all, then reported on its run.
NIGHTLY_BATCH_SIZE = int(os.environ.get("NIGHTLY_BATCH_SIZE", "200"))
NIGHTLY_BATCH_ATTEMPTS = int(os.environ.get("NIGHTLY_BATCH_ATTEMPTS", "3"))
# A batch that has made no progress for this long is taken as lost (its worker died) and
# queued again by `evaluate_flags --resume`.
NIGHTLY_BATCH_STALE_MINUTES = int(os.environ.get("NIGHTLY_BATCH_STALE_MINUTES", "15"))

# Security headers. Scripts only from our own origin with a per-request nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # plotly.js sets inline styles on the elements it draws.
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
if not LOCAL:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Patients stay signed in on their own phone for up to 30 days.
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Laminar's own settings.
INVITATION_VALID_DAYS = int(os.environ.get("INVITATION_VALID_DAYS", "7"))
# clinical-reference §1.1: earlier days stay editable for 7 days [D].
CHECKIN_EDIT_WINDOW_DAYS = int(os.environ.get("CHECKIN_EDIT_WINDOW_DAYS", "7"))
# How many reverse proxies of ours stand in front of the app, each appending to
# X-Forwarded-For: the client's address is that many entries from the right (what the
# client wrote further left is ignored). 0: REMOTE_ADDR. The older TRUST_X_FORWARDED_FOR=1
# means one proxy.
TRUSTED_PROXY_COUNT = int(
    os.environ.get("TRUSTED_PROXY_COUNT", "1" if env_bool("TRUST_X_FORWARDED_FOR") else "0")
)
# A licensed clinic's own questionnaire definitions (e.g. ODI), next to the shipped ones.
QUESTIONNAIRE_EXTRA_DIR = os.environ.get("QUESTIONNAIRE_EXTRA_DIR", "")
# Web Push for daily reminders (VAPID). Without a key pair, reminders go by e-mail only.
# The public key is the base64url uncompressed P-256 point; the private key its base64url
# or PEM form (`vapid --gen` from py-vapid makes a pair). The subject is mailto: or https:.
WEBPUSH_VAPID_PUBLIC_KEY = os.environ.get("WEBPUSH_VAPID_PUBLIC_KEY", "")
WEBPUSH_VAPID_PRIVATE_KEY = os.environ.get("WEBPUSH_VAPID_PRIVATE_KEY", "")
WEBPUSH_VAPID_SUBJECT = os.environ.get("WEBPUSH_VAPID_SUBJECT", "mailto:noreply@localhost")
# Rate limits per scope (tracker.auth.rate_limits.LIMITS), changed from the environment as
# JSON, e.g. RATE_LIMITS='{"checkin": {"per_user": 10}}'; what is not named keeps its default.
RATE_LIMITS = json.loads(os.environ.get("RATE_LIMITS") or "{}")
# /healthz/ready answers 503 when the last complete nightly evaluate_flags is older than this.
EVALUATION_MAX_AGE_HOURS = int(os.environ.get("EVALUATION_MAX_AGE_HOURS", "26"))
# `make bench` only: routes /bench/baseline, the constant response it compares pages with.
BENCH_ENDPOINTS = env_bool("BENCH_ENDPOINTS")

# --- Messaging (tracker.messaging) ---------------------------------------------------------
# Finished rows of the task queue are deleted after this many days (`manage.py
# purge_task_results`, daily). They hold only ids, but need not be kept for ever.
TASK_RESULT_RETENTION_DAYS = int(os.environ.get("TASK_RESULT_RETENTION_DAYS", "14"))
# The push services a browser's Web Push endpoint may point at ("*.x" covers names under x).
# The reminder worker calls these addresses, so anything else is refused.
WEB_PUSH_ALLOWED_HOSTS = env_list(
    "WEB_PUSH_ALLOWED_HOSTS",
    "fcm.googleapis.com,updates.push.services.mozilla.com,*.notify.windows.com,"
    "web.push.apple.com,*.push.apple.com",
)
