"""The test suite. DATABASE_URL may point at PostgreSQL (CI does); otherwise an SQLite file."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-secret-4f1b9c0e2d7a8b3c6e5f4a1d0c9b8a7e6f5d4c3b2a1"  # noqa: S105
AUDIT_HMAC_KEY = "test-only-audit-key-9d2c4e6f8a0b1c3d5e7f9a1b3c5d7e9f"  # noqa: S105
IDENTIFIER_DIGEST_KEY = "test-only-identifier-key-3a5c7e9b1d3f5a7c9e1b3d5f"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; tests hold no secrets
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "notifications.sms.LocmemBackend"  # notifications.sms.outbox
CELERY_BROKER_URL = os.environ.get("CELERY_TEST_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = True
CELERY_RESULT_BACKEND = None
_tmp = Path(tempfile.mkdtemp(prefix="sahulat-test-"))
# Removed when the process ends (each test worker and each benchmark process has its own).
atexit.register(shutil.rmtree, _tmp, True)
MEDIA_ROOT = _tmp / "media"
PRIVATE_MEDIA_ROOT = _tmp / "private"
REPORTS_ROOT = _tmp / "reports"
AUDIT_HEAD_FILE = _tmp / "audit_heads.jsonl"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = True
# The suite's SQLite database is in memory with a shared cache, where BEGIN IMMEDIATE makes the
# in-process Celery worker's reads fail ("database table is locked"); the file database's options
# (SQLITE_OPTIONS) are tested on a real file in tests/accounts/test_sqlite_concurrency.py.
for _option in SQLITE_OPTIONS:  # noqa: F405
    DATABASES["default"].get("OPTIONS", {}).pop(_option, None)  # noqa: F405
