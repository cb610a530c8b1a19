"""SQLite as the embedded default (issue #17): sign-up while another person writes.

On the demo's SQLite file, sign-up failed with "database is locked" whenever a signed-in user was
writing (switching language writes the user row): sign-up's transaction began DEFERRED, read the
address, then tried to upgrade to a writer while another connection held the write lock. SQLite
refuses such an upgrade at once, without waiting. With the settings' `transaction_mode: IMMEDIATE`
(and WAL, and a busy timeout) the write lock is taken when the transaction begins, so sign-up waits
for the other writer instead of failing.

The test copies the migrated test database to a FILE (the in-memory test database shares one cache
and cannot show file locking) and runs two threads, each with its own connection built from the
project's own SQLite options (settings.SQLITE_OPTIONS).
"""

import copy
import sqlite3
import threading

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper

from accounts.models import User
from accounts.services import user_sign_up

from .factories import PASSWORD

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "sqlite",
        reason="SQLite's file locking only; PostgreSQL has row locks and never says 'database is locked'",
    ),
]


@pytest.fixture
def file_database(tmp_path):
    """The migrated test database copied to a file; returns the settings of a connection to it."""
    User.objects.create_user(email="writer@example.pk", password=PASSWORD, full_name="Asma Writer")
    path = tmp_path / "sahulat.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    settings_dict = copy.deepcopy(connection.settings_dict)
    settings_dict["NAME"] = str(path)
    # The options the project gives a file database (subsidy/settings/base.py); the suite's own
    # in-memory database goes without them (subsidy/settings/test.py).
    settings_dict["OPTIONS"] = {**settings_dict.get("OPTIONS", {}), **settings.SQLITE_OPTIONS}
    return settings_dict


def run_in_thread(settings_dict, work, errors):
    """`work` on a connection of its own to the file database (this thread's `default` only)."""

    def run():
        connections["default"] = DatabaseWrapper(copy.deepcopy(settings_dict), "default")
        try:
            work()
        except Exception as error:  # noqa: BLE001 — reported by the assertion
            errors.append(error)
        finally:
            connections["default"].close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_the_file_database_runs_in_wal_mode_with_a_busy_timeout(file_database):
    seen = {}

    def look():
        with connections["default"].cursor() as cursor:
            seen["journal_mode"] = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            seen["busy_timeout"] = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
        seen["transaction_mode"] = connections["default"].transaction_mode

    errors = []
    run_in_thread(file_database, look, errors).join(timeout=30)
    assert errors == []
    assert seen == {"journal_mode": "wal", "busy_timeout": 20_000, "transaction_mode": "IMMEDIATE"}


def test_sign_up_waits_for_another_writer_instead_of_failing(file_database):
    writer_has_written = threading.Event()
    sign_up_started = threading.Event()
    errors = []

    def switch_language():
        # A signed-in user switches language: the user row is written, and the transaction stays
        # open a moment (as a slow request would) while the newcomer signs up.
        with transaction.atomic():
            User.objects.filter(email="writer@example.pk").update(language="ur")
            writer_has_written.set()
            sign_up_started.wait(timeout=10)
            threading.Event().wait(0.5)

    def sign_up():
        writer_has_written.wait(timeout=10)
        sign_up_started.set()
        user_sign_up(email="newcomer@example.pk", full_name="Nadia Khan", mobile="03001234567", password=PASSWORD)

    threads = [
        run_in_thread(file_database, switch_language, errors),
        run_in_thread(file_database, sign_up, errors),
    ]
    for thread in threads:
        thread.join(timeout=60)

    assert [str(error) for error in errors] == []
    check = sqlite3.connect(file_database["NAME"])
    rows = dict(check.execute("SELECT email, language FROM accounts_user").fetchall())
    check.close()
    assert rows["writer@example.pk"] == "ur"
    assert "newcomer@example.pk" in rows
