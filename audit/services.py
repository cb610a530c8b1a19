"""Writing to the audit log. Every service that changes state calls `audit_record` inside its own
transaction, so the event exists exactly when the change does."""

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .chain import GENESIS_HASH, SCHEME
from .models import AuditEvent

if TYPE_CHECKING:
    from django.db.models import Model

    from accounts.models import User

__all__ = ["GENESIS_HASH", "audit_record", "audit_verify_chain", "audit_head", "audit_publish_head"]
# Any fixed 64-bit number will do: it names the lock that serialises appends to the chain.
_CHAIN_LOCK_KEY = 0x5A_48_55_4C_41_54  # "SAHULAT"


def _lock_chain() -> None:
    """Serialise appends so two transactions never chain onto the same previous event.

    PostgreSQL: a transaction-scoped advisory lock. SQLite has one writer at a time already.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def audit_record(
    *,
    actor: "User | str | None",
    action: str,
    obj: "Model",
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict | None = None,
    at: dt.datetime | None = None,
) -> AuditEvent:
    """Append one event. Must run inside the caller's transaction (it refuses otherwise)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records.")
    _lock_chain()
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    # A saved person is linked; anything else (the system, a label) is recorded by its label.
    person = cast("User | None", actor if getattr(actor, "pk", None) else None)
    label = str(actor) if person is not None else (cast("str | None", actor) or "system")
    event = AuditEvent(
        created_at=at or timezone.now(),
        actor=person,
        actor_label=label[:200],
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_label=str(obj)[:200],
        from_state=from_state or "",
        to_state=to_state or "",
        reason=reason or "",
        data=data or {},
        prev_hash=last or GENESIS_HASH,
    )
    event.hash = event.compute_hash()
    event.save()
    return event


@dataclass
class ChainCheck:
    ok: bool
    checked: int
    broken_id: int | None = None
    problem: str = ""
    failed_heads: list[str] = field(default_factory=list)


def audit_verify_chain() -> ChainCheck:
    """Walk the chain from the first event; report the first event whose hash or link is wrong.

    The hashes are keyed: a row rewritten and re-hashed without the key fails here, at that row.
    A cut tail is not visible from inside the database; `audit_verify_against_heads` finds it.
    """
    prev = GENESIS_HASH
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != prev:
            return ChainCheck(False, checked, event.id, "its link to the previous event does not match")
        if event.compute_hash() != event.hash:
            return ChainCheck(False, checked, event.id, "its contents do not match its hash (edited)")
        prev = event.hash
        checked += 1
    return ChainCheck(True, checked)


# --- the published head --------------------------------------------------------------------------


def audit_head() -> dict:
    """The chain's head as published: last event id, number of events up to it, its hash and time.

    The same JSON shape is appended to AUDIT_HEAD_FILE every hour and served at
    /open-data/audit-head.json, so any saved copy (by us or by anyone outside) can be checked with
    `verify_audit --against`.
    """
    last = AuditEvent.objects.order_by("-id").values("id", "hash", "created_at").first()
    if last is None:
        return {"scheme": SCHEME, "id": 0, "count": 0, "hash": GENESIS_HASH, "at": None}
    return {
        "scheme": SCHEME,
        "id": last["id"],
        "count": AuditEvent.objects.filter(id__lte=last["id"]).count(),
        "hash": last["hash"],
        "at": last["created_at"].isoformat(),
    }


def audit_publish_head(*, path: Path | str | None = None) -> dict:
    """Append the current head, with the time of publication, as one JSON line to AUDIT_HEAD_FILE.

    Only ever appends (and fsyncs): the file is the chain's memory outside the database. Give it the
    append-only attribute (`chattr +a`) and copy it off the machine. Idempotent enough for a beat
    that fires twice: a second line with the same head checks the same thing.
    """
    head = {**audit_head(), "published_at": timezone.now().isoformat()}
    target = Path(path or settings.AUDIT_HEAD_FILE)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(head, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return head


def read_heads(path: Path | str) -> list[tuple[int, dict]]:
    """(line number, head) for every non-empty line; a line that is not a head raises ValueError."""
    heads = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                head = json.loads(line)
                head = {"id": int(head["id"]), "count": int(head["count"]), "hash": str(head["hash"]), **head}
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(f"line {number} of {path} is not an audit head ({error})") from None
            heads.append((number, head))
    return heads


def _head_problem(head: dict) -> str:
    if head["id"] == 0:
        return ""  # the empty chain's head: nothing to compare
    row = AuditEvent.objects.filter(id=head["id"]).values("hash").first()
    if row is None:
        return f"event {head['id']} no longer exists (the tail was cut)"
    count = AuditEvent.objects.filter(id__lte=head["id"]).count()
    if count < head["count"]:
        return f"{head['count']} events up to {head['id']} were published, {count} remain (events were deleted)"
    if row["hash"] != head["hash"]:
        return f"event {head['id']} has another hash than the one published (the chain was rewritten)"
    return ""


def audit_verify_against_heads(path: Path | str) -> ChainCheck:
    """The chain check, then every saved head: its event exists, no event up to it is missing, and its
    hash is the one published. Any head that fails is named (line, id, publication time)."""
    result = audit_verify_chain()
    for number, head in read_heads(path):
        problem = _head_problem(head)
        if problem:
            when = head.get("published_at") or head.get("at") or "?"
            result.failed_heads.append(f"head on line {number} (event {head['id']}, published {when}): {problem}")
    if result.failed_heads:
        result.ok = False
    return result
