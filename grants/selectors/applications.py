"""Reads of applications that views, reports and the demo share.

Every selector returns rows with their relations already loaded, so a page costs a fixed number of
queries however many rows it shows (tests/grants/test_selectors.py counts them). Object-level
permission is `applications_visible_to(user)` / `application_visible_to(user, application)`:
operator staff see their own company's applications, program officers see all, others nothing yet.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts import roles
from audit.selectors import audit_events_for
from spaces.models import Operator

from ..eligibility import EligibilityCheck, eligibility_checks
from ..forms import ScreeningQueueFilter
from ..models import (
    SCREENING_STATES,
    Application,
    ApplicationDocument,
    InformationRequest,
    LoanDetails,
    Program,
    UtilityConnection,
)
from ..sections import SectionStatus, missing_for_submit, section_statuses

if TYPE_CHECKING:
    from accounts.models import User

# The documents pages read the application's documents and nothing else of its sections.
DOCUMENTS_PREFETCH = (Prefetch("documents", queryset=ApplicationDocument.objects.select_related("uploaded_by")),)
# What the task list (sections.py) and eligibility (eligibility.py) read, loaded in bulk.
APPLICATION_SECTION_PREFETCH = (
    "budget_lines",
    "milestones",
    *DOCUMENTS_PREFETCH,
    Prefetch("connections", queryset=UtilityConnection.objects.select_related("space")),
)
# The operator's pages of one application: the sections of its instrument only, one query each
# (issue #23: a grant's pages read its connections, and joined the loan details, for nothing).
SECTION_PREFETCH = {
    Program.Instrument.GRANT: ("grant_details", "budget_lines", "milestones", *DOCUMENTS_PREFETCH),
    Program.Instrument.SOFT_LOAN: (
        Prefetch("loan_details", queryset=LoanDetails.objects.select_related("tier")),
        *DOCUMENTS_PREFETCH,
    ),
    Program.Instrument.UTILITY_SUBSIDY: (
        Prefetch("connections", queryset=UtilityConnection.objects.select_related("space")),
        *DOCUMENTS_PREFETCH,
    ),
}
APPLICATION_RELATED = ("call__program", "operator", "space", "grant_details", "loan_details__tier", "award")


def _with_relations(qs: QuerySet[Application]) -> QuerySet[Application]:
    return qs.select_related(*APPLICATION_RELATED)


# The board sees what is on or past its agenda.
BOARD_STATES = ("recommended", "approved", "rejected")


def _visible_q(user: "User") -> Q | None:
    """None: everything (program officers). Otherwise what the person's roles open to them: their
    companies' applications; for the board chair, applications on or past the board's agenda; for a
    board reviewer, the applications they have declared no conflict on (never before)."""
    if user.has_role(roles.PROGRAM_OFFICER):
        return None
    q = on_applicant_staff_q(user)
    if user.has_role(roles.BOARD_CHAIR):
        q |= Q(state__in=BOARD_STATES)
    if user.has_role(roles.BOARD_REVIEWER):
        from ..models import Review

        q |= Q(
            pk__in=Review.objects.filter(
                reviewer=user, state__in=[Review.State.DECLARED, Review.State.SUBMITTED]
            ).values("application_id")
        )
    return q


def on_applicant_staff_q(user: "User") -> Q:
    """Applications whose company has `user`, active, on its staff: one EXISTS on the membership rows,
    so a lookup neither joins the members nor repeats rows (issue #23)."""
    if not getattr(user, "is_active", False) or not user.pk:
        return Q(pk__in=[])
    return Q(Exists(Operator.members.through.objects.filter(operator_id=OuterRef("operator_id"), user_id=user.pk)))


def applications_visible_to(user: "User | AnonymousUser | None") -> QuerySet[Application]:
    """The applications `user` may see: operator staff their companies', program officers all, the
    board chair those on or past the agenda, a board reviewer those they review (after declaring)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Application.objects.none()
    q = _visible_q(user)
    return Application.objects.all() if q is None else Application.objects.filter(q)


def application_visible_to(user: "User | AnonymousUser | None", application: Application) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.has_role(roles.PROGRAM_OFFICER):
        return True
    return applications_visible_to(user).filter(pk=application.pk).exists()


# What a queue row shows (reference, company, space, program, amount, state and its clock). Loading
# only these keeps a page of the queue cheap; a template that reached for another field would cost a
# query per row, which the query-count tests would catch.
QUEUE_FIELDS = (
    "reference",
    "instrument",
    "amount_requested",
    "state",
    "created_at",
    "state_entered_at",
    "paused_for",
    "submitted_at",
    "closed_at",
    "call__program__name",
    "call__program__name_ur",
    "call__program__code",
    "operator__legal_name",
    "space__name",
    "space__district",
)


def screening_queue(*, user: "User | None" = None, filters: Mapping[str, Any] | None = None) -> QuerySet[Application]:
    """Submitted, screening and info_requested applications, oldest submission first.

    Each row's clock is `row.clock()` (no query). With `user`, limited to what they may see. With
    `filters` (the page's query string: `program`, a program's slug, and `state`), narrowed by
    `forms.ScreeningQueueFilter`; a value that is not one of its choices leaves the queue unfiltered.
    Only what a queue row shows is joined (program, company, space): the queue may hold thousands,
    and the database sorts them before it takes a page, so narrow rows keep that sort cheap.
    """
    qs = applications_visible_to(user) if user is not None else Application.objects.all()
    qs = (
        qs.filter(state__in=SCREENING_STATES)
        .select_related("call__program", "operator", "space")
        .only(*QUEUE_FIELDS)
        .order_by("submitted_at", "pk")
    )
    if filters is None:
        return qs
    filtered: QuerySet[Application] = ScreeningQueueFilter(filters, queryset=qs).qs
    return filtered


def page_of(queryset: QuerySet[Application], *, page_number: int | str | None, per_page: int) -> Page[Application]:
    """One page of an ordered, filtered queryset, fetched in two steps: first the page's ids (the
    database sorts narrow rows, cheaply, even when thousands match), then only those rows with their
    relations. Two queries whatever the size of the list (plus the paginator's count)."""
    id_page = Paginator(queryset.values_list("pk", flat=True), per_page).get_page(page_number)
    ids = list(id_page.object_list)
    rows = queryset.order_by().in_bulk(ids)
    page = cast("Page[Application]", id_page)  # the same page, its ids swapped for their rows
    page.object_list = [rows[pk] for pk in ids]
    return page


def operator_applications(*, user: "User") -> QuerySet[Application]:
    """The operator's dashboard: every application of the companies `user` works for, newest first,
    with what the task list needs prefetched (`sections.section_statuses(row)` costs no query)."""
    # A subquery rather than a join through the membership table: no duplicate rows to DISTINCT
    # away, so the database can read the newest rows straight from the (operator, created_at) index.
    companies = Operator.objects.filter(members=user).values("pk")
    return (
        _with_relations(Application.objects.filter(operator__in=companies))
        .prefetch_related(*APPLICATION_SECTION_PREFETCH)
        .order_by("-created_at", "-pk")
    )


@dataclass
class ApplicationDetail:
    application: Application
    sections: list[SectionStatus]
    missing: list[str]
    documents: list[ApplicationDocument]
    information_requests: list[InformationRequest]
    open_information_request: InformationRequest | None
    timeline: list  # audit events, oldest first
    eligibility: list[EligibilityCheck]
    clock: object


def application_detail(*, user: "User", reference: str) -> ApplicationDetail:
    """One application with everything its page shows. Raises Application.DoesNotExist when it does
    not exist *or* the user may not see it (the view answers 404 either way, revealing nothing)."""
    application = (
        _with_relations(applications_visible_to(user).filter(reference=reference))
        .prefetch_related(
            *APPLICATION_SECTION_PREFETCH,
            Prefetch(
                "information_requests",
                queryset=InformationRequest.objects.select_related("asked_by", "answered_by").order_by("asked_at"),
            ),
        )
        .get()
    )
    requests = list(application.information_requests.all())
    is_staff_view = user.has_role(roles.PROGRAM_OFFICER)
    return ApplicationDetail(
        application=application,
        sections=section_statuses(application),
        missing=missing_for_submit(application) if application.state == Application.State.DRAFT else [],
        documents=list(application.documents.all()),
        information_requests=requests,
        open_information_request=next((r for r in requests if r.is_open), None),
        timeline=list(audit_events_for(application)),
        eligibility=eligibility_checks(application) if is_staff_view else [],
        clock=application.clock(timezone.now()),
    )


def document_for_download(*, user: "User", document_id: int) -> ApplicationDocument:
    """A document the user may download (its application visible to them), else DoesNotExist.
    The view streams `document.file.open("rb")` with `document.content_type` as attachment."""
    return ApplicationDocument.objects.select_related("application").get(
        pk=document_id, application__in=applications_visible_to(user)
    )


def people_who_touched(application: Application) -> set[int]:
    """Everyone on the secretariat's side who worked on the application: whoever acted on it (the audit
    trail: officers, the chair, verifiers), every reviewer assigned, whoever decided. The company's own
    staff are left out (finance refuses them as payee staff anyway). None of them may approve a payment
    for the application (finance's four-eyes rule): tranches, claims and loan disbursements pass this
    as `touched_by`."""
    from audit.models import AuditEvent

    from ..models import Decision, Review

    people = set(
        AuditEvent.objects.filter(
            object_type=application._meta.label_lower, object_id=str(application.pk), actor__isnull=False
        ).values_list("actor_id", flat=True)
    )
    people |= set(Review.objects.filter(application=application).values_list("reviewer_id", flat=True))
    people |= set(Decision.objects.filter(application=application).values_list("decided_by_id", flat=True))
    people |= set(
        Decision.objects.filter(application=application, meeting__isnull=False).values_list(
            "meeting__chair_id", flat=True
        )
    )
    people -= set(application.operator.members.values_list("pk", flat=True))
    people.discard(None)
    return people
