"""Opening a loan account and disbursing it: the request to finance and finance's payment hook."""

import datetime as dt
from typing import TYPE_CHECKING, cast

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import workflow
from core.dates import show_date
from core.money import pkr_each
from grants.award_money import award_record_payment
from grants.models import Application, Award, AwardState, Program
from grants.selectors import people_who_touched

from .. import messages
from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from ..events import LoanEvent
from ..models import (
    Instalment,
    Loan,
    ScheduleVersion,
)
from ..schedules import Grace, build_schedule, first_due_after
from ._common import (
    S,
    _lock,
    _not_borrower,
    _refuse_state,
    _tell_finance,
    _tell_operator,
    _transition,
    may_request_disbursement,
)
from .balances import (
    _store_position,
    _store_rows,
    loan_position,
)

if TYPE_CHECKING:
    from accounts.models import User
    from finance.models import PaymentInstruction


# --- opening and disbursing ------------------------------------------------------------------------


def loan_open(*, award: Award, actor: "User") -> Loan:
    """Open the loan account of an accepted soft-loan award (sanctioned). Idempotent per award."""
    if not may_request_disbursement(actor):
        raise PermissionDenied(_("Only a program officer or a finance maker may open a loan account."))
    with transaction.atomic():
        try:
            award = Award.objects.select_for_update().select_related("application__operator").get(pk=award.pk)
        except Award.DoesNotExist:
            raise InvalidTransition(_("This award no longer exists.")) from None
        existing = Loan.objects.filter(award=award).first()
        if existing is not None:
            return existing
        application = award.application
        if application.instrument != Program.Instrument.SOFT_LOAN:
            raise ValidationFailed(_("Award %(s)s is not a soft loan.") % {"s": award.sanction_number})
        if award.state != AwardState.ACCEPTED:
            raise InvalidTransition(
                _("Award %(s)s is not accepted yet: the operator accepts it in the portal first.")
                % {"s": award.sanction_number}
            )
        if application.operator.members.filter(pk=actor.pk).exists():
            raise PermissionDenied(_("You are on the staff of the borrower, so you may not open its loan."))
        details = application.loan_details
        loan = Loan.objects.create(
            award=award,
            application=application,
            operator=application.operator,
            sanction_number=award.sanction_number,
            principal=award.amount,
            annual_rate_percent=details.annual_markup_percent,
            tenor_months=details.tenure_months,
            grace_months=details.grace_months,
            grace_kind=details.grace_kind,  # interest-only or capitalised, as the operator asked
            opened_at=timezone.now(),
        )
        workflow.record(
            actor=actor,
            event=LoanEvent.OPEN,
            obj=loan,
            to_state=loan.state,
            data={
                "award": award.pk,
                "principal": str(loan.principal),
                "annual_rate_percent": str(loan.annual_rate_percent),
                "tenor_months": loan.tenor_months,
                "grace_months": loan.grace_months,
                "grace_kind": loan.grace_kind,
            },
        )
    return loan


def loan_request_disbursement(*, award: Award, actor: "User") -> Loan:
    """Open the loan if needed and ask finance to pay the principal to the borrower.

    Pre: the award is an accepted soft loan. Post: the loan is disbursement_requested with one live
    payment instruction (finance's idempotency key is the loan, so a second click changes nothing).
    """
    from finance.errors import FinanceError
    from finance.services import payment_request

    loan = loan_open(award=award, actor=actor)
    with transaction.atomic():
        loan = _lock(loan)
        _not_borrower(loan, actor)
        if loan.state not in (S.SANCTIONED, S.DISBURSEMENT_REQUESTED):
            _refuse_state(loan, _("be disbursed"))
        application = Application.objects.select_related("space", "operator").get(pk=loan.application_id)
        try:
            payment_request(
                source=loan,
                payee=loan.operator,
                amount=loan.principal,
                narration=_("Soft loan disbursement %(s)s") % {"s": loan.sanction_number},
                actor=actor,
                touched_by=people_who_touched(application),
                application=application,
            )
        except FinanceError as error:
            raise ValidationFailed(*error.messages) from error
        if loan.state == S.SANCTIONED:
            _transition(
                loan,
                "request_disbursement",
                actor,
                event=LoanEvent.REQUEST_DISBURSEMENT,
                at=timezone.now(),
                data={"amount": str(loan.principal)},
            )
            _tell_operator(
                loan,
                *messages.TO_BORROWER_DISBURSEMENT_REQUESTED.render(
                    s=loan.sanction_number, amount=pkr_each(loan.principal)
                ),
            )
    return loan


def _generate_schedule(loan: Loan, *, disbursed_on: dt.date, actor: "User | None") -> ScheduleVersion:
    """Version 1 from the disbursement date: first instalment one month after it, on the same day of
    the month, at most the 28th (so that every instalment falls on the same day, February included)."""
    number = (
        ScheduleVersion.objects.filter(loan=loan).order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    first_due = first_due_after(disbursed_on)
    rows = build_schedule(
        principal=loan.principal,
        annual_rate_percent=loan.annual_rate_percent,
        months=loan.tenor_months,
        grace_months=loan.grace_months,
        grace=Grace(loan.grace_kind),
        first_due=first_due,
    )
    version = ScheduleVersion.objects.create(
        loan=loan,
        number=number,
        effective_on=disbursed_on,
        principal=loan.principal,
        annual_rate_percent=loan.annual_rate_percent,
        months=loan.tenor_months,
        grace_months=loan.grace_months,
        grace_kind=loan.grace_kind,
        first_due=first_due,
        reason=_("Disbursed on %(day)s.") % {"day": disbursed_on.isoformat()},
        created_by=actor if getattr(actor, "pk", None) else None,
        created_at=timezone.now(),
    )
    _store_rows(version, rows)
    return version


def disbursement_payment_moved(instruction: "PaymentInstruction", from_state: str, to_state: str) -> None:
    """finance's hook for payments of `loans.loan` (runs inside the payment's transaction)."""
    from finance.models import PaymentInstruction

    actor = instruction.approved_by or instruction.requested_by
    # Lock order as finance's: the payment first (already held when finance calls), then the loan. A
    # redelivered hook thus waits for the payment's own transaction instead of deadlocking with it.
    list(PaymentInstruction.objects.select_for_update().filter(pk=instruction.pk).values_list("pk", flat=True))
    try:
        loan = Loan.objects.select_for_update().get(pk=int(instruction.source_id))
    except (Loan.DoesNotExist, ValueError):
        return
    if to_state == "paid":
        if (
            loan.state != S.DISBURSEMENT_REQUESTED
            or ScheduleVersion.objects.filter(loan=loan, is_current=True).exists()
        ):
            return  # already active (a retried hook): nothing twice
        paid_on = timezone.localdate(instruction.paid_at) if instruction.paid_at else timezone.localdate()
        award_record_payment(award=loan.award, amount=instruction.amount)
        # The schedule is made before the transition so the audit event can name it; a failure
        # rolls both back with the payment's transaction.
        try:
            with transaction.atomic():
                version = _generate_schedule(loan, disbursed_on=paid_on, actor=None)
        except IntegrityError:
            raise InvalidTransition(_("A schedule for this loan was made a moment ago.")) from None
        _transition(
            loan,
            "activate",
            actor,
            event=LoanEvent.ACTIVATE,
            disbursed_on=paid_on,
            amount=instruction.amount,
            data={
                "payment": instruction.reference,
                "disbursed_on": paid_on.isoformat(),
                "amount": str(instruction.amount),
                "schedule_version": version.number,
                "first_due": version.first_due.isoformat(),
            },
        )
        position = loan_position(loan, as_of=timezone.localdate())
        _store_position(loan, position, timezone.localdate())
        first = cast(Instalment, version.instalments.order_by("number").first())  # a new schedule has rows
        _tell_operator(
            loan,
            *messages.TO_BORROWER_DISBURSED.render(
                s=loan.sanction_number,
                amount=pkr_each(instruction.amount),
                day=lambda: show_date(paid_on),
                first=pkr_each(first.instalment),
                due=lambda due=first.due_date: show_date(due),
            ),
        )
    elif to_state == "cancelled" and loan.state == S.DISBURSEMENT_REQUESTED:
        _transition(
            loan,
            "cancel_disbursement",
            actor,
            event=LoanEvent.DISBURSEMENT_CANCELLED,
            reason=instruction.cancel_reason,
        )
    elif to_state == "failed" and from_state == "paid" and loan.state == S.ACTIVE:
        if loan.repayments.exists():
            # Money came back after the borrower started repaying: a person must sort it out.
            _tell_finance(
                loan,
                *messages.TO_FINANCE_RETURNED_AFTER_REPAYMENTS.render(
                    s=loan.sanction_number, ref=instruction.reference
                ),
            )
            return
        award_record_payment(award=loan.award, amount=-instruction.amount)
        ScheduleVersion.objects.filter(loan=loan, is_current=True).update(is_current=False)
        _transition(
            loan,
            "disbursement_returned",
            actor,
            event=LoanEvent.DISBURSEMENT_RETURNED,
            reason=instruction.failure_reason,
        )
        _store_position(loan, None, timezone.localdate())
