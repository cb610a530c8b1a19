"""A small network with returns for Q1 FY2025-26 (Jul–Sep 2025), made directly (reports read rows)."""

import datetime as dt

from django.db.models import Sum
from django.utils import timezone

from accounts import roles
from grants.fiscal import FiscalYear
from spaces.models import UTILIZATION_FIGURES, Space, UtilizationReturn
from tests.factories import OperatorFactory, SpaceFactory, UserFactory

Q1 = FiscalYear(2025).quarter(1)
MONTHS = [dt.date(2025, 7, 1), dt.date(2025, 8, 1), dt.date(2025, 9, 1)]
INJECTION = '=HYPERLINK("http://evil.example","Click")'


def network():
    """Three spaces in two divisions; one named like a formula; the third missed September."""
    filer = UserFactory(roles=[roles.OPERATOR])
    operator = OperatorFactory(members=[filer])
    lahore = SpaceFactory(operator=operator, name=INJECTION, code="LHR-501")
    other = SpaceFactory(operator=operator, code="LHR-502", seats_offered=40)
    multan = SpaceFactory(
        operator=operator, code="MUX-503", division="Multan", district="Multan", name="Multan Hub", seats_offered=80
    )
    for index, month in enumerate(MONTHS):
        for space, occupancy in ((lahore, 0.75), (other, 0.6), (multan, 0.9)):
            if space is multan and month == MONTHS[-1]:
                continue
            seats = space.seats_offered
            UtilizationReturn.objects.create(
                space=space,
                month=month,
                seats_offered=seats,
                seats_allotted=int(seats * occupancy),
                seat_days_available=seats * 26,
                seat_days_used=int(seats * 26 * occupancy) - index,
                members=seats + 10,
                women_members=(seats + 10) // 3,
                freelancers=seats // 2,
                startups=4,
                meeting_room_hours_available=200,
                meeting_room_hours_booked=120 + index,
                filed_by=filer,
                filed_at=dt.datetime(month.year, month.month, 28, 10, tzinfo=dt.UTC) + dt.timedelta(days=7),
            )
    # Outside the quarter: must not count.
    UtilizationReturn.objects.create(
        space=lahore,
        month=dt.date(2025, 10, 1),
        **dict.fromkeys(UTILIZATION_FIGURES, 1),
        filed_at=timezone.now(),
    )
    return {"operator": operator, "spaces": [lahore, other, multan], "multan": multan}


def quarter_sums():
    return UtilizationReturn.objects.filter(month__gte=Q1.start, month__lte=Q1.end).aggregate(
        **{name: Sum(name) for name in UTILIZATION_FIGURES}
    )


def active_spaces():
    return Space.objects.filter(network_status=Space.NetworkStatus.ACTIVE)
