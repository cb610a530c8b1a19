"""Reminders before and after every deadline an operator's people must meet (issue #19).

Run every morning by beat (the task `send_reminders` below) and by `manage.py send_reminders
[--date YYYY-MM-DD]`. Each reminder has offsets in settings: days from the date it counts from. A
reminder is sent on the day `date + offset`, or, when beat did not run that day, on one of the next
REMINDER_CATCH_UP_DAYS - 1 days; of several offsets reached in that window only the latest is sent.

- `utilization_return`: last month's return of a space that files returns, not yet filed; counted from
  its due date, UTILIZATION_RETURN_DUE_DAY of the next month (REMINDER_RETURN_OFFSETS: before, on and
  after it).
- `loan_instalment`: an instalment of a loan being repaid, counted from its due date
  (REMINDER_INSTALMENT_OFFSETS: 5 days before while it is unpaid, and the first day past due while
  something is overdue).
- `information_request`: the program officer's question, unanswered, counted from the day it was asked
  (REMINDER_INFORMATION_DAYS).
- `award_accept`: an award offered and not accepted, counted from the day it was offered
  (REMINDER_AWARD_ACCEPT_DAYS).
- `milestone_tranche`: the next scheduled tranche of an accepted award whose milestone's due date is
  reached and which is not asked for, counted from that date (REMINDER_MILESTONE_OFFSETS).
- `review_due`: a board review not submitted, counted from the next board meeting
  (BOARD_MEETING_DAY of the month; REMINDER_REVIEW_OFFSETS, 3 days before), to the reviewer; the chair
  sees who is late on the board's page (`reviews_not_submitted`).
- `arrears_worse`: once a week (REMINDER_ARREARS_WEEKDAY), the loans whose arrears bucket is worse than
  a week before, one list to each finance maker and checker (portal and email).

Texts come from notifications.catalogue (a data steward's template, else the code's default). Each is
sent once per subject, date and offset: a `ReminderSent` row written through
notifications.services.reminder_record in the transaction that notifies, so a second run (or two at
once) sends nothing twice. Reminders go to the company's active people with `kind="reminder"`, each in
their own language, in the portal, by email and by SMS as they chose.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from celery import shared_task
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from accounts import roles
from accounts.models import User
from core.money import pkr_each
from grants.models import ApplicationState, Award, AwardState, InformationRequest, Review, Tranche, TrancheState
from loans.models import SERVICING_STATES, ArrearsBucket, Instalment, Loan
from loans.positions import Bucket
from loans.selectors import positions_for
from spaces.models import Operator, Space, UtilizationReturn
from spaces.utilization import FILING_STATUSES, add_months, month_label

from . import catalogue
from .kinds import Kind
from .models import ReminderSent
from .services import notify, reminder_record

RETURN = "utilization_return"
INSTALMENT = "loan_instalment"
INFORMATION = "information_request"
AWARD = "award_accept"
MILESTONE = "milestone_tranche"
REVIEW = "review_due"
ARREARS = "arrears_worse"


def _day(value: dt.date) -> Callable[[], str]:
    """A date written in the recipient's language (rendered when the notice is)."""
    return lambda: date_format(value, "j F Y")


def _month(value: dt.date) -> Callable[[], str]:
    return lambda: month_label(value)


def offset_reached(base: dt.date, offsets: Iterable[int], today: dt.date) -> int | None:
    """The latest offset whose day (base + offset) is today or fell within the catch-up window."""
    window = max(int(settings.REMINDER_CATCH_UP_DAYS), 1)
    reached = [o for o in offsets if 0 <= (today - (base + dt.timedelta(days=o))).days < window]
    return max(reached) if reached else None


def _bases(offsets: Sequence[int], today: dt.date) -> list[dt.date]:
    """Every date from which some offset is reached today (within the catch-up window)."""
    window = max(int(settings.REMINDER_CATCH_UP_DAYS), 1)
    return sorted({today - dt.timedelta(days=o + k) for o in offsets for k in range(window)})


def _people(operator: Operator) -> list[User]:
    return list(operator.members.filter(is_active=True))


def _send(
    *,
    code: str,
    subject: models.Model,
    due_on: dt.date,
    offset: int,
    operator: Operator | None = None,
    people: list[User] | None = None,
    notice: str,
    params: dict[str, Any],
    url: str,
    kind: str = Kind.REMINDER,
) -> bool:
    """Record and send one reminder in one transaction, to the company's people (or to `people`);
    False when it was sent before or nobody is there to read it (then nothing is recorded, so a
    person added later is still reminded). `notice` is a code of notifications.catalogue."""
    if people is None:
        people = _people(operator) if operator is not None else []
    if not people:
        return False
    with transaction.atomic():
        if (
            reminder_record(code=code, subject=subject, due_on=due_on, offset_days=offset, recipients=len(people))
            is None
        ):
            return False
        subject_text, body = catalogue.render(notice, **params)
        notify(recipients=people, subject=subject_text, body=body, url=url, kind=kind)
    return True


# --- (a) the month's utilization return -------------------------------------------------------------


def return_due_date(month: dt.date) -> dt.date:
    """The day the return for `month` (its first day) is due: UTILIZATION_RETURN_DUE_DAY of the next month."""
    return add_months(month, 1).replace(day=int(settings.UTILIZATION_RETURN_DUE_DAY))


def _return_reminders(today: dt.date) -> int:
    offsets = settings.REMINDER_RETURN_OFFSETS
    sent = 0
    url = reverse("portal:utilization")
    # The months whose due date some offset reaches today: last month's, and the one before for late ones.
    for month in (add_months(today.replace(day=1), -2), add_months(today.replace(day=1), -1)):
        due = return_due_date(month)
        offset = offset_reached(due, offsets, today)
        if offset is None:
            continue
        notice = "return_late" if offset > 0 else "return_due_today" if offset == 0 else "return_due_soon"
        filed = UtilizationReturn.objects.filter(space=OuterRef("pk"), month=month)
        spaces = (
            Space.objects.filter(network_status__in=FILING_STATUSES, opening_date__lt=add_months(month, 1))
            .exclude(Exists(filed))
            .select_related("operator")
            .order_by("pk")
        )
        for space in spaces:
            sent += _send(
                code=RETURN,
                subject=space,
                due_on=due,
                offset=offset,
                operator=space.operator,
                notice=notice,
                params={"space": space.name, "month": _month(month), "due": _day(due)},
                url=url,
            )
    return sent


# --- (b) loan instalments ---------------------------------------------------------------------------


def _instalments_due_on(days: Iterable[dt.date]) -> QuerySet[Instalment]:
    return (
        Instalment.objects.filter(
            due_date__in=list(days), version__is_current=True, version__loan__state__in=SERVICING_STATES
        )
        .select_related("version__loan__operator")
        .order_by("due_date", "version__loan_id")
    )


def _instalment_reminders(today: dt.date) -> int:
    offsets = settings.REMINDER_INSTALMENT_OFFSETS
    sent = 0
    rows = list(_instalments_due_on(_bases(offsets, today)))
    # Unpaid before its day: the row is still the next one due on its own date. Past due: something is
    # overdue today (positions_for reads three queries for all the loans at once).
    after = {row.version.loan_id for row in rows if (offset_reached(row.due_date, offsets, today) or 0) > 0}
    on_today = positions_for(after, as_of=today) if after else {}
    for row in rows:
        loan: Loan = row.version.loan
        offset = offset_reached(row.due_date, offsets, today)
        if offset is None or offset == 0:
            continue
        if offset < 0:
            position = positions_for([loan.pk], as_of=row.due_date).get(loan.pk)
            if position is None or position.next_due_date != row.due_date:
                continue  # paid ahead: nothing is due on that day
            notice = "instalment_due_soon"
            params: dict[str, Any] = {
                "sanction": loan.sanction_number,
                "due": _day(row.due_date),
                "amount": pkr_each(position.next_due_amount),
            }
        else:
            position = on_today.get(loan.pk)
            if position is None or position.overdue_amount <= 0:
                continue
            notice = "instalment_past_due"
            params = {
                "sanction": loan.sanction_number,
                "due": _day(row.due_date),
                "overdue": pkr_each(position.overdue_amount),
            }
        sent += _send(
            code=INSTALMENT,
            subject=loan,
            due_on=row.due_date,
            offset=offset,
            operator=loan.operator,
            notice=notice,
            params=params,
            url=reverse("loans:portal_loan", kwargs={"pk": loan.pk}),
        )
    return sent


# --- (c) unanswered questions and (d) awards not accepted --------------------------------------------


def _application_url(reference: str, anchor: str) -> str:
    return reverse("grants:portal_application", kwargs={"reference": reference}) + anchor


def _information_reminders(today: dt.date) -> int:
    offsets = settings.REMINDER_INFORMATION_DAYS
    sent = 0
    questions = (
        InformationRequest.objects.filter(
            answered_at__isnull=True,
            application__state=ApplicationState.INFO_REQUESTED,
        )
        .select_related("application__operator")
        .order_by("pk")
    )
    for question in questions:
        asked = timezone.localdate(question.asked_at)
        offset = offset_reached(asked, offsets, today)
        if offset is None:
            continue
        ref = question.application.reference
        sent += _send(
            code=INFORMATION,
            subject=question,
            due_on=asked,
            offset=offset,
            operator=question.application.operator,
            notice="information_unanswered",
            params={"ref": ref, "asked": _day(asked), "question": question.question},
            url=_application_url(ref, "#answer"),
        )
    return sent


def _award_reminders(today: dt.date) -> int:
    offsets = settings.REMINDER_AWARD_ACCEPT_DAYS
    sent = 0
    awards = Award.objects.filter(state=AwardState.OFFERED).select_related("application__operator").order_by("pk")
    for award in awards:
        offered = timezone.localdate(award.offered_at)
        offset = offset_reached(offered, offsets, today)
        if offset is None:
            continue
        ref = award.application.reference
        sent += _send(
            code=AWARD,
            subject=award,
            due_on=offered,
            offset=offset,
            operator=award.application.operator,
            notice="award_not_accepted",
            params={"sanction": award.sanction_number, "ref": ref, "offered": _day(offered)},
            url=_application_url(ref, "#award"),
        )
    return sent


# --- (e) milestones reached, tranche not asked for ---------------------------------------------------


def milestones_due(today: dt.date) -> list[Tranche]:
    """The next scheduled tranche of each accepted award (as spaces.needed_next lists it), its
    milestone's due date reached on or before `today`."""
    rows = (
        Tranche.objects.filter(
            award__state=AwardState.ACCEPTED, state__in=[TrancheState.SCHEDULED, TrancheState.RETURNED]
        )
        .select_related("award__application__operator")
        .order_by("award", "position")
    )
    seen: set[int] = set()
    due = []
    for tranche in rows:
        if tranche.state != TrancheState.SCHEDULED or tranche.award_id in seen:
            continue
        seen.add(tranche.award_id)
        if tranche.due_date <= today:
            due.append(tranche)
    return due


def _milestone_reminders(today: dt.date) -> int:
    offsets = settings.REMINDER_MILESTONE_OFFSETS
    sent = 0
    for tranche in milestones_due(today):
        offset = offset_reached(tranche.due_date, offsets, today)
        if offset is None:
            continue
        ref = tranche.award.application.reference
        sent += _send(
            code=MILESTONE,
            subject=tranche,
            due_on=tranche.due_date,
            offset=offset,
            operator=tranche.award.application.operator,
            notice="milestone_due",
            params={"n": tranche.position, "ref": ref, "milestone": tranche.title, "due": _day(tranche.due_date)},
            url=_application_url(ref, "#tranches"),
        )
    return sent


# --- (f) board reviews before the meeting ------------------------------------------------------------


def next_board_meeting(today: dt.date) -> dt.date:
    """The board's next meeting on or after `today`: BOARD_MEETING_DAY of this month or the next (the
    board meets monthly; a meeting is recorded once held, so the day to come is set in settings)."""
    day = min(max(int(settings.BOARD_MEETING_DAY), 1), 28)
    this_month = today.replace(day=day)
    return this_month if this_month >= today else add_months(today.replace(day=1), 1).replace(day=day)


def _reviews_open() -> QuerySet[Review]:
    return (
        Review.objects.filter(
            state__in=[Review.State.ASSIGNED, Review.State.DECLARED],
            application__state=ApplicationState.IN_REVIEW,
        )
        .select_related("reviewer", "application__call__program")
        .order_by("application__reference", "reviewer__full_name", "pk")
    )


def _review_reminders(today: dt.date) -> int:
    offsets = settings.REMINDER_REVIEW_OFFSETS
    sent = 0
    # The meeting some offset reaches today: the next one, or (inside the catch-up window) today's.
    window = max(int(settings.REMINDER_CATCH_UP_DAYS), 1)
    for meeting in sorted(
        {next_board_meeting(today - dt.timedelta(days=o + k)) for o in offsets for k in range(window)}
    ):
        offset = offset_reached(meeting, offsets, today)
        if offset is None:
            continue
        for review in _reviews_open():
            application = review.application
            sent += _send(
                code=REVIEW,
                subject=review,
                due_on=meeting,
                offset=offset,
                people=[review.reviewer],
                notice="review_due",
                params={
                    "ref": application.reference,
                    "meeting": _day(meeting),
                    "program": lambda program=application.call.program: program.display_name,
                },
                url=reverse("grants:workbench_review", kwargs={"reference": application.reference}),
            )
    return sent


@dataclass(frozen=True)
class LateReview:
    review: Review
    meeting: dt.date
    late: bool  # the reminder's day (REMINDER_REVIEW_OFFSETS) before the meeting has come
    reminded_on: dt.date | None


def reviews_not_submitted(today: dt.date | None = None) -> list[LateReview]:
    """For the chair: every review not yet submitted on an application in review, with the next
    meeting, whether it is late (the reminder's day has come) and when the reviewer was reminded."""
    today = today or timezone.localdate()
    meeting = next_board_meeting(today)
    first_reminder = meeting + dt.timedelta(days=min(settings.REMINDER_REVIEW_OFFSETS or [0]))
    reviews = list(_reviews_open())
    reminded: dict[int, dt.date] = {}
    rows = ReminderSent.objects.filter(
        code=REVIEW,
        content_type=ContentType.objects.get_for_model(Review),
        object_id__in=[r.pk for r in reviews],
    ).order_by("sent_at")
    for row in rows:
        reminded[row.object_id] = timezone.localdate(row.sent_at)
    return [
        LateReview(review=r, meeting=meeting, late=today >= first_reminder, reminded_on=reminded.get(r.pk))
        for r in reviews
    ]


# --- (g) the weekly list of loans entering a worse arrears bucket (finance) -------------------------


@dataclass(frozen=True)
class Worsened:
    loan: Loan
    before: str
    now: str
    days_past_due: int


def loans_worsened(day: dt.date) -> list[Worsened]:
    """Loans being repaid whose arrears bucket on `day` is worse than seven days before (six queries)."""
    loans = {
        loan.pk: loan
        for loan in Loan.objects.filter(state__in=SERVICING_STATES).select_related("operator").order_by("pk")
    }
    if not loans:
        return []
    now = positions_for(loans, as_of=day)
    before = positions_for(loans, as_of=day - dt.timedelta(days=7))
    order = {bucket: index for index, bucket in enumerate(Bucket.ORDER)}
    worse = []
    for pk, position in now.items():
        was = before.get(pk)
        old = was.bucket if was is not None else Bucket.CURRENT
        if order[position.bucket] > order[old]:
            worse.append(Worsened(loans[pk], old, position.bucket, position.days_past_due))
    return sorted(worse, key=lambda w: (-order[w.now], -w.days_past_due, w.loan.sanction_number))


def _arrears_line(row: Worsened) -> Callable[[], str]:
    """One line of the list, its buckets named in the recipient's language."""
    labels = dict(ArrearsBucket.choices)
    return lambda: (
        f"{row.loan.sanction_number} ({row.loan.operator.legal_name}): {labels[row.before]} → {labels[row.now]}"
    )


def _finance_people() -> list[User]:
    return list(
        User.objects.filter(groups__name__in=[roles.FINANCE_MAKER, roles.FINANCE_CHECKER], is_active=True)
        .distinct()
        .order_by("pk")
    )


def _arrears_lists(today: dt.date) -> int:
    weekday = int(settings.REMINDER_ARREARS_WEEKDAY) % 7
    base = today - dt.timedelta(days=(today.weekday() - weekday) % 7)
    offset = offset_reached(base, [0], today)
    if offset is None:
        return 0
    rows = loans_worsened(base)
    if not rows:
        return 0
    lines = [_arrears_line(row) for row in rows]
    sent = 0
    for person in _finance_people():
        sent += _send(
            code=ARREARS,
            subject=person,
            due_on=base,
            offset=offset,
            people=[person],
            notice="arrears_worse",
            params={
                "count": len(rows),
                "day": _day(base),
                "loans": lambda: "\n".join(line() for line in lines),
            },
            url=reverse("loans:book") + "?bucket=" + rows[0].now,
            kind=Kind.GENERAL,
        )
    return sent


def send_due_reminders(*, today: dt.date | None = None) -> dict[str, int]:
    """Send every reminder due on `today` (default: today in Pakistan) not sent before; returns how many
    of each were sent now (0 everywhere on a second run)."""
    today = today or timezone.localdate()
    counts: Counter[str] = Counter()
    # Links are written unprefixed (the default language) and translated per recipient by notify.
    with translation.override(settings.LANGUAGE_CODE):
        counts[RETURN] = _return_reminders(today)
        counts[INSTALMENT] = _instalment_reminders(today)
        counts[INFORMATION] = _information_reminders(today)
        counts[AWARD] = _award_reminders(today)
        counts[MILESTONE] = _milestone_reminders(today)
        counts[REVIEW] = _review_reminders(today)
        counts[ARREARS] = _arrears_lists(today)
    return dict(counts)


@shared_task(name="notifications.reminders.send_reminders")
def send_reminders(on: str | None = None) -> dict[str, int]:
    """Beat's daily reminders for `on` (ISO date; default today). Idempotent: see send_due_reminders."""
    return send_due_reminders(today=dt.date.fromisoformat(on) if on else None)
