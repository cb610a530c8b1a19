"""The published integrity figures (/integrity/ and its CSV, and the quarterly integrity report): per
department and fiscal year, the visits registered and how they went, and the grievances received and
how fast they were handled. Counts only: no name, no text of a grievance ever leaves the desk."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from django.utils import timezone

from grants.fiscal import FiscalYear

from ..models import Grievance
from .visits import DepartmentVisits, visit_figures


@dataclass
class GrievanceFigures:
    """One row of the grievance table: a category (or a department), for one fiscal year."""

    label: str
    received: int = 0
    acknowledged_on_time: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    closed: int = 0
    open: int = 0
    days_to_resolve: list[int] = field(default_factory=list)

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.days_to_resolve) if self.days_to_resolve else None


def _local_day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment else None


def grievance_figures(fiscal_year: int) -> tuple[GrievanceFigures, list[GrievanceFigures], list[GrievanceFigures]]:
    """All grievances filed in the fiscal year: the total, by category, and by the department named."""
    fy = FiscalYear(fiscal_year)
    return grievance_figures_between(fy.start, fy.end)


def grievance_figures_between(
    start: dt.date, end: dt.date
) -> tuple[GrievanceFigures, list[GrievanceFigures], list[GrievanceFigures]]:
    """All grievances filed from `start` to `end` (both days included, Pakistan time): the total, by
    category, and by the department named."""
    total = GrievanceFigures(label="")
    by_category = {value: GrievanceFigures(str(label)) for value, label in Grievance.Category.choices}
    by_department: dict[str, GrievanceFigures] = {}
    rows = Grievance.objects.filter(filed_at__date__gte=start, filed_at__date__lte=end).select_related("department")
    open_states = {Grievance.State.FILED, Grievance.State.ACKNOWLEDGED, Grievance.State.INVESTIGATING}
    for grievance in rows:
        targets = [total, by_category[grievance.category]]
        if grievance.department is not None:
            name = grievance.department.name
            targets.append(by_department.setdefault(name, GrievanceFigures(name)))
        acknowledged = _local_day(grievance.acknowledged_at)
        resolved = _local_day(grievance.resolved_at)
        filed = _local_day(grievance.filed_at)
        for row in targets:
            row.received += 1
            row.acknowledged_on_time += bool(acknowledged and acknowledged <= grievance.ack_due_on)
            row.open += grievance.state in open_states
            row.closed += grievance.state == Grievance.State.CLOSED
            if resolved and filed:
                row.resolved += 1
                row.resolved_on_time += resolved <= grievance.resolve_due_on
                row.days_to_resolve.append((resolved - filed).days)
    return (
        total,
        [row for row in by_category.values() if row.received],
        sorted(by_department.values(), key=lambda row: row.label),
    )


@dataclass
class IntegrityFigures:
    fiscal_year: FiscalYear
    visits: list[DepartmentVisits]
    grievances: GrievanceFigures
    grievances_by_category: list[GrievanceFigures]
    grievances_by_department: list[GrievanceFigures]


def integrity_figures(fiscal_year: int) -> IntegrityFigures:
    total, by_category, by_department = grievance_figures(fiscal_year)
    return IntegrityFigures(FiscalYear(fiscal_year), visit_figures(fiscal_year), total, by_category, by_department)


@dataclass
class PeriodFigures(IntegrityFigures):
    """The figures of a part of a fiscal year (a fiscal quarter, for the quarterly integrity report)."""

    start: dt.date = dt.date.min
    end: dt.date = dt.date.max


def integrity_figures_between(start: dt.date, end: dt.date) -> PeriodFigures:
    """The published figures for the days from `start` to `end`, within one fiscal year: visits whose
    day falls in them, grievances filed in them. Counts only, as for the fiscal year."""
    fiscal_year = FiscalYear.of(start)
    if FiscalYear.of(end) != fiscal_year or end < start:
        raise ValueError(f"{start}..{end} is not a period within one fiscal year.")
    total, by_category, by_department = grievance_figures_between(start, end)
    visits = visit_figures(fiscal_year.start_year, between=(start, end))
    return PeriodFigures(fiscal_year, visits, total, by_category, by_department, start=start, end=end)
