"""Raw SQL behind the application's back, as an intruder with database access would send it.

On PostgreSQL the append-only trigger refuses UPDATE and DELETE; the tests that play the intruder act
as a superuser who switches triggers off (`session_replication_role = replica`), which is exactly
what the keyed hash and the published heads must still catch.
"""

from contextlib import contextmanager

from django.db import connection

from audit.models import AuditEvent

TABLE = AuditEvent._meta.db_table


@contextmanager
def triggers_off():
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")


def tamper(sql: str, params=()) -> None:
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute(sql, params)
