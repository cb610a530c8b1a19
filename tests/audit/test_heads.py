"""The chain checked from outside: keyed hashes, published heads, `verify_audit --against`, the trigger.

The intruder here can write the database (raw SQL, triggers switched off) but does not hold
AUDIT_HMAC_KEY; in the last case they hold it too, and only the saved heads catch them.
"""

import hashlib
import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from audit import chain
from audit.models import AuditEvent
from audit.services import audit_head, audit_publish_head, audit_record, audit_verify_chain
from tests.factories import UserFactory

from .tampering import TABLE, tamper

pytestmark = pytest.mark.django_db


def record_events(n: int) -> list[AuditEvent]:
    subject = UserFactory()
    events = []
    for i in range(n):
        with transaction.atomic():
            events.append(audit_record(actor="system", action="test.event", obj=subject, data={"i": i}))
    return events


def rehash_from(event_id: int, *, key: bytes | None) -> None:
    """Recompute prev_hash and hash of every event from `event_id` on, as an intruder would: with the
    unkeyed SHA-256 (no key) or with the key."""
    prev = AuditEvent.objects.filter(id__lt=event_id).order_by("-id").values_list("hash", flat=True).first()
    prev = prev or chain.GENESIS_HASH
    for event in AuditEvent.objects.filter(id__gte=event_id).order_by("id"):
        event.prev_hash = prev
        payload = chain.payload_of(event)
        new = chain.keyed_hash(payload, key) if key else hashlib.sha256(payload.encode()).hexdigest()
        tamper(f"UPDATE {TABLE} SET prev_hash = %s, hash = %s WHERE id = %s", [prev, new, event.id])  # noqa: S608
        prev = new


def verify_against(path) -> str:
    with pytest.raises(CommandError) as failed:
        call_command("verify_audit", "--against", str(path))
    return str(failed.value)


def test_hashes_are_keyed_hmac_not_plain_sha256():
    (event,) = record_events(1)
    payload = chain.payload_of(event)
    assert event.hash != hashlib.sha256(payload.encode()).hexdigest()
    assert event.hash == chain.keyed_hash(payload, b"test-only-audit-key-9d2c4e6f8a0b1c3d5e7f9a1b3c5d7e9f")


def test_a_cut_tail_passes_the_chain_check_but_not_the_saved_head(tmp_path, capsys):
    events = record_events(12)
    heads = tmp_path / "heads.jsonl"
    call_command("publish_audit_head", "--file", str(heads))
    assert json.loads(heads.read_text().splitlines()[-1])["id"] == events[-1].id
    call_command("verify_audit", "--against", str(heads))
    assert "every head in" in capsys.readouterr().out

    tamper(f"DELETE FROM {TABLE} WHERE id >= %s", [events[-5].id])  # noqa: S608 — the last five events

    assert audit_verify_chain().ok  # from inside, a shorter chain still looks whole
    message = verify_against(heads)
    assert f"HEAD FAILED: head on line 1 (event {events[-1].id}," in message
    assert "no longer exists (the tail was cut)" in message


def test_a_rewrite_rehashed_without_the_key_is_caught_at_the_edited_event(tmp_path):
    events = record_events(8)
    target = events[3]
    tamper(f"UPDATE {TABLE} SET reason = %s WHERE id = %s", ["approved by phone", target.id])  # noqa: S608
    rehash_from(target.id, key=None)  # the old unkeyed scheme: the intruder's best guess without the key

    result = audit_verify_chain()
    assert (result.ok, result.broken_id) == (False, target.id)
    with pytest.raises(CommandError, match=f"BROKEN at audit event {target.id}: its contents do not match"):
        call_command("verify_audit")


def test_a_rewrite_with_a_guessed_key_is_caught_too():
    events = record_events(4)
    tamper(f"UPDATE {TABLE} SET actor_label = %s WHERE id = %s", ["nobody", events[1].id])  # noqa: S608
    rehash_from(events[1].id, key=b"guessed")
    assert audit_verify_chain().broken_id == events[1].id


def test_a_rewrite_with_the_key_is_caught_by_the_saved_heads(tmp_path):
    events = record_events(6)
    heads = tmp_path / "heads.jsonl"
    audit_publish_head(path=heads)
    more = record_events(2)
    audit_publish_head(path=heads)

    tamper(f"UPDATE {TABLE} SET reason = %s WHERE id = %s", ["rewritten", events[2].id])  # noqa: S608
    rehash_from(events[2].id, key=chain.hmac_key())

    assert audit_verify_chain().ok  # with the key the chain is consistent again...
    message = verify_against(heads)  # ...but it is not the chain that was published
    assert f"head on line 1 (event {events[-1].id}," in message
    assert f"head on line 2 (event {more[-1].id}," in message
    assert "another hash than the one published (the chain was rewritten)" in message


def test_a_deleted_middle_event_rechained_with_the_key_shows_as_a_count_that_fell(tmp_path):
    events = record_events(6)
    heads = tmp_path / "heads.jsonl"
    audit_publish_head(path=heads)
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [events[2].id])  # noqa: S608
    rehash_from(events[3].id, key=chain.hmac_key())
    assert audit_verify_chain().ok
    assert "6 events up to" in verify_against(heads) and "5 remain (events were deleted)" in verify_against(heads)


def test_heads_are_appended_never_rewritten_and_the_task_publishes(tmp_path, settings):
    from audit.tasks import publish_audit_head

    settings.AUDIT_HEAD_FILE = tmp_path / "sub" / "heads.jsonl"
    record_events(2)
    publish_audit_head.delay()
    record_events(1)
    call_command("publish_audit_head")
    lines = [json.loads(line) for line in settings.AUDIT_HEAD_FILE.read_text().splitlines()]
    assert [line["count"] for line in lines] == [2, 3]
    assert all(set(line) == {"scheme", "id", "count", "hash", "at", "published_at"} for line in lines)
    assert lines[1]["hash"] == AuditEvent.objects.order_by("-id").first().hash


def test_the_beat_publishes_the_head_every_hour(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["audit-publish-head"]
    assert entry["task"] == "audit.tasks.publish_audit_head"
    assert entry["schedule"].minute == {0} and len(entry["schedule"].hour) == 24


def test_the_public_head_is_open_data_and_checks_like_a_saved_line(client, tmp_path):
    record_events(3)
    response = client.get(reverse("cms:open_data_audit_head"))
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert body == audit_head() and body["count"] == 3
    saved = tmp_path / "saved-by-a-citizen.jsonl"
    saved.write_text(json.dumps(body) + "\n")
    call_command("verify_audit", "--against", str(saved))
    assert client.get("/open-data/audit-head.json").json()["id"] == body["id"]


def test_a_heads_file_that_is_not_heads_is_refused(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n')
    with pytest.raises(CommandError, match="line 1 .* is not an audit head"):
        call_command("verify_audit", "--against", str(bad))


def test_production_refuses_to_start_without_the_audit_key():
    env = {k: v for k, v in os.environ.items() if k not in {"AUDIT_HMAC_KEY", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    # The other required key (the CNIC digests', issue #18) is given, so only the audit key is missing.
    env.update(
        DJANGO_SETTINGS_MODULE="subsidy.settings.production",
        SECRET_KEY="x" * 64,
        ALLOWED_HOSTS="a.pk",
        IDENTIFIER_DIGEST_KEY="i" * 48,
        EMAIL_HOST="smtp.example.pk",
    )
    code = "import django; django.setup()"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert done.returncode != 0 and "AUDIT_HMAC_KEY must be set" in done.stderr
    env["AUDIT_HMAC_KEY"] = "k" * 48
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement", ["UPDATE {t} SET reason = 'edited' WHERE id = %s", "DELETE FROM {t} WHERE id = %s"]
)
def test_postgresql_refuses_raw_update_and_delete(statement):
    (event,) = record_events(1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement.format(t=TABLE), [event.id])
    assert AuditEvent.objects.get(pk=event.pk).hash == event.hash
