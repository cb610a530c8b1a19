"""Reads of programs and calls: the open calls, and the budget per program and fiscal year."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone

if TYPE_CHECKING:
    from ..fiscal import FiscalYear
    from ..models import Call


def open_calls() -> "QuerySet[Call]":
    """Calls open for applications now, in active programs, closing soonest first (the operator's
    'apply' page). Each row's program is loaded."""
    from ..models import Call

    now = timezone.now()
    return (
        Call.objects.filter(program__is_active=True, opens_at__lte=now, closes_at__gt=now)
        .select_related("program")
        .order_by("closes_at", "pk")
    )


@dataclass
class BudgetRow:
    program: object
    fiscal_year: object  # FiscalYear
    allocated: object
    committed: object
    remaining: object
    used_percent: object
    commitments: int
    # Issue #22: what was carried forward into this allocation from the year before (part of
    # `committed`, shown apart), and whether the year has been closed.
    carried_forward: object = None
    closed: bool = False


def budget_overview(*, fiscal_year: "FiscalYear | None" = None) -> list[BudgetRow]:
    """Per program and fiscal year: allocated, committed (the ledger's running total), remaining."""
    from decimal import ROUND_HALF_UP, Decimal

    from django.db.models import Count

    from ..fiscal import FiscalYear
    from ..models import BudgetAllocation, FiscalYearClose
    from .awards import carried_forward_into

    qs = (
        BudgetAllocation.objects.select_related("program")
        .annotate(rows=Count("commitments"))
        .order_by("program__name", "fiscal_year")
    )
    if fiscal_year is not None:
        qs = qs.filter(fiscal_year=fiscal_year.start_year)
    allocations = list(qs)
    carried = carried_forward_into([allocation.pk for allocation in allocations])
    closed = set(FiscalYearClose.objects.values_list("fiscal_year", flat=True))
    rows = []
    for allocation in allocations:
        used = (
            (allocation.committed * 100 / allocation.amount).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            if allocation.amount
            else Decimal("0")
        )
        rows.append(
            BudgetRow(
                program=allocation.program,
                fiscal_year=FiscalYear(allocation.fiscal_year),
                allocated=allocation.amount,
                committed=allocation.committed,
                remaining=allocation.amount - allocation.committed,
                used_percent=used,
                commitments=allocation.rows,
                carried_forward=carried.get(allocation.pk, Decimal("0")),
                closed=allocation.fiscal_year in closed,
            )
        )
    return rows
