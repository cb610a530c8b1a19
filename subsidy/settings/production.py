"""Production: PostgreSQL, Redis-backed Celery, HTTPS only. Refuses to start when misconfigured."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import AUDIT_HMAC_KEY, DATABASES, DEBUG, IDENTIFIER_DIGEST_KEY, LOGGING, SECRET_KEY, env_bool

if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment for production.")
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production; unset DEBUG or set DEBUG=0.")
# The audit chain's key lives outside the database and apart from SECRET_KEY: someone who reads or
# writes the database (or the settings' SECRET_KEY) must not be able to recompute the chain.
if len(AUDIT_HMAC_KEY) < 32 or AUDIT_HMAC_KEY == SECRET_KEY:
    raise ImproperlyConfigured(
        "AUDIT_HMAC_KEY must be set in the environment for production: at least 32 characters, not SECRET_KEY."
    )
if len(IDENTIFIER_DIGEST_KEY) < 32 or IDENTIFIER_DIGEST_KEY in (SECRET_KEY, AUDIT_HMAC_KEY):
    raise ImproperlyConfigured(
        "IDENTIFIER_DIGEST_KEY must be set in the environment for production: at least 32 characters, "
        "neither SECRET_KEY nor AUDIT_HMAC_KEY."
    )

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

STAFF_2FA_REQUIRED = env_bool("STAFF_2FA_REQUIRED", True)

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Email by SMTP (EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS or
# EMAIL_USE_SSL, DEFAULT_FROM_EMAIL: see base.py and the README). Notifications that the program must
# be able to show it sent (decisions, questions) go by email, so production without a mail server
# refuses to start rather than failing each send later.
if "EMAIL_BACKEND" not in os.environ:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    if not os.environ.get("EMAIL_HOST"):
        raise ImproperlyConfigured("EMAIL_HOST must be set in the environment for production (the SMTP server).")

# One cache for every web worker (base.py, CACHE_URL): the broker's Redis when no other is named.
if not os.environ.get("CACHE_URL") and os.environ.get("CELERY_BROKER_URL", "").startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CELERY_BROKER_URL"],
            "KEY_PREFIX": "sahulat",
        }
    }

# Each worker keeps its database connection for 10 minutes (checked before reuse): issue #23 measured
# PostgreSQL's CPU per submission 40% lower than with a new connection per request.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", "600"))

# One JSON object per log line and one line per request, with its timings (subsidy/request_log.py).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT
REQUEST_LOG = env_bool("REQUEST_LOG", True)
LOGGING["loggers"]["sahulat.requests"]["level"] = "INFO" if REQUEST_LOG else "WARNING"
# Behind the TLS proxy the client's address is the one it appends to X-Forwarded-For (accounts/axes.py).
# Set TRUSTED_PROXY_COUNT=2 when a load balancer sits in front of the proxy, 0 when there is none.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1"))
