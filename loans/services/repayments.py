"""Repayments: posting one (allocated in the order of loans/positions.py, posted to the general ledger),
reversing any of them (the later ones replayed on top of the corrected schedule), and the borrower's
choice of what a prepayment does to the rest of the schedule. The reversal and the choice are shown
before they are confirmed: `loan_reversal_preview` and `prepayment_options` compute the effect and
change nothing; the confirming call carries the loan's fingerprint from the preview and is refused
when the loan moved in between."""

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core import workflow
from core.dates import show_date
from core.messages import joined
from core.money import pkr, pkr_each

from .. import ledger, messages, positions
from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from ..events import LoanEvent
from ..models import (
    SERVICING_STATES,
    CollectionFile,
    Loan,
    PrepaymentChoice,
    Repayment,
    RepaymentAllocation,
    ScheduleVersion,
    VersionCause,
)
from ..permissions import LOANS
from ._common import (
    S,
    _active,
    _lock,
    _money,
    _not_borrower,
    _refuse_state,
    _tell_finance,
    _tell_operator,
    _transition,
    is_borrower_staff,
    may_post_repayments,
)
from .balances import (
    _position_in_force,
    _rows_and_settled,
    _store_position,
    _store_rows,
    _version_in_force,
    current_version,
    loan_position,
)
from .rebuild import Rebuilt, rebuild

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from accounts.models import User

ZERO = Decimal("0.00")


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


def _clean_reason(reason: object, *, missing: str) -> str:
    reason = " ".join(str(reason or "").split())[:300]
    if not reason:
        raise ValidationFailed(field_errors={"reason": [missing]})
    return reason


def _live_reference_exists(loan: Loan, reference: str) -> Repayment | None:
    return (
        Repayment.objects.filter(loan=loan, kind=Repayment.Kind.REPAYMENT, bank_reference__iexact=reference)
        .exclude(reversed_by__isnull=False)
        .first()
    )


def _live(loan: Loan) -> "QuerySet[Repayment]":
    """The repayments that stand (not reversed), in the order they were split."""
    return Repayment.objects.filter(loan=loan, kind=Repayment.Kind.REPAYMENT, reversed_by__isnull=True).order_by(
        "posted_at", "id"
    )


def loan_fingerprint(loan: Loan) -> str:
    """What a preview was computed on: the repayments that stand, the schedule in force and the state.
    A confirmation carrying another fingerprint is refused (the loan moved since the preview)."""
    live = list(_live(loan).values_list("pk", flat=True))
    version = ScheduleVersion.objects.filter(loan=loan, is_current=True).values_list("pk", flat=True).first()
    state = Loan.objects.filter(pk=loan.pk).values_list("state", flat=True).first()
    text = f"{state}|{version}|{','.join(map(str, live))}"
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _check_fingerprint(loan: Loan, expect: str | None) -> None:
    if expect is not None and expect != loan_fingerprint(loan):
        raise InvalidTransition(
            _(
                "Loan %(s)s changed since the preview (a repayment was posted or reversed, or its schedule "
                "changed): look at the new preview before confirming."
            )
            % {"s": loan.sanction_number}
        )


def _record(
    loan: Loan,
    *,
    actor: "User",
    amount: Decimal,
    received_on: dt.date,
    bank_reference: str,
    channel: str,
    collection: CollectionFile | None,
    replay_of: Repayment | None = None,
    ledger_on: dt.date | None = None,
) -> tuple[Repayment, positions.Allocation]:
    """Split one repayment on the schedule in force and write it: the row, its allocations, the running
    totals and its general-ledger entry (the caller's transaction, the loan locked)."""
    version = _version_in_force(loan)
    instalments, rows, settled = _rows_and_settled(version)
    allocation = positions.allocate(
        principal=version.principal, rows=rows, settled=settled, on=received_on, amount=amount
    )
    by_number = {i.number: i for i in instalments}
    repayment = Repayment.objects.create(
        loan=loan,
        kind=Repayment.Kind.REPAYMENT,
        channel=channel,
        received_on=received_on,
        amount=amount,
        bank_reference=bank_reference,
        principal=allocation.principal,
        interest=allocation.interest,
        collection=collection,
        replay_of=replay_of,
        reason=(_("Replays %(ref)s after an earlier repayment was reversed.") % {"ref": bank_reference})[:300]
        if replay_of
        else "",
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
    if replay_of is None:
        ledger.post_repayment(repayment, actor=actor)
    else:
        ledger.post_replayed_repayment(repayment, actor=actor, on=ledger_on or timezone.localdate())
    return repayment, allocation


def _over_payoff(over: positions.OverPayoff, amount: Decimal, received_on: dt.date) -> ValidationFailed:
    owed = over.payoff
    return ValidationFailed(
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
    )


def _close_if_repaid(loan: Loan, actor: "User", *, on: dt.date, repayment: Repayment) -> None:
    after = _position_in_force(loan, as_of=max(timezone.localdate(), on))
    if loan.state in SERVICING_STATES and after.outstanding_principal == 0 and after.overdue_amount == 0:
        last_due = max(i.due_date for i in _version_in_force(loan).instalments.all())
        early = on < last_due
        _transition(
            loan,
            "close",
            actor,
            event=LoanEvent.CLOSE,
            on=on,
            early=early,
            data={"early": early, "repayment": repayment.pk, "closed_on": on.isoformat()},
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
    try:
        repayment, allocation = _record(
            loan,
            actor=actor,
            amount=amount,
            received_on=received_on,
            bank_reference=bank_reference,
            channel=Repayment.Channel.COLLECTION_FILE if collection else Repayment.Channel.FORM,
            collection=collection,
        )
    except positions.OverPayoff as over:
        raise _over_payoff(over, amount, received_on) from None
    from_state = loan.state
    _close_if_repaid(loan, actor, on=received_on, repayment=repayment)
    after = _position_in_force(loan, as_of=max(today, received_on))
    _store_position(loan, after, today)
    prepaid = sum((s.principal for s in allocation.shares if s.kind == "prepayment"), ZERO)
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
            "prepaid": str(prepaid),
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
    elif prepaid > 0:
        body = joined(body, " ", messages.PREPAYMENT_CHOOSE)
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
    """Finance posts money received from the borrower (see the package docstring for the rules). Money
    beyond what is due prepays the principal of the last instalments; the borrower then chooses what
    the prepayment does to the schedule (`loan_choose_prepayment`)."""
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


# --- where the loan stands, for a preview -------------------------------------------------------------


@dataclass(frozen=True)
class InstalmentLine:
    number: int
    due_date: dt.date
    instalment: Decimal
    paid: Decimal
    left: Decimal


@dataclass(frozen=True)
class Snapshot:
    """The loan's positions today: principal, markup in arrears, arrears, and each instalment."""

    state: str
    outstanding_principal: Decimal
    overdue_principal: Decimal
    overdue_markup: Decimal
    days_past_due: int
    bucket: str
    principal_repaid: Decimal
    markup_repaid: Decimal
    lines: list[InstalmentLine] = field(default_factory=list)

    @property
    def arrears(self) -> Decimal:
        return self.overdue_principal + self.overdue_markup


def snapshot(loan: Loan) -> Snapshot:
    today = timezone.localdate()
    version = _version_in_force(loan)
    instalments, rows, settled = _rows_and_settled(version)
    latest = Repayment.objects.filter(loan=loan).order_by("-received_on").values_list("received_on", flat=True)
    as_of = max([today, *latest[:1]])
    pos = positions.position(principal=version.principal, rows=rows, settled=settled, as_of=as_of)
    lines = []
    for i in instalments:
        s = settled.get(i.number) or positions.Settled()
        paid = s.principal + s.interest
        lines.append(
            InstalmentLine(i.number, i.due_date, i.instalment, paid, max(i.instalment - paid - s.waived, ZERO))
        )
    state = Loan.objects.filter(pk=loan.pk).values_list("state", flat=True).get()
    totals = Repayment.objects.filter(loan=loan).aggregate(p=Sum("principal"), i=Sum("interest"))
    return Snapshot(
        state=state,
        outstanding_principal=pos.outstanding_principal,
        overdue_principal=pos.overdue_principal,
        overdue_markup=pos.overdue_interest,
        days_past_due=pos.days_past_due,
        bucket=pos.bucket,
        principal_repaid=totals["p"] or ZERO,
        markup_repaid=totals["i"] or ZERO,
        lines=lines,
    )


# --- reversing any repayment ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Replayed:
    bank_reference: str
    received_on: dt.date
    amount: Decimal
    principal_before: Decimal
    interest_before: Decimal
    principal_after: Decimal
    interest_after: Decimal


@dataclass(frozen=True)
class ReversalPreview:
    repayment: Repayment
    before: Snapshot
    after: Snapshot
    replayed: list[Replayed]
    fingerprint: str

    @property
    def lines(self) -> list[tuple[InstalmentLine, InstalmentLine]]:
        """Each instalment before and after (the same schedule version: the same rows)."""
        return list(zip(self.before.lines, self.after.lines, strict=False))


CAUSE_WORDS: dict[str, Callable[[], str]] = {
    VersionCause.RESTRUCTURE: lambda: _("the restructuring"),
    VersionCause.PART: lambda: _("the payment of a further part of the disbursement"),
    VersionCause.PREPAYMENT: lambda: _("the new schedule chosen after a prepayment"),
    VersionCause.DISBURSEMENT: lambda: _("the disbursement"),
}


def _check_reversible(loan: Loan, repayment: Repayment) -> ScheduleVersion:
    if repayment.kind != Repayment.Kind.REPAYMENT or hasattr(repayment, "reversed_by"):
        raise InvalidTransition(_("This repayment is already reversed."))
    if loan.state not in (*SERVICING_STATES, S.CLOSED):
        _refuse_state(loan, _("have a repayment reversed"))
    version = _version_in_force(loan)
    if repayment.allocations.exclude(instalment__version=version).exists():
        # A newer schedule was made on what was owed after this repayment; replaying across it would
        # mean rebuilding that schedule, which is a restructuring decision, not a correction.
        raise InvalidTransition(
            _(
                "This repayment was split on an earlier schedule, before %(why)s of %(day)s (schedule version "
                "%(n)d): it cannot be reversed on its own. Restructure the loan again for the corrected balance."
            )
            % {
                "why": CAUSE_WORDS.get(version.cause, CAUSE_WORDS[VersionCause.RESTRUCTURE])(),
                "day": show_date(version.effective_on),
                "n": version.number,
            }
        )
    return version


def _reverse_one(loan: Loan, row: Repayment, *, actor: "User", reason: str, today: dt.date) -> Repayment:
    reversal = Repayment.objects.create(
        loan=loan,
        kind=Repayment.Kind.REVERSAL,
        channel=row.channel,
        received_on=row.received_on,
        amount=-row.amount,
        bank_reference=row.bank_reference,
        principal=-row.principal,
        interest=-row.interest,
        reverses=row,
        reason=reason[:300],
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
            for a in row.allocations.all()
        ]
    )
    loan.principal_repaid -= row.principal
    loan.interest_repaid -= row.interest
    Loan.objects.filter(pk=loan.pk).update(principal_repaid=loan.principal_repaid, interest_repaid=loan.interest_repaid)
    ledger.reverse_repayment(row, reversal, actor=actor, reason=reason, on=today)
    return reversal


def _reverse_and_replay(
    loan: Loan, repayment: Repayment, *, actor: "User", reason: str
) -> tuple[Repayment, list[Replayed]]:
    """The reversal itself (the caller's transaction, the loan locked, the checks passed)."""
    today = timezone.localdate()
    version = _version_in_force(loan)
    later = [
        r for r in _live(loan).exclude(pk=repayment.pk) if (r.posted_at, r.pk) > (repayment.posted_at, repayment.pk)
    ]
    from_state = loan.state
    if loan.state == S.CLOSED:
        _transition(
            loan,
            "reopen",
            actor,
            event=LoanEvent.REOPEN,
            reason=reason,
            restructured=ScheduleVersion.objects.filter(loan=loan, cause=VersionCause.RESTRUCTURE).exists(),
            data={"repayment": repayment.pk},
        )
    reversal = _reverse_one(loan, repayment, actor=actor, reason=reason, today=today)
    replay_reason = _("Reversed to be split again after %(ref)s was reversed: %(reason)s") % {
        "ref": repayment.bank_reference,
        "reason": reason,
    }
    for row in later:
        _reverse_one(loan, row, actor=actor, reason=replay_reason, today=today)
    replayed: list[Replayed] = []
    for row in later:
        try:
            new, _allocation = _record(
                loan,
                actor=actor,
                amount=row.amount,
                received_on=row.received_on,
                bank_reference=row.bank_reference,
                channel=row.channel,
                collection=row.collection,
                replay_of=row,
                ledger_on=today,
            )
        except positions.OverPayoff as over:  # cannot happen: taking a repayment away only adds to what is owed
            raise _over_payoff(over, row.amount, row.received_on) from None
        replayed.append(
            Replayed(
                row.bank_reference,
                row.received_on,
                row.amount,
                row.principal,
                row.interest,
                new.principal,
                new.interest,
            )
        )
        workflow.record(
            actor=actor,
            event=LoanEvent.REPAYMENT_REPLAY,
            obj=loan,
            reason=reason,
            data={
                "replayed": row.pk,
                "as": new.pk,
                "principal": [str(row.principal), str(new.principal)],
                "interest": [str(row.interest), str(new.interest)],
            },
        )
    if later:
        _close_if_repaid(loan, actor, on=later[-1].received_on, repayment=later[-1])
    _store_position(loan, loan_position(loan, as_of=max([today, *(r.received_on for r in later)])), today)
    workflow.record(
        actor=actor,
        event=LoanEvent.REPAYMENT_REVERSAL,
        obj=loan,
        from_state=from_state,
        to_state=loan.state,
        reason=reason,
        data={
            "repayment": repayment.pk,
            "reversal": reversal.pk,
            "amount": str(repayment.amount),
            "replayed": [r.bank_reference for r in replayed],
            "schedule_version": version.number,
        },
    )
    return reversal, replayed


def _lock_for_reversal(repayment: Repayment, actor: "User") -> tuple[Loan, Repayment]:
    loan = _lock(repayment.loan)
    _check_posting(loan, actor)
    try:
        repayment = Repayment.objects.select_related("loan").get(pk=repayment.pk, loan=loan)
    except Repayment.DoesNotExist:
        raise InvalidTransition(_("This repayment no longer exists.")) from None
    _check_reversible(loan, repayment)
    return loan, repayment


class _Rollback(Exception):
    pass


def loan_reversal_preview(*, repayment: Repayment, actor: "User") -> ReversalPreview:
    """What reversing `repayment` would do: the positions before and after (principal, markup, arrears,
    each instalment) and each later repayment's split before and after its replay. Nothing is kept."""
    with transaction.atomic():
        loan, repayment = _lock_for_reversal(repayment, actor)
        before = snapshot(loan)
        fingerprint = loan_fingerprint(loan)
        holder: dict = {}
        try:
            with transaction.atomic():
                _reversal, replayed = _reverse_and_replay(loan, repayment, actor=actor, reason=_("Preview"))
                holder["after"], holder["replayed"] = snapshot(loan), replayed
                raise _Rollback
        except _Rollback:
            pass
    return ReversalPreview(repayment, before, holder["after"], holder["replayed"], fingerprint)


def loan_reverse_repayment(*, repayment: Repayment, actor: "User", reason: str, expect: str | None = None) -> Repayment:
    """Reverse any repayment that stands (a bounced cheque, money posted to the wrong loan): a negative row
    with negative allocations, and its general-ledger entry mirrored. Every repayment split after it is
    reversed the same way and posted again, in the order they were split, on the corrected schedule (its
    split re-derived, its entry posted anew). A loan the reversal leaves owing is open again; one the
    replays pay up is closed. `expect`: the fingerprint of the preview the person confirmed.

    Refused: without a reason; a repayment already reversed; one split on an earlier schedule version
    (a restructuring, a later part of the disbursement or a prepayment's new schedule was made on top)."""
    reason = _clean_reason(reason, missing=_("Say why the repayment is reversed."))
    with transaction.atomic():
        loan, repayment = _lock_for_reversal(repayment, actor)
        _check_fingerprint(loan, expect)
        reversal, replayed = _reverse_and_replay(loan, repayment, actor=actor, reason=reason)
        _tell_operator(
            loan,
            *messages.TO_BORROWER_REPAYMENT_REVERSED.render(
                s=loan.sanction_number,
                amount=pkr_each(repayment.amount),
                day=lambda: show_date(repayment.received_on),
                ref=repayment.bank_reference,
                reason=reason,
                replayed=len(replayed),
            ),
        )
    return reversal


# --- the borrower's choice after a prepayment --------------------------------------------------------------


def pending_prepayment(loan: Loan) -> Repayment | None:
    """The repayment whose prepayment awaits the borrower's choice: the latest that stands, split on the
    schedule in force with a prepayment share, no schedule made from it yet, the loan still owing."""
    if loan.state not in SERVICING_STATES:
        return None
    latest = _live(loan).last()
    if latest is None or ScheduleVersion.objects.filter(repayment=latest).exists():
        return None
    version = current_version(loan)
    if version is None:
        return None
    shares = latest.allocations.filter(instalment__version=version)
    if not shares.filter(kind=RepaymentAllocation.Kind.PREPAYMENT, principal__gt=0).exists():
        return None
    if latest.allocations.exclude(instalment__version=version).exists():
        return None
    return latest


def _after_current(repayment: Repayment) -> dt.date:
    current = (
        repayment.allocations.filter(kind=RepaymentAllocation.Kind.CURRENT)
        .order_by("-instalment__due_date")
        .values_list("instalment__due_date", flat=True)
        .first()
    )
    return current or repayment.received_on


@dataclass(frozen=True)
class PrepaymentOption:
    choice: str
    label: str
    instalment: Decimal
    months: int
    end: dt.date
    first_due: dt.date
    total_markup: Decimal


@dataclass(frozen=True)
class PrepaymentOptions:
    repayment: Repayment
    prepaid: Decimal
    outstanding_principal: Decimal
    current_instalment: Decimal
    current_end: dt.date
    options: dict[str, PrepaymentOption]
    fingerprint: str


def _rebuilt_for(version: ScheduleVersion, repayment: Repayment, choice: str) -> Rebuilt:
    return rebuild(version, after=_after_current(repayment), keep_instalment=choice == PrepaymentChoice.SHORTEN)


def _may_choose(loan: Loan, actor: "User") -> None:
    if is_borrower_staff(loan, actor):
        return  # the borrower's own people choose in the portal
    if not (_active(actor) and LOANS.role_allows(actor, "choose_prepayment")):
        raise PermissionDenied(LOANS.rule("choose_prepayment").refusal)


def _need_pending(loan: Loan, repayment: Repayment) -> Repayment:
    pending = pending_prepayment(loan)
    if pending is None or pending.pk != repayment.pk:
        raise InvalidTransition(
            _(
                "Repayment %(ref)s has no prepayment awaiting a choice: the choice is made for the latest "
                "repayment, when it paid more than was due, before any later repayment or new schedule."
            )
            % {"ref": repayment.bank_reference}
        )
    return pending


def prepayment_options(*, repayment: Repayment, actor: "User") -> PrepaymentOptions:
    """Both choices side by side, before one is confirmed: each one's instalment, months and end date.
    Read only."""
    loan = Loan.objects.select_related("operator").get(pk=repayment.loan_id)
    _may_choose(loan, actor)
    repayment = _need_pending(loan, repayment)
    version = _version_in_force(loan)
    rows = list(version.instalments.order_by("number"))
    options = {}
    for choice in PrepaymentChoice:
        built = _rebuilt_for(version, repayment, choice)
        options[choice.value] = PrepaymentOption(
            choice=choice.value,
            label=str(choice.label),
            instalment=built.regular_instalment,
            months=built.months,
            end=built.end,
            first_due=built.first_due,
            total_markup=sum((r.interest for r in built.rows if r.instalment > 0), ZERO),
        )
    regular = [r for r in rows if r.principal > 0]
    prepaid = (
        repayment.allocations.filter(kind=RepaymentAllocation.Kind.PREPAYMENT).aggregate(p=Sum("principal"))["p"]
        or ZERO
    )
    return PrepaymentOptions(
        repayment=repayment,
        prepaid=prepaid,
        outstanding_principal=_position_in_force(
            loan, as_of=max(timezone.localdate(), repayment.received_on)
        ).outstanding_principal,
        current_instalment=regular[0].instalment if regular else ZERO,
        current_end=rows[-1].due_date,
        options=options,
        fingerprint=loan_fingerprint(loan),
    )


def loan_choose_prepayment(
    *, repayment: Repayment, actor: "User", choice: str, reason: str = "", expect: str | None = None
) -> ScheduleVersion:
    """Record what the prepayment in `repayment` does to the rest of the schedule: SHORTEN (the same
    instalment, fewer months) or REAMORTISE (the same end date, a lower instalment). A new schedule
    version from the day the money was received, naming the choice, who made it and why; the earlier
    version is kept. The borrower's people choose in the portal; finance may choose at their request.

    Refused: another person; a choice that is not one of the two; a repayment whose prepayment does not
    await a choice (see pending_prepayment); a preview's fingerprint that no longer matches."""
    if choice not in PrepaymentChoice.values:
        raise ValidationFailed(field_errors={"choice": [_("Choose to shorten the tenor or to lower the instalment.")]})
    reason = " ".join(str(reason or "").split())[:300]
    with transaction.atomic():
        loan = _lock(repayment.loan)
        _may_choose(loan, actor)
        by_borrower = is_borrower_staff(loan, actor)
        if not by_borrower and not reason:
            raise ValidationFailed(
                field_errors={"reason": [_("Say how the borrower asked for this choice (a letter, a call, a visit).")]}
            )
        _check_fingerprint(loan, expect)
        repayment = _need_pending(loan, Repayment.objects.get(pk=repayment.pk))
        old = _version_in_force(loan)
        built = _rebuilt_for(old, repayment, choice)
        label = PrepaymentChoice(choice).label
        text = (
            _("Prepayment of %(ref)s on %(day)s: %(choice)s. %(who)s")
            % {
                "ref": repayment.bank_reference,
                "day": repayment.received_on.isoformat(),
                "choice": label,
                "who": (
                    _("Chosen by the borrower.")
                    if by_borrower
                    else _("At the borrower's request: %(r)s") % {"r": reason}
                ),
            }
        ).strip()
        if by_borrower and reason:
            text = f"{text} {reason}"
        ScheduleVersion.objects.filter(pk=old.pk).update(is_current=False)
        version = ScheduleVersion.objects.create(
            loan=loan,
            number=old.number + 1,
            effective_on=repayment.received_on,
            principal=built.principal,
            annual_rate_percent=old.annual_rate_percent,
            months=built.months,
            grace_months=built.grace_months,
            grace_kind=old.grace_kind,
            first_due=built.first_due,
            reason=text,
            cause=VersionCause.PREPAYMENT,
            prepayment_choice=choice,
            repayment=repayment,
            created_by=actor,
            created_at=timezone.now(),
        )
        _store_rows(version, built.rows)
        today = timezone.localdate()
        _store_position(loan, loan_position(loan, as_of=max(today, repayment.received_on)), today)
        workflow.record(
            actor=actor,
            event=LoanEvent.PREPAYMENT_CHOICE,
            obj=loan,
            reason=reason,
            data={
                "repayment": repayment.pk,
                "choice": choice,
                "from_version": old.number,
                "version": version.number,
                "principal": str(built.principal),
                "instalment": str(built.regular_instalment),
                "months": built.months,
                "end": built.end.isoformat(),
                "by_borrower": by_borrower,
            },
        )
        notice = messages.TO_BORROWER_PREPAYMENT_SCHEDULE.render(
            s=loan.sanction_number,
            choice=lambda: str(label),
            instalment=pkr_each(built.regular_instalment),
            end=lambda: show_date(built.end),
            months=built.months,
        )
        _tell_operator(loan, *notice)
        if by_borrower:
            _tell_finance(loan, *notice)
    return version
