"""Idempotency keys (the `Idempotency-Key` header of every POST).

The first request with a key runs and its response is stored with the key, in the transaction of the
change: if the change rolls back (any refusal) nothing is stored, and the key may be used again. The
same key with the same request (method, path, and body read as JSON: spacing and key order do not
matter) answers the stored response again, marked `already_applied`, and changes nothing. The same key
with another request is refused (422). Two requests with one key at the same moment: the second waits
for the first (an advisory lock on PostgreSQL; SQLite has one writer) and then replays its response.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import IdempotencyKeyMissing, IdempotencyKeyReused
from ..models import ApiClient, IdempotencyKey

MAX_KEY = 200


@dataclass
class Replay:
    status: int
    body: dict[str, Any]
    replayed: bool


def clean_key(value: str | None) -> str:
    key = (value or "").strip()
    if not key:
        raise IdempotencyKeyMissing()
    if len(key) > MAX_KEY or not key.isprintable() or not key.isascii():
        raise IdempotencyKeyMissing(
            _("An Idempotency-Key is 1 to %(n)d printable ASCII characters (a UUID will do).") % {"n": MAX_KEY}
        )
    return key


def request_hash(method: str, path: str, payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(f"{method.upper()} {path}\n{canonical}".encode()).hexdigest()


def _lock(client: ApiClient, key: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"api-key:{client.pk}:{key}"])


def idempotent(
    *,
    client: ApiClient,
    key: str | None,
    method: str,
    path: str,
    payload: Any,
    apply: Callable[[str], tuple[int, dict[str, Any]]],
) -> Replay:
    """Run `apply(key)` once per key; see the module docstring."""
    key = clean_key(key)
    digest = request_hash(method, path, payload)
    with transaction.atomic():
        _lock(client, key)
        stored = IdempotencyKey.objects.filter(client=client, key=key).first()
        if stored is not None:
            if stored.request_hash != digest:
                raise IdempotencyKeyReused(
                    _(
                        "Idempotency-Key %(key)s was used on %(when)s for a different request (%(method)s %(path)s); "
                        "nothing was changed. Use a new key for a new change."
                    )
                    % {
                        "key": key,
                        "when": timezone.localtime(stored.created_at).isoformat(),
                        "method": stored.method,
                        "path": stored.path,
                    }
                )
            return Replay(stored.status_code, {**stored.response, "already_applied": True}, True)
        status, body = apply(key)
        body = {**body, "already_applied": False}
        IdempotencyKey.objects.create(
            client=client,
            key=key,
            method=method.upper()[:10],
            path=path[:300],
            request_hash=digest,
            status_code=status,
            response=json.loads(json.dumps(body, default=str)),
            created_at=timezone.now(),
        )
    return Replay(status, body, False)
