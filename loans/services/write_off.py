"""Writing a loan off, by two people, and the money recovered on it afterwards.

Four-eyes rule for writing off public money: the board chair proposes (the reason and the figures of
the day); a second person confirms: a board member (a board reviewer or another chair) or the finance
checker, never the proposer. The proposer may withdraw an open proposal. Confirming writes the loan
off (Dr WRITE_OFFS / Cr LOANS_RECEIVABLE, the outstanding principal). Finance then posts recoveries
(Dr BANK / Cr RECOVERIES), each reversible with a reason.
"""

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import workflow
from core.dates import show_date
from core.money import pkr, pkr_each
from notifications.services import notify

from .. import ledger, messages
from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from ..events import LoanEvent
from ..models import SERVICING_STATES, Loan, LoanState, Recovery, WriteOffProposal, WriteOffState
from ..permissions import LOANS, WRITE_OFF_CONFIRMERS
from ._common import (
    WRITE_OFF_MIN_DAYS,
    _active,
    _lock,
    _money,
    _not_borrower,
    _refuse_state,
    _tell_operator,
    _transition,
    _url,
)
from .balances import _position_in_force, _store_position

if TYPE_CHECKING:
    from accounts.models import User


def may_propose_write_off(user: "User") -> bool:
    return _active(user) and LOANS.role_allows(user, "propose_write_off")


def may_confirm_write_off(user: "User") -> bool:
    return _active(user) and LOANS.role_allows(user, "write_off")


def may_post_recoveries(user: "User") -> bool:
    return _active(user) and LOANS.role_allows(user, "post_recovery")


def open_write_off_proposal(loan: Loan) -> WriteOffProposal | None:
    return (
        WriteOffProposal.objects.filter(loan=loan, state=WriteOffState.PROPOSED).select_related("proposed_by").first()
    )


def _clean(text: object, *, field: str, missing: str, limit: int = 2000) -> str:
    text = " ".join(str(text or "").split())[:limit]
    if not text:
        raise ValidationFailed(field_errors={field: [missing]})
    return text


def loan_propose_write_off(*, loan: Loan, actor: "User", reason: str) -> WriteOffProposal:
    """The board chair proposes writing off a loan more than 90 days past due, with the reason; the
    figures of the day (outstanding principal, overdue, days past due) are kept on the proposal.

    Refused: anyone but the board chair (or the borrower's staff); without a reason; a loan not being
    repaid; 90 days past due or fewer; a loan that already has an open proposal."""
    if not may_propose_write_off(actor):
        raise PermissionDenied(LOANS.rule("propose_write_off").refusal)
    reason = _clean(reason, field="reason", missing=_("Say why the loan should be written off."))
    with transaction.atomic():
        loan = _lock(loan)
        _not_borrower(loan, actor)
        if loan.state not in SERVICING_STATES:
            _refuse_state(loan, _("be written off"))
        existing = open_write_off_proposal(loan)
        if existing is not None:
            raise InvalidTransition(
                _(
                    "A write-off of loan %(s)s is already proposed (by %(who)s on %(day)s, %(amount)s): it is "
                    "confirmed or withdrawn before another is proposed."
                )
                % {
                    "s": loan.sanction_number,
                    "who": existing.proposed_by,
                    "day": show_date(existing.proposed_on),
                    "amount": pkr(existing.outstanding_principal),
                }
            )
        today = timezone.localdate()
        position = _position_in_force(loan, as_of=today)
        if position.days_past_due < WRITE_OFF_MIN_DAYS:
            raise InvalidTransition(
                _("Loan %(s)s is %(days)d days past due; a loan is written off only after more than 90 days.")
                % {"s": loan.sanction_number, "days": position.days_past_due}
            )
        try:
            with transaction.atomic():
                proposal = WriteOffProposal.objects.create(
                    loan=loan,
                    reason=reason,
                    proposed_by=actor,
                    proposed_at=timezone.now(),
                    proposed_on=today,
                    outstanding_principal=position.outstanding_principal,
                    overdue_amount=position.overdue_amount,
                    days_past_due=position.days_past_due,
                )
        except IntegrityError:
            raise InvalidTransition(_("A write-off of this loan was proposed a moment ago; reload it.")) from None
        workflow.record(
            actor=actor,
            event=LoanEvent.WRITE_OFF_PROPOSED,
            obj=loan,
            reason=reason,
            data={
                "proposal": proposal.pk,
                "outstanding_principal": str(position.outstanding_principal),
                "overdue": str(position.overdue_amount),
                "days_past_due": position.days_past_due,
            },
        )
        from accounts.models import User

        confirmers = (
            User.objects.filter(groups__name__in=sorted(WRITE_OFF_CONFIRMERS), is_active=True)
            .exclude(pk=actor.pk)
            .exclude(pk__in=loan.operator.members.values("pk"))
            .distinct()
        )
        subject, body = messages.TO_CONFIRMERS_WRITE_OFF_PROPOSED.render(
            s=loan.sanction_number,
            proposer=str(actor),
            amount=pkr_each(position.outstanding_principal),
            days=position.days_past_due,
            reason=reason,
        )
        notify(recipients=confirmers, subject=subject, body=body, url=_url("loans:loan", pk=loan.pk))
    return proposal


def _lock_proposal(proposal: WriteOffProposal) -> tuple[Loan, WriteOffProposal]:
    loan = _lock(proposal.loan)
    try:
        proposal = WriteOffProposal.objects.select_for_update().select_related("proposed_by").get(pk=proposal.pk)
    except WriteOffProposal.DoesNotExist:
        raise InvalidTransition(_("This write-off proposal no longer exists.")) from None
    if proposal.state != WriteOffState.PROPOSED:
        raise InvalidTransition(
            _("This write-off proposal is %(state)s: it can no longer be confirmed or withdrawn.")
            % {"state": proposal.get_state_display().lower()}
        )
    return loan, proposal


def loan_confirm_write_off(*, proposal: WriteOffProposal, actor: "User", note: str = "") -> Loan:
    """A second person confirms the chair's proposal: the loan is written off (the outstanding principal,
    as proposed), the general ledger posts Dr WRITE_OFFS / Cr LOANS_RECEIVABLE, the borrower is told.

    Refused: anyone but a board reviewer, a board chair or the finance checker; the proposer (four-eyes
    rule); the borrower's staff; a proposal withdrawn or already confirmed; a loan whose figures moved
    since the proposal (a repayment came in: the chair proposes again) or no longer 90+ days past due."""
    if not may_confirm_write_off(actor):
        raise PermissionDenied(LOANS.rule("write_off").refusal)
    note = " ".join(str(note or "").split())[:2000]
    with transaction.atomic():
        loan, proposal = _lock_proposal(proposal)
        _not_borrower(loan, actor)
        if proposal.proposed_by_id == actor.pk:
            raise PermissionDenied(
                _(
                    "You proposed this write-off, so you may not confirm it: a second person (a board member or "
                    "the finance checker) confirms it (four-eyes rule). You may withdraw it."
                )
            )
        if loan.state not in SERVICING_STATES:
            _refuse_state(loan, _("be written off"))
        today = timezone.localdate()
        position = _position_in_force(loan, as_of=today)
        if position.outstanding_principal != proposal.outstanding_principal:
            raise InvalidTransition(
                _(
                    "The figures of loan %(s)s changed since the proposal: outstanding principal %(then)s on "
                    "%(day)s, %(now)s today. The chair withdraws the proposal and proposes again."
                )
                % {
                    "s": loan.sanction_number,
                    "then": pkr(proposal.outstanding_principal),
                    "day": show_date(proposal.proposed_on),
                    "now": pkr(position.outstanding_principal),
                }
            )
        if position.days_past_due < WRITE_OFF_MIN_DAYS:
            raise InvalidTransition(
                _("Loan %(s)s is %(days)d days past due; a loan is written off only after more than 90 days.")
                % {"s": loan.sanction_number, "days": position.days_past_due}
            )
        _transition(
            loan,
            "write_off",
            actor,
            event=LoanEvent.WRITE_OFF,
            reason=proposal.reason,
            on=today,
            by=actor,
            amount=position.outstanding_principal,
            data={
                "proposal": proposal.pk,
                "proposed_by": proposal.proposed_by_id,
                "outstanding_principal": str(position.outstanding_principal),
                "days_past_due": position.days_past_due,
                "note": note,
            },
        )
        WriteOffProposal.objects.filter(pk=proposal.pk).update(
            state=WriteOffState.CONFIRMED, decided_by=actor, decided_at=timezone.now(), decision_note=note
        )
        ledger.post_write_off(proposal, loan, actor=actor)
        _store_position(loan, None, today)
        _tell_operator(
            loan,
            *messages.TO_BORROWER_WRITTEN_OFF.render(
                s=loan.sanction_number, amount=pkr_each(position.outstanding_principal), reason=proposal.reason
            ),
        )
    return loan


def loan_withdraw_write_off(*, proposal: WriteOffProposal, actor: "User", note: str = "") -> WriteOffProposal:
    """The proposer withdraws an open proposal (nothing is written off). Refused for anyone else."""
    with transaction.atomic():
        loan, proposal = _lock_proposal(proposal)
        if not _active(actor) or proposal.proposed_by_id != actor.pk:
            raise PermissionDenied(LOANS.rule("withdraw_write_off").refusal)
        note = " ".join(str(note or "").split())[:2000]
        WriteOffProposal.objects.filter(pk=proposal.pk).update(
            state=WriteOffState.WITHDRAWN, decided_by=actor, decided_at=timezone.now(), decision_note=note
        )
        workflow.record(
            actor=actor, event=LoanEvent.WRITE_OFF_WITHDRAWN, obj=loan, reason=note, data={"proposal": proposal.pk}
        )
        proposal.refresh_from_db()
    return proposal


# --- recoveries ---------------------------------------------------------------------------------------


def loan_post_recovery(
    *, loan: Loan, actor: "User", amount: Decimal, received_on: dt.date, bank_reference: str
) -> Recovery:
    """Finance posts money recovered on a written-off loan (Dr BANK / Cr RECOVERIES).

    Refused: anyone but finance (or the borrower's staff); a loan not written off; a date in the future
    or before the write-off; a bank reference already posted as a recovery on this loan that stands."""
    if not may_post_recoveries(actor):
        raise PermissionDenied(LOANS.rule("post_recovery").refusal)
    amount = _money(amount, _("The amount"), "amount")
    reference = " ".join(str(bank_reference or "").split())
    if not reference or len(reference) > 40:
        raise ValidationFailed(
            field_errors={"bank_reference": [_("Enter the bank's reference for this payment (at most 40 characters).")]}
        )
    if not isinstance(received_on, dt.date) or isinstance(received_on, dt.datetime):
        raise ValidationFailed(field_errors={"received_on": [_("Enter the date the money was received.")]})
    with transaction.atomic():
        loan = _lock(loan)
        _not_borrower(loan, actor)
        if loan.state != LoanState.WRITTEN_OFF:
            raise InvalidTransition(
                _("Loan %(s)s is %(state)s: recoveries are posted only on a written-off loan; post a repayment.")
                % {"s": loan.sanction_number, "state": loan.get_state_display().lower()}
            )
        today = timezone.localdate()
        if received_on > today or (loan.written_off_on and received_on < loan.written_off_on):
            raise ValidationFailed(
                field_errors={
                    "received_on": [
                        _("The date received must fall between the write-off (%(off)s) and today (%(today)s).")
                        % {"off": show_date(loan.written_off_on), "today": show_date(today)}
                    ]
                }
            )
        duplicate = Recovery.objects.filter(
            loan=loan, kind=Recovery.Kind.RECOVERY, bank_reference__iexact=reference, reversed_by__isnull=True
        ).first()
        if duplicate is not None:
            raise ValidationFailed(
                field_errors={
                    "bank_reference": [
                        _(
                            "Bank reference %(ref)s is already posted as a recovery on this loan "
                            "(%(amount)s on %(day)s)."
                        )
                        % {"ref": reference, "amount": pkr(duplicate.amount), "day": show_date(duplicate.received_on)}
                    ]
                }
            )
        recovery = Recovery.objects.create(
            loan=loan,
            received_on=received_on,
            amount=amount,
            bank_reference=reference,
            posted_by=actor,
            posted_at=timezone.now(),
        )
        ledger.post_recovery(recovery, actor=actor)
        workflow.record(
            actor=actor,
            event=LoanEvent.RECOVERY,
            obj=loan,
            data={
                "recovery": recovery.pk,
                "amount": str(amount),
                "received_on": received_on.isoformat(),
                "bank_reference": reference,
            },
        )
        _tell_operator(
            loan,
            *messages.TO_BORROWER_RECOVERY.render(
                s=loan.sanction_number, amount=pkr_each(amount), day=lambda: show_date(received_on), ref=reference
            ),
        )
    return recovery


def loan_reverse_recovery(*, recovery: Recovery, actor: "User", reason: str) -> Recovery:
    """Take back a recovery posted by mistake (a bounced cheque): a negative row and the mirror entry."""
    if not may_post_recoveries(actor):
        raise PermissionDenied(LOANS.rule("post_recovery").refusal)
    reason = _clean(reason, field="reason", missing=_("Say why the recovery is reversed."), limit=300)
    with transaction.atomic():
        loan = _lock(recovery.loan)
        _not_borrower(loan, actor)
        recovery = Recovery.objects.get(pk=recovery.pk)
        if recovery.kind != Recovery.Kind.RECOVERY or hasattr(recovery, "reversed_by"):
            raise InvalidTransition(_("This recovery is already reversed."))
        today = timezone.localdate()
        reversal = Recovery.objects.create(
            loan=loan,
            kind=Recovery.Kind.REVERSAL,
            received_on=today,
            amount=-recovery.amount,
            bank_reference=recovery.bank_reference,
            reverses=recovery,
            reason=reason,
            posted_by=actor,
            posted_at=timezone.now(),
        )
        ledger.reverse_recovery(recovery, reversal, actor=actor, reason=reason, on=today)
        workflow.record(
            actor=actor,
            event=LoanEvent.RECOVERY_REVERSAL,
            obj=loan,
            reason=reason,
            data={"recovery": recovery.pk, "reversal": reversal.pk, "amount": str(recovery.amount)},
        )
    return reversal


__all__ = [
    "loan_confirm_write_off",
    "loan_post_recovery",
    "loan_propose_write_off",
    "loan_reverse_recovery",
    "loan_withdraw_write_off",
    "may_confirm_write_off",
    "may_post_recoveries",
    "may_propose_write_off",
    "open_write_off_proposal",
]
