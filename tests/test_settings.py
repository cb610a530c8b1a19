"""Production settings refuse to start when misconfigured; the defaults give the embedded set-up."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_check(env_changes: dict, settings: str = "subsidy.settings.production"):
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "CELERY_BROKER_URL", "AUDIT_HMAC_KEY", "IDENTIFIER_DIGEST_KEY"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": settings, **env_changes})
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_check({})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_with_debug_on():
    result = run_check({"SECRET_KEY": "x" * 60, "DEBUG": "1"})
    assert result.returncode != 0
    assert "DEBUG must be off in production" in result.stderr


def test_production_starts_with_a_secret_and_debug_off():
    # The audit chain's key is required beside the secret key (security issue #14).
    result = run_check(
        {
            "SECRET_KEY": "k" * 30 + "9f8e7d6c5b4a3210" * 3,
            "AUDIT_HMAC_KEY": "a" * 16 + "0123456789abcdef" * 2,
            "IDENTIFIER_DIGEST_KEY": "i" * 16 + "fedcba9876543210" * 2,
        }
    )
    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_the_identifier_digest_key():
    # Seat vouchers keep a freelancer's CNIC only as a keyed digest (issue #18): the key is required.
    result = run_check(
        {"SECRET_KEY": "k" * 30 + "9f8e7d6c5b4a3210" * 3, "AUDIT_HMAC_KEY": "a" * 16 + "0123456789abcdef" * 2}
    )
    assert result.returncode != 0
    assert "IDENTIFIER_DIGEST_KEY must be set" in result.stderr


def test_embedded_default_is_sqlite_with_eager_celery():
    from subsidy.settings import base

    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    code = (
        "from subsidy.settings import dev as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.TIME_ZONE)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["django.db.backends.sqlite3", "True", "Asia/Karachi"], out.stderr
    assert base.TIME_ZONE == "Asia/Karachi"
