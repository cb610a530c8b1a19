"""The deadline-day load test's `before` profile (bench/deadline_day.py): production settings as issue #23
found them, for the side-by-side figures. Never a deployment's settings.

- a new PostgreSQL connection for every request (CONN_MAX_AGE 0);
- passwords hashed with PBKDF2-SHA256 at Django 5.2's 1,000,000 iterations.
"""

from subsidy.settings.production import *  # noqa: F403
from subsidy.settings.production import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
