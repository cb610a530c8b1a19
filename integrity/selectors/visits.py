"""Reads of registered visits that views, the public pages and reports share: who sees which visit,
the verify page, the burden per space and the published figures per department."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts import roles
from core import workflow
from spaces.models import Operator

from ..models import AssociationMembership, Department, InspectionVisit, Official

V = InspectionVisit.State
OPEN_STATES = (V.REQUESTED, V.SCHEDULED)
COUNTED_STATES = (V.REQUESTED, V.SCHEDULED, V.COMPLETED, V.NO_SHOW)


def _visits() -> QuerySet[InspectionVisit]:
    return InspectionVisit.objects.select_related(
        "space", "space__operator", "department", "purpose", "inspector", "inspector__official", "joint_with"
    )


def _official(user: Any) -> Official | None:
    return Official.objects.filter(user=user).first() if workflow.is_active_person(user) else None


def visits_of_inspector(user: Any) -> QuerySet[InspectionVisit]:
    return _visits().filter(inspector=user)


def _scheduler_scope(user: Any) -> Q:
    """The visits this person schedules: a liaison's association members' spaces; for a program
    officer the spaces of operators that belong to no association."""
    scope = Q(pk__in=[])
    official = _official(user)
    if user.has_role(roles.ASSOCIATION_LIAISON) and official is not None and official.association_id:
        members = AssociationMembership.objects.filter(association_id=official.association_id).values("operator_id")
        scope |= Q(space__operator__in=members)
    if user.has_role(roles.PROGRAM_OFFICER):
        scope |= ~Q(space__operator__in=AssociationMembership.objects.values("operator_id"))
    return scope


def visits_to_schedule(user: Any) -> QuerySet[InspectionVisit]:
    if not workflow.is_active_person(user):
        return InspectionVisit.objects.none()
    return _visits().filter(_scheduler_scope(user))


def visits_of_operator(user: Any) -> QuerySet[InspectionVisit]:
    if not workflow.is_active_person(user):
        return InspectionVisit.objects.none()
    return _visits().filter(space__operator__members=user)


def visits_visible_to(user: Any) -> QuerySet[InspectionVisit]:
    """Every visit `user` may open: their own requests, what they schedule, their spaces' visits,
    and all of them for the integrity office."""
    if not workflow.is_active_person(user):
        return InspectionVisit.objects.none()
    if user.has_role(roles.INTEGRITY_OFFICER) or user.has_role(roles.INTEGRITY_HEAD):
        return _visits()
    operators = Operator.objects.filter(members=user).values("pk")
    scope = Q(inspector=user) | Q(space__operator__in=operators) | _scheduler_scope(user)
    return _visits().filter(scope).distinct()


def visit_for(user: Any, reference: str) -> InspectionVisit | None:
    return visits_visible_to(user).filter(reference=reference).first()


def visit_by_code(code: str) -> InspectionVisit | None:
    if not code:
        return None
    return _visits().filter(code=code).first()


def joint_partners(visit: InspectionVisit) -> list[InspectionVisit]:
    """The other departments' visits in the same trip (its lead, or the visits joined to it)."""
    lead_id = visit.joint_with_id or visit.pk
    return list(
        _visits()
        .filter(Q(pk=lead_id) | Q(joint_with_id=lead_id))
        .exclude(pk=visit.pk)
        .exclude(state__in=[V.REFUSED, V.CANCELLED])
    )


def joinable_visits(visit: InspectionVisit) -> QuerySet[InspectionVisit]:
    """Scheduled visits to the same space a request may be joined to."""
    return _visits().filter(space=visit.space, state=V.SCHEDULED, joint_with__isnull=True).exclude(pk=visit.pk)


@dataclass
class Burden:
    """The inspection burden of one space in one fiscal year: what the public directory shows."""

    total: int = 0
    trips: int = 0
    urgent: int = 0
    by_department: dict[str, int] = field(default_factory=dict)


def burden_of_spaces(space_ids: list[int], fiscal_year: int) -> dict[int, Burden]:
    rows = (
        InspectionVisit.objects.filter(space_id__in=space_ids, fiscal_year=fiscal_year, state__in=COUNTED_STATES)
        .values("space_id", "department__name", "urgency", "joint_with_id")
        .order_by()
    )
    burdens: dict[int, Burden] = {pk: Burden() for pk in space_ids}
    for row in rows:
        burden = burdens[row["space_id"]]
        burden.total += 1
        burden.trips += 1 if row["joint_with_id"] is None else 0
        burden.urgent += 1 if row["urgency"] == InspectionVisit.Urgency.URGENT else 0
        name = row["department__name"]
        burden.by_department[name] = burden.by_department.get(name, 0) + 1
    return burdens


@dataclass
class DepartmentVisits:
    department: Department
    registered: int = 0
    with_notice: int = 0
    urgent: int = 0
    joint: int = 0
    refused: int = 0
    completed: int = 0
    confirmed: int = 0
    money_reports: int = 0
    outcomes_late: int = 0
    no_show: int = 0
    notice_days: list[int] = field(default_factory=list)

    @property
    def median_notice_days(self) -> float | None:
        return statistics.median(self.notice_days) if self.notice_days else None


def visit_figures(fiscal_year: int, *, between: tuple[dt.date, dt.date] | None = None) -> list[DepartmentVisits]:
    """Per department, for the fiscal year: visits registered (asked for, not refused or cancelled
    before the day), with notice (routine), urgent, joint, confirmed by operators as registered, and
    'asked for money' reports; outcomes filed late. The public integrity page and the report read it."""
    from core.calendar import working_days_between

    figures: dict[int, DepartmentVisits] = {}
    for department in Department.objects.order_by("name"):
        figures[department.pk] = DepartmentVisits(department)
    in_period = Q(fiscal_year=fiscal_year)
    if between is not None:  # a part of the year (the quarterly report): visits whose day falls in it
        in_period &= Q(window_date__gte=between[0], window_date__lte=between[1])
    visits = InspectionVisit.objects.filter(in_period).only(
        "department_id",
        "state",
        "urgency",
        "joint_with_id",
        "happened_as_registered",
        "asked_for_money",
        "findings_void",
        "requested_at",
        "window_date",
    )
    joined_leads = set(
        InspectionVisit.objects.filter(in_period, joint_with__isnull=False).values_list("joint_with_id", flat=True)
    )
    for visit in visits:
        row = figures.get(visit.department_id)
        if row is None:
            continue
        if visit.state == V.REFUSED:
            row.refused += 1
            continue
        if visit.state == V.CANCELLED:
            continue
        row.registered += 1
        if visit.urgency == InspectionVisit.Urgency.URGENT:
            row.urgent += 1
        else:
            row.with_notice += 1
            row.notice_days.append(
                working_days_between(timezone.localtime(visit.requested_at).date(), visit.window_date)
            )
        if visit.joint_with_id is not None or visit.pk in joined_leads:
            row.joint += 1
        row.completed += visit.state == V.COMPLETED
        row.no_show += visit.state == V.NO_SHOW
        row.confirmed += bool(visit.happened_as_registered)
        row.money_reports += bool(visit.asked_for_money)
        row.outcomes_late += bool(visit.findings_void)
    return [row for row in figures.values() if row.registered or row.refused]


def fiscal_years_with_visits() -> list[int]:
    return list(InspectionVisit.objects.order_by("-fiscal_year").values_list("fiscal_year", flat=True).distinct())


def integrity_watch(limit: int = 50) -> dict[str, list[InspectionVisit]]:
    """What the integrity office watches: urgent visits, outcomes void for lateness, money reports."""
    visits = _visits()
    return {
        "urgent": list(visits.filter(urgency=InspectionVisit.Urgency.URGENT).order_by("-window_date")[:limit]),
        "void": list(visits.filter(findings_void=True).order_by("-window_date")[:limit]),
        "money": list(visits.filter(asked_for_money=True).order_by("-window_date")[:limit]),
    }


def pending_counts(user: Any) -> dict[str, int]:
    return {
        "to_schedule": visits_to_schedule(user).filter(state=V.REQUESTED).count(),
    }
