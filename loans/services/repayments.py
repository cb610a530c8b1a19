"""Repayments: posting one (allocated in the order of loans/positions.py) and reversing the latest."""

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import workflow
from core.dates import show_date
from core.messages import joined
from core.money import pkr, pkr_each

from .. import messages, positions
from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from ..events import LoanEvent
from ..models import (
    SERVICING_STATES,
    CollectionFile,
    Loan,
    Repayment,
    RepaymentAllocation,
)
from ._common import (
    S,
    _lock,
    _money,
    _not_borrower,
    _refuse_state,
    _tell_operator,
    _transition,
    may_post_repayments,
)
from .balances import (
    _position_in_force,
    _rows_and_settled,
    _store_position,
    _version_in_force,
    current_version,
    loan_position,
)

if TYPE_CHECKING:
    from accounts.models import User


# --- repayments -------------------------------------------------------------------------------------


def _check_posting(loan: Loan, actor: "User") -> None:
    if not may_post_repayments(actor):
        raise PermissionDenied(_("Only finance staff may post repayments."))
    _not_borrower(loan, actor)


def _clean_reference(bank_reference: object) -> str:
    reference = " ".join(str(bank_reference or "").split())
    if not reference:
        raise ValidationFailed(field_errors={"bank_reference": [_("Enter the bank's reference for this payment.")]})
    if len(reference) > 40:
        raise ValidationFailed(field_errors={"bank_reference": [_("A bank reference has at most 40 characters.")]})
    return reference


def _live_reference_exists(loan: Loan, reference: str) -> Repayment | None:
    return (
        Repayment.objects.filter(loan=loan, kind=Repayment.Kind.REPAYMENT, bank_reference__iexact=reference)
        .exclude(reversed_by__isnull=False)
        .first()
    )


def _apply(
    loan: Loan,
    *,
    actor: "User",
    amount: Decimal,
    received_on: dt.date,
    bank_reference: str,
    collection: CollectionFile | None = None,
) -> Repayment:
    """Allocate and record one repayment on a locked, servicing loan (the caller's transaction)."""
    version = current_version(loan)
    if version is None:
        _refuse_state(loan, _("take repayments"))
    today = timezone.localdate()
    if received_on > today:
        raise ValidationFailed(
            field_errors={
                "received_on": [
                    _("The date received cannot be in the future (today is %(d)s).") % {"d": show_date(today)}
                ]
            }
        )
    if loan.disbursed_on and received_on < loan.disbursed_on:
        raise ValidationFailed(
            field_errors={
                "received_on": [
                    _("The date received is before the loan was disbursed (%(d)s).")
                    % {"d": show_date(loan.disbursed_on)}
                ]
            }
        )
    duplicate = _live_reference_exists(loan, bank_reference)
    if duplicate is not None:
        raise ValidationFailed(
            field_errors={
                "bank_reference": [
                    _("Bank reference %(ref)s is already posted on this loan (%(amount)s on %(day)s).")
                    % {
                        "ref": bank_reference,
                        "amount": pkr(duplicate.amount),
                        "day": show_date(duplicate.received_on),
                    }
                ]
            }
        )
    instalments, rows, settled = _rows_and_settled(version)
    try:
        allocation = positions.allocate(
            principal=version.principal, rows=rows, settled=settled, on=received_on, amount=amount
        )
    except positions.OverPayoff as over:
        owed = over.payoff
        raise ValidationFailed(
            field_errors={
                "amount": [
                    _(
                        "%(amount)s is more than the loan's whole outstanding balance on %(day)s, %(total)s: "
                        "principal %(principal)s (of which %(overdue_p)s overdue), overdue interest %(overdue_i)s "
                        "and this month's interest %(current_i)s."
                    )
                    % {
                        "amount": pkr(amount),
                        "day": show_date(received_on),
                        "total": pkr(owed.total),
                        "principal": pkr(owed.overdue_principal + owed.remaining_principal),
                        "overdue_p": pkr(owed.overdue_principal),
                        "overdue_i": pkr(owed.overdue_interest),
                        "current_i": pkr(owed.current_interest),
                    }
                ]
            }
        ) from None
    by_number = {i.number: i for i in instalments}
    repayment = Repayment.objects.create(
        loan=loan,
        kind=Repayment.Kind.REPAYMENT,
        channel=Repayment.Channel.COLLECTION_FILE if collection else Repayment.Channel.FORM,
        received_on=received_on,
        amount=amount,
        bank_reference=bank_reference,
        principal=allocation.principal,
        interest=allocation.interest,
        collection=collection,
        posted_by=actor,
        posted_at=timezone.now(),
    )
    RepaymentAllocation.objects.bulk_create(
        [
            RepaymentAllocation(
                repayment=repayment,
                instalment=by_number[share.number],
                kind=share.kind,
                principal=share.principal,
                interest=share.interest,
                interest_waived=share.waived,
            )
            for share in allocation.shares
        ]
    )
    loan.principal_repaid += allocation.principal
    loan.interest_repaid += allocation.interest
    Loan.objects.filter(pk=loan.pk).update(principal_repaid=loan.principal_repaid, interest_repaid=loan.interest_repaid)
    after = _position_in_force(loan, as_of=max(today, received_on))
    from_state = loan.state
    if after.outstanding_principal == 0 and after.overdue_amount == 0:
        last_due = max(r.due_date for r in rows)
        early = received_on < last_due
        _transition(
            loan,
            "close",
            actor,
            event=LoanEvent.CLOSE,
            on=received_on,
            early=early,
            data={"early": early, "repayment": repayment.pk, "closed_on": received_on.isoformat()},
        )
    _store_position(loan, after, today)
    workflow.record(
        actor=actor,
        event=LoanEvent.REPAYMENT,
        obj=loan,
        from_state=from_state,
        to_state=loan.state,
        data={
            "repayment": repayment.pk,
            "amount": str(amount),
            "received_on": received_on.isoformat(),
            "bank_reference": bank_reference,
            "principal": str(allocation.principal),
            "interest": str(allocation.interest),
            "collection_file": collection.pk if collection else None,
        },
    )
    subject, body = messages.TO_BORROWER_REPAYMENT_RECEIVED.render(
        s=loan.sanction_number,
        amount=pkr_each(amount),
        day=lambda: show_date(received_on),
        ref=bank_reference,
        principal=pkr_each(allocation.principal),
        interest=pkr_each(allocation.interest),
        outstanding=pkr_each(after.outstanding_principal),
    )
    if loan.state == S.CLOSED:
        body = joined(body, " ", messages.LOAN_CLOSED)
    _tell_operator(loan, subject, body)
    return repayment


def loan_post_repayment(
    *,
    loan: Loan,
    actor: "User",
    amount: Decimal,
    received_on: dt.date,
    bank_reference: str,
    collection: CollectionFile | None = None,
) -> Repayment:
    """Finance posts money received from the borrower (see the module docstring for the rules)."""
    amount = _money(amount, _("The amount"), "amount")
    reference = _clean_reference(bank_reference)
    if not isinstance(received_on, dt.date) or isinstance(received_on, dt.datetime):
        raise ValidationFailed(field_errors={"received_on": [_("Enter the date the money was received.")]})
    with transaction.atomic():
        loan = _lock(loan)
        _check_posting(loan, actor)
        if loan.state not in SERVICING_STATES:
            _refuse_state(loan, _("take repayments"))
        return _apply(
            loan, actor=actor, amount=amount, received_on=received_on, bank_reference=reference, collection=collection
        )


def loan_reverse_repayment(*, repayment: Repayment, actor: "User", reason: str) -> Repayment:
    """Reverse the loan's latest repayment (a bounced cheque, a wrong loan): a negative row with negative
    allocations. An older repayment is reversed after the later ones, since they were split on top of it.
    A loan the reversed repayment had closed is open again."""
    reason = " ".join(str(reason or "").split())[:300]
    if not reason:
        raise ValidationFailed(field_errors={"reason": [_("Say why the repayment is reversed.")]})
    with transaction.atomic():
        loan = _lock(repayment.loan)
        _check_posting(loan, actor)
        repayment = Repayment.objects.get(pk=repayment.pk)
        if repayment.kind != Repayment.Kind.REPAYMENT or hasattr(repayment, "reversed_by"):
            raise InvalidTransition(_("This repayment is already reversed."))
        latest = (
            Repayment.objects.filter(loan=loan, kind=Repayment.Kind.REPAYMENT, reversed_by__isnull=True)
            .order_by("-posted_at", "-id")
            .first()
        )
        if latest is None or latest.pk != repayment.pk:
            raise InvalidTransition(
                _("Reverse the later repayments first (latest: %(ref)s): each was split on top of this one.")
                % {"ref": latest.bank_reference if latest else "—"}
            )
        if loan.state not in (*SERVICING_STATES, S.CLOSED):
            _refuse_state(loan, _("have a repayment reversed"))
        version = _version_in_force(loan)
        if repayment.allocations.exclude(instalment__version=version).exists():
            # The restructuring put on its new schedule what was owed after this repayment.
            raise InvalidTransition(
                _(
                    "This repayment was split on an earlier schedule, before the restructuring of %(day)s: it "
                    "cannot be reversed on its own. Restructure the loan again for the corrected balance."
                )
                % {"day": show_date(version.effective_on)}
            )
        reversal = Repayment.objects.create(
            loan=loan,
            kind=Repayment.Kind.REVERSAL,
            channel=repayment.channel,
            received_on=repayment.received_on,
            amount=-repayment.amount,
            bank_reference=repayment.bank_reference,
            principal=-repayment.principal,
            interest=-repayment.interest,
            reverses=repayment,
            reason=reason,
            posted_by=actor,
            posted_at=timezone.now(),
        )
        RepaymentAllocation.objects.bulk_create(
            [
                RepaymentAllocation(
                    repayment=reversal,
                    instalment_id=a.instalment_id,
                    kind=a.kind,
                    principal=-a.principal,
                    interest=-a.interest,
                    interest_waived=-a.interest_waived,
                )
                for a in repayment.allocations.all()
            ]
        )
        loan.principal_repaid -= repayment.principal
        loan.interest_repaid -= repayment.interest
        Loan.objects.filter(pk=loan.pk).update(
            principal_repaid=loan.principal_repaid, interest_repaid=loan.interest_repaid
        )
        from_state = loan.state
        if loan.state == S.CLOSED:
            _transition(
                loan,
                "reopen",
                actor,
                event=LoanEvent.REOPEN,
                reason=reason,
                restructured=version.number > 1,
                data={"repayment": repayment.pk},
            )
        today = timezone.localdate()
        _store_position(loan, loan_position(loan, as_of=today), today)
        workflow.record(
            actor=actor,
            event=LoanEvent.REPAYMENT_REVERSAL,
            obj=loan,
            from_state=from_state,
            to_state=loan.state,
            reason=reason,
            data={"repayment": repayment.pk, "reversal": reversal.pk, "amount": str(repayment.amount)},
        )
    return reversal
