"""Cases to preview a notice's text against (notifications.catalogue): for the reminders and digests,
real cases from the data, each function giving up to `limit` (label, params) pairs with the params
built as the reminder or digest would build them today; for any notice, the params of the latest
notifications sent with it (`sent`), else sample values clearly labelled (`samples`). Reads only."""

from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from core.messages import active_language
from grants.models import ApplicationState, Award, AwardState, InformationRequest

from . import reminders
from .models import EmailDelivery, Notification

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


def _on_digest(audience: str, limit: int) -> list[User]:
    from .services import digest_audience

    people = User.objects.filter(email_delivery__mode=EmailDelivery.Mode.DAILY, is_active=True).order_by("pk")
    return [person for person in people[: limit * 5] if digest_audience(person) == audience][:limit]


def digests(limit: int) -> Cases:
    from .digest import _date, _late, _pending, _summary
    from .needs_you import past_clock

    day = timezone.localdate()
    return [
        (
            str(person),
            {
                "day": lambda: _date(day),
                "summary": lambda person=person: _summary(_pending(person)),
                "late": lambda person=person: _late(past_clock(person, today=day)),
            },
        )
        for person in _on_digest("staff", limit)
    ]


def operator_digests(limit: int) -> Cases:
    from .digest import _actions, _date, _pending, _summary, operator_actions

    day = timezone.localdate()
    return [
        (
            str(person),
            {
                "day": lambda: _date(day),
                "summary": lambda person=person: _summary(_pending(person)),
                "actions": lambda person=person: _actions(operator_actions(person, today=day)),
            },
        )
        for person in _on_digest("operator", limit)
    ]


# --- any notice: the latest sent, else sample values --------------------------------------------------


def cases_for(entry: Any, limit: int = 20) -> Cases:
    """Cases to preview a notice of the catalogue against: real ones from its loader, else the params of
    the latest notifications sent with it, else sample values (labelled so)."""
    return entry.load_cases(limit) or sent(entry.code, limit) or samples(entry)


def sent(code: str, limit: int) -> Cases:
    """The params of the latest notifications sent with notice `code` (one per distinct text: a notice
    sent to a company's five people is one case), as they were filled in, in each language."""
    rows = (
        Notification.objects.filter(notice=code)
        .exclude(params={})
        .order_by("-created_at", "-pk")
        .values("created_at", "subject", "params")[: limit * 5]
    )
    cases: Cases = []
    seen: set[str] = set()
    for row in rows:
        stored = row["params"]
        key = repr(sorted((stored.get("en") or {}).items()))
        if key in seen or not isinstance(stored, dict):
            continue
        seen.add(key)
        label = _("Sent %(when)s: %(subject)s") % {
            "when": date_format(timezone.localtime(row["created_at"]), "j M Y H:i"),
            "subject": row["subject"],
        }
        cases.append((label, _stored(stored)))
        if len(cases) == limit:
            break
    return cases


def _stored(stored: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Stored params as callables giving each the value filled in for the language being rendered (the
    English one where a language was not stored); already isolated as they were sent."""
    names = {name for values in stored.values() if isinstance(values, dict) for name in values}

    def value(name: str) -> Callable[[], Any]:
        def in_language() -> Any:
            values = stored.get(active_language()) or stored.get("en") or {}
            return values.get(name, "")

        return in_language

    return {name: value(name) for name in names}


def samples(entry: Any) -> Cases:
    """Sample values, each placeholder's description in brackets, for a notice never sent yet: the
    label says so."""
    params = {name: (lambda described=described: f"[{described}]") for name, described in entry.placeholders.items()}
    return [(str(_("Sample values (this notice has not been sent yet)")), params)]
