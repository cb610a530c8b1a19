"""How an instrument learns that its payment moved.

An instrument registers a callback for its source model's label (e.g. "grants.tranche") in its
AppConfig.ready(); finance calls it inside the transaction that changed the payment's state, with the
locked instruction, so the instrument's own change commits or rolls back together with the payment:

    from finance.hooks import on_payment_state

    def tranche_payment_moved(instruction, from_state, to_state):
        if to_state == "paid":
            Tranche.objects.filter(pk=instruction.source_id).update(...)

    on_payment_state("grants.tranche", tranche_payment_moved)
"""

from collections import defaultdict
from collections.abc import Callable

_callbacks: dict[str, list[Callable]] = defaultdict(list)


def on_payment_state(source_label: str, callback: Callable) -> None:
    """Register `callback(instruction, from_state, to_state)` for payments of `source_label`."""
    if callback not in _callbacks[source_label]:
        _callbacks[source_label].append(callback)


def payment_state_changed(instruction, from_state: str, to_state: str) -> None:
    label = instruction.idempotency_key.split(":", 1)[0]
    for callback in list(_callbacks.get(label, ())):
        callback(instruction, from_state, to_state)
