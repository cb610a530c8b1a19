"""How an instrument learns that its payment moved.

An instrument registers a callback for its source model's label (e.g. "grants.tranche") in its
AppConfig.ready(); finance calls it inside the transaction that changed the payment's state, with the
locked instruction, so the instrument's own change commits or rolls back together with the payment:

    from finance.hooks import on_payment_state

    def tranche_payment_moved(instruction, from_state, to_state):
        if to_state == "paid":
            Tranche.objects.filter(pk=instruction.source_id).update(...)

    on_payment_state("grants.tranche", tranche_payment_moved)

It also registers how its sources are named to staff (finance shows "Tranche 2 of GR-2026-00012", not
the key "grants.tranche:7"), rendered when shown so it reads in the reader's language:

    describe_source("grants.tranche", tranche_payment_label)   # (source_id: str) -> str
"""

from collections import defaultdict
from collections.abc import Callable

_callbacks: dict[str, list[Callable]] = defaultdict(list)
_describers: dict[str, Callable[[str], str]] = {}


def on_payment_state(source_label: str, callback: Callable) -> None:
    """Register `callback(instruction, from_state, to_state)` for payments of `source_label`."""
    if callback not in _callbacks[source_label]:
        _callbacks[source_label].append(callback)


def payment_state_changed(instruction, from_state: str, to_state: str) -> None:
    label = instruction.idempotency_key.split(":", 1)[0]
    for callback in list(_callbacks.get(label, ())):
        callback(instruction, from_state, to_state)


def describe_source(source_label: str, describer: Callable[[str], str]) -> None:
    """Register `describer(source_id) -> str`, the human name of a payment source of `source_label`."""
    _describers[source_label] = describer


def source_description(idempotency_key: str) -> str:
    """What a payment is for, in words ("Tranche 2 of GR-2026-00012"); the key itself when its instrument
    registered no describer or the source is gone."""
    label, _sep, source_id = idempotency_key.partition(":")
    describer = _describers.get(label)
    if describer is None:
        return idempotency_key
    return describer(source_id) or idempotency_key
