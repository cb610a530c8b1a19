"""Real cases to preview a notice's text against (notifications.catalogue `cases`): each function
gives up to `limit` (label, params) pairs, the params built as the reminder or digest would build them
today. Reads only."""

from typing import Any

from django.utils import timezone

from accounts.models import User
from grants.models import ApplicationState, Award, AwardState, InformationRequest

from . import reminders
from .models import EmailDelivery

Cases = list[tuple[str, dict[str, Any]]]


def returns(limit: int) -> Cases:
    from spaces.models import Space
    from spaces.utilization import FILING_STATUSES, add_months

    month = add_months(timezone.localdate().replace(day=1), -1)
    due = reminders.return_due_date(month)
    spaces = Space.objects.filter(network_status__in=FILING_STATUSES).order_by("name")[:limit]
    return [(s.name, {"space": s.name, "month": reminders._month(month), "due": reminders._day(due)}) for s in spaces]


def _loans(limit: int) -> list[tuple[Any, Any]]:
    from loans.models import SERVICING_STATES, Loan
    from loans.selectors import positions_for

    loans = list(Loan.objects.filter(state__in=SERVICING_STATES).order_by("sanction_number")[:limit])
    positions = positions_for([loan.pk for loan in loans], as_of=timezone.localdate())
    return [(loan, positions.get(loan.pk)) for loan in loans]


def instalments_due(limit: int) -> Cases:
    from core.money import pkr_each

    return [
        (
            loan.sanction_number,
            {
                "sanction": loan.sanction_number,
                "due": reminders._day(position.next_due_date),
                "amount": pkr_each(position.next_due_amount),
            },
        )
        for loan, position in _loans(limit)
        if position is not None and position.next_due_date
    ]


def instalments_past_due(limit: int) -> Cases:
    from core.money import pkr_each

    return [
        (
            loan.sanction_number,
            {
                "sanction": loan.sanction_number,
                "due": reminders._day(position.next_due_date or timezone.localdate()),
                "overdue": pkr_each(position.overdue_amount),
            },
        )
        for loan, position in _loans(limit)
        if position is not None
    ]


def questions(limit: int) -> Cases:
    rows = (
        InformationRequest.objects.filter(answered_at__isnull=True, application__state=ApplicationState.INFO_REQUESTED)
        .select_related("application")
        .order_by("-asked_at")[:limit]
    )
    return [
        (
            q.application.reference,
            {
                "ref": q.application.reference,
                "asked": reminders._day(timezone.localdate(q.asked_at)),
                "question": q.question,
            },
        )
        for q in rows
    ]


def awards(limit: int) -> Cases:
    rows = Award.objects.filter(state=AwardState.OFFERED).select_related("application").order_by("-offered_at")
    return [
        (
            a.sanction_number,
            {
                "sanction": a.sanction_number,
                "ref": a.application.reference,
                "offered": reminders._day(timezone.localdate(a.offered_at)),
            },
        )
        for a in rows[:limit]
    ]


def milestones(limit: int) -> Cases:
    from grants.models import Tranche, TrancheState

    rows = (
        Tranche.objects.filter(award__state=AwardState.ACCEPTED, state=TrancheState.SCHEDULED)
        .select_related("award__application")
        .order_by("due_date")[:limit]
    )
    return [
        (
            f"{t.award.application.reference} #{t.position}",
            {
                "n": t.position,
                "ref": t.award.application.reference,
                "milestone": t.title,
                "due": reminders._day(t.due_date),
            },
        )
        for t in rows
    ]


def reviews(limit: int) -> Cases:
    meeting = reminders.next_board_meeting(timezone.localdate())
    rows = reminders._reviews_open()[:limit]
    return [
        (
            f"{r.application.reference} — {r.reviewer}",
            {
                "ref": r.application.reference,
                "meeting": reminders._day(meeting),
                "program": lambda program=r.application.call.program: program.display_name,
            },
        )
        for r in rows
    ]


def arrears(limit: int) -> Cases:
    day = timezone.localdate()
    rows = reminders.loans_worsened(day)
    lines = [reminders._arrears_line(row) for row in rows[:limit]]
    return [
        (
            str(day),
            {"count": len(rows), "day": reminders._day(day), "loans": lambda: "\n".join(line() for line in lines)},
        )
    ]


def digests(limit: int) -> Cases:
    from .digest import _late, _pending, _summary
    from .needs_you import past_clock

    people = User.objects.filter(email_delivery__mode=EmailDelivery.Mode.DAILY, is_active=True).order_by("pk")[:limit]
    day = timezone.localdate()
    return [
        (
            str(person),
            {
                "day": reminders._day(day),
                "summary": lambda person=person: _summary(_pending(person)),
                "late": lambda person=person: _late(past_clock(person, today=day)),
            },
        )
        for person in people
    ]
