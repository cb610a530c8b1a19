"""Reads that may go to a PostgreSQL streaming replica (issue #23), off by default.

With DATABASE_REPLICA_URL set, the `replica` database exists and code that reads in bulk and can
tolerate a replica's lag of a few seconds (report building, the API's reads) runs inside
`reading_from_replica()`: its reads go to the replica, its writes (a report job's progress and file)
still go to the primary. Everything else, and everything when no replica is configured, reads the
primary. Nothing is routed by app or model: a page that writes and then reads must read its own write.
"""

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from django.conf import settings

_on_replica = contextvars.ContextVar("sahulat_read_from_replica", default=False)


@contextlib.contextmanager
def reading_from_replica() -> Iterator[None]:
    token = _on_replica.set(True)
    try:
        yield
    finally:
        _on_replica.reset(token)


def replica_configured() -> bool:
    return "replica" in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _on_replica.get() and replica_configured():
            return "replica"
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db == "default"
