"""Settings shared by every environment.

Everything that differs between machines comes from environment variables; the defaults give the
embedded set-up (SQLite, Celery tasks run eagerly in the web process) so that `make demo` runs on a
bare machine.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
# The key of the audit chain's HMAC, held outside the database (production requires it; dev and test
# derive one from SECRET_KEY). Changing it breaks verification of every event already written.
AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY", "")
# The key of the digests that stand in for a freelancer's CNIC (vouchers: one voucher per person without
# keeping the number). Production requires it; dev and test derive one. Changing it makes every stored
# digest unmatchable, so the one-voucher-per-person rule would stop seeing earlier vouchers.
IDENTIFIER_DIGEST_KEY = os.environ.get("IDENTIFIER_DIGEST_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Sahulat's own apps first, so their templates override third-party ones.
    "accounts",
    "audit",
    "notifications",
    "spaces",
    "grants",
    "reporting",
    "finance",
    "loans",
    "cms",
    "integrity",
    "onewindow",
    "vouchers",
    "matches",
    # The HTTP API for machine clients (issue #21; settings in settings/api.py).
    "api",
    "fixtures",
    # Wagtail (the public site and its editors' admin).
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Third-party.
    "django_fsm",
    "import_export",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "rest_framework",
    "oauth2_provider",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_prometheus",
    # Django.
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    # First: the load balancer's and the monitoring's probes (/healthz, /readyz, /metrics), answered
    # before host checks, the HTTPS redirect and the language prefix (subsidy/health.py).
    "subsidy.health.HealthCheckMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "subsidy.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.RememberLanguage",
    "notifications.middleware.ForgetNeedsYouOnWrite",
    "django_otp.middleware.OTPMiddleware",
    "accounts.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Axes last, as its documentation requires: it turns lock-outs into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "subsidy.urls"

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
                "accounts.context_processors.roles",
            ],
            # |ltr and |isolate in every template (bidirectional text on Urdu pages).
            "builtins": ["core.bidi_tags"],
        },
    },
]

WSGI_APPLICATION = "subsidy.wsgi.application"

# DB_CONN_MAX_AGE: seconds a worker keeps its database connection (0: a new one per request; production
# defaults to 600, see production.py), checked before reuse so a connection the server dropped is
# replaced rather than failing a request (issue #23: a persistent connection cut PostgreSQL's CPU per
# submission by 40%). Behind PgBouncer in transaction mode set DB_DISABLE_SERVER_SIDE_CURSORS=1.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
        disable_server_side_cursors=env_bool("DB_DISABLE_SERVER_SIDE_CURSORS", False),
    )
}
# A PostgreSQL streaming replica for bulk reads (report building, the API's reads), off unless
# DATABASE_REPLICA_URL is set (core/replica.py). In tests it mirrors the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
        disable_server_side_cursors=env_bool("DB_DISABLE_SERVER_SIDE_CURSORS", False),
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "timeout": int(os.environ.get("SQLITE_BUSY_TIMEOUT", "20")),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite as a real embedded database (issue #17): WAL lets readers go on while one person writes;
    # BEGIN IMMEDIATE takes the write lock when a transaction starts, so a transaction that has read
    # never fails to upgrade to a write ("database is locked") but waits, up to `timeout` seconds,
    # for the writer before it. synchronous=NORMAL is safe in WAL mode (a power cut loses at most the
    # last commits, never the file).
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, reading the signed-in person with their roles and devices in one query (issue #23).
    "accounts.backends.PersonBackend",
]
# Password hashing (issue #23): Argon2id, with its cost a deliberate setting (accounts/hashers.py).
# OWASP's Password Storage Cheat Sheet: 19 MiB of memory, 2 passes, 1 lane. A stored hash made with
# other parameters, or by PBKDF2 (every hash before this change), is rehashed at the person's next
# sign-in; PBKDF2 stays listed so those hashes still verify until then.
ARGON2_MEMORY_KIB = int(os.environ.get("ARGON2_MEMORY_KIB", "19456"))
ARGON2_TIME_COST = int(os.environ.get("ARGON2_TIME_COST", "2"))
ARGON2_PARALLELISM = int(os.environ.get("ARGON2_PARALLELISM", "1"))
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "/"

# The number of reverse proxies in front of the site that append the client's address to
# X-Forwarded-For (0: none, the header is ignored; production's default is 1, the TLS proxy). Read by
# accounts.axes.client_ip_address; a wrong number lets clients choose their own address, so set it to
# exactly the proxies the deployment has.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Login throttling (django-axes, see accounts/axes.py): five failures for one account from one
# address, or thirty from one address across all accounts (a password spray), lock for an hour.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("AXES_ADDRESS_FAILURE_LIMIT", "30"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], ["ip_address"]]
AXES_HANDLER = "accounts.axes.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "accounts.axes.client_ip_address"
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# Two-step sign-in (TOTP). Staff with an authenticator are always asked for a code; where required
# (production), staff without one must set it up before anything else.
STAFF_2FA_REQUIRED = env_bool("STAFF_2FA_REQUIRED", False)
OTP_TOTP_ISSUER = "Sahulat"
# Step-up (accounts.two_factor.step_up_required): approving a payment, confirming a bank statement,
# recording a board decision and writing a loan off ask again for a code once the last one is older
# than this, for everyone with an authenticator.
STEP_UP_SECONDS = int(os.environ.get("STEP_UP_SECONDS", "900"))

# The project's own password reset (accounts/password_reset.py): at most this many requests an hour
# from one address and for one email address. Wagtail's reset in /cms-admin/ is off, so it cannot be
# used by people who are not editors.
PASSWORD_RESET_LIMIT_PER_HOUR = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_HOUR", "5"))
WAGTAIL_PASSWORD_RESET_ENABLED = False

# Internationalisation: English and Urdu (right-to-left). Times are Pakistan Standard Time.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ur", _("Urdu"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Karachi"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False  # money is formatted explicitly (see spaces.templatetags.sahulat)

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Public media (Wagtail images). Applicants' documents never go here: see PRIVATE_MEDIA_ROOT.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Private documents live outside any served directory and are streamed only by permission-checked views.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private_media"))
REPORTS_ROOT = Path(os.environ.get("REPORTS_ROOT", BASE_DIR / "reports_output"))
# The audit chain's published heads, one JSON line an hour; append-only (chattr +a), copied off-box.
AUDIT_HEAD_FILE = Path(os.environ.get("AUDIT_HEAD_FILE", BASE_DIR / "audit_heads.jsonl"))

# Celery: with no broker configured, tasks run in the calling process (the embedded default).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Nothing reads a task's return value (report and import jobs keep their own rows), so results are not
# stored: before issue #23 every task left a key in Redis. Set CELERY_RESULT_BACKEND only for a task
# that is read, and give that task ignore_result=False.
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_IGNORE_RESULT = True
# Two queues beside the default one, each with its own worker in production (README, Running in
# production): emails, SMS and reminders never wait behind a report or an import that takes minutes.
CELERY_NOTIFICATIONS_QUEUE = os.environ.get("CELERY_NOTIFICATIONS_QUEUE", "notifications")
CELERY_REPORTS_QUEUE = os.environ.get("CELERY_REPORTS_QUEUE", "reports")
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_DEFAULT_QUEUE", "celery")
CELERY_TASK_ROUTES = {
    "notifications.*": {"queue": CELERY_NOTIFICATIONS_QUEUE},
    "accounts.tasks.send_*": {"queue": CELERY_NOTIFICATIONS_QUEUE},
    "reporting.*": {"queue": CELERY_REPORTS_QUEUE},
    "spaces.tasks.run_registry_import": {"queue": CELERY_REPORTS_QUEUE},
    "matches.*": {"queue": CELERY_REPORTS_QUEUE},
    "loans.tasks.refresh_loan_positions": {"queue": CELERY_REPORTS_QUEUE},
}
# Tasks are acknowledged when done (acks late, below): a task still running when the broker's visibility
# timeout passes is given to a second worker. The longest job (a quarter's reports on a large program)
# must finish well inside it.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "7200"))}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# At each fiscal quarter's end (1 January, April, July, October; Pakistan time) queue the finished
# quarter's reports. The task is idempotent (one scheduled build per report and quarter), so a beat
# that fires twice, or a rerun after downtime, builds nothing twice.
CELERY_BEAT_SCHEDULE = {
    "reporting-quarterly-reports": {
        "task": "reporting.tasks.build_finished_quarter_reports",
        "schedule": crontab(minute=30, hour=1, day_of_month=1, month_of_year="1,4,7,10"),
    },
    # Every morning (Pakistan time) store each loan's arrears position as of today: one bulk pass,
    # idempotent, so a second run or a catch-up run stores the same figures.
    "loans-daily-positions": {
        "task": "loans.tasks.refresh_loan_positions",
        "schedule": crontab(minute=15, hour=2),
    },
    # Every hour, the audit chain's head (last id, count, hash) appended to AUDIT_HEAD_FILE: the
    # chain's memory outside the database, which `verify_audit --against` checks.
    "audit-publish-head": {
        "task": "audit.tasks.publish_audit_head",
        "schedule": crontab(minute=0),
    },
    # Every hour at :20, grievances past their clock (acknowledgement, resolution) are escalated to the
    # head of integrity and the filer told of the delay; each breach once (marked on the grievance).
    # Every morning, visits whose outcome was not filed within VISIT_OUTCOME_WORKING_DAYS have their
    # findings voided (once each), which counts against the department.
    "integrity-void-late-visit-outcomes": {
        "task": "integrity.tasks.void_late_visit_outcomes",
        "schedule": crontab(minute=45, hour=2),
    },
    # Every morning: one-window requests past their promised working days are escalated to the
    # coordinator (once each), and certificates 30 days from their end are reminded (once each).
    "onewindow-escalate-late-requests": {
        "task": "onewindow.tasks.escalate_late_requests",
        "schedule": crontab(minute=50, hour=2),
    },
    "onewindow-remind-expiring-certificates": {
        "task": "onewindow.tasks.remind_expiring_certificates",
        "schedule": crontab(minute=55, hour=2),
    },
    # Every morning: approved seat vouchers not started by their day lapse (their places offered to the
    # waiting list in order), and vouchers whose months are over complete.
    "vouchers-daily": {
        "task": "vouchers.tasks.vouchers_daily",
        "schedule": crontab(minute=5, hour=3),
    },
    # Every night: the duplicate sweep over the whole registry (issue #20); idempotent, a match found
    # twice is one match.
    "matches-nightly-sweep": {
        "task": "matches.tasks.find_duplicates",
        "schedule": crontab(minute=30, hour=3),
    },
    "integrity-grievance-escalations": {
        "task": "integrity.tasks.escalate_grievance_breaches",
        "schedule": crontab(minute=20),
    },
    # Every morning at 08:00 Pakistan time (people read them at the start of the day): reminders of
    # returns, instalments, unanswered questions and awards not accepted, each sent once.
    "notifications-reminders": {
        "task": "notifications.reminders.send_reminders",
        "schedule": crontab(minute=0, hour=8),
    },
    # Every morning after the reminders, one digest email to each member of staff who chose it
    # (notifications/digest.py); a row per person and day, so a second run sends nothing.
    "notifications-staff-digest": {
        "task": "notifications.digest.send_digests",
        "schedule": crontab(minute=30, hour=8),
    },
    # On 1 July at 00:30 Pakistan time, close the fiscal year that just ended: unpaid commitments lapse
    # or are carried forward by each program's policy (grants.services.year_end); once per year, so a
    # retry or a second delivery does nothing.
    "grants-close-fiscal-year": {
        "task": "grants.tasks.close_finished_fiscal_year",
        "schedule": crontab(minute=30, hour=0, day_of_month=1, month_of_year=7),
    },
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Sahulat <no-reply@sahulat.punjab.gov.pk>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# SMTP (production's backend): STARTTLS on 587 by default; EMAIL_USE_SSL=1 for implicit TLS on 465.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))

# Wagtail.
WAGTAIL_SITE_NAME = "Sahulat"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_SERVE_METHOD = "serve_view"

# django-import-export: data stewards import the registry from Excel/CSV in the Django admin.
IMPORT_EXPORT_USE_TRANSACTIONS = True  # a bad row rolls the whole file back
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True  # no spreadsheet formula injection in exports
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# A registry import file over either cap is refused before its dry run (spaces/resources.py).
REGISTRY_IMPORT_MAX_ROWS = int(os.environ.get("REGISTRY_IMPORT_MAX_ROWS", "2000"))
REGISTRY_IMPORT_MAX_BYTES = int(os.environ.get("REGISTRY_IMPORT_MAX_BYTES", str(2 * 1024 * 1024)))
# A registry file with more rows is imported by a background job with progress (spaces/import_jobs.py).
REGISTRY_IMPORT_BACKGROUND_ROWS = int(os.environ.get("REGISTRY_IMPORT_BACKGROUND_ROWS", "200"))
# Every other importer's caps (core/workbook.py): rows after the heading, blank rows included, checked
# against the sheet's declared dimension before parsing; a workbook unpacking past the byte cap, or
# compressing better than the ratio (a zip bomb), is refused unread.
STATEMENT_MAX_ROWS = int(os.environ.get("STATEMENT_MAX_ROWS", "20000"))
STATEMENT_MAX_BYTES = int(os.environ.get("STATEMENT_MAX_BYTES", str(5 * 1024 * 1024)))
COLLECTION_MAX_ROWS = int(os.environ.get("COLLECTION_MAX_ROWS", "5000"))
UTILIZATION_MAX_ROWS = int(os.environ.get("UTILIZATION_MAX_ROWS", "2000"))
# Bills in one claims upload (issue #22): each is a file of the same request, below Django's
# DATA_UPLOAD_MAX_NUMBER_FILES (100) with the sheet.
CLAIM_UPLOAD_MAX_ROWS = int(os.environ.get("CLAIM_UPLOAD_MAX_ROWS", "60"))
SPREADSHEET_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("SPREADSHEET_MAX_UNCOMPRESSED_BYTES", str(50 * 1024 * 1024)))
SPREADSHEET_MAX_COMPRESSION_RATIO = int(os.environ.get("SPREADSHEET_MAX_COMPRESSION_RATIO", "200"))

# Integrity: registered visits (integrity/services/visits.py). Working days are Monday to Friday less
# the public holidays of HOLIDAYS_FILE (core/calendar.py; default core/data/holidays_pk.csv).
WORKING_WEEKDAYS = (0, 1, 2, 3, 4)
HOLIDAYS_FILE = Path(os.environ.get("HOLIDAYS_FILE", BASE_DIR / "core" / "data" / "holidays_pk.csv"))
VISIT_NOTICE_WORKING_DAYS = int(os.environ.get("VISIT_NOTICE_WORKING_DAYS", "3"))  # notice before a routine visit
VISIT_CAP_PER_SPACE = int(os.environ.get("VISIT_CAP_PER_SPACE", "4"))  # visits per space per fiscal year
VISIT_OUTCOME_WORKING_DAYS = int(os.environ.get("VISIT_OUTCOME_WORKING_DAYS", "2"))  # after the window
VISIT_ANSWER_DAYS = int(os.environ.get("VISIT_ANSWER_DAYS", "7"))  # the operator's answer, calendar days
# Grievances (integrity/services/grievances.py): acknowledged within GRIEVANCE_ACK_WORKING_DAYS working
# days and resolved within GRIEVANCE_RESOLVE_DAYS calendar days of filing; a breach is escalated once to
# the head of integrity (the beat task below). The filer may reopen once within GRIEVANCE_REOPEN_DAYS.
GRIEVANCE_ACK_WORKING_DAYS = int(os.environ.get("GRIEVANCE_ACK_WORKING_DAYS", "2"))
GRIEVANCE_RESOLVE_DAYS = int(os.environ.get("GRIEVANCE_RESOLVE_DAYS", "30"))
GRIEVANCE_REOPEN_DAYS = int(os.environ.get("GRIEVANCE_REOPEN_DAYS", "30"))
# Anonymous filings from one client address per hour (integrity/views/grievances.py): more are refused
# with a message saying when to try again or to call the helpline; none is dropped silently.
GRIEVANCE_PUBLIC_LIMIT_PER_HOUR = int(os.environ.get("GRIEVANCE_PUBLIC_LIMIT_PER_HOUR", "5"))

# SMS (notifications/sms.py): the backend, as Django's EMAIL_BACKEND. The console backend prints each
# message (the demo); notifications.sms.HttpGatewayBackend posts to a gateway configured below. A send
# that fails or times out is retried by Celery with back-off (notifications/tasks.py).
SMS_BACKEND = os.environ.get("SMS_BACKEND", "notifications.sms.ConsoleBackend")
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_KEY = os.environ.get("SMS_GATEWAY_KEY", "")
SMS_SENDER_ID = os.environ.get("SMS_SENDER_ID", "SAHULAT")
SMS_GATEWAY_TIMEOUT = float(os.environ.get("SMS_GATEWAY_TIMEOUT", "10"))  # seconds
SMS_MAX_CHARS = int(os.environ.get("SMS_MAX_CHARS", "200"))  # link included


def env_days(name: str, default: str) -> tuple[int, ...]:
    return tuple(int(item) for item in env_list(name, default))


# Reminders (notifications/reminders.py; beat's "notifications-reminders" every morning). Offsets are
# days from the date each reminder counts from; a reminder is sent once per subject, date and offset
# (a ReminderSent row). One missed by a stopped beat is still sent within REMINDER_CATCH_UP_DAYS.
# The month's utilization return is due on this day of the next month (the program set no day; the
# portal asks for it from the 1st).
UTILIZATION_RETURN_DUE_DAY = int(os.environ.get("UTILIZATION_RETURN_DUE_DAY", "10"))
REMINDER_RETURN_OFFSETS = env_days("REMINDER_RETURN_OFFSETS", "-3,0,3")  # before, on and after the day
REMINDER_INSTALMENT_OFFSETS = env_days("REMINDER_INSTALMENT_OFFSETS", "-5,1")  # from the due date
REMINDER_INFORMATION_DAYS = env_days("REMINDER_INFORMATION_DAYS", "5,10")  # after the question, unanswered
REMINDER_AWARD_ACCEPT_DAYS = env_days("REMINDER_AWARD_ACCEPT_DAYS", "7")  # after the offer, not accepted
REMINDER_CATCH_UP_DAYS = int(os.environ.get("REMINDER_CATCH_UP_DAYS", "2"))
REMINDER_MILESTONE_OFFSETS = env_days("REMINDER_MILESTONE_OFFSETS", "0,7")  # from the milestone's due date
# The board meets monthly on this day (1-28); reviews not submitted are reminded before it.
BOARD_MEETING_DAY = int(os.environ.get("BOARD_MEETING_DAY", "25"))
REMINDER_REVIEW_OFFSETS = env_days("REMINDER_REVIEW_OFFSETS", "-3")  # from the next board meeting
REMINDER_ARREARS_WEEKDAY = int(os.environ.get("REMINDER_ARREARS_WEEKDAY", "0"))  # 0 Monday ... 6 Sunday
# Staff clocks (the staff digest's "past their clock", and "what needs you"): days an item may wait.
STAFF_CLOCK_SCREENING_DAYS = int(os.environ.get("STAFF_CLOCK_SCREENING_DAYS", "5"))  # submitted or screening
STAFF_CLOCK_TRANCHE_DAYS = int(os.environ.get("STAFF_CLOCK_TRANCHE_DAYS", "7"))  # a tranche asked for
STAFF_CLOCK_CLAIM_DAYS = int(os.environ.get("STAFF_CLOCK_CLAIM_DAYS", "7"))  # a utility claim submitted
STAFF_CLOCK_CHECKER_DAYS = int(os.environ.get("STAFF_CLOCK_CHECKER_DAYS", "2"))  # a payment prepared

# Uploaded documents.
DOCUMENT_MAX_BYTES = int(os.environ.get("DOCUMENT_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

SESSION_COOKIE_AGE = 60 * 60 * 8  # a working day
# Sessions are written to the database and read from the cache (the shared Redis in production), so a
# signed-in page does not ask the database for its session (issue #23). A password change still signs
# out the person's other sessions: their session hash no longer matches (django.contrib.auth).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp) on every page of ours: scripts, styles, fonts and images only
# from this site (static/), never inline, so injected markup cannot run. The Wagtail and Django admins
# run inline scripts of their own and are left out by path (EXCLUDE_URL_PREFIXES); they are for
# signed-in editors and data stewards only, and keep X-Frame-Options and the other headers.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/cms-admin/", "/django-admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# The cache: the header's count of what needs a person (NEEDS_YOU_COUNT_SECONDS) and the public site's
# menu. In production every web worker must see the same cache (a count forgotten by one worker must be
# forgotten by all): CACHE_URL, or else the Celery broker's Redis; the embedded default keeps it in
# the process.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "sahulat",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
NEEDS_YOU_COUNT_SECONDS = int(os.environ.get("NEEDS_YOU_COUNT_SECONDS", "300"))

# /metrics answers only a scraper that sends this bearer token; unset, there is no /metrics.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

# Logs: plain lines for people by default; LOG_FORMAT=json (production's default) writes one JSON object
# per line with the fields of each record (the request log's timings among them) for the log shipper.
# REQUEST_LOG: one line per request on the sahulat.requests logger (subsidy/request_log.py); off in the
# demo, where runserver already prints one.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
REQUEST_LOG = env_bool("REQUEST_LOG", False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "sahulat.requests": {"level": "INFO" if REQUEST_LOG else "WARNING"},
        "axes": {"level": "WARNING"},
        # Wagtail's and django-tasks' per-task INFO lines drown what matters in the demo's console.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}

# The HTTP API (issue #21): REST framework, OpenAPI and OAuth 2.0 client credentials.
from .api import *  # noqa: E402,F403
