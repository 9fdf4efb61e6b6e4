"""Django settings for Fortresa, read once from the environment through ``core.env.Env``.

Profiles (``FORTRESA_PROFILE``):
- ``embedded`` (default): SQLite and generated secrets under ``var/``, local CA, demo.
- ``test``: the suite; PostgreSQL from ``DATABASE_URL`` (local server by default).
- ``production``: every secret must be given; refuses placeholders.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext

from fortresa.core.env import PROFILES, Env

# Lets generic classes such as ModelForm[User] be subscripted at run time.
django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parent
_bootstrap = Env()
PROFILE = _bootstrap.choice("FORTRESA_PROFILE", PROFILES, "embedded")
VAR_DIR = Path(_bootstrap.text("FORTRESA_VAR_DIR", str(Path.cwd() / "var"))).resolve()
env = Env(
    secrets_dir=None if PROFILE == "production" else VAR_DIR / "secrets",
    generate_secrets=PROFILE != "production",
)

SECRET_KEY = env.secret("FORTRESA_SECRET_KEY")
DEBUG = PROFILE != "production" and env.flag("FORTRESA_DEBUG", False)
ALLOWED_HOSTS = env.items("FORTRESA_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
if PROFILE == "test":
    ALLOWED_HOSTS += ["testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "fortresa.core",
    "fortresa.accounts",
    "fortresa.clubs",
    "fortresa.bookings",
    "fortresa.payments",
    "fortresa.hardening",
    "fortresa.supplychain",
    "fortresa.dbaccess",
    "fortresa.detection",
    "fortresa.status",
    "fortresa.backups",
    "fortresa.notifications",
    "fortresa.privacy",
    "fortresa.trust",
]

MIDDLEWARE = [
    # First, so even SecurityMiddleware's HTTPS redirect carries the security headers.
    # It also does the work of Django's SecurityMiddleware and XFrameOptionsMiddleware (HSTS,
    # nosniff, Referrer-Policy, COOP, X-Frame-Options, the HTTPS redirect), from the same
    # settings; see SILENCED_SYSTEM_CHECKS.
    "fortresa.hardening.middleware.SecurityHeadersMiddleware",
    # After the header middleware, so static files carry the same security headers.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fortresa.accounts.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # dbaccess: on PostgreSQL each request is one transaction, begun at its first use of
    # the database, scoped to its user and club (row-level security); operators on /ops/
    # run as the worker role. SQLite: no-op.
    "fortresa.dbaccess.tenancy.TenantContextMiddleware",
    # detection: classifies request values, wraps the view's SQL, counts denials; 403 in
    # block mode. Before the staff gate so the denials it answers are counted too.
    "fortresa.detection.sensors.http.DetectionMiddleware",
    # hardening: a NUL in the path, query or a form field is refused (400) once detection
    # has seen it; PostgreSQL cannot store one and no person types it.
    "fortresa.hardening.nul_bytes.RejectNulBytesMiddleware",
    # accounts: session timeouts and rotation, two-factor gate on staff pages.
    "fortresa.accounts.middleware.SessionLifetimeMiddleware",
    "fortresa.accounts.middleware.StaffGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "fortresa.urls"
WSGI_APPLICATION = "fortresa.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "fortresa.hardening.context_processors.csp_nonce",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------
_default_db_url = {
    "embedded": f"sqlite:///{VAR_DIR / 'fortresa.sqlite3'}",
    "test": "postgresql://postgres@127.0.0.1:5432/fortresa",
    "production": "",
}[PROFILE]
DATABASE_URL = env.text("DATABASE_URL", _default_db_url)
if not DATABASE_URL:
    DATABASE_URL = env.text("DATABASE_URL")  # raises: production must say where its data is
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE transactions serialise writers instead of failing with "database is
        # locked" on upgrade; WAL lets readers run beside the single writer.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Database access (dbaccess): owner alias for migrations, client TLS, server policy ---
from fortresa.dbaccess.config import configure_database_access  # noqa: E402

FORTRESA_DB_ACCESS = configure_database_access(DATABASES, env=env, profile=PROFILE)

# --- Cache, sessions, tasks --------------------------------------------------------
REDIS_URL = env.text("REDIS_URL", "")
CACHES: dict[str, dict[str, object]]
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # Shared by every process on this host; production with several hosts sets REDIS_URL.
    # It holds the e-mail rate-limit counts: once at MAX_ENTRIES (300 by default) Django
    # deletes a third of its files at random, and a count deleted mid-window would start
    # again at 1. This bound only caps the disk it may use (about 200 MB of 4 kB blocks).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }
SESSION_ENGINE = "django.contrib.sessions.backends.db"

CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {}
    if REDIS_URL
    else {
        "data_folder_in": str(VAR_DIR / "queue"),
        "data_folder_out": str(VAR_DIR / "queue"),
        "processed_folder": str(VAR_DIR / "queue-done"),
        # Broadcast (pidbox) messages; kombu's default is a "control" folder in the cwd.
        "control_folder": str(VAR_DIR / "queue-control"),
        "store_processed": False,
    }
)
CELERY_TASK_ALWAYS_EAGER = PROFILE == "test" and env.flag("FORTRESA_TASKS_EAGER", True)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Backups (fortresa.backups): full/diff/incr, verify, drill, expire and monitor entries.
from fortresa.backups.schedule import beat_schedule as _backup_beat_schedule  # noqa: E402

CELERY_BEAT_SCHEDULE = _backup_beat_schedule(env, database_engine=DATABASES["default"]["ENGINE"])
# status: health probes and worker heartbeat every 30-60 s.
from fortresa.status.schedule import beat_schedule as _status_beat_schedule  # noqa: E402

CELERY_BEAT_SCHEDULE.update(_status_beat_schedule(env))
# dbaccess: the daily audit of the live database server against the access policy.
from fortresa.dbaccess.schedule import beat_schedule as _dbaccess_beat_schedule  # noqa: E402

CELERY_BEAT_SCHEDULE.update(
    _dbaccess_beat_schedule(env, database_engine=DATABASES["default"]["ENGINE"])
)

# --- Scaling out (core.beat, bookings.opening) ------------------------------------
# Every `fortresa worker` embeds beat; only the holder of the scheduler lock (in Redis,
# else a file lock under VAR_DIR) sends jobs, so N workers still run each job once.
CELERY_BEAT_SCHEDULER = "fortresa.core.beat:SingletonScheduler"
# Tasks outside an app's tasks module: the fair-opening draws, made when their window
# closes (queued then) and, as a safety net, by this schedule entry.
CELERY_IMPORTS = ("fortresa.bookings.opening",)
CELERY_BEAT_SCHEDULE["bookings-opening-draws"] = {
    "task": "fortresa.bookings.opening.make_due_draws",
    "schedule": 30.0,
}
# bookings: the schedule changes counted by triggers are folded into per-club totals, so
# reading a club's schedule version stays one short lookup (bookings migration 0005).
CELERY_BEAT_SCHEDULE["bookings-fold-schedule-changes"] = {
    "task": "fortresa.bookings.tasks.fold_schedule_changes",
    "schedule": 10 * 60.0,
}
# accounts: database lockout counters older than their window are cleared once a day
# (Redis expires its own).
CELERY_BEAT_SCHEDULE["accounts-purge-login-throttle"] = {
    "task": "fortresa.accounts.tasks.purge_login_throttle",
    "schedule": 24 * 60 * 60.0,
}

# --- Accounts ----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_HASHERS = [
    "fortresa.accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if PROFILE == "test" and env.flag("FORTRESA_FAST_HASHER", True):
    # Hashing cost is measured in bench/, not paid by hundreds of tests.
    PASSWORD_HASHERS.insert(0, "django.contrib.auth.hashers.MD5PasswordHasher")
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "fortresa.accounts.passwords.BreachedPasswordValidator"},
]

# --- Languages and time ------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("nl", "Nederlands"),
    ("sv", "Svenska"),
    ("zh-hans", "简体中文"),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static files ------------------------------------------------------------------
STATIC_URL = "/static/"
# Project-wide assets live beside the templates, outside any one app.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# The test profile serves static files straight from the package (no collectstatic).
STATIC_ROOT = None if PROFILE == "test" else VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed names let static files be cached for a year; the test profile serves
        # them straight from the package without a collectstatic step.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if PROFILE == "test"
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
WHITENOISE_USE_FINDERS = PROFILE == "test"

# --- Email -------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.text("FORTRESA_FROM_EMAIL", "Fortresa <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env.text("FORTRESA_SMTP_HOST", "")
EMAIL_PORT = env.integer("FORTRESA_SMTP_PORT", 25, minimum=1)
EMAIL_HOST_USER = env.text("FORTRESA_SMTP_USER", "")
EMAIL_HOST_PASSWORD = env.secret("FORTRESA_SMTP_PASSWORD") if EMAIL_HOST_USER else ""
EMAIL_USE_TLS = env.flag("FORTRESA_SMTP_STARTTLS", False)
EMAIL_TIMEOUT = 10
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif PROFILE == "test":
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
else:
    # The embedded default keeps mail on disk so a newcomer can read what was sent.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
# Email pipeline (notifications): DKIM keys and selectors, SPF/DMARC, unsubscribe, limits.
from fortresa.notifications.config import beat_schedule as _email_beat_schedule  # noqa: E402
from fortresa.notifications.config import email_config_from_env  # noqa: E402

FORTRESA_EMAIL = email_config_from_env(
    env, var_dir=VAR_DIR, from_email=DEFAULT_FROM_EMAIL, profile=PROFILE
)
CELERY_BEAT_SCHEDULE.update(_email_beat_schedule())

# --- Transport and browser hardening ------------------------------------------------
SECURE_HSTS_SECONDS = env.integer("FORTRESA_HSTS_SECONDS", 63072000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# SecurityHeadersMiddleware does the work of Django's SecurityMiddleware (W001) and
# XFrameOptionsMiddleware (W002), whose absence Django's deployment checks report.
# Fortresa's own checks cover what Django's would: the middleware is first (W012), HSTS
# (W001, W002), the header settings (W007) and the HTTPS redirect (W013).
SILENCED_SYSTEM_CHECKS = ["security.W001", "security.W002"]
SESSION_COOKIE_NAME = "__Host-sessionid"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_NAME = "__Host-csrftoken"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_NAME = "__Host-language"
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
HTTPS_PORT = env.integer("FORTRESA_HTTPS_PORT", 8443, minimum=1)
HTTP_PORT = env.integer("FORTRESA_HTTP_PORT", 8080, minimum=1)
BIND_ADDRESS = env.text("FORTRESA_BIND", "127.0.0.1")
CSRF_TRUSTED_ORIGINS = env.items(
    "FORTRESA_CSRF_TRUSTED_ORIGINS",
    [f"https://localhost:{HTTPS_PORT}", f"https://127.0.0.1:{HTTPS_PORT}"],
)
TLS_CERT = env.text("FORTRESA_TLS_CERT", str(VAR_DIR / "tls" / "server.pem"))
TLS_KEY = env.text("FORTRESA_TLS_KEY", str(VAR_DIR / "tls" / "server-key.pem"))
WEB_WORKERS = env.integer("FORTRESA_WEB_WORKERS", 2, minimum=1)

# --- Detection (detection): mode, alert channels, database log rules ---------------
FORTRESA_DETECTION_MODE = env.choice("FORTRESA_DETECTION_MODE", ("monitor", "block"), "monitor")
FORTRESA_SECURITY_EMAILS = env.items("FORTRESA_SECURITY_EMAILS", [])
FORTRESA_ALERT_WEBHOOK_URL = env.text("FORTRESA_ALERT_WEBHOOK_URL", "")
FORTRESA_ALERT_WEBHOOK_SECRET = (
    env.secret("FORTRESA_ALERT_WEBHOOK_SECRET") if FORTRESA_ALERT_WEBHOOK_URL else ""
)
FORTRESA_ALERT_DEDUP_SECONDS = env.integer("FORTRESA_ALERT_DEDUP_SECONDS", 3600, minimum=1)
FORTRESA_DB_ALLOWED_CIDRS = env.items("FORTRESA_DB_ALLOWED_CIDRS", ["127.0.0.1/32", "::1/128"])
# The roles the application itself connects as: the access policy's app and worker roles.
FORTRESA_DB_APP_ROLES = env.items(
    "FORTRESA_DB_APP_ROLES",
    [FORTRESA_DB_ACCESS.role_names["app"], FORTRESA_DB_ACCESS.role_names["worker"]],
)
FORTRESA_DB_APP_HOSTS = env.items("FORTRESA_DB_APP_HOSTS", ["127.0.0.1", "::1"])
FORTRESA_PG_JSONLOG = env.text("FORTRESA_PG_JSONLOG", "")
FORTRESA_BREACH_RECORD_OPENER = env.text("FORTRESA_BREACH_RECORD_OPENER", "")

# --- Hardening (hardening): TLS policy, CSP, security.txt, reverse proxies ----------
# "intermediate" = TLS 1.2 and 1.3 (Mozilla intermediate); "modern" = TLS 1.3 only.
FORTRESA_TLS_POLICY = env.choice("FORTRESA_TLS_POLICY", ("intermediate", "modern"), "intermediate")
# Extra origins forms may post to (payment gateways' hosted pages), e.g. https://pay.example.
FORTRESA_CSP_FORM_ACTION = env.items("FORTRESA_CSP_FORM_ACTION", [])
FORTRESA_CSP_REPORTS_PER_MINUTE = env.integer("FORTRESA_CSP_REPORTS_PER_MINUTE", 30, minimum=1)
FORTRESA_SECURITY_CONTACT = env.items("FORTRESA_SECURITY_CONTACT", [])
FORTRESA_SECURITY_POLICY_URL = env.text("FORTRESA_SECURITY_POLICY_URL", "")
FORTRESA_SECURITY_TXT_DAYS = env.integer("FORTRESA_SECURITY_TXT_DAYS", 180, minimum=1)
# X-Forwarded-Proto is believed only when a reverse proxy is configured in front (it
# overwrites the header); without one, anyone could claim the request came over HTTPS.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env.integer("FORTRESA_TRUSTED_PROXY_COUNT", 0, minimum=0)
    else None
)
# Every listener in front of Django speaks TLS; the redirect is a second lock (the test
# client speaks plain HTTP).
SECURE_SSL_REDIRECT = PROFILE != "test"

# --- Payments (payments): credentials key, booking holds, local gateway simulators ---
# Seals each club's gateway credentials (AES-256-GCM, key derived with HKDF).
FORTRESA_PAYMENT_KEY = env.secret("FORTRESA_PAYMENT_KEY")
FORTRESA_PAYMENT_HOLD_MINUTES = env.integer("FORTRESA_PAYMENT_HOLD_MINUTES", 10, minimum=1)
# /simulator/ serves local PayPal, Paybox and Stripe stand-ins; never in production.
FORTRESA_PAYMENT_SIMULATORS = PROFILE != "production" and env.flag(
    "FORTRESA_PAYMENT_SIMULATORS", True
)
from fortresa.payments.schedule import beat_schedule as _payments_beat_schedule  # noqa: E402

CELERY_BEAT_SCHEDULE.update(_payments_beat_schedule())

# --- Privacy (privacy): breach register, supervisory authority, erasure, retention ---
FORTRESA_CONTROLLER_NAME = env.text("FORTRESA_CONTROLLER_NAME", "Fortresa")
FORTRESA_CONTROLLER_CONTACT = env.text("FORTRESA_CONTROLLER_CONTACT", "")
FORTRESA_DPO_CONTACT = env.text("FORTRESA_DPO_CONTACT", "")
# The supervisory authority breaches are notified to; empty means the CNIL.
FORTRESA_AUTHORITY_NAME = env.text("FORTRESA_AUTHORITY_NAME", "")
FORTRESA_AUTHORITY_ADDRESS = env.text("FORTRESA_AUTHORITY_ADDRESS", "")
FORTRESA_AUTHORITY_WEB_FORM = env.text("FORTRESA_AUTHORITY_WEB_FORM", "")
FORTRESA_ERASURE_GRACE_DAYS = env.integer("FORTRESA_ERASURE_GRACE_DAYS", 14, minimum=0)
from fortresa.privacy.conf import DEFAULT_RETENTION_DAYS as _retention_defaults  # noqa: E402

# Days each category is kept, 0 = never purged; backups follow the backup engine.
_days = _retention_defaults
FORTRESA_RETENTION_DAYS = {
    "inactive_accounts": env.integer(
        "FORTRESA_RETENTION_INACTIVE_ACCOUNTS_DAYS", _days["inactive_accounts"], minimum=0
    ),
    "booking_history": env.integer(
        "FORTRESA_RETENTION_BOOKING_HISTORY_DAYS", _days["booking_history"], minimum=0
    ),
    "payment_records": env.integer(
        "FORTRESA_RETENTION_PAYMENT_RECORDS_DAYS", _days["payment_records"], minimum=0
    ),
    "logs": env.integer("FORTRESA_RETENTION_LOGS_DAYS", _days["logs"], minimum=0),
    "audit_events": env.integer(
        "FORTRESA_RETENTION_AUDIT_EVENTS_DAYS", _days["audit_events"], minimum=0
    ),
    "alerts": env.integer("FORTRESA_RETENTION_ALERTS_DAYS", _days["alerts"], minimum=0),
    "backups": env.integer("FORTRESA_BACKUP_RETENTION_DAYS", _days["backups"], minimum=1),
}
if not FORTRESA_BREACH_RECORD_OPENER:
    FORTRESA_BREACH_RECORD_OPENER = "fortresa.privacy.breaches.open_breach_from_alert"
from fortresa.privacy.schedule import beat_schedule as _privacy_beat_schedule  # noqa: E402

CELERY_BEAT_SCHEDULE.update(_privacy_beat_schedule())

# --- Security page (trust): /security/ and the signed /security.json ---------------
# Ed25519 key (derived from this secret) that signs /security.json; production must set it.
FORTRESA_TRUST_SIGNING_KEY = env.secret("FORTRESA_TRUST_SIGNING_KEY")
from fortresa.trust.schedule import beat_schedule as _trust_beat_schedule  # noqa: E402

CELERY_BEAT_SCHEDULE.update(_trust_beat_schedule())

# --- Fortresa ----------------------------------------------------------------------
FORTRESA_SITE_URL = env.text("FORTRESA_SITE_URL", f"https://localhost:{HTTPS_PORT}")
FORTRESA_DEMO_PASSWORD = os.environ.get("FORTRESA_DEMO_PASSWORD", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.text("FORTRESA_LOG_LEVEL", "INFO")},
    "loggers": {"django.security.DisallowedHost": {"level": "ERROR"}},
}
