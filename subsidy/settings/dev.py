"""Local development and the demo: SQLite, eager Celery, DEBUG on unless told otherwise."""

import hashlib

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-8b1f4c2e9a7d4e6f0c3b5a1d2e4f6a8c0b2d4f6a8c"  # noqa: F405, S105
# A fixed key derived from SECRET_KEY for development and the demo; production sets its own.
IDENTIFIER_DIGEST_KEY = (  # noqa: F405
    IDENTIFIER_DIGEST_KEY or hashlib.sha256(b"sahulat-identifiers:" + SECRET_KEY.encode()).hexdigest()  # noqa: F405
)
AUDIT_HMAC_KEY = AUDIT_HMAC_KEY or hashlib.sha256(b"sahulat-audit-chain:" + SECRET_KEY.encode()).hexdigest()  # noqa: F405
