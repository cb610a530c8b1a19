"""Loan servicing: every write to the loan book goes through a function here.

Conventions (as grants/ and finance/): keyword-only, `actor=`, one transaction, the loan row locked
(`select_for_update`) before its state is read, the django-fsm transition, an audit event in the same
transaction, notifications on commit, and a `loans.errors.LoansError` that changes nothing on refusal.

Who may do what (checked here, with the reason; the pages offer only what the person may do):
    program officer or finance maker   loan_request_disbursement (opens the loan for an accepted award)
    finance maker or finance checker   loan_post_repayment, loan_reverse_repayment, collection import
    finance checker                    loan_restructure: a credit decision, so the senior finance role
                                       that already checks every payment; never the person who posts
                                       the money (makers), never the company's own staff
    board chair                        loan_write_off: writing off public money is the board's call, as
                                       lending it was; only a loan more than 90 days past due (the
                                       prudential "loss" threshold starts there), always with a reason
Nobody on the borrower company's staff acts on its loan.

API
    loan_open(*, award, actor) -> Loan                                  (none) -> sanctioned
        terms (markup, tenor, grace months and grace kind) copied from the application's LoanDetails.
    loan_request_disbursement(*, award, actor) -> Loan                  sanctioned -> disbursement_requested
        asks finance.services.payment_request(source=loan, ...); idempotent (the payment's key is the loan).
    disbursement_payment_moved(instruction, from_state, to_state)       the finance hook
        paid: disbursement_requested -> active, award_record_payment, schedule version 1 from the paid
        date (first instalment one month later). Idempotent: a loan already active is left alone, and
        at most one schedule version is current (also a database constraint).
        cancelled: back to sanctioned. A paid disbursement the bank returned: back to
        disbursement_requested, the award's paid total taken back, the schedule no longer current.
    loan_post_repayment(*, loan, actor, amount, received_on, bank_reference, collection=None) -> Repayment
        allocation order in loans/positions.py; more than the payoff is refused with the figures; the
        payoff closes the loan (early when before the last due date).
    loan_reverse_repayment(*, repayment, actor, reason) -> Repayment    the latest repayment only
    loan_restructure(*, loan, actor, months, grace_months, grace_kind, first_due, reason,
                     annual_rate_percent=None) -> ScheduleVersion
        the outstanding principal plus overdue interest (capitalised) on a new schedule version.
    loan_write_off(*, loan, actor, reason) -> Loan
    loan_refresh_positions(*, as_of, loan_ids=None) -> int              the daily bulk pass
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NoReturn, TypeGuard, cast

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from core import workflow
from core.money import parse_money, pkr
from grants.award_money import award_record_payment
from grants.models import Application, Award, AwardState, Program
from grants.selectors import people_who_touched
from notifications.services import Message, notify

from . import positions
from .errors import InvalidTransition, PermissionDenied, ValidationFailed
from .events import LoanEvent
from .models import (
    SERVICING_STATES,
    CollectionFile,
    Instalment,
    Loan,
    LoanState,
    Repayment,
    RepaymentAllocation,
    ScheduleVersion,
)
from .permissions import LOANS
from .schedules import Grace, build_schedule, due_date
from .schedules import Instalment as ScheduleRow

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from finance.models import PaymentInstruction

    Person = User | AnonymousUser | None

S = LoanState
ZERO = Decimal("0.00")
PAISA = Decimal("0.01")
WRITE_OFF_MIN_DAYS = 91
DUE_DAY_LATEST = 28


# --- helpers ---------------------------------------------------------------------------------------


def _active(user: "Person") -> TypeGuard["User"]:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_borrower_staff(loan: Loan, user: "Person") -> bool:
    return _active(user) and loan.operator.members.filter(pk=user.pk).exists()


def may_post_repayments(user: "Person") -> bool:
    return _active(user) and LOANS.role_allows(user, "post_repayment")


def may_restructure(user: "Person") -> bool:
    return _active(user) and LOANS.role_allows(user, "restructure")


def may_write_off(user: "Person") -> bool:
    return _active(user) and LOANS.role_allows(user, "write_off")


def may_request_disbursement(user: "Person") -> bool:
    return _active(user) and LOANS.role_allows(user, "request_disbursement")


def _url(name: str, **kwargs: Any) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _lock(loan: Loan) -> Loan:
    try:
        return Loan.objects.select_for_update().select_related("operator").get(pk=loan.pk)
    except Loan.DoesNotExist:
        raise InvalidTransition(_("This loan no longer exists.")) from None


def _state_label(state: str) -> str:
    try:
        return str(LoanState(state).label)
    except ValueError:
        return state


def _refuse_state(loan: Loan, doing: str) -> NoReturn:
    raise InvalidTransition(
        _("Loan %(sanction)s is %(state)s: it cannot %(doing)s now.")
        % {"sanction": loan.sanction_number, "state": _state_label(loan.state).lower(), "doing": doing}
    )


def _transition(
    loan: Loan,
    name: str,
    actor: "User | None",
    *,
    event: LoanEvent,
    reason: str = "",
    data: dict[str, Any] | None = None,
    **kwargs: Any,
) -> str:
    """One transition of a locked loan on the workflow path (core.workflow). Returns the state it left."""
    if name == "write_off":
        kwargs["reason"] = reason
    return workflow.transition(
        loan,
        workflow.Step(name, event, kwargs=kwargs, reason=reason, data=data or {}),
        actor=actor,
        table=LOANS,
        guard=_not_borrower,
        wrong_state=_("Loan %(sanction)s is %(state)s: it cannot do that now.")
        % {"sanction": loan.sanction_number, "state": _state_label(loan.state).lower()},
        raced=_("Someone else changed loan %(sanction)s at the same moment; reload it.")
        % {"sanction": loan.sanction_number},
    )


def _not_borrower(loan: Loan, actor: "Person") -> None:
    if is_borrower_staff(loan, actor):
        raise PermissionDenied(
            _("You are on the staff of %(operator)s, so you may not act on its loan.") % {"operator": loan.operator}
        )


def _tell_operator(loan: Loan, subject: Message, body: Message) -> None:
    """Notify the borrower's people, each in their own language (pass lambdas: see notify)."""
    notify(
        recipients=loan.operator.members.filter(is_active=True),
        subject=subject,
        body=body,
        url=_url("loans:portal_loan", pk=loan.pk),
    )


def _tell_finance(subject: str, body: str, loan: Loan) -> None:
    from accounts.models import User

    notify(
        recipients=User.objects.filter(
            groups__name__in=[roles.FINANCE_MAKER, roles.FINANCE_CHECKER], is_active=True
        ).distinct(),
        subject=subject,
        body=body,
        url=_url("loans:loan", pk=loan.pk),
    )


def _money(value: object, label: str, field: str) -> Decimal:
    if isinstance(value, float | bool) or not isinstance(value, Decimal | int):
        raise ValidationFailed(field_errors={field: [_("%(label)s must be an amount in rupees.") % {"label": label}]})
    amount, problem = parse_money(value, label, positive=True)
    if problem:
        raise ValidationFailed(field_errors={field: [problem]})
    return cast(Decimal, amount)  # no problem: parse_money gave the amount


# --- rows in, positions out -----------------------------------------------------------------------


def current_version(loan: Loan) -> ScheduleVersion | None:
    return ScheduleVersion.objects.filter(loan=loan, is_current=True).first()


def _rows_and_settled(
    version: ScheduleVersion, *, received_until: dt.date | None = None
) -> tuple[list[Instalment], list[positions.Row], dict[int, positions.Settled]]:
    instalments = list(version.instalments.order_by("number"))
    rows = [positions.Row(i.number, i.due_date, i.instalment, i.principal, i.interest) for i in instalments]
    allocations = RepaymentAllocation.objects.filter(instalment__version=version)
    if received_until is not None:
        allocations = allocations.filter(repayment__received_on__lte=received_until)
    sums = allocations.values("instalment__number").annotate(
        p=Sum("principal"), i=Sum("interest"), w=Sum("interest_waived")
    )
    settled = {s["instalment__number"]: positions.Settled(s["p"], s["i"], s["w"]) for s in sums}
    return instalments, rows, settled


def _version_in_force(loan: Loan) -> ScheduleVersion:
    """The current schedule of a disbursed loan (servicing or closed: such a loan always has one)."""
    return cast(ScheduleVersion, current_version(loan))


def loan_position(loan: Loan, *, as_of: dt.date) -> positions.Position | None:
    """The loan's position on a day (repayments received up to that day). None before disbursement."""
    version = current_version(loan)
    if version is None:
        return None
    _instalments, rows, settled = _rows_and_settled(version, received_until=as_of)
    return positions.position(principal=version.principal, rows=rows, settled=settled, as_of=as_of)


def _position_in_force(loan: Loan, *, as_of: dt.date) -> positions.Position:
    """The position of a disbursed loan (it has a schedule, so loan_position is never None)."""
    return cast(positions.Position, loan_position(loan, as_of=as_of))


def loan_payoff(loan: Loan, *, on: dt.date) -> positions.Payoff:
    """What repays the loan in full on day `on` (overdue interest and principal, the current
    instalment's interest, the remaining principal). Read only."""
    version = current_version(loan)
    if version is None:
        return positions.Payoff(ZERO, ZERO, ZERO, ZERO)
    _instalments, rows, settled = _rows_and_settled(version)
    return positions.payoff(principal=version.principal, rows=rows, settled=settled, on=on)


def _store_position(loan: Loan, position: positions.Position | None, as_of: dt.date) -> None:
    fields = _position_fields(loan, position, as_of)
    for name, value in fields.items():
        setattr(loan, name, value)
    Loan.objects.filter(pk=loan.pk).update(**fields)


def _position_fields(loan: Loan, position: positions.Position | None, as_of: dt.date) -> dict[str, Any]:
    if position is None or loan.state not in SERVICING_STATES:
        # Not being repaid (not disbursed, closed, written off): nothing outstanding, nothing due.
        return {
            "position_as_of": as_of,
            "outstanding_principal": ZERO,
            "overdue_amount": ZERO,
            "next_due_date": None,
            "next_due_amount": ZERO,
            "days_past_due": 0,
            "arrears_bucket": positions.Bucket.CURRENT,
        }
    return {
        "position_as_of": as_of,
        "outstanding_principal": position.outstanding_principal,
        "overdue_amount": position.overdue_amount,
        "next_due_date": position.next_due_date,
        "next_due_amount": position.next_due_amount,
        "days_past_due": position.days_past_due,
        "arrears_bucket": position.bucket,
    }


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
                lambda: _("Loan %(s)s: disbursement requested") % {"s": loan.sanction_number},
                lambda: (
                    _(
                        "Finance has been asked to pay %(amount)s to your account. Your repayment schedule starts when "
                        "the bank has paid."
                    )
                    % {"amount": pkr(loan.principal)}
                ),
            )
    return loan


def _generate_schedule(loan: Loan, *, disbursed_on: dt.date, actor: "User | None") -> ScheduleVersion:
    """Version 1 from the disbursement date: first instalment one month after it, on the same day of
    the month, at most the 28th (so that every instalment falls on the same day, February included)."""
    number = (
        ScheduleVersion.objects.filter(loan=loan).order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    first_due = due_date(disbursed_on.replace(day=min(disbursed_on.day, DUE_DAY_LATEST)), 2)
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


def _store_rows(version: ScheduleVersion, rows: Iterable[ScheduleRow]) -> None:
    Instalment.objects.bulk_create(
        [
            Instalment(
                version=version,
                number=r.month,
                due_date=r.due_date,
                instalment=r.instalment,
                principal=r.principal,
                interest=r.interest,
                balance=r.balance,
            )
            for r in rows
        ]
    )


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
            lambda: _("Loan %(s)s disbursed: your repayment schedule") % {"s": loan.sanction_number},
            lambda: (
                _(
                    "%(amount)s was paid to your account on %(day)s. Your first payment of %(first)s is due on "
                    "%(due)s. See the schedule in the portal."
                )
                % {
                    "amount": pkr(instruction.amount),
                    "day": paid_on.strftime("%d %b %Y"),
                    "first": pkr(first.instalment),
                    "due": first.due_date.strftime("%d %b %Y"),
                }
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
                _("Loan %(s)s: disbursement returned after repayments") % {"s": loan.sanction_number},
                _("The bank returned payment %(ref)s, but the loan already has repayments. Check it by hand.")
                % {"ref": instruction.reference},
                loan,
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
                    _("The date received cannot be in the future (today is %(d)s).") % {"d": today.strftime("%d %b %Y")}
                ]
            }
        )
    if loan.disbursed_on and received_on < loan.disbursed_on:
        raise ValidationFailed(
            field_errors={
                "received_on": [
                    _("The date received is before the loan was disbursed (%(d)s).")
                    % {"d": loan.disbursed_on.strftime("%d %b %Y")}
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
                        "day": duplicate.received_on.strftime("%d %b %Y"),
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
                        "day": received_on.strftime("%d %b %Y"),
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

    def text() -> str:
        words = _(
            "We received %(amount)s on %(day)s (reference %(ref)s): %(principal)s to principal, %(interest)s to "
            "interest. Outstanding principal: %(outstanding)s."
        ) % {
            "amount": pkr(amount),
            "day": received_on.strftime("%d %b %Y"),
            "ref": bank_reference,
            "principal": pkr(allocation.principal),
            "interest": pkr(allocation.interest),
            "outstanding": pkr(after.outstanding_principal),
        }
        if loan.state == S.CLOSED:
            words += " " + _("The loan is repaid in full and closed.")
        return words

    _tell_operator(loan, lambda: _("Loan %(s)s: repayment received") % {"s": loan.sanction_number}, text)
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
                % {"day": version.effective_on.strftime("%d %b %Y")}
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


# --- restructuring and writing off -----------------------------------------------------------------


def loan_restructure(
    *,
    loan: Loan,
    actor: "User",
    months: int,
    grace_months: int,
    grace_kind: str,
    first_due: dt.date,
    reason: str,
    annual_rate_percent: Decimal | None = None,
) -> ScheduleVersion:
    """A new schedule version for what is owed today: the outstanding principal plus the overdue
    interest, capitalised, over `months` (grace included) from `first_due`. The old version is kept.

    Refused unless the actor is a finance checker (not the borrower's staff) and the loan is servicing.
    """
    if not may_restructure(actor):
        raise PermissionDenied(_("Only a finance checker may restructure a loan."))
    reason = " ".join(str(reason or "").split())
    errors: dict[str, list] = {}
    if not reason:
        errors["reason"] = [_("Say why the loan is restructured (the borrower reads it).")]
    today = timezone.localdate()
    if not isinstance(first_due, dt.date) or first_due <= today:
        errors["first_due"] = [_("The first instalment of the new schedule must fall after today.")]
    with transaction.atomic():
        loan = _lock(loan)
        _not_borrower(loan, actor)
        if loan.state not in SERVICING_STATES:
            _refuse_state(loan, _("be restructured"))
        rate = loan.annual_rate_percent if annual_rate_percent is None else annual_rate_percent
        old = _version_in_force(loan)
        _instalments, rows, settled = _rows_and_settled(old)
        owed = positions.payoff(principal=old.principal, rows=rows, settled=settled, on=today)
        principal = owed.overdue_principal + owed.remaining_principal + owed.overdue_interest
        if principal <= 0:
            errors.setdefault("months", []).append(_("Nothing is owed on this loan: there is nothing to restructure."))
        schedule: list[ScheduleRow] = []  # set below whenever there are no errors
        if not errors:
            try:
                schedule = build_schedule(
                    principal=principal,
                    annual_rate_percent=rate,
                    months=months,
                    grace_months=grace_months,
                    grace=grace_kind,
                    first_due=first_due,
                )
            except (ValueError, TypeError) as error:
                errors.setdefault("months", []).append(str(error))
        if errors:
            raise ValidationFailed(field_errors=errors)
        ScheduleVersion.objects.filter(pk=old.pk).update(is_current=False)
        version = ScheduleVersion.objects.create(
            loan=loan,
            number=old.number + 1,
            effective_on=today,
            principal=principal,
            capitalised_interest=owed.overdue_interest,
            annual_rate_percent=rate,
            months=months,
            grace_months=grace_months,
            grace_kind=grace_kind,
            first_due=first_due,
            reason=reason,
            created_by=actor,
            created_at=timezone.now(),
        )
        _store_rows(version, schedule)
        _transition(
            loan,
            "restructure",
            actor,
            event=LoanEvent.RESTRUCTURE,
            reason=reason,
            data={
                "from_version": old.number,
                "version": version.number,
                "principal": str(principal),
                "capitalised_interest": str(owed.overdue_interest),
                "annual_rate_percent": str(rate),
                "months": months,
                "grace_months": grace_months,
                "grace_kind": grace_kind,
                "first_due": first_due.isoformat(),
            },
        )
        _store_position(loan, loan_position(loan, as_of=today), today)
        _tell_operator(
            loan,
            lambda: _("Loan %(s)s restructured") % {"s": loan.sanction_number},
            lambda: (
                _(
                    "Your loan is rescheduled: %(principal)s over %(months)d months, the first instalment due on "
                    "%(due)s. Reason: %(reason)s"
                )
                % {
                    "principal": pkr(principal),
                    "months": months,
                    "due": first_due.strftime("%d %b %Y"),
                    "reason": reason,
                }
            ),
        )
    return version


def loan_write_off(*, loan: Loan, actor: "User", reason: str) -> Loan:
    """The board chair writes off a loan more than 90 days past due, with the reason (audited). The
    outstanding principal is recorded as written off; recoveries later are outside this system."""
    if not may_write_off(actor):
        raise PermissionDenied(_("Only the board chair may write off a loan."))
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationFailed(field_errors={"reason": [_("Say why the loan is written off.")]})
    with transaction.atomic():
        loan = _lock(loan)
        _not_borrower(loan, actor)
        if loan.state not in SERVICING_STATES:
            _refuse_state(loan, _("be written off"))
        today = timezone.localdate()
        position = _position_in_force(loan, as_of=today)
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
            reason=reason,
            on=today,
            by=actor,
            amount=position.outstanding_principal,
            data={
                "outstanding_principal": str(position.outstanding_principal),
                "days_past_due": position.days_past_due,
            },
        )
        _store_position(loan, None, today)
        _tell_operator(
            loan,
            lambda: _("Loan %(s)s written off") % {"s": loan.sanction_number},
            lambda: (
                _("The board has written off your loan's outstanding principal of %(amount)s. Reason: %(reason)s")
                % {"amount": pkr(position.outstanding_principal), "reason": reason}
            ),
        )
    return loan


# --- the daily pass ----------------------------------------------------------------------------------


def loan_refresh_positions(*, as_of: dt.date, loan_ids: Iterable[int] | None = None) -> int:
    """Compute every servicing loan's position on `as_of` and store it, in one bulk pass (three reads,
    one bulk update per 500 loans). Idempotent: running it twice for a day stores the same values and
    writes no audit event (a position is derived, not a decision). Returns the loans updated."""
    from .selectors import positions_for

    loans = Loan.objects.filter(state__in=SERVICING_STATES).order_by("pk")
    if loan_ids is not None:
        loans = loans.filter(pk__in=loan_ids)
    fields = [
        "position_as_of",
        "outstanding_principal",
        "overdue_amount",
        "next_due_date",
        "next_due_amount",
        "days_past_due",
        "arrears_bucket",
    ]
    count = 0
    batch = list(loans.only("pk", "state"))
    with transaction.atomic():
        for start in range(0, len(batch), 500):
            chunk = batch[start : start + 500]
            computed = positions_for([loan.pk for loan in chunk], as_of=as_of)
            for loan in chunk:
                for name, value in _position_fields(loan, computed.get(loan.pk), as_of).items():
                    setattr(loan, name, value)
            Loan.objects.bulk_update(chunk, fields)
            count += len(chunk)
    return count
