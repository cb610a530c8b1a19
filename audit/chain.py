"""The arithmetic of the audit chain: the canonical text an event's hash covers and the keyed hash.

The hash is HMAC-SHA256 under `settings.AUDIT_HMAC_KEY`, a key held outside the database (production
reads it from the environment and refuses to start without it). Someone who can write the database
but does not hold the key cannot rewrite an event and recompute the hashes after it: the recomputed
hashes will not verify. Someone who holds the key as well is caught by the heads published outside
the database (`publish_audit_head`, `/open-data/audit-head.json`, `verify_audit --against`).
"""

import hashlib
import hmac
import json

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

GENESIS_HASH = "0" * 64
# The one scheme in use: every row, old ones included, was re-chained under the key by migration 0002.
SCHEME = "hmac-sha256"


def hmac_key() -> bytes:
    key = getattr(settings, "AUDIT_HMAC_KEY", "")
    if not key:
        raise ImproperlyConfigured("AUDIT_HMAC_KEY is not set: the audit chain cannot be written or checked.")
    return key.encode("utf-8")


def canonical_payload(fields: dict) -> str:
    """The text the hash covers. Key order and formats are fixed so the hash is reproducible."""
    return json.dumps(
        {
            "created_at": fields["created_at"].isoformat(),
            "actor_id": fields["actor_id"],
            "actor_label": fields["actor_label"],
            "action": fields["action"],
            "object_type": fields["object_type"],
            "object_id": str(fields["object_id"]),
            "object_label": fields["object_label"],
            "from_state": fields["from_state"],
            "to_state": fields["to_state"],
            "reason": fields["reason"],
            "data": fields["data"],
            "prev_hash": fields["prev_hash"],
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )


PAYLOAD_FIELDS = (
    "created_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "from_state",
    "to_state",
    "reason",
    "data",
    "prev_hash",
)


def payload_of(event) -> str:
    return canonical_payload({name: getattr(event, name) for name in PAYLOAD_FIELDS})


def keyed_hash(payload: str, key: bytes | None = None) -> str:
    return hmac.new(key or hmac_key(), payload.encode("utf-8"), hashlib.sha256).hexdigest()


def legacy_hash(payload: str) -> str:
    """The unkeyed SHA-256 the chain used before the key; read only by the re-chaining migration."""
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
