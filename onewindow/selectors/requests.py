"""Reads of the one-window desk: who sees which request, the desk's queue, the coordinator's late
cases, the documents an operator may reuse (once only), a valid certificate for the eligibility
check, and the published figures per department and service."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts import roles
from core import workflow
from core.calendar import working_days_between
from grants.fiscal import FiscalQuarter
from grants.models import ApplicationDocument, ApplicationState
from integrity.models import Official
from spaces.models import Operator

from ..models import OPEN_STATES, Certificate, RequestDocument, RequestState, Service, ServiceRequest

S = RequestState
# An application's documents count as accepted once it has passed screening.
ACCEPTED_APPLICATION_STATES = (
    ApplicationState.IN_REVIEW,
    ApplicationState.RECOMMENDED,
    ApplicationState.APPROVED,
    ApplicationState.REJECTED,
)


def _requests() -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.select_related("service", "service__department", "operator", "space", "filed_by")


def catalogue() -> QuerySet[Service]:
    return (
        Service.objects.filter(is_active=True)
        .select_related("department")
        .prefetch_related("documents", "questions", "bundles")
        .order_by("department__name", "name")
    )


def desk_department_id(user: Any) -> int | None:
    if not workflow.is_active_person(user) or not user.has_role(roles.DEPARTMENT_DESK):
        return None
    return Official.objects.filter(user=user).values_list("department_id", flat=True).first()


def is_coordinator(user: Any) -> bool:
    return workflow.is_active_person(user) and user.has_role(roles.ONE_WINDOW_COORDINATOR)


def requests_of_operator(user: Any) -> QuerySet[ServiceRequest]:
    if not workflow.is_active_person(user):
        return ServiceRequest.objects.none()
    return _requests().filter(operator__in=Operator.objects.filter(members=user).values("pk"))


def requests_for_desk(user: Any) -> QuerySet[ServiceRequest]:
    """A desk officer's department's requests, never drafts, oldest first."""
    department = desk_department_id(user)
    if department is None:
        return ServiceRequest.objects.none()
    return _requests().filter(service__department_id=department).exclude(state=S.DRAFT).order_by("submitted_at")


def request_for(user: Any, reference: str) -> ServiceRequest | None:
    """The request, if `user` may open it: its operator's people, its department's desk, the
    coordinator. Anyone else: None (the view answers 404)."""
    if not workflow.is_active_person(user):
        return None
    scope = Q(operator__in=Operator.objects.filter(members=user).values("pk"))
    department = desk_department_id(user)
    if department is not None:
        scope |= Q(service__department_id=department) & ~Q(state=S.DRAFT)
    if is_coordinator(user):
        scope |= ~Q(state=S.DRAFT)
    return _requests().filter(scope, reference=reference).first()


def late_requests(today: dt.date | None = None) -> QuerySet[ServiceRequest]:
    """Every open request past its due date (the clock stops while information is requested)."""
    today = today or timezone.localdate()
    return _requests().filter(state__in=[S.SUBMITTED, S.IN_PROCESS], due_on__lt=today).order_by("due_on")


def current_certificate(request: ServiceRequest) -> Certificate | None:
    return request.certificates.filter(superseded_by__isnull=True).order_by("-issued_at").first()


def valid_certificate(*, operator: Operator, service_code: str, on: dt.date | None = None) -> Certificate | None:
    """The operator's current certificate of that service, valid on `on` (today): what a program's
    eligibility check reads instead of asking for the certificate again."""
    on = on or timezone.localdate()
    return (
        Certificate.objects.filter(
            request__operator=operator,
            request__service__code=service_code,
            request__state=S.ISSUED,
            superseded_by__isnull=True,
            issued_on__lte=on,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .order_by("-issued_on")
        .first()
    )


@dataclass(frozen=True)
class Reusable:
    """A document filed before and accepted, offered instead of a new upload."""

    key: str  # "app:<pk>" or "req:<pk>"
    document_type: str
    label: str
    filed_on: dt.date
    source: str  # the application's or request's reference
    file_name: str = ""  # the stored file's name (a document reused is the same stored file)


def reusable_documents(operator: Operator, *, today: dt.date | None = None) -> list[Reusable]:
    """Documents of the operator's applications past screening, and of its issued requests, newest
    first per type; a document whose validity has ended is not offered."""
    today = today or timezone.localdate()
    found: list[Reusable] = []
    for document in ApplicationDocument.objects.filter(
        application__operator=operator, application__state__in=ACCEPTED_APPLICATION_STATES
    ).select_related("application"):
        found.append(
            Reusable(
                f"app:{document.pk}",
                document.document_type,
                document.get_document_type_display(),
                timezone.localtime(document.uploaded_at).date(),
                document.application.reference,
                document.file.name or "",
            )
        )
    for filed in (
        RequestDocument.objects.filter(request__operator=operator, request__state=S.ISSUED)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("request")
    ):
        found.append(
            Reusable(
                f"req:{filed.pk}",
                filed.document_type,
                filed.get_document_type_display(),
                timezone.localtime(filed.uploaded_at).date(),
                filed.request.reference,
                filed.file.name or "",
            )
        )
    found.sort(key=lambda item: item.filed_on, reverse=True)
    return found


def expiring_certificates(today: dt.date, days: int) -> QuerySet[Certificate]:
    """Current certificates whose validity ends within `days` and that have not been reminded."""
    return Certificate.objects.filter(
        superseded_by__isnull=True,
        expiry_reminded_at__isnull=True,
        valid_until__isnull=False,
        valid_until__gte=today,
        valid_until__lte=today + dt.timedelta(days=days),
        request__state=S.ISSUED,
    ).select_related("request", "request__operator", "request__service")


@dataclass
class ServiceFigures:
    service: Service
    filed: int = 0
    issued: int = 0
    refused: int = 0
    open: int = 0
    within_promise: int = 0
    working_days: list[int] = field(default_factory=list)

    @property
    def median_working_days(self) -> float | None:
        return statistics.median(self.working_days) if self.working_days else None

    @property
    def share_within_promise(self) -> float | None:
        decided = len(self.working_days)
        return round(100 * self.within_promise / decided) if decided else None


def service_figures(*, start: dt.date | None = None, end: dt.date | None = None) -> list[ServiceFigures]:
    """Per service (grouped by department in its order): requests filed (submitted) in the period,
    issued, refused, still open, the median working days from submission to the decision, and the
    share decided within the promised time. The public performance page and the quarterly report."""
    rows = {service.pk: ServiceFigures(service) for service in Service.objects.select_related("department")}
    requests = ServiceRequest.objects.exclude(state__in=[S.DRAFT]).filter(submitted_at__isnull=False)
    if start is not None:
        requests = requests.filter(submitted_at__date__gte=start)
    if end is not None:
        requests = requests.filter(submitted_at__date__lte=end)
    for request in requests.only("service_id", "state", "submitted_at", "closed_at", "due_on"):
        row = rows[request.service_id]
        if request.state == S.WITHDRAWN:
            continue
        row.filed += 1
        row.open += request.state in OPEN_STATES
        if request.state in (S.ISSUED, S.REFUSED) and request.closed_at and request.submitted_at:
            row.issued += request.state == S.ISSUED
            row.refused += request.state == S.REFUSED
            decided = timezone.localtime(request.closed_at).date()
            row.working_days.append(working_days_between(timezone.localtime(request.submitted_at).date(), decided))
            row.within_promise += bool(request.due_on and decided <= request.due_on)
    return sorted(
        (row for row in rows.values() if row.filed),
        key=lambda row: (row.service.department.name, row.service.name),
    )


def quarter_figures(quarter: FiscalQuarter) -> list[ServiceFigures]:
    return service_figures(start=quarter.start, end=quarter.end)
