"""Migration 0002 re-chains the events written under the old unkeyed SHA-256 under the HMAC key,
after checking that the old chain was intact."""

import datetime as dt
import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from audit import chain
from audit.services import audit_verify_chain

from .tampering import TABLE, triggers_off

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("audit", target)])


def _write_legacy_chain(n):
    prev = chain.GENESIS_HASH
    rows = []
    for i in range(n):
        fields = {
            "created_at": dt.datetime(2025, 7, 1, 10, i, tzinfo=dt.UTC),
            "actor_id": None,
            "actor_label": "system",
            "action": "legacy.event",
            "object_type": "spaces.operator",
            "object_id": str(i),
            "object_label": f"Operator {i}",
            "from_state": "",
            "to_state": "",
            "reason": "",
            "data": {"i": i},
            "prev_hash": prev,
        }
        digest = hashlib.sha256(chain.canonical_payload(fields).encode()).hexdigest()
        rows.append((fields, digest))
        prev = digest
    return rows


def _insert(rows):
    import json

    with triggers_off(), connection.cursor() as cursor:
        for fields, digest in rows:
            cursor.execute(
                f"INSERT INTO {TABLE} (created_at, actor_label, action, object_type, object_id, object_label, "  # noqa: S608
                "from_state, to_state, reason, data, prev_hash, hash) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                [
                    fields["created_at"],
                    fields["actor_label"],
                    fields["action"],
                    fields["object_type"],
                    fields["object_id"],
                    fields["object_label"],
                    "",
                    "",
                    "",
                    json.dumps(fields["data"]),
                    fields["prev_hash"],
                    digest,
                ],
            )


def test_an_intact_legacy_chain_is_rechained_under_the_key():
    _migrate("0001_initial")
    try:
        _insert(_write_legacy_chain(5))
        _migrate("0003_append_only_trigger")
        result = audit_verify_chain()
        assert (result.ok, result.checked) == (True, 5)
    finally:
        _migrate("0003_append_only_trigger")


def test_a_broken_legacy_chain_is_not_rechained():
    _migrate("0001_initial")
    try:
        rows = _write_legacy_chain(4)
        rows[2][0]["reason"] = "edited"  # the stored hash no longer covers the row
        rows[2][0]["data"] = {"i": 99}
        _insert(rows)
        with pytest.raises(RuntimeError, match="broken at event"):
            _migrate("0003_append_only_trigger")
    finally:
        with triggers_off(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
        _migrate("0003_append_only_trigger")
