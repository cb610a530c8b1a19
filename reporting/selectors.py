"""Reads behind the utilization report, the dashboard and the benchmark.

Ratios are ratios of sums (occupancy of a district = its seats allotted / its seats offered over the
returns counted), so a district's figure is never an average of averages and every total reconciles
with a plain SUM over the returns in the database.
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Aggregate, Count, QuerySet, Sum

from spaces.models import UTILIZATION_FIGURES, UtilizationReturn
from spaces.utilization import add_months
from spaces.utilization_selectors import spaces_without_return

# Detail rows: one per return, in the order of the detail sheet's columns.
DETAIL_FIELDS = (
    "month",
    "space__division",
    "space__district",
    "space__code",
    "space__name",
    "space__operator__legal_name",
    "seats_offered",
    "seats_allotted",
    "seat_days_available",
    "seat_days_used",
    "members",
    "women_members",
    "freelancers",
    "startups",
    "meeting_room_hours_available",
    "meeting_room_hours_booked",
    "filed_at",
)
CHUNK_SIZE = 2000


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of the months from start's month to end's month, inclusive."""
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months


def returns_between(start: dt.date, end: dt.date) -> QuerySet[UtilizationReturn]:
    return UtilizationReturn.objects.filter(month__gte=start.replace(day=1), month__lte=end)


def detail_count(start: dt.date, end: dt.date) -> int:
    return returns_between(start, end).count()


def detail_rows(start: dt.date, end: dt.date) -> Iterator[tuple]:
    """Every return of the period as a tuple of DETAIL_FIELDS, streamed in chunks (a server-side
    cursor on PostgreSQL): memory stays flat however many rows there are."""
    return (
        returns_between(start, end)
        .order_by("month", "space__division", "space__district", "space__code")
        .values_list(*DETAIL_FIELDS)
        .iterator(chunk_size=CHUNK_SIZE)
    )


@dataclass
class Totals:
    """Summed figures of a group of returns, with the two ratios."""

    label: tuple
    returns: int
    spaces: int
    seats_offered: int
    seats_allotted: int
    seat_days_available: int
    seat_days_used: int
    members: int
    women_members: int
    freelancers: int
    startups: int
    meeting_room_hours_available: int
    meeting_room_hours_booked: int

    @property
    def occupancy(self) -> float | None:
        return self.seats_allotted / self.seats_offered if self.seats_offered else None

    @property
    def utilization(self) -> float | None:
        return self.seat_days_used / self.seat_days_available if self.seat_days_available else None

    @property
    def women_share(self) -> float | None:
        return self.women_members / self.members if self.members else None


def _sums() -> dict[str, Aggregate]:
    return {
        "returns": Count("pk"),
        "spaces": Count("space", distinct=True),
        **{name: Sum(name) for name in UTILIZATION_FIGURES},
    }


def totals_by(start: dt.date, end: dt.date, *group: str) -> list[Totals]:
    """Totals grouped by the given fields (e.g. "space__division"), ordered by them."""
    query = returns_between(start, end)
    rows = query.values(*group).annotate(**_sums()).order_by(*group) if group else [query.aggregate(**_sums())]
    return [
        Totals(
            label=tuple(row[g] for g in group),
            returns=row["returns"] or 0,
            spaces=row["spaces"] or 0,
            **{name: row[name] or 0 for name in UTILIZATION_FIGURES},
        )
        for row in rows
    ]


def network_total(start: dt.date, end: dt.date) -> Totals:
    return totals_by(start, end)[0]


def missing_rows(start: dt.date, end: dt.date) -> list[tuple]:
    """(month, division, district, code, name, company, email) of active spaces without a return."""
    rows = []
    for month in months_between(start, end):
        for space in spaces_without_return(month):
            rows.append(
                (
                    month,
                    space.division,
                    space.district,
                    space.code,
                    space.name,
                    space.operator.legal_name,
                    space.operator.contact_email,
                )
            )
    return rows


def monthly_trend(last_month: dt.date, months: int) -> list[Totals]:
    """Network totals for each of the `months` months ending with `last_month` (oldest first)."""
    first = add_months(last_month, -(months - 1))
    by_month = {t.label[0]: t for t in totals_by(first, last_month, "month")}
    empty = dict.fromkeys(UTILIZATION_FIGURES, 0)
    return [
        by_month.get(m) or Totals(label=(m,), returns=0, spaces=0, **empty) for m in months_between(first, last_month)
    ]
