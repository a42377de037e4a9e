"""The one settings module, driven by environment variables (see ``.env.example``).

The zero-setup default (``DEBUG=true`` and nothing else) runs on a SQLite file and a
filesystem Celery broker in ``var/``; production sets ``DATABASE_URL``,
``CELERY_BROKER_URL``, ``SECRET_KEY`` and ``ALLOWED_HOSTS``. Problems are raised as
``SettingsError`` with one line saying what to set.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ

from engagement import config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A developer's own overrides; the process environment always wins over the file.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _env_bool(name: str, default: bool) -> bool:
    raw = env.str(name, default="").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise config.SettingsError(f"{name} must be true or false, not {raw!r}")


def _env_int(name: str, default: int) -> int:
    raw = env.str(name, default="").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise config.SettingsError(f"{name} must be a whole number, not {raw!r}") from None


DEBUG = _env_bool("DEBUG", False)
SECRET_KEY = config.secret_key(env.str("SECRET_KEY", default=""), debug=DEBUG)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise config.SettingsError(
        "ALLOWED_HOSTS is not set; set it to the host names the site is served on, "
        "comma-separated (for example engage.example.com)"
    )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    # Ours, lowest layer first: an app may depend only on those listed above it.
    "engagement.core",
    "engagement.org",
    "engagement.audit",
    "engagement.notify",
    "touchpoints",
    "charter",
    "boards",
    "summits",
    "engagement.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "engagement.core.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "engagement.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "engagement.urls"
WSGI_APPLICATION = "engagement.wsgi.application"

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
                "engagement.core.context_processors.navigation",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------------------------

if "DATABASE_URL" not in env:
    VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": config.database_config(
        env.str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'engagement.sqlite3'}")
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL and a busy timeout let the web server, the worker and the scheduler share the
    # file without "database is locked" errors in the zero-setup run.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = _env_int("DATABASE_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds API throttling counters (and, later, computed figures). In production it
# must be shared by every gunicorn worker, so point it at Redis.
CACHES = {"default": config.cache_config(env.str("CACHE_URL", default="locmemcache://"))}

AUTH_USER_MODEL = "org.User"
CSRF_FAILURE_VIEW = "engagement.core.views.csrf_failure"

# --- Auth -----------------------------------------------------------------------------------

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The name of the group whose members are the organisation's executives.
EXECUTIVE_GROUP_NAME = "Executives"

# --- Governance rules -----------------------------------------------------------------------

# When on, a claim on a vacant right waits for an executive's (or, later, a board chair's)
# approval instead of being granted at once.
CHARTER_CLAIMS_NEED_APPROVAL = _env_bool("CHARTER_CLAIMS_NEED_APPROVAL", False)
# How far ahead the scanner materialises each board's meetings from its cadence.
BOARD_MEETING_HORIZON_DAYS = _env_int("BOARD_MEETING_HORIZON_DAYS", 90)
if not 1 <= BOARD_MEETING_HORIZON_DAYS <= 3660:
    raise config.SettingsError("BOARD_MEETING_HORIZON_DAYS must be between 1 and 3660 days")

# --- Internationalisation -------------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("ru", "Русский"), ("ca", "Català")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = config.time_zone(env.str("TIME_ZONE", default="UTC"))
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
# whitenoise serves from STATIC_ROOT (after collectstatic) and, in DEBUG, from the finders.
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- E-mail ---------------------------------------------------------------------------------

# filemail:// writes each message to a file in a folder (the zero-setup default: var/mail, so
# a newcomer can read what the jobs sent); consolemail:// prints them; smtp+tls://user:pass@
# host:587 sends them.
EMAIL_CONFIG = config.email_config(env.str("EMAIL_URL", default="filemail://var/mail"), BASE_DIR)
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="engagement@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address people open the site at; links in e-mails and chat posts start with it.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Notifications --------------------------------------------------------------------------

# Minutes between the reminder and escalation scans (each finds what is due by now, so a
# longer interval delays messages but never loses them).
NOTIFY_SCAN_MINUTES = _env_int("NOTIFY_SCAN_MINUTES", 10)
# Items per chunk of a set-based reminder scan (one INSERT ... SELECT each, in its own
# transaction): larger is faster, smaller holds locks for less time.
NOTIFY_SCAN_CHUNK = _env_int("NOTIFY_SCAN_CHUNK", 5000)
# Local hour after which the day's (or Monday's) digests go out.
NOTIFY_DIGEST_HOUR = _env_int("NOTIFY_DIGEST_HOUR", 7)
# A claim on a right waits this many days for a decision before it counts as due.
NOTIFY_CLAIM_DECISION_DAYS = _env_int("NOTIFY_CLAIM_DECISION_DAYS", 14)
# A chat webhook that fails is retried with back-off (base seconds, doubling) this many times.
NOTIFY_WEBHOOK_MAX_ATTEMPTS = _env_int("NOTIFY_WEBHOOK_MAX_ATTEMPTS", 5)
NOTIFY_WEBHOOK_BACKOFF_SECONDS = _env_int("NOTIFY_WEBHOOK_BACKOFF_SECONDS", 60)
NOTIFY_WEBHOOK_TIMEOUT = _env_int("NOTIFY_WEBHOOK_TIMEOUT", 10)

# --- API ------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    # Token first, so an anonymous request gets 401 with "WWW-Authenticate: Token".
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "engagement.core.api.pagination.PageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "engagement.core.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"auth": env.str("API_AUTH_THROTTLE_RATE", default="20/min")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=_env_int("API_TOKEN_TTL_HOURS", 24 * 30)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Customer-engagement governance API",
    "DESCRIPTION": (
        "Touchpoints, the charter of decision rights, boards, summits and their actions. "
        "Authenticate with a session (browser, CSRF required) or with a token from "
        "POST /api/v1/auth/token/ sent as `Authorization: Token <token>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a Status; name the touchpoint's so the generated names don't clash.
    "ENUM_NAME_OVERRIDES": {
        "TouchpointStatusEnum": "touchpoints.models.Touchpoint.Status",
        "ClaimStatusEnum": "charter.models.Claim.Status",
        "ConflictStatusEnum": "charter.models.Conflict.Status",
        "MeetingStatusEnum": "boards.models.Meeting.Status",
        "AttendanceStatusEnum": "boards.models.Attendance.Status",
        "DecisionStatusEnum": "boards.models.Decision.Status",
        "EscalationStatusEnum": "boards.models.Escalation.Status",
        "MembershipRoleEnum": "boards.models.Membership.Role",
        # A KPI's direction (higher/lower is better) and an agenda item's move (up/down).
        "DirectionEnum": "touchpoints.models.Kpi.Direction",
        "AgendaItemMoveDirectionEnum": "boards.api.serializers.MOVE_DIRECTIONS",
        "SummitStatusEnum": "summits.models.Summit.Status",
        "ActionItemStatusEnum": "summits.models.ActionItem.Status",
        "ActionItemUpdateKindEnum": "summits.models.ActionItemUpdate.Kind",
        "CapabilityAreaEnum": "summits.models.Capability.Area",
        "CapabilitySourcingEnum": "summits.models.Capability.Sourcing",
        "ActionItemDecisionOutcomeEnum": "summits.api.serializers.DECISION_OUTCOMES",
        # One way (e-mail, digest, inbox) per kind of notification: one enum, not one per kind.
        "NotificationDeliveryEnum": "engagement.notify.models.Preference.Delivery",
        "NotificationKindEnum": "engagement.notify.models.Kind",
        "DigestFrequencyEnum": "engagement.notify.models.Preference.Frequency",
    },
}

# How often the dashboard's summary table is brought up to date (its figures are "as of" then).
DASHBOARD_REFRESH_MINUTES = _env_int("DASHBOARD_REFRESH_MINUTES", 5)

# --- Jobs -----------------------------------------------------------------------------------

CELERY_BROKER_URL = config.broker_url(env.str("CELERY_BROKER_URL", default="filesystem://"))
if CELERY_BROKER_URL.startswith("filesystem://"):
    # Kombu's filesystem transport: the zero-setup broker, a folder of message files that
    # the web process, the worker and the scheduler share. No server needed.
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
    for _sub in ("queue", "control", "processed"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_TIMEOUT = 5
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Run tasks in-process instead of through the broker (tests that don't need a real worker).
CELERY_TASK_ALWAYS_EAGER = _env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
# The static schedule of scanners. Later issues add their scanners here; schedules never
# live in the broker. Each entry's task reads what is due from our own tables.
CELERY_BEAT_SCHEDULE = {
    "record-heartbeat": {
        "task": "engagement.core.tasks.record_heartbeat",
        "schedule": timedelta(seconds=_env_int("HEARTBEAT_INTERVAL_SECONDS", 60)),
        "options": {"expires": 50},
    },
    # Keeps every board's meetings in step with its cadence over the horizon; idempotent.
    "schedule-meetings": {
        "task": "boards.tasks.schedule_meetings",
        "schedule": timedelta(hours=1),
        "options": {"expires": 50 * 60},
    },
    # Reminders, escalations and digests: scans of what is due by now and not yet recorded.
    "send-reminders": {
        "task": "engagement.notify.tasks.send_reminders",
        "schedule": timedelta(minutes=NOTIFY_SCAN_MINUTES),
        "options": {"expires": NOTIFY_SCAN_MINUTES * 60},
    },
    "run-escalations": {
        "task": "engagement.notify.tasks.run_escalations",
        "schedule": timedelta(minutes=NOTIFY_SCAN_MINUTES),
        "options": {"expires": NOTIFY_SCAN_MINUTES * 60},
    },
    # Sends what is recorded and not sent (and retries chat posts after their back-off).
    "deliver-notifications": {
        "task": "engagement.notify.tasks.deliver_notifications",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 50},
    },
    # Open decisions past their due date become overdue (scans due_on < today: catches up).
    "mark-overdue-decisions": {
        "task": "boards.tasks.mark_overdue_decisions",
        "schedule": timedelta(hours=1),
        "options": {"expires": 50 * 60},
    },
    # The dashboard's summary table (charter coverage, KPI status, touchpoint health), which
    # the page says it is as of: rewrites only what changed.
    "refresh-touchpoint-summaries": {
        "task": "engagement.dashboard.tasks.refresh_touchpoint_summaries",
        "schedule": timedelta(minutes=DASHBOARD_REFRESH_MINUTES),
        "options": {"expires": DASHBOARD_REFRESH_MINUTES * 60},
    },
    # The weekly snapshot of the headline figures (the trend): the first run of a week takes
    # it, the others find it taken. Hourly, so a week starts with its snapshot.
    "take-dashboard-snapshots": {
        "task": "engagement.dashboard.tasks.take_dashboard_snapshots",
        "schedule": timedelta(hours=1),
        "options": {"expires": 50 * 60},
    },
}

# --- Security (production) ------------------------------------------------------------------

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = _env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# --- Logging --------------------------------------------------------------------------------

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
