"""Writing to the audit log. Every service that changes state calls `audit_record` inside its own
transaction, so the event exists exactly when the change does."""

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from .models import AuditEvent

GENESIS_HASH = "0" * 64
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
    actor,
    action: str,
    obj,
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
    event = AuditEvent(
        created_at=at or timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=(str(actor) if getattr(actor, "pk", None) else (actor or "system"))[:200],
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


def audit_verify_chain() -> ChainCheck:
    """Walk the chain from the first event; report the first event whose hash or link is wrong."""
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
