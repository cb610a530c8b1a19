"""Reads of an award's money (issue #22): committed, paid, waiting in finance's pipeline, releasable,
and how its commitment is spread over fiscal years. The services read the same figures (under their
locks) before they release, re-commit or ask finance to pay; the workbench pages show them.

    committed   Σ the award's BudgetCommitment rows (every fiscal year, reversals included)
    paid        Award.paid: what the bank has paid (finance's hook keeps it)
    pending     payments asked of finance and not yet paid: requested, prepared, approved, in a
                batch, sent, or failed and waiting for the retry (a cancelled or retried attempt is over)
    releasable  committed − paid − pending: what no payment is using, and may be released
    uncommitted the award's amount − committed: what must be committed again (after a lapse, a
                release) before it can be paid
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet, Sum

if TYPE_CHECKING:
    from ..models import Award, TerminationProposal

ZERO = Decimal("0")

# Payment states that still hold money for the award (finance.models.PaymentState values): asked of
# finance and not yet paid, or paid and returned by the bank, waiting for the retry.
PENDING_PAYMENT_STATES = ("requested", "prepared", "approved", "in_batch", "sent", "failed")


@dataclass
class AwardMoney:
    award: "Award"
    committed: Decimal
    paid: Decimal
    pending: Decimal
    by_year: list[tuple[int, int, Decimal]] = field(default_factory=list)  # (allocation id, FY, net)

    @property
    def releasable(self) -> Decimal:
        return max(self.committed - self.paid - self.pending, ZERO)

    @property
    def uncommitted(self) -> Decimal:
        """What the award still needs committed before all of it can be paid (0 once ended)."""
        if self.award.has_ended:
            return ZERO
        return max(self.award.amount - self.committed, ZERO)

    def unconsumed_by_year(self) -> list[tuple[int, int, Decimal]]:
        """(allocation id, FY, unpaid part) oldest year first: payments use the oldest commitment
        first (first in, first out), so what is left unpaid sits in the newest years."""
        used = self.paid + self.pending
        rows = []
        for allocation_id, fiscal_year, net in sorted(self.by_year, key=lambda row: (row[1], row[0])):
            take = min(max(net, ZERO), used)
            used -= take
            rows.append((allocation_id, fiscal_year, net - take))
        return rows


def pending_payments(award: "Award") -> Decimal:
    from finance.models import PaymentInstruction

    total = PaymentInstruction.objects.filter(
        application_id=award.application_id, state__in=PENDING_PAYMENT_STATES
    ).aggregate(total=Sum("amount"))["total"]
    return total or ZERO


def award_money(award: "Award") -> AwardMoney:
    """The award's figures as they stand (read them under the award's lock to act on them)."""
    from ..models import Award, BudgetCommitment

    rows = (
        BudgetCommitment.objects.filter(application_id=award.application_id)
        .values("allocation_id", "allocation__fiscal_year")
        .annotate(net=Sum("amount"))
        .order_by("allocation__fiscal_year", "allocation_id")
    )
    by_year = [(row["allocation_id"], row["allocation__fiscal_year"], row["net"]) for row in rows]
    # Read afresh: finance's hook moves `paid` on the row, not on an instance a caller may hold.
    paid = Award.objects.filter(pk=award.pk).values_list("paid", flat=True).first()
    return AwardMoney(
        award=award,
        committed=sum((net for _a, _f, net in by_year), ZERO),
        paid=paid if paid is not None else award.paid,
        pending=pending_payments(award),
        by_year=by_year,
    )


def awards_for_workbench(*, state: str = "", program: str = "") -> list[AwardMoney]:
    """Every award with its figures, newest first, for the officer's and the chair's award page:
    three queries whatever the number of awards (awards, commitments summed, pending summed)."""
    from finance.models import PaymentInstruction

    from ..models import Award, BudgetCommitment

    awards: QuerySet[Award] = Award.objects.select_related(
        "application__operator", "application__call__program"
    ).prefetch_related("termination_proposals")
    if state:
        awards = awards.filter(state=state)
    if program:
        awards = awards.filter(application__call__program__code=program)
    awards_list = list(awards.order_by("-offered_at", "-pk"))
    app_ids = [award.application_id for award in awards_list]
    by_year: dict[int, list] = {}
    for row in (
        BudgetCommitment.objects.filter(application_id__in=app_ids)
        .values("application_id", "allocation_id", "allocation__fiscal_year")
        .annotate(net=Sum("amount"))
    ):
        by_year.setdefault(row["application_id"], []).append(
            (row["allocation_id"], row["allocation__fiscal_year"], row["net"])
        )
    pending = dict(
        PaymentInstruction.objects.filter(application_id__in=app_ids, state__in=PENDING_PAYMENT_STATES)
        .values("application_id")
        .annotate(total=Sum("amount"))
        .values_list("application_id", "total")
    )
    return [
        AwardMoney(
            award=award,
            committed=sum((net for _a, _f, net in by_year.get(award.application_id, [])), ZERO),
            paid=award.paid,
            pending=pending.get(award.application_id) or ZERO,
            by_year=by_year.get(award.application_id, []),
        )
        for award in awards_list
    ]


def pending_termination(award: "Award") -> "TerminationProposal | None":
    """The award's termination proposal waiting for a second board member, or None."""
    from ..models import TerminationProposal

    return (
        TerminationProposal.objects.filter(award=award, state=TerminationProposal.State.PENDING)
        .select_related("proposed_by")
        .first()
    )


def terminations_waiting() -> "QuerySet":
    """Every pending termination proposal, oldest first (the board members' list)."""
    from ..models import TerminationProposal

    return (
        TerminationProposal.objects.filter(state=TerminationProposal.State.PENDING)
        .select_related("award__application__operator", "proposed_by")
        .order_by("proposed_at", "pk")
    )


def award_ledger(award: "Award") -> "QuerySet":
    """The award's commitment rows, in order, with their allocation (the award page's ledger)."""
    from ..models import BudgetCommitment

    return (
        BudgetCommitment.objects.filter(application_id=award.application_id)
        .select_related("allocation", "created_by")
        .order_by("created_at", "pk")
    )


def carried_forward_into(allocation_ids: list[int]) -> dict[int, Decimal]:
    """Per allocation: what was carried forward into it from the year before (the budget page shows
    it apart from the year's own approvals)."""
    from ..models import BudgetCommitment

    return dict(
        BudgetCommitment.objects.filter(
            Q(allocation_id__in=allocation_ids), kind="commitment", cause=BudgetCommitment.Cause.CARRY_FORWARD
        )
        .values("allocation_id")
        .annotate(total=Sum("amount"))
        .values_list("allocation_id", "total")
    )
