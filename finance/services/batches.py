"""Payment batches: approved payments grouped into one bank upload, then marked sent.
The API is described in finance/services/__init__.py."""

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from core import workflow

from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from ..events import FinanceEvent
from ..models import (
    LedgerEntry,
    PaymentBatch,
    PaymentInstruction,
    is_active_person,
)
from ..permissions import BATCHES
from ._common import (
    S,
    _ledger,
    _state_label,
    _transition,
)

if TYPE_CHECKING:
    from accounts.models import User


# --- batches ---------------------------------------------------------------------------------------


def batch_create(*, actor: "User", value_date: dt.date, instructions: Iterable[PaymentInstruction]) -> PaymentBatch:
    """A finance maker groups approved payments into one bank upload. approved -> in_batch for each.

    Refused as a whole when any payment is not approved (nothing is half-batched).
    """
    if not is_active_person(actor) or not actor.has_role(roles.FINANCE_MAKER):
        raise PermissionDenied(_("Only a finance maker may create payment batches."))
    ids = sorted({i.pk for i in instructions})
    if not ids:
        raise ValidationFailed(_("Choose at least one approved payment for the batch."))
    if value_date < timezone.localdate():
        raise ValidationFailed(
            _("A batch cannot be dated in the past."), field_errors={"value_date": [_("Choose today or later.")]}
        )
    with transaction.atomic():
        locked = list(PaymentInstruction.objects.select_for_update().filter(pk__in=ids).order_by("id"))
        problems = [
            _("Payment %(ref)s is %(state)s, not approved.") % {"ref": p.reference, "state": _state_label(p.state)}
            for p in locked
            if p.state != S.APPROVED
        ]
        if len(locked) != len(ids):
            problems.append(_("A chosen payment no longer exists."))
        if problems:
            raise ValidationFailed(*problems)
        now = timezone.now()
        batch = PaymentBatch.objects.create(
            reference=f"tmp-{now.timestamp()}-{actor.pk}"[:30], value_date=value_date, created_by=actor, created_at=now
        )
        batch.reference = f"PB-{value_date:%Y%m%d}-{batch.pk:04d}"
        batch.save(update_fields=["reference"])
        for instruction in locked:
            _transition(instruction, "add_to_batch", actor, batch=batch, data={"batch": batch.reference})
        workflow.record(
            actor=actor,
            event=FinanceEvent.BATCH_CREATE,
            obj=batch,
            to_state=batch.state,
            data={"payments": [p.reference for p in locked], "total": str(sum(p.amount for p in locked))},
        )
    return batch


def batch_mark_sent(*, batch: PaymentBatch, actor: "User") -> PaymentBatch:
    """open -> sent, and every payment in it in_batch -> sent, with one `sent` ledger row each.

    Idempotent: a batch already sent is returned unchanged, so a retried task or a second click
    writes nothing.
    """
    if not is_active_person(actor) or not actor.has_role(roles.FINANCE_MAKER):
        raise PermissionDenied(_("Only a finance maker may mark a batch sent."))
    with transaction.atomic():
        try:
            batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
        except PaymentBatch.DoesNotExist:
            raise InvalidTransition(_("This batch no longer exists.")) from None
        if batch.state == PaymentBatch.State.SENT:
            return batch
        payments = list(
            PaymentInstruction.objects.select_for_update().filter(batch=batch, state=S.IN_BATCH).order_by("id")
        )
        if not payments:
            raise ValidationFailed(_("This batch has no payments left to send."))
        now = timezone.now()
        for instruction in payments:
            _transition(instruction, "mark_sent", actor, at=now, data={"batch": batch.reference})
            _ledger(instruction, LedgerEntry.Kind.SENT, actor, batch=batch)
        workflow.transition(
            batch,
            workflow.Step(
                "mark_sent",
                FinanceEvent.BATCH_MARK_SENT,
                kwargs={"by": actor, "at": now},
                data={"payments": len(payments), "total": str(sum(p.amount for p in payments))},
                at=now,
            ),
            actor=actor,
            table=BATCHES,
            wrong_state=_("Batch %(ref)s is already sent.") % {"ref": batch.reference},
        )
    return batch
