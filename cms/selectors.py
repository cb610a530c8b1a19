"""Reads for the public site. Read-only over grants, spaces and audit: nothing here writes."""

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone
from django_stubs_ext import StrOrPromise

from audit.models import AuditEvent
from grants.fiscal import FiscalYear
from grants.models import Application, ApplicationState, Award, Call, Program
from integrity.models import Department
from onewindow.selectors.requests import ServiceFigures, service_figures
from spaces.models import Space

from .call_status import CallStatus, call_status

if TYPE_CHECKING:
    from .models import ProgramIndexPage, ProgramPage

# --- calls -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallListing:
    page: object  # a live CallPage
    call: Call
    status: CallStatus


def open_call_pages(now: dt.datetime | None = None) -> list[CallListing]:
    """Live call pages whose call takes applications now, closing soonest first."""
    from .models import CallPage

    now = now or timezone.now()
    pages = (
        CallPage.objects.live()
        .filter(call__opens_at__lte=now, call__closes_at__gt=now)
        .select_related("call__program")
        .order_by("call__closes_at", "pk")
    )
    return [CallListing(page, page.call, call_status(page.call, now)) for page in pages]


def call_pages_with_status(program_page: "ProgramPage", now: dt.datetime | None = None) -> list[CallListing]:
    """A program page's live call pages: open and upcoming first (soonest closing), then closed ones."""
    from .models import CallPage

    now = now or timezone.now()
    pages = CallPage.objects.live().child_of(program_page).select_related("call__program")
    listings = [CallListing(page, page.call, call_status(page.call, now)) for page in pages]
    return sorted(listings, key=lambda item: (item.status.code == "closed", item.call.closes_at))


@dataclass(frozen=True)
class ProgramListing:
    page: object
    calls: list[CallListing]


def program_pages_with_calls(index_page: "ProgramIndexPage", now: dt.datetime | None = None) -> list[ProgramListing]:
    from .models import ProgramPage

    pages = ProgramPage.objects.live().child_of(index_page).select_related("program")
    return [ProgramListing(page, call_pages_with_status(page, now)) for page in pages]


# --- the space directory ---------------------------------------------------------------------------


def directory_spaces(*, division: str = "", district: str = "") -> QuerySet[Space]:
    """Every space active in the network, optionally in one division and/or district."""
    spaces = Space.objects.filter(network_status=Space.NetworkStatus.ACTIVE).select_related("operator")
    if division:
        spaces = spaces.filter(division=division)
    if district:
        spaces = spaces.filter(district=district)
    return spaces.order_by("division", "district", "name")


# --- performance -----------------------------------------------------------------------------------

S = ApplicationState
# The stages an application waits in, in the order it meets them. Drafts are the operator's own time
# before submission and are not counted at all (the public sees submitted applications only).
TIMED_STAGES = [S.SUBMITTED, S.SCREENING, S.INFO_REQUESTED, S.IN_REVIEW, S.RECOMMENDED]
COUNTED_STATES = [*TIMED_STAGES, S.SCREENED_OUT, S.APPROVED, S.REJECTED, S.WITHDRAWN]


@dataclass
class StageRow:
    state: str
    label: StrOrPromise
    count: int
    median_days: float | None = None
    measured: int = 0  # applications that have left this stage (the median is over these)
    timed: bool = False


@dataclass
class ProgramPerformance:
    program: Program
    total: int
    rows: list[StageRow] = field(default_factory=list)


def _stage_durations() -> dict[int, dict[str, dt.timedelta]]:
    """Per application, the total time spent in each stage it has left, from the audit log.

    A stage counts from the event that entered it to the event that left it; a stage visited twice
    (screening before and after an information request) adds both visits. Edits that keep the state
    (from_state == to_state) are not changes and are skipped.
    """
    events = (
        AuditEvent.objects.filter(object_type=Application._meta.label_lower)
        .exclude(to_state="")
        .order_by("id")
        .values_list("object_id", "to_state", "created_at")
    )
    durations: dict[int, dict[str, dt.timedelta]] = defaultdict(lambda: defaultdict(dt.timedelta))
    current: dict[str, tuple[str, dt.datetime]] = {}
    for object_id, to_state, at in events.iterator(chunk_size=2000):
        previous = current.get(object_id)
        if previous is not None and previous[0] == to_state:
            continue
        if previous is not None:
            state, since = previous
            durations[int(object_id)][state] += max(at - since, dt.timedelta(0))
        current[object_id] = (to_state, at)
    return durations


def program_performance() -> list[ProgramPerformance]:
    """For each active program: submitted applications per stage, and the median days each stage took."""
    # Seat-voucher programs have no applications of operators: their figures are their own section.
    programs = list(
        Program.objects.filter(is_active=True).exclude(instrument=Program.Instrument.SEAT_VOUCHER).order_by("name")
    )
    counts: dict[tuple[int, str], int] = defaultdict(int)
    program_of: dict[int, int] = {}
    for pk, program_id, state in (
        Application.objects.filter(submitted_at__isnull=False)
        .values_list("pk", "call__program_id", "state")
        .iterator(chunk_size=2000)
    ):
        counts[(program_id, state)] += 1
        program_of[pk] = program_id

    samples: dict[tuple[int, str], list[float]] = defaultdict(list)
    for application_id, stages in _stage_durations().items():
        program_id = program_of.get(application_id)
        if program_id is None:
            continue
        for state, spent in stages.items():
            if state in TIMED_STAGES:
                samples[(program_id, state)].append(spent.total_seconds() / 86400)

    labels = dict(S.choices)
    result = []
    for program in programs:
        rows = []
        for state in COUNTED_STATES:
            row = StageRow(state=state, label=labels[state], count=counts[(program.pk, state)])
            if state in TIMED_STAGES:
                days = samples[(program.pk, state)]
                row.timed = True
                row.measured = len(days)
                row.median_days = round(statistics.median(days), 1) if days else None
            rows.append(row)
        result.append(ProgramPerformance(program=program, total=sum(r.count for r in rows), rows=rows))
    return result


# --- the one window's figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class OneWindowPerformance:
    """The one window's published figures: per department, its services' rows
    (onewindow.selectors.requests.ServiceFigures), for the current fiscal year or for all time."""

    all_time: bool
    fiscal_year: FiscalYear
    departments: list[tuple[Department, list[ServiceFigures]]]


def one_window_performance(*, all_time: bool = False) -> OneWindowPerformance:
    """Requests filed (by the day submitted) in the current fiscal year, or ever, per department and
    service: issued, refused, still open, the median working days to a decision and the share decided
    within the promised time. Services nobody asked for in the period are left out."""
    fiscal_year = FiscalYear.current()
    rows = service_figures() if all_time else service_figures(start=fiscal_year.start, end=fiscal_year.end)
    departments: dict[int, tuple[Department, list[ServiceFigures]]] = {}
    for row in rows:  # already in department, then service, order
        department = row.service.department
        departments.setdefault(department.pk, (department, []))[1].append(row)
    return OneWindowPerformance(all_time=all_time, fiscal_year=fiscal_year, departments=list(departments.values()))


# --- the award register and open data --------------------------------------------------------------

AWARD_SORTS = {
    "date_desc": ("-offered_at", "-pk"),
    "date_asc": ("offered_at", "pk"),
    "amount_desc": ("-amount", "-pk"),
    "amount_asc": ("amount", "pk"),
}


def public_awards(
    *,
    program: Program | None = None,
    instrument: str = "",
    division: str = "",
    district: str = "",
    sort: str = "date_desc",
) -> QuerySet[Award]:
    """Every award the public may see, with what the register and the open data show, in constant queries.

    Public: the board (or a delegated officer) approved the application and the award is offered,
    accepted, completed or terminated (issue #22: an ended award stays on the register, marked as
    ended). Awards have no withdrawn state; an approved application cannot leave
    "approved", so the application state check only guards against data made outside the services.
    A utility enrolment has no single space: its places are the spaces of its enrolled connections
    (prefetched), and the division/district filter matches either.
    """
    from django.db.models import Prefetch, Q

    from grants.models import AwardState, UtilityConnection

    # Every award made, ended ones included (completed, terminated: shown with their end), so the
    # register never drops a decision the public has seen.
    awards = Award.objects.filter(
        state__in=[AwardState.OFFERED, AwardState.ACCEPTED, AwardState.COMPLETED, AwardState.TERMINATED],
        application__state=ApplicationState.APPROVED,
    )
    if program is not None:
        awards = awards.filter(application__call__program=program)
    if instrument:
        awards = awards.filter(application__instrument=instrument)
    for name, value in (("division", division), ("district", district)):
        if value:
            match = Q(**{f"application__space__{name}": value}) | Q(
                **{f"application__connections__space__{name}": value}
            )
            awards = awards.filter(pk__in=Award.objects.filter(match).values("pk"))
    return (
        awards.select_related("application__operator", "application__space", "application__call__program")
        .prefetch_related(
            Prefetch("application__connections", queryset=UtilityConnection.objects.select_related("space"))
        )
        .order_by(*AWARD_SORTS.get(sort, AWARD_SORTS["date_desc"]))
    )


def award_places(award: Award) -> list[Space]:
    """The spaces an award is for: the application's space, or a utility enrolment's connected spaces."""
    application = award.application
    if application.space is not None:
        return [application.space]
    seen, spaces = set(), []
    for connection in application.connections.all():
        if connection.space_id not in seen:
            seen.add(connection.space_id)
            spaces.append(connection.space)
    return spaces
