"""The fiscal year's end (issue #22): what is committed but unpaid on each award either lapses or is
carried forward into the new year's allocation, by the program's `year_end_policy`. Run by
`manage.py close_fiscal_year` and by the Celery beat task on 1 July (Asia/Karachi). Re-exported by
grants/services/__init__.py.

    fiscal_year_close(*, fiscal_year, actor=None, dry_run=False) -> YearEndReport

Rules:
- Only a year that has ended is closed (from 1 July after its 30 June), once: a FiscalYearClose row
  per year, inserted first in the same transaction, so a second run (or a concurrent one, which waits
  on the unique index) finds it and does nothing, saying when it was closed.
- Per award with a commitment in the year's allocations, the year's *unpaid* part: payments use the
  oldest commitment first, so it is the award's committed − paid − pending, at most what the year holds.
- Payments pending at year end (with finance: requested, prepared, approved, in a batch, sent, or
  failed awaiting retry) keep their commitment in the old year: they were approved against its budget
  and are paid from it, whichever day the bank pays. Nothing in finance's pipeline is touched.
- Lapse (the default, and always for an award that has ended): a reversal row in the old year (cause
  "lapse") with the reason. The award's remaining payments then need a new commitment: a program
  officer re-commits against the new year's allocation (grants.services.budget.award_recommit), within
  its budget; until then finance is not asked to pay them (award_payment_refusal names the figures).
- Carry forward: a reversal row in the old year and a commitment row in the new year's allocation
  (cause "carry_forward", the new row naming the old), both with the reason. When the new allocation
  is missing or lacks room, that award's unpaid part lapses instead and the report says so, with the
  figures: an officer re-commits it once the allocation is raised.
- Every row posts its journal entry (fiscal year = its allocation's) through commitment_row_write.
- Lock order: every allocation of the old and the new year (by primary key), then each award.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import workflow

from ..errors import PermissionDenied, ValidationFailed
from ..events import GrantsEvent
from ..fiscal import FiscalYear
from ..models import (
    AWARD_ENDED_STATES,
    Award,
    BudgetAllocation,
    BudgetCommitment,
    FiscalYearClose,
    Program,
    is_active_person,
)
from ..money import pkr
from ..permissions import BUDGET
from ..selectors.awards import award_money
from .budget import commitment_row_write, lock_allocations

if TYPE_CHECKING:
    from accounts.models import User

Cause = BudgetCommitment.Cause
ZERO = Decimal("0")


class Outcome:
    LAPSED = "lapsed"
    CARRIED_FORWARD = "carried_forward"
    LAPSED_NO_ROOM = "lapsed_no_room"
    LAPSED_NO_ALLOCATION = "lapsed_no_allocation"


@dataclass
class YearEndLine:
    program: str
    sanction_number: str
    reference: str
    policy: str
    amount: Decimal
    outcome: str
    detail: str
    pending_kept: Decimal = ZERO

    def as_json(self) -> dict:
        return {
            "program": self.program,
            "sanction_number": self.sanction_number,
            "reference": self.reference,
            "policy": self.policy,
            "amount": str(self.amount),
            "outcome": self.outcome,
            "detail": self.detail,
            "pending_kept": str(self.pending_kept),
        }


@dataclass
class YearEndReport:
    fiscal_year: FiscalYear
    dry_run: bool
    already_closed: FiscalYearClose | None = None
    lines: list[YearEndLine] = field(default_factory=list)

    @property
    def lapsed(self) -> Decimal:
        return sum((line.amount for line in self.lines if line.outcome != Outcome.CARRIED_FORWARD), ZERO)

    @property
    def carried_forward(self) -> Decimal:
        return sum((line.amount for line in self.lines if line.outcome == Outcome.CARRIED_FORWARD), ZERO)

    @property
    def pending_kept(self) -> Decimal:
        return sum((line.pending_kept for line in self.lines), ZERO)

    @property
    def refused_carry_forwards(self) -> list[YearEndLine]:
        return [line for line in self.lines if line.outcome in (Outcome.LAPSED_NO_ROOM, Outcome.LAPSED_NO_ALLOCATION)]


def finished_fiscal_year(today: dt.date | None = None) -> FiscalYear:
    """The fiscal year that ended most recently (on 1 July 2026: FY2025-26)."""
    return FiscalYear(FiscalYear.of(today or timezone.localdate()).start_year - 1)


def _may_close(actor: "User | str | None") -> bool:
    if actor is None or isinstance(actor, str):
        return BUDGET.rule("close_year").system
    return BUDGET.role_allows(actor, "close_year") or (is_active_person(actor) and actor.is_superuser)


def fiscal_year_close(
    *, fiscal_year: FiscalYear, actor: "User | str | None" = None, dry_run: bool = False
) -> YearEndReport:
    """Close `fiscal_year` (see the module docstring). A dry run says what would happen and writes
    nothing. Returns the report; when the year was already closed, `already_closed` is that close and
    nothing was done."""
    if not _may_close(actor):
        raise PermissionDenied(BUDGET.rule("close_year").refusal)
    today = timezone.localdate()
    if today <= fiscal_year.end:
        raise ValidationFailed(
            _("%(fy)s ends on %(end)s; it can be closed from %(next)s.")
            % {
                "fy": fiscal_year.label,
                "end": fiscal_year.end.isoformat(),
                "next": (fiscal_year.end + dt.timedelta(days=1)).isoformat(),
            }
        )
    report = YearEndReport(fiscal_year=fiscal_year, dry_run=dry_run)
    existing = FiscalYearClose.objects.filter(fiscal_year=fiscal_year.start_year).first()
    if existing is not None:
        report.already_closed = existing
        return report
    person = actor if is_active_person(actor) else None
    try:
        with transaction.atomic():
            close = None
            if not dry_run:
                # First, so a concurrent close waits here on the unique index and then finds this one.
                close = FiscalYearClose.objects.create(
                    fiscal_year=fiscal_year.start_year, closed_at=timezone.now(), closed_by=person
                )
            _close(report, fiscal_year, actor, dry_run=dry_run)
            if close is not None:
                close.lapsed = report.lapsed
                close.carried_forward = report.carried_forward
                close.summary = [line.as_json() for line in report.lines]
                close.save(update_fields=["lapsed", "carried_forward", "summary"])
                workflow.record(
                    actor=person or actor or "system",
                    event=GrantsEvent.FISCAL_YEAR_CLOSE,
                    obj=close,
                    data={
                        "fiscal_year": fiscal_year.start_year,
                        "lapsed": str(report.lapsed),
                        "carried_forward": str(report.carried_forward),
                        "pending_kept": str(report.pending_kept),
                        "awards": len(report.lines),
                    },
                )
    except IntegrityError:
        # Another run closed the year between our look and our insert.
        report.already_closed = FiscalYearClose.objects.get(fiscal_year=fiscal_year.start_year)
        report.lines = []
    return report


def _close(report: YearEndReport, fiscal_year: FiscalYear, actor, *, dry_run: bool) -> None:
    old_ids = list(BudgetAllocation.objects.filter(fiscal_year=fiscal_year.start_year).values_list("pk", flat=True))
    new_ids = list(BudgetAllocation.objects.filter(fiscal_year=fiscal_year.start_year + 1).values_list("pk", flat=True))
    locked = (
        lock_allocations(old_ids + new_ids)
        if not dry_run
        else {a.pk: a for a in BudgetAllocation.objects.filter(pk__in=old_ids + new_ids)}
    )
    programs = {p.pk: p for p in Program.objects.filter(allocations__pk__in=old_ids)}
    new_by_program = {
        allocation.program_id: allocation
        for allocation in locked.values()
        if allocation.fiscal_year == fiscal_year.start_year + 1
    }
    # What a dry run has taken of each new allocation's room so far.
    room_taken: dict[int, Decimal] = {}
    next_year = FiscalYear(fiscal_year.start_year + 1)
    award_ids = list(
        Award.objects.filter(application__commitments__allocation_id__in=old_ids)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for award_id in award_ids:
        query = Award.objects.select_related("application__call__program")
        award = (query.select_for_update(of=("self",)) if not dry_run else query).get(pk=award_id)
        money = award_money(award)
        old = [(a, fy, unpaid) for a, fy, unpaid in money.unconsumed_by_year() if fy == fiscal_year.start_year]
        unpaid = sum((amount for _a, _fy, amount in old), ZERO)
        if unpaid <= 0:
            continue
        program = programs[locked[old[0][0]].program_id]
        policy = program.year_end_policy
        carry = policy == Program.YearEndPolicy.CARRY_FORWARD and award.state not in AWARD_ENDED_STATES
        target = new_by_program.get(program.pk)
        outcome, detail = (
            Outcome.LAPSED,
            _("%(fy)s closed: the unpaid %(amount)s lapses (program policy). Re-commit against %(next)s before paying.")
            % {"fy": fiscal_year.label, "amount": pkr(unpaid), "next": next_year.label},
        )
        if award.state in AWARD_ENDED_STATES:
            detail = _("%(fy)s closed: the unpaid %(amount)s of an ended award lapses.") % {
                "fy": fiscal_year.label,
                "amount": pkr(unpaid),
            }
        if carry:
            if target is None:
                outcome = Outcome.LAPSED_NO_ALLOCATION
                detail = _(
                    "%(fy)s closed: %(amount)s could not be carried forward, as %(program)s has no %(next)s "
                    "allocation; it lapses. Re-commit once the allocation is set."
                ) % {"fy": fiscal_year.label, "amount": pkr(unpaid), "program": program.name, "next": next_year.label}
            else:
                remaining = target.amount - target.committed - room_taken.get(target.pk, ZERO)
                if unpaid > remaining:
                    outcome = Outcome.LAPSED_NO_ROOM
                    detail = _(
                        "%(fy)s closed: %(amount)s could not be carried forward, as %(program)s has %(remaining)s left "
                        "of %(allocated)s for %(next)s (%(shortfall)s short); it lapses. Re-commit once there is room."
                    ) % {
                        "fy": fiscal_year.label,
                        "amount": pkr(unpaid),
                        "program": program.name,
                        "remaining": pkr(remaining),
                        "allocated": pkr(target.amount),
                        "next": next_year.label,
                        "shortfall": pkr(unpaid - remaining),
                    }
                else:
                    outcome = Outcome.CARRIED_FORWARD
                    detail = _("%(fy)s closed: the unpaid %(amount)s is carried forward into %(next)s.") % {
                        "fy": fiscal_year.label,
                        "amount": pkr(unpaid),
                        "next": next_year.label,
                    }
                    if dry_run:  # a real run raises target.committed as it writes
                        room_taken[target.pk] = room_taken.get(target.pk, ZERO) + unpaid
        line = YearEndLine(
            program=program.code,
            sanction_number=award.sanction_number,
            reference=award.application.reference,
            policy=policy,
            amount=unpaid,
            outcome=outcome,
            detail=str(detail),
            pending_kept=money.pending,
        )
        report.lines.append(line)
        if dry_run:
            continue
        cause = Cause.CARRY_FORWARD if outcome == Outcome.CARRIED_FORWARD else Cause.LAPSE
        for allocation_id, _fy, amount in old:
            if amount <= 0:
                continue
            reversal = commitment_row_write(
                allocation=locked[allocation_id],
                application=award.application,
                amount=-amount,
                cause=cause,
                actor=actor,
                note=line.detail,
            )
            if outcome == Outcome.CARRIED_FORWARD:
                commitment_row_write(
                    allocation=cast(BudgetAllocation, target),
                    application=award.application,
                    amount=amount,
                    cause=Cause.CARRY_FORWARD,
                    actor=actor,
                    note=line.detail,
                    carried_from=reversal,
                )
