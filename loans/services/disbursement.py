"""Opening a loan account and disbursing it: the request to finance and finance's payment hook, for a
loan paid in one payment and for one paid in several parts (DisbursementPart)."""

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import workflow
from core.dates import show_date
from core.money import pkr, pkr_each
from grants.award_money import award_record_payment
from grants.models import Application, Award, AwardState, Program
from grants.selectors import people_who_touched
from grants.services import award_require_payable

from .. import messages
from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from ..events import LoanEvent
from ..models import (
    SERVICING_STATES,
    DisbursementPart,
    Instalment,
    Loan,
    PartState,
    ScheduleVersion,
    VersionCause,
)
from ..permissions import LOANS
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
    _version_in_force,
    loan_position,
)
from .rebuild import rebuild

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
        if award.state == AwardState.OFFERED:
            raise InvalidTransition(
                _("Award %(s)s is not accepted yet: the operator accepts it in the portal first.")
                % {"s": award.sanction_number}
            )
        if award.state != AwardState.ACCEPTED:
            award_require_payable(award=award, amount=award.amount)  # ended: refused, naming its state
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
    if DisbursementPart.objects.filter(loan=loan).exists():
        return _request_next_part(loan, actor)
    with transaction.atomic():
        loan = _lock(loan)
        _not_borrower(loan, actor)
        if loan.state not in (S.SANCTIONED, S.DISBURSEMENT_REQUESTED):
            _refuse_state(loan, _("be disbursed"))
        if loan.state == S.SANCTIONED:
            # A new payment: the award must be active and its commitment cover it (an ended award, or one
            # whose commitment lapsed at year end, is refused with the figures). A repeat click is not new.
            award_require_payable(award=Award.objects.get(application_id=loan.application_id), amount=loan.principal)
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


def _generate_schedule(
    loan: Loan,
    *,
    disbursed_on: dt.date,
    actor: "User | None",
    principal: Decimal | None = None,
    part: DisbursementPart | None = None,
) -> ScheduleVersion:
    """Version 1 from the disbursement date: first instalment one month after it, on the same day of
    the month, at most the 28th (so that every instalment falls on the same day, February included).
    For a loan paid in parts, version 1 schedules the first part only."""
    principal = loan.principal if principal is None else principal
    number = (
        ScheduleVersion.objects.filter(loan=loan).order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    first_due = first_due_after(disbursed_on)
    rows = build_schedule(
        principal=principal,
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
        principal=principal,
        annual_rate_percent=loan.annual_rate_percent,
        months=loan.tenor_months,
        grace_months=loan.grace_months,
        grace_kind=loan.grace_kind,
        first_due=first_due,
        reason=(
            _("Part %(n)d of the disbursement paid on %(day)s.") % {"n": part.number, "day": disbursed_on.isoformat()}
            if part
            else _("Disbursed on %(day)s.") % {"day": disbursed_on.isoformat()}
        ),
        cause=VersionCause.PART if part else VersionCause.DISBURSEMENT,
        part=part,
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


# --- a disbursement in several parts -------------------------------------------------------------------


def loan_plan_disbursement(*, award: Award, actor: "User", parts: list[tuple[dt.date, Decimal]]) -> Loan:
    """Plan the loan's disbursement in parts: (planned date, amount) each, in date order, summing to the
    sanctioned principal. Opens the loan if needed. A plan may be replaced while nothing is requested.

    Refused: anyone but a program officer or a finance maker (or the borrower's staff); a loan whose
    disbursement is already requested or paid; fewer than two parts; an amount that is not a positive
    rupee amount; a planned date in the past or out of order; parts not summing to the sanction."""
    if not may_request_disbursement(actor):
        raise PermissionDenied(LOANS.rule("plan_disbursement").refusal)
    loan = loan_open(award=award, actor=actor)
    with transaction.atomic():
        loan = _lock(loan)
        _not_borrower(loan, actor)
        if not LOANS.role_allows(actor, "plan_disbursement"):
            raise PermissionDenied(LOANS.rule("plan_disbursement").refusal)
        if (
            loan.state != S.SANCTIONED
            or DisbursementPart.objects.filter(loan=loan).exclude(state=PartState.PLANNED).exists()
        ):
            raise InvalidTransition(
                _("Loan %(s)s is %(state)s: its disbursement is planned in parts only before any of it is requested.")
                % {"s": loan.sanction_number, "state": loan.get_state_display().lower()}
            )
        cleaned = _clean_parts(loan, parts)
        DisbursementPart.objects.filter(loan=loan, state=PartState.PLANNED).delete()
        DisbursementPart.objects.bulk_create(
            [
                DisbursementPart(loan=loan, number=n, planned_on=day, amount=amount)
                for n, (day, amount) in enumerate(cleaned, start=1)
            ]
        )
        workflow.record(
            actor=actor,
            event=LoanEvent.PLAN_DISBURSEMENT,
            obj=loan,
            data={"parts": [[day.isoformat(), str(amount)] for day, amount in cleaned]},
        )
    return loan


def _clean_parts(loan: Loan, parts: list[tuple[dt.date, Decimal]]) -> list[tuple[dt.date, Decimal]]:
    from core.money import parse_money

    errors: list[str] = []
    cleaned: list[tuple[dt.date, Decimal]] = []
    parts = list(parts or [])
    if len(parts) < 2:
        errors.append(
            _("A disbursement in parts has at least two parts; a loan paid at once needs no plan (got %(n)d).")
            % {"n": len(parts)}
        )
    today = timezone.localdate()
    for n, (day, amount) in enumerate(parts, start=1):
        if isinstance(amount, float | bool) or not isinstance(amount, Decimal | int):
            errors.append(_("Part %(n)d: the amount must be in rupees.") % {"n": n})
            continue
        value, problem = parse_money(amount, _("Part %(n)d's amount") % {"n": n}, positive=True)
        if problem:
            errors.append(str(problem))
            continue
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            errors.append(_("Part %(n)d: enter the planned date.") % {"n": n})
            continue
        if day < today:
            errors.append(
                _("Part %(n)d: the planned date %(day)s is in the past (today is %(today)s).")
                % {"n": n, "day": show_date(day), "today": show_date(today)}
            )
        if cleaned and day < cleaned[-1][0]:
            errors.append(
                _("Part %(n)d: planned for %(day)s, before part %(m)d (%(before)s); list the parts in date order.")
                % {"n": n, "day": show_date(day), "m": n - 1, "before": show_date(cleaned[-1][0])}
            )
        cleaned.append((day, cast(Decimal, value)))
    total = sum((amount for _day, amount in cleaned), Decimal("0.00"))
    if not errors and total != loan.principal:
        errors.append(
            _(
                "The parts add up to %(total)s, but the sanctioned principal is %(principal)s "
                "(a difference of %(diff)s)."
            )
            % {"total": pkr(total), "principal": pkr(loan.principal), "diff": pkr(abs(loan.principal - total))}
        )
    if errors:
        raise ValidationFailed(field_errors={"parts": errors})
    return cleaned


def _request_next_part(loan: Loan, actor: "User") -> Loan:
    """Ask finance to pay the next part: the first part that is not paid, once the earlier ones are."""
    from finance.errors import FinanceError
    from finance.services import payment_request

    with transaction.atomic():
        loan = _lock(loan)
        _not_borrower(loan, actor)
        parts = list(DisbursementPart.objects.select_for_update().filter(loan=loan).order_by("number"))
        part = next((p for p in parts if p.state != PartState.PAID), None)
        if part is None:
            raise InvalidTransition(
                _("Every part of loan %(s)s is paid (%(amount)s): nothing is left to disburse.")
                % {"s": loan.sanction_number, "amount": pkr(loan.disbursed_amount)}
            )
        first = part.number == 1
        if first and loan.state not in (S.SANCTIONED, S.DISBURSEMENT_REQUESTED):
            _refuse_state(loan, _("be disbursed"))
        if not first and loan.state not in (*SERVICING_STATES, S.CLOSED):
            _refuse_state(loan, _("have a further part disbursed"))
        if part.state == PartState.PLANNED:
            award_require_payable(award=Award.objects.get(application_id=loan.application_id), amount=part.amount)
        application = Application.objects.select_related("space", "operator").get(pk=loan.application_id)
        try:
            payment_request(
                source=part,
                payee=loan.operator,
                amount=part.amount,
                narration=_("Soft loan disbursement %(s)s, part %(n)d of %(of)d")
                % {"s": loan.sanction_number, "n": part.number, "of": len(parts)},
                actor=actor,
                touched_by=people_who_touched(application),
                application=application,
            )
        except FinanceError as error:
            raise ValidationFailed(*error.messages) from error
        if part.state == PartState.PLANNED:
            workflow.transition(
                part,
                workflow.Step(
                    "request",
                    LoanEvent.PART_REQUESTED,
                    kwargs={"at": timezone.now(), "by": actor},
                    data={"part": part.number, "amount": str(part.amount), "planned_on": part.planned_on.isoformat()},
                ),
                actor=actor,
                table=None,
                audit_obj=loan,
            )
            if loan.state == S.SANCTIONED:
                _transition(
                    loan,
                    "request_disbursement",
                    actor,
                    event=LoanEvent.REQUEST_DISBURSEMENT,
                    at=timezone.now(),
                    data={"amount": str(part.amount), "part": part.number},
                )
            _tell_operator(
                loan,
                *messages.TO_BORROWER_DISBURSEMENT_REQUESTED.render(
                    s=loan.sanction_number, amount=pkr_each(part.amount)
                ),
            )
    return loan


def part_payment_moved(instruction: "PaymentInstruction", from_state: str, to_state: str) -> None:
    """finance's hook for payments of `loans.disbursementpart` (inside the payment's transaction).

    paid: the part is paid; the first part activates the loan with schedule version 1 on its amount;
    a later part adds its amount to the disbursed principal and rebuilds the schedule from its paid
    date (a new version: what is overdue stays overdue, the rest with the part re-amortised to the same
    end date). Idempotent (a part already paid is left alone). cancelled: the part is planned again
    (the first part's loan back to sanctioned). A part the bank returned after it was paid is left to a
    person: finance is told (the ledger's invariant shows the difference until it is sorted out)."""
    from finance.models import PaymentInstruction

    actor = instruction.approved_by or instruction.requested_by
    list(PaymentInstruction.objects.select_for_update().filter(pk=instruction.pk).values_list("pk", flat=True))
    try:
        part = DisbursementPart.objects.get(pk=int(instruction.source_id))
    except (DisbursementPart.DoesNotExist, ValueError):
        return
    loan = Loan.objects.select_for_update().get(pk=part.loan_id)
    part = DisbursementPart.objects.select_for_update().get(pk=part.pk)
    if to_state == "paid":
        if part.state != PartState.REQUESTED:
            return  # a retried hook: nothing twice
        paid_on = timezone.localdate(instruction.paid_at) if instruction.paid_at else timezone.localdate()
        award_record_payment(award=loan.award, amount=instruction.amount)
        workflow.transition(
            part,
            workflow.Step(
                "pay",
                LoanEvent.PART_PAID,
                kwargs={"on": paid_on},
                data={"part": part.number, "amount": str(part.amount), "payment": instruction.reference},
            ),
            actor=actor,
            table=None,
            audit_obj=loan,
        )
        if loan.state == S.DISBURSEMENT_REQUESTED:
            try:
                with transaction.atomic():
                    version = _generate_schedule(
                        loan, disbursed_on=paid_on, actor=None, principal=instruction.amount, part=part
                    )
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
                    "part": part.number,
                    "disbursed_on": paid_on.isoformat(),
                    "amount": str(instruction.amount),
                    "schedule_version": version.number,
                    "first_due": version.first_due.isoformat(),
                },
            )
            notice = messages.TO_BORROWER_DISBURSED
        else:
            if loan.state == S.CLOSED:
                _transition(
                    loan,
                    "reopen",
                    actor,
                    event=LoanEvent.REOPEN,
                    reason=_("A further part of the disbursement was paid."),
                    restructured=ScheduleVersion.objects.filter(loan=loan, cause=VersionCause.RESTRUCTURE).exists(),
                    data={"part": part.number},
                )
            if loan.state not in SERVICING_STATES:  # written off meanwhile: a person sorts it out
                _tell_finance(
                    loan,
                    *messages.TO_FINANCE_RETURNED_AFTER_REPAYMENTS.render(
                        s=loan.sanction_number, ref=instruction.reference
                    ),
                )
                return
            version = _rebuild_for_part(loan, part, paid_on=paid_on, amount=instruction.amount)
            loan.disbursed_amount += instruction.amount
            Loan.objects.filter(pk=loan.pk).update(disbursed_amount=loan.disbursed_amount)
            notice = messages.TO_BORROWER_PART_DISBURSED
        today = timezone.localdate()
        _store_position(loan, loan_position(loan, as_of=max(today, paid_on)), today)
        first = cast(
            Instalment,
            version.instalments.filter(due_date__gt=paid_on).order_by("number").first()
            or version.instalments.order_by("number").first(),
        )
        _tell_operator(
            loan,
            *notice.render(
                s=loan.sanction_number,
                n=part.number,
                amount=pkr_each(instruction.amount),
                day=lambda: show_date(paid_on),
                first=pkr_each(first.instalment),
                due=lambda due=first.due_date: show_date(due),
            ),
        )
    elif to_state == "cancelled" and part.state == PartState.REQUESTED:
        workflow.transition(
            part,
            workflow.Step(
                "cancel",
                LoanEvent.PART_CANCELLED,
                reason=instruction.cancel_reason,
                data={"part": part.number, "payment": instruction.reference},
            ),
            actor=actor,
            table=None,
            audit_obj=loan,
        )
        if part.number == 1 and loan.state == S.DISBURSEMENT_REQUESTED:
            _transition(
                loan,
                "cancel_disbursement",
                actor,
                event=LoanEvent.DISBURSEMENT_CANCELLED,
                reason=instruction.cancel_reason,
            )
    elif to_state == "failed" and from_state == "paid":
        _tell_finance(
            loan,
            *messages.TO_FINANCE_RETURNED_AFTER_REPAYMENTS.render(s=loan.sanction_number, ref=instruction.reference),
        )


def _rebuild_for_part(loan: Loan, part: DisbursementPart, *, paid_on: dt.date, amount: Decimal) -> ScheduleVersion:
    old = _version_in_force(loan)
    built = rebuild(old, after=paid_on, extra=amount)
    ScheduleVersion.objects.filter(pk=old.pk).update(is_current=False)
    version = ScheduleVersion.objects.create(
        loan=loan,
        number=old.number + 1,
        effective_on=paid_on,
        principal=built.principal,
        annual_rate_percent=old.annual_rate_percent,
        months=built.months,
        grace_months=built.grace_months,
        grace_kind=old.grace_kind,
        first_due=built.first_due,
        reason=_("Part %(n)d of the disbursement paid on %(day)s: %(amount)s; the schedule is rebuilt from that day.")
        % {"n": part.number, "day": paid_on.isoformat(), "amount": pkr(amount)},
        cause=VersionCause.PART,
        part=part,
        created_by=None,
        created_at=timezone.now(),
    )
    _store_rows(version, built.rows)
    return version
