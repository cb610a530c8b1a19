"""The budget (issue #22): allocations, the commitment ledger and its general-ledger postings, and an
award's money after acceptance. Re-exported by grants/services/__init__.py.

One writer
----------
`commitment_row_write` is the only function that appends a BudgetCommitment row. In the caller's
transaction, under the allocation row's lock, it appends the row, moves the allocation's running
`committed` total by the same amount (the database refuses a total below 0 or over the allocation),
posts the general-ledger entry (commitment: Dr budget available / Cr commitments; a reversal the
other way round; fiscal year = the allocation's) and writes the audit event. Every path (approval,
correction, release, completion, termination, lapse, carry-forward, re-commitment) goes through it, so
none forgets the ledger. Likewise `budget_allocation_set` is the only path that changes an
allocation's amount (Dr budget allocation / Cr budget available for an increase).

Lock order (no deadlock between these services): allocation rows (by primary key) before the award
row. Approvals lock the application, then the allocation; payments lock the tranche or claim, then
the award.

Program officer / board chair:
    budget_release(*, award, actor, amount, reason) -> list[BudgetCommitment]
        Release part or all of an award's releasable remainder (committed − paid − pending); refused
        over it, naming the figures. Program officer or board chair.
Program officer:
    award_recommit(*, award, actor, amount=None) -> BudgetCommitment
        After a lapse (or a release), commit the award's uncommitted part again against the current
        fiscal year's allocation, within its budget.
Data steward (Django admin), fixtures:
    budget_allocation_set(*, program, fiscal_year, amount, actor, reason) -> BudgetAllocation
"""

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from core import workflow

from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from ..events import GrantsEvent
from ..fiscal import FiscalYear
from ..models import (
    AWARD_LIVE_STATES,
    Application,
    Award,
    BudgetAllocation,
    BudgetAllocationChange,
    BudgetCommitment,
    Program,
    is_active_person,
    is_applicant,
)
from ..money import pkr
from ..permissions import BUDGET
from ..selectors.awards import AwardMoney, award_money
from ._common import _money, _raise_if, _text

if TYPE_CHECKING:
    from accounts.models import User

Cause = BudgetCommitment.Cause
Kind = BudgetCommitment.Kind
ZERO = Decimal("0")

# The audit event of each cause of a ledger row.
_EVENT = {
    (Kind.COMMITMENT, Cause.APPROVAL): GrantsEvent.BUDGET_COMMIT,
    (Kind.COMMITMENT, Cause.RECOMMITMENT): GrantsEvent.BUDGET_RECOMMIT,
    (Kind.COMMITMENT, Cause.CARRY_FORWARD): GrantsEvent.BUDGET_CARRY_FORWARD,
    (Kind.REVERSAL, Cause.CORRECTION): GrantsEvent.BUDGET_REVERSE,
    (Kind.REVERSAL, Cause.RELEASE): GrantsEvent.BUDGET_RELEASE,
    (Kind.REVERSAL, Cause.COMPLETION): GrantsEvent.BUDGET_RELEASE,
    (Kind.REVERSAL, Cause.TERMINATION): GrantsEvent.BUDGET_RELEASE,
    (Kind.REVERSAL, Cause.LAPSE): GrantsEvent.BUDGET_LAPSE,
    (Kind.REVERSAL, Cause.CARRY_FORWARD): GrantsEvent.BUDGET_CARRY_FORWARD,
}


# --- the one writer of the commitment ledger ------------------------------------------------------


def lock_allocations(ids) -> dict[int, BudgetAllocation]:
    """Lock allocation rows in primary-key order (the lock order every budget service keeps)."""
    rows = BudgetAllocation.objects.select_for_update().filter(pk__in=sorted(set(ids))).order_by("pk")
    return {row.pk: row for row in rows}


def commitment_row_write(
    *,
    allocation: BudgetAllocation,
    application: Application,
    amount: Decimal,
    cause: str,
    actor: "User | str | None",
    note: str,
    at: dt.datetime | None = None,
    reverses: BudgetCommitment | None = None,
    carried_from: BudgetCommitment | None = None,
) -> BudgetCommitment:
    """Append one ledger row of `amount` (> 0 commits, < 0 releases) to `allocation`, which the caller
    has locked in this transaction. Posts its general-ledger entry and audit event. The caller checks
    the business rule first (room in the allocation, what is releasable) to refuse with figures; the
    database refuses a committed total over the allocation or below zero regardless."""
    from finance.journal import Account, Cr, Dr, post_entry

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("commitment_row_write must run inside the service's transaction.")
    if not isinstance(amount, Decimal) or amount == 0:
        raise ValueError("A commitment row needs a non-zero Decimal amount.")
    at = at or timezone.now()
    kind = Kind.COMMITMENT if amount > 0 else Kind.REVERSAL
    person = actor if is_active_person(actor) else None
    row = BudgetCommitment.objects.create(
        allocation=allocation,
        application=application,
        kind=kind,
        cause=cause,
        amount=amount,
        reverses=reverses,
        carried_from=carried_from,
        note=note,
        created_by=person,
        created_at=at,
    )
    allocation.committed = allocation.committed + amount
    allocation.save(update_fields=["committed"])
    size = abs(amount)
    lines = (
        [Dr(Account.BUDGET_AVAILABLE, size), Cr(Account.COMMITMENTS, size)]
        if amount > 0
        else [Dr(Account.COMMITMENTS, size), Cr(Account.BUDGET_AVAILABLE, size)]
    )
    event = _EVENT[(kind, cause)]
    post_entry(
        source=f"grants.budgetcommitment:{row.pk}",
        event=event.value,
        on=timezone.localtime(at).date(),
        narration=f"{application.reference} {allocation.program.code} {allocation.fiscal_year_label}: "
        f"{row.get_cause_display()} — {note}"[:300],
        lines=lines,
        actor=person or (actor if isinstance(actor, str) else None),
        fiscal_year=allocation.fiscal_year,
    )
    workflow.record(
        actor=person or actor or "system",
        event=event,
        obj=allocation,
        reason=note if amount < 0 else "",
        data={
            "reference": application.reference,
            "commitment": row.pk,
            "cause": cause,
            "amount": str(amount),
            "committed": str(allocation.committed),
            "allocated": str(allocation.amount),
            **({"reverses": reverses.pk} if reverses else {}),
            **({"carried_from": carried_from.pk} if carried_from else {}),
        },
        at=at,
    )
    return row


def room_refusal(allocation: BudgetAllocation, amount: Decimal, what: str) -> ValidationFailed | None:
    """The refusal (with the figures) when `allocation` has less than `amount` left, else None."""
    remaining = allocation.amount - allocation.committed
    if amount <= remaining:
        return None
    return ValidationFailed(
        field_errors={
            "amount": [
                _(
                    "Not enough budget: %(program)s has %(remaining)s left of %(allocated)s for %(fy)s; "
                    "%(what)s %(amount)s needs %(shortfall)s more."
                )
                % {
                    "program": allocation.program.name,
                    "remaining": pkr(remaining),
                    "allocated": pkr(allocation.amount),
                    "fy": allocation.fiscal_year_label,
                    "what": what,
                    "amount": pkr(amount),
                    "shortfall": pkr(amount - remaining),
                }
            ]
        }
    )


# --- an award's remainder --------------------------------------------------------------------------


def lock_award_and_allocations(award: Award, *also: int) -> tuple[Award, dict[int, BudgetAllocation]]:
    """Lock the allocations the award's commitments sit in (and `also`), then the award: the lock
    order of the budget services. Returns the locked award (with application, operator, program)."""
    ids = set(
        BudgetCommitment.objects.filter(application_id=award.application_id).values_list("allocation_id", flat=True)
    )
    allocations = lock_allocations(ids | set(also))
    try:
        locked = (
            Award.objects.select_for_update(of=("self",))
            .select_related("application__operator", "application__call__program")
            .get(pk=award.pk)
        )
    except Award.DoesNotExist:
        raise InvalidTransition(_("This award no longer exists.")) from None
    return locked, allocations


def release_remainder(
    *,
    award: Award,
    money: AwardMoney,
    allocations: dict[int, BudgetAllocation],
    amount: Decimal,
    cause: str,
    actor: "User | str | None",
    note: str,
    at: dt.datetime | None = None,
) -> list[BudgetCommitment]:
    """Release `amount` (≤ money.releasable, checked by the caller) from the award's newest unpaid
    commitments first (payments use the oldest first). Allocations locked by the caller."""
    rows = []
    left = amount
    for allocation_id, _fy, unpaid in reversed(money.unconsumed_by_year()):
        if left <= 0:
            break
        take = min(unpaid, left)
        if take <= 0:
            continue
        rows.append(
            commitment_row_write(
                allocation=allocations[allocation_id],
                application=award.application,
                amount=-take,
                cause=cause,
                actor=actor,
                note=note,
                at=at,
            )
        )
        left -= take
    if left > 0:  # pragma: no cover - the caller checked against money.releasable
        raise ValueError("Released more than the award's unpaid commitment.")
    return rows


def _refuse_over_releasable(award: Award, money: AwardMoney, amount: Decimal) -> None:
    if amount > money.releasable:
        raise ValidationFailed(
            field_errors={
                "amount": [
                    _(
                        "%(amount)s is more than award %(sanction)s can release: %(committed)s committed, "
                        "%(paid)s paid and %(pending)s waiting for payment leave %(releasable)s releasable."
                    )
                    % {
                        "amount": pkr(amount),
                        "sanction": award.sanction_number,
                        "committed": pkr(money.committed),
                        "paid": pkr(money.paid),
                        "pending": pkr(money.pending),
                        "releasable": pkr(money.releasable),
                    }
                ]
            }
        )


def _require_budget_role(actor: "User", action: str, award: Award) -> None:
    BUDGET.require(actor, action)
    if is_applicant(award.application, actor):
        raise PermissionDenied(
            _("You are on the staff of %(operator)s, so you may not act on its award.")
            % {"operator": award.application.operator}
        )


def budget_release(*, award: Award, actor: "User", amount: Decimal | str, reason: str) -> list[BudgetCommitment]:
    """Release part or all of the award's releasable remainder with a reason (reversal rows; the
    allocation's remaining budget rises). Program officer or board chair, never of the company.

    Pre: amount > 0 and ≤ committed − paid − pending. Post: reversal rows (cause "release") from the
    newest unpaid year first, their journal entries, audit events; the award's uncommitted part rises
    by the amount (it must be committed again before that part is paid)."""
    with transaction.atomic():
        award, allocations = lock_award_and_allocations(award)
        _require_budget_role(actor, "release", award)
        errors: dict = {}
        value = _money(amount, _("the amount to release"), errors, "amount")
        reason = _text(reason, _("the reason for the release"), errors, "reason")
        _raise_if(errors)
        value = cast(Decimal, value)  # no errors: _money gave the amount
        money = award_money(award)
        _refuse_over_releasable(award, money, value)
        return release_remainder(
            award=award,
            money=money,
            allocations=allocations,
            amount=value,
            cause=Cause.RELEASE,
            actor=actor,
            note=reason,
        )


def award_recommit(*, award: Award, actor: "User", amount: Decimal | str | None = None) -> BudgetCommitment:
    """Commit the award's uncommitted part (after a lapse at year end, or a release) again, against the
    program's allocation for the current fiscal year, within its budget. Program officer.

    Pre: the award is offered or active; 0 < amount ≤ the award's amount − committed; the allocation
    has room. Post: a commitment row (cause "recommitment") and its journal entry."""
    with transaction.atomic():
        program: Program = (
            Award.objects.select_related("application__call__program").get(pk=award.pk).application.call.program
        )
        fiscal_year = FiscalYear.current()
        target = BudgetAllocation.objects.filter(program=program, fiscal_year=fiscal_year.start_year).first()
        award, allocations = lock_award_and_allocations(award, *([target.pk] if target else []))
        _require_budget_role(actor, "recommit", award)
        if award.state not in AWARD_LIVE_STATES:
            raise InvalidTransition(
                _("Award %(sanction)s is %(state)s: nothing is committed for an award that has ended.")
                % {"sanction": award.sanction_number, "state": award.get_state_display().lower()}
            )
        if target is None:
            raise ValidationFailed(
                _("%(program)s has no budget allocation for %(fy)s, so nothing can be committed.")
                % {"program": program.name, "fy": fiscal_year.label}
            )
        money = award_money(award)
        errors: dict = {}
        value = money.uncommitted if amount in (None, "") else _money(amount, _("the amount"), errors, "amount")
        _raise_if(errors)
        value = cast(Decimal, value)
        if value <= 0 or value > money.uncommitted:
            raise ValidationFailed(
                field_errors={
                    "amount": [
                        _(
                            "Award %(sanction)s of %(award)s has %(committed)s committed, so at most "
                            "%(uncommitted)s can be committed again (you asked %(amount)s)."
                        )
                        % {
                            "sanction": award.sanction_number,
                            "award": pkr(award.amount),
                            "committed": pkr(money.committed),
                            "uncommitted": pkr(money.uncommitted),
                            "amount": pkr(value),
                        }
                    ]
                }
            )
        allocation = allocations[target.pk]
        refusal = room_refusal(allocation, value, _("re-committing"))
        if refusal:
            raise refusal
        return commitment_row_write(
            allocation=allocation,
            application=award.application,
            amount=value,
            cause=Cause.RECOMMITMENT,
            actor=actor,
            note=_("Re-committed against %(fy)s for award %(sanction)s.")
            % {"fy": fiscal_year.label, "sanction": award.sanction_number},
        )


def award_payment_refusal(award: Award, amount: Decimal) -> ValidationFailed | InvalidTransition | None:
    """Why a new payment of `amount` on the award may not be asked of finance, or None. The award must
    be active (never completed or terminated: no new payment request for an ended award) and the
    payment within what is committed and not yet paid or asked for. Call it with the award locked."""
    if award.state != award.State.ACCEPTED:
        return InvalidTransition(
            _("Award %(sanction)s is %(state)s: no new payment can be asked for.")
            % {"sanction": award.sanction_number, "state": award.get_state_display().lower()}
        )
    money = award_money(award)
    if amount > money.releasable:
        return ValidationFailed(
            _(
                "Award %(sanction)s has %(committed)s committed, %(paid)s paid and %(pending)s waiting for payment, "
                "so %(free)s is free for this payment of %(amount)s. A program officer re-commits the award's "
                "remaining %(uncommitted)s against this year's budget first (its commitment lapsed or was released)."
            )
            % {
                "sanction": award.sanction_number,
                "committed": pkr(money.committed),
                "paid": pkr(money.paid),
                "pending": pkr(money.pending),
                "free": pkr(money.releasable),
                "amount": pkr(amount),
                "uncommitted": pkr(money.uncommitted),
            }
        )
    return None


def award_require_payable(*, award: Award, amount: Decimal) -> None:
    """Lock the award and refuse a new payment request it cannot carry (award_payment_refusal). For
    every instrument's payment request (tranches, utility claims here; the loan disbursement in loans)."""
    locked = Award.objects.select_for_update().get(pk=award.pk)
    refusal = award_payment_refusal(locked, amount)
    if refusal is not None:
        raise refusal


# --- allocations -----------------------------------------------------------------------------------


def _may_set_allocation(actor: "User | str | None") -> bool:
    if actor is None or isinstance(actor, str):
        return True  # a data load (fixtures, the bench) names itself
    return is_active_person(actor) and (actor.is_superuser or actor.has_role(roles.DATA_STEWARD))


def budget_allocation_set(
    *, program: Program, fiscal_year: int, amount: Decimal | str, actor: "User | str | None", reason: str
) -> BudgetAllocation:
    """Set what a program may commit in a fiscal year (creating the allocation if there is none).

    Pre: a data steward or superuser (or a named data load); amount ≥ what is already committed; a
    reason. Post: the allocation's amount, an append-only BudgetAllocationChange row, the journal entry
    of the change (an increase: Dr budget allocation / Cr budget available; a cut the reverse), an
    audit event. Unchanged: nothing is written."""
    from finance.journal import Account, Cr, Dr, post_entry

    if not _may_set_allocation(actor):
        raise PermissionDenied(_("Only a data steward may change a budget allocation."))
    errors: dict = {}
    value = _money(amount, _("the amount allocated"), errors, "amount", positive=False)
    reason = _text(reason, _("the reason for the change"), errors, "reason")
    if value is not None and value < 0:
        errors.setdefault("amount", []).append(_("The amount allocated cannot be below zero."))
    _raise_if(errors)
    value = cast(Decimal, value)
    with transaction.atomic():
        BudgetAllocation.objects.get_or_create(
            program=program, fiscal_year=int(fiscal_year), defaults={"amount": Decimal("0")}
        )
        allocation = (
            BudgetAllocation.objects.select_for_update()
            .select_related("program")
            .get(program=program, fiscal_year=int(fiscal_year))
        )
        if value == allocation.amount:
            return allocation
        if value < allocation.committed:
            raise ValidationFailed(
                field_errors={
                    "amount": [
                        _(
                            "%(program)s has already committed %(committed)s of its %(fy)s allocation, so it cannot "
                            "be set to %(amount)s (%(short)s less than what is committed)."
                        )
                        % {
                            "program": program.name,
                            "committed": pkr(allocation.committed),
                            "fy": allocation.fiscal_year_label,
                            "amount": pkr(value),
                            "short": pkr(allocation.committed - value),
                        }
                    ]
                }
            )
        at = timezone.now()
        person = actor if is_active_person(actor) else None
        change = BudgetAllocationChange.objects.create(
            allocation=allocation,
            previous_amount=allocation.amount,
            amount=value,
            reason=reason,
            changed_by=person,
            changed_at=at,
        )
        allocation.amount = value
        allocation.save(update_fields=["amount"])
        post_entry(
            source=f"grants.budgetallocationchange:{change.pk}",
            event=GrantsEvent.BUDGET_ALLOCATION_SET.value,
            on=timezone.localtime(at).date(),
            narration=f"{program.code} {allocation.fiscal_year_label} allocation "
            f"{change.previous_amount} -> {value}: {reason}"[:300],
            lines=[Dr(Account.BUDGET_ALLOCATION, change.delta), Cr(Account.BUDGET_AVAILABLE, change.delta)],
            actor=person or (actor if isinstance(actor, str) else None),
            fiscal_year=allocation.fiscal_year,
        )
        workflow.record(
            actor=person or actor or "system",
            event=GrantsEvent.BUDGET_ALLOCATION_SET,
            obj=allocation,
            reason=reason,
            data={
                "program": program.code,
                "fiscal_year": allocation.fiscal_year,
                "previous": str(change.previous_amount),
                "amount": str(value),
                "committed": str(allocation.committed),
                "change": change.pk,
            },
            at=at,
        )
    return allocation
