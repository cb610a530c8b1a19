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
        not in {
            "SECRET_KEY",
            "DEBUG",
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "AUDIT_HMAC_KEY",
            "IDENTIFIER_DIGEST_KEY",
            "EMAIL_HOST",
            "EMAIL_BACKEND",
        }
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
            "EMAIL_HOST": "smtp.example.pk",
        }
    )
    assert result.returncode == 0, result.stderr


PRODUCTION_KEYS = {
    "SECRET_KEY": "k" * 30 + "9f8e7d6c5b4a3210" * 3,
    "AUDIT_HMAC_KEY": "a" * 16 + "0123456789abcdef" * 2,
    "IDENTIFIER_DIGEST_KEY": "i" * 16 + "fedcba9876543210" * 2,
}


def test_production_refuses_to_start_without_a_mail_server():
    # Issue #23: the README told production to set EMAIL_HOST but no setting read it.
    result = run_check(PRODUCTION_KEYS)
    assert result.returncode != 0
    assert "EMAIL_HOST must be set" in result.stderr


def _production_settings(env_changes: dict) -> dict:
    code = (
        "import json, django; from django.conf import settings as s; django.setup(); print(json.dumps({"
        "'email': [s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD,"
        " s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.DEFAULT_FROM_EMAIL],"
        " 'conn': [s.DATABASES['default']['CONN_MAX_AGE'], s.DATABASES['default']['CONN_HEALTH_CHECKS']],"
        " 'log': [s.LOGGING['handlers']['console']['formatter'], s.REQUEST_LOG],"
        " 'hasher': s.PASSWORD_HASHERS[0], 'results': [s.CELERY_RESULT_BACKEND, s.CELERY_TASK_IGNORE_RESULT]}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "DB_", "LOG_", "REQUEST_LOG"))}
    env.pop("DATABASE_URL", None)
    env.update({"DJANGO_SETTINGS_MODULE": "subsidy.settings.production", **PRODUCTION_KEYS, **env_changes})
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    import json

    return json.loads(done.stdout)


def test_production_reads_the_mail_server_and_keeps_connections():
    read = _production_settings(
        {
            "EMAIL_HOST": "smtp.punjab.gov.pk",
            "EMAIL_PORT": "465",
            "EMAIL_HOST_USER": "sahulat",
            "EMAIL_HOST_PASSWORD": "s3cret",
            "EMAIL_USE_SSL": "1",
            "DEFAULT_FROM_EMAIL": "Sahulat <sahulat@punjab.gov.pk>",
        }
    )
    assert read["email"] == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.punjab.gov.pk",
        465,
        "sahulat",
        "s3cret",
        False,  # implicit TLS on 465 and STARTTLS are exclusive: SSL given, TLS defaults off
        True,
        "Sahulat <sahulat@punjab.gov.pk>",
    ]
    assert read["conn"] == [600, True]
    assert read["log"] == ["json", True]
    assert read["hasher"] == "accounts.hashers.Argon2idHasher"
    assert read["results"] == [None, True]


def test_production_email_defaults_to_starttls_on_587_and_connection_age_is_a_setting():
    read = _production_settings({"EMAIL_HOST": "smtp.punjab.gov.pk", "DB_CONN_MAX_AGE": "60"})
    assert read["email"][2:7] == [587, "", "", True, False]
    assert read["conn"] == [60, True]


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
