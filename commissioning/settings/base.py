"""Settings shared by every environment. Everything that differs comes from environment variables."""

import base64
import hashlib
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

from .env import celery_settings, env_bool, env_int, env_list, env_str, env_time

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

PORTAL_NAME = env_str("PORTAL_NAME", "Victim Services Commissioning Portal")
PORTAL_PHASE = env_str("PORTAL_PHASE", "Beta")
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
SUPPORT_EMAIL = env_str("SUPPORT_EMAIL", "commissioning@opcc.example")

INSTALLED_APPS = [
    "commissioning.admin_site.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    "import_export",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "commissioning",
    "suppliers",
    "frameworks",
    "contracts",
    "monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "commissioning.request_context.ClientAddressMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "contracts.award.middleware.SealedReadingMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "commissioning.middleware.IdleTimeoutMiddleware",
    "commissioning.middleware.TwoFactorMiddleware",
    "commissioning.middleware.PrivateCacheMiddleware",
    "commissioning.middleware.ReadOnlyPartnerMiddleware",
]

ROOT_URLCONF = "commissioning.urls"
WSGI_APPLICATION = "commissioning.wsgi.application"

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
                "csp.context_processors.nonce",
                "commissioning.context_processors.portal",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", "")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    if DATABASE_URL
    else {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # PostgreSQL compiles a query it estimates as expensive (JIT) before running it: 20 ms or more spent
    # compiling a page's query that then runs in 15. A web request's queries are short; compile none.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # Parameters bound by the server, so psycopg prepares a query run DATABASE_PREPARE_THRESHOLD times on a
    # connection (kept for CONN_MAX_AGE): PostgreSQL then plans it once instead of on every request, where
    # planning a list's joins took longer than running them. 0 turns prepared statements off (behind a
    # pooler in transaction mode that cannot keep them, such as PgBouncer before 1.21).
    PREPARE_THRESHOLD = env_int("DATABASE_PREPARE_THRESHOLD", 5)
    if PREPARE_THRESHOLD > 0:
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=PREPARE_THRESHOLD)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "commissioning.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "commissioning.backends.PortalBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

# Two-factor authentication (TOTP): required for officers, evaluators, administrators and partners, and
# for a supplier's users when the supplier turns it on. SKIP_TWO_FACTOR is for development only:
# production settings refuse to start with it.
SKIP_TWO_FACTOR = env_bool("SKIP_TWO_FACTOR", False)
OTP_TOTP_ISSUER = PORTAL_NAME
TWO_FACTOR_LINK_VALID_HOURS = env_int("TWO_FACTOR_LINK_VALID_HOURS", 72)

# Sign-in lock-out, per e-mail address (trimmed, lower case) and client address together: after
# SIGN_IN_FAILURE_LIMIT failures the pair is locked for SIGN_IN_LOCK_MINUTES, each further lock in a row
# twice as long (at most SIGN_IN_LOCK_MAX_MINUTES); a day without failures forgets earlier locks.
SIGN_IN_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", 10)
SIGN_IN_LOCK_MINUTES = env_int("SIGN_IN_LOCK_MINUTES", 15)
SIGN_IN_LOCK_MAX_MINUTES = env_int("SIGN_IN_LOCK_MAX_MINUTES", 24 * 60)
SIGN_IN_FORGET_AFTER_HOURS = 24
# Trusted reverse proxies in front of the portal: the client's address is this many entries from the
# right of X-Forwarded-For (0: the connecting address). It is recorded on every audit event.
PROXY_COUNT = env_int("PROXY_COUNT", 0)

# Sealed tenders: each competition's answers, prices and files are encrypted with its own data key,
# wrapped by a key-encryption key from here: "key-id:urlsafe-base64 of 32 bytes", comma-separated, the
# first wrapping new data keys and the others kept to unwrap older ones (rotation). Development and
# test settings derive one from SECRET_KEY when unset; production settings refuse to start without it.
TENDER_SEALING_KEY = env_str("TENDER_SEALING_KEY", "")
if not TENDER_SEALING_KEY:
    TENDER_SEALING_KEY = (
        "dev:" + base64.urlsafe_b64encode(hashlib.sha256(f"tender-sealing:{SECRET_KEY}".encode()).digest()).decode()
    )

# Separation of duties. An account created or given its role in the last ESTABLISHED_AFTER_DAYS days,
# without a second administrator's approval, cannot be the second person of a two-person step.
ESTABLISHED_AFTER_DAYS = env_int("ESTABLISHED_AFTER_DAYS", 7)
# Bringing a competition's closing time forward takes two officers and is refused with fewer than this
# many working days (Monday to Friday, not UK bank holidays) left before the new closing time.
CLOSING_TIME_SHORTENING_NOTICE_WORKING_DAYS = env_int("CLOSING_TIME_SHORTENING_NOTICE_WORKING_DAYS", 5)
# Invitations to act for a supplier.
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7)
INVITATIONS_PER_SUPPLIER_PER_DAY = env_int("INVITATIONS_PER_SUPPLIER_PER_DAY", 20)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DEADLINE_DEFAULT_TIME = env_time("DEADLINE_DEFAULT_TIME", "17:00")

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [("dist", BASE_DIR / "static" / "dist"), ("img", BASE_DIR / "static" / "img")]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    # Uploaded files are private: they are never served by URL, only through views that check access.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "commissioning.uploads.handlers.MemoryFileUploadHandler",
    "commissioning.uploads.handlers.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Commissioning Portal <no-reply@opcc.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers that apply everywhere; production.py adds HTTPS-only settings.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 8)  # the absolute limit, from the sign-in
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_MINUTES", 30) * 60
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Celery: a Redis broker when CELERY_BROKER_URL is set, otherwise tasks run eagerly in-process.
CELERY_BROKER_URL_SETTING = env_str("CELERY_BROKER_URL", "")
globals().update(celery_settings(CELERY_BROKER_URL_SETTING))
CELERY_TIMEZONE = TIME_ZONE
REMINDER_SWEEP_TIME = env_time("REMINDER_SWEEP_TIME", "06:30")
AUDIT_CHECK_TIME = env_time("AUDIT_CHECK_TIME", "02:15")
# The schedule lives in settings (not django-celery-beat): it is part of the code, reviewed and
# versioned with it, and needs no extra tables. Times are Europe/London.
CELERY_BEAT_SCHEDULE = {
    "seal-audit-events": {"task": "commissioning.seal_audit_events", "schedule": 300.0},
    "forget-old-sign-in-failures": {"task": "commissioning.forget_old_sign_in_failures", "schedule": 3600.0},
    "verify-audit-chain": {
        "task": "commissioning.verify_audit_chain",
        "schedule": crontab(hour=AUDIT_CHECK_TIME.hour, minute=AUDIT_CHECK_TIME.minute),
    },
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("CACHE_URL"),
    }
    if env_str("CACHE_URL")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Commissioning rules that are settings, not constants in code.
SOCIAL_VALUE_THRESHOLD = Decimal(env_str("SOCIAL_VALUE_THRESHOLD", "100000.00"))  # excluding VAT
SOCIAL_VALUE_MIN_WEIGHT = env_int("SOCIAL_VALUE_MIN_WEIGHT", 10)
STANDSTILL_WORKING_DAYS = env_int("STANDSTILL_WORKING_DAYS", 8)
# One-off bank holidays (ISO dates, comma-separated) on top of the UK calendar (England, Wales, Scotland and
# Northern Ireland) that the `holidays` package keeps.
EXTRA_BANK_HOLIDAYS = [date.fromisoformat(day) for day in env_list("EXTRA_BANK_HOLIDAYS")]

# Procurement Act notices and open contracting data (issue 19).
# Thresholds include VAT; the portal records money excluding it, so VAT is added at this rate to compare.
PROCUREMENT_VAT_RATE = Decimal(env_str("PROCUREMENT_VAT_RATE", "0.20"))
# Records with no framework to say otherwise (a direct award that is not a call-off, a contract entered by
# hand) are light-touch services: victim support is in the Act's light-touch list (CPV 85...).
NOTICES_DEFAULT_LIGHT_TOUCH = env_bool("NOTICES_DEFAULT_LIGHT_TOUCH", True)
# The prefix of every open contracting ID (ocid) the portal mints, one per procedure: register one with the
# Open Contracting Partnership ("ocds-" and six characters).
OCDS_OCID_PREFIX = env_str("OCDS_OCID_PREFIX", "ocds-xxxxxx")
OCDS_PUBLISHER_NAME = env_str("OCDS_PUBLISHER_NAME", "West Midlands Office of the Police and Crime Commissioner")
OCDS_DEFAULT_CPV = env_str("OCDS_DEFAULT_CPV", "85320000")
OCDS_PAGE_SIZE = env_int("OCDS_PAGE_SIZE", 100)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {},
}
CSRF_FAILURE_VIEW = "commissioning.views.auth.csrf_failure"

# E-mail (every e-mail is a Notification row sent by the commissioning.send_email task) and generated
# documents. A send that fails is retried EMAIL_MAX_ATTEMPTS times in all, the first retry after
# EMAIL_RETRY_DELAY_SECONDS, doubling each time. A claim older than EMAIL_CLAIM_TIMEOUT that was never
# marked sent belonged to a worker that died; the retry sweep sends it again. Keep it well above
# EMAIL_TIMEOUT so that a slow but live send is never taken over. The REMINDER_* names are the older
# names of the same settings, still read when the new ones are unset.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
EMAIL_CLAIM_TIMEOUT = timedelta(
    seconds=env_int("EMAIL_CLAIM_TIMEOUT_SECONDS", env_int("REMINDER_CLAIM_TIMEOUT_SECONDS", 600))
)
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", env_int("REMINDER_MAX_ATTEMPTS", 5))
EMAIL_RETRY_DELAY_SECONDS = env_int("EMAIL_RETRY_DELAY_SECONDS", 60)
# Empty: e-mail goes to the default queue. A name (e.g. "email") gives it a queue of its own.
EMAIL_QUEUE = env_str("EMAIL_QUEUE", "")
DOCUMENT_MAX_RETRIES = env_int("DOCUMENT_MAX_RETRIES", 3)
DOCUMENT_RETRY_DELAY_SECONDS = env_int("DOCUMENT_RETRY_DELAY_SECONDS", 30)
# Empty: PDFs go to the default queue. A name (e.g. "documents") sends them to a queue of their own, so
# long reports never hold up reminders; start a worker for it with `-Q documents` (or `-Q celery,documents`).
DOCUMENT_QUEUE = env_str("DOCUMENT_QUEUE", "")
CELERY_BEAT_SCHEDULE["send-reminders"] = {
    "task": "commissioning.send_reminders",
    "schedule": crontab(hour=REMINDER_SWEEP_TIME.hour, minute=REMINDER_SWEEP_TIME.minute),
}
# Between daily sweeps, send what a lost task, a stopped worker or a refusing mail server left unsent.
CELERY_BEAT_SCHEDULE["retry-unsent-emails"] = {
    "task": "commissioning.retry_emails",
    "schedule": crontab(minute="*/5"),
}
# Daily, with the reminders: contracts whose term ran out are announced once ("contract ended").
CELERY_BEAT_SCHEDULE["record-contract-ends"] = {
    "task": "contracts.record_contract_ends",
    "schedule": crontab(hour=REMINDER_SWEEP_TIME.hour, minute=REMINDER_SWEEP_TIME.minute),
}
# Keep each record's Procurement Act notices in step before the morning's reminders.
CELERY_BEAT_SCHEDULE["sync-procurement-notices"] = {
    "task": "contracts.sync_notices",
    "schedule": crontab(hour=max(REMINDER_SWEEP_TIME.hour - 1, 0), minute=REMINDER_SWEEP_TIME.minute),
}
# WeasyPrint logs every layout step at INFO; keep its warnings only.
LOGGING["loggers"]["weasyprint.progress"] = {"level": "WARNING"}

# The upload gate (commissioning/uploads). Sizes in MB; an upload over its kind's limit is refused before
# it is opened. ZIP-based documents (XLSX, DOCX, ODT) are refused when they unpack to more than the total or
# per-part size, or are compressed more than the ratio, before any library parses them.
MEGABYTE = 1024 * 1024
UPLOAD_MAX_BYTES = {
    "document": env_int("UPLOAD_DOCUMENT_MAX_MB", 25) * MEGABYTE,
    "return_spreadsheet": env_int("UPLOAD_RETURN_SPREADSHEET_MAX_MB", 5) * MEGABYTE,
    "import": env_int("UPLOAD_IMPORT_MAX_MB", 10) * MEGABYTE,
}
UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES = env_int("UPLOAD_ZIP_MAX_UNCOMPRESSED_MB", 20) * MEGABYTE
UPLOAD_ZIP_MAX_MEMBER_BYTES = env_int("UPLOAD_ZIP_MAX_MEMBER_MB", 20) * MEGABYTE
UPLOAD_ZIP_MAX_RATIO = env_int("UPLOAD_ZIP_MAX_RATIO", 100)
# Text read from a spreadsheet, per cell: Excel itself holds at most 32,767 characters in a cell.
SPREADSHEET_MAX_CELL_CHARACTERS = env_int("SPREADSHEET_MAX_CELL_CHARACTERS", 32767)
# Elements in one sheet's XML (a cell is two or three), per kind of upload: what a spreadsheet library may
# have to parse after the gate (a return has a few thousand cells; nothing parses a stored document).
SPREADSHEET_MAX_XML_ELEMENTS = {
    "document": env_int("SPREADSHEET_DOCUMENT_MAX_XML_ELEMENTS", 1_000_000),
    "return_spreadsheet": env_int("SPREADSHEET_RETURN_MAX_XML_ELEMENTS", 100_000),
    "import": env_int("SPREADSHEET_IMPORT_MAX_XML_ELEMENTS", 400_000),
}
SPREADSHEET_MAX_ROWS = env_int("SPREADSHEET_MAX_ROWS", 50_000)
# Malware scanning: "" (off), "clamd" (ClamAV's daemon at CLAMD_ADDRESS), or a dotted path to a scanner class.
MALWARE_SCANNER = env_str("MALWARE_SCANNER", "")
CLAMD_ADDRESS = env_str("CLAMD_ADDRESS", "unix:///run/clamav/clamd.ctl")
CLAMD_TIMEOUT_SECONDS = env_int("CLAMD_TIMEOUT_SECONDS", 30)
# Every CSV and XLSX the portal or the admin exports writes text a spreadsheet would run as a formula
# (=, +, -, @) with a leading apostrophe, so it is shown, never run (commissioning/exports.py).
EXPORT_ESCAPE_FORMULAE = env_bool("EXPORT_ESCAPE_FORMULAE", True)
