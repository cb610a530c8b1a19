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

Each is sent once per subject, date and offset: a `ReminderSent` row written through
notifications.services.reminder_record in the transaction that notifies, so a second run (or two at
once) sends nothing twice. Reminders go to the company's active people with `kind="reminder"`, each in
their own language, in the portal, by email and by SMS as they chose.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from accounts.models import User
from core.money import pkr
from grants.models import ApplicationState, Award, AwardState, InformationRequest
from loans.models import SERVICING_STATES, Instalment, Loan
from loans.selectors import positions_for
from spaces.models import Operator, Space, UtilizationReturn
from spaces.utilization import FILING_STATUSES, add_months, month_label

from . import messages
from .kinds import Kind
from .services import notify, reminder_record

RETURN = "utilization_return"
INSTALMENT = "loan_instalment"
INFORMATION = "information_request"
AWARD = "award_accept"


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
    operator: Operator,
    notice: Any,
    params: dict[str, Any],
    url: str,
) -> bool:
    """Record and send one reminder in one transaction; False when it was sent before or nobody is there
    to read it (then nothing is recorded, so a person added later is still reminded)."""
    people = _people(operator)
    if not people:
        return False
    with transaction.atomic():
        if (
            reminder_record(code=code, subject=subject, due_on=due_on, offset_days=offset, recipients=len(people))
            is None
        ):
            return False
        subject_text, body = notice.render(**params)
        notify(recipients=people, subject=subject_text, body=body, url=url, kind=Kind.REMINDER)
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
        notice = (
            messages.RETURN_LATE
            if offset > 0
            else messages.RETURN_DUE_TODAY
            if offset == 0
            else messages.RETURN_DUE_SOON
        )
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
            notice = messages.INSTALMENT_DUE_SOON
            params: dict[str, Any] = {
                "sanction": loan.sanction_number,
                "due": _day(row.due_date),
                "amount": pkr(position.next_due_amount),
            }
        else:
            position = on_today.get(loan.pk)
            if position is None or position.overdue_amount <= 0:
                continue
            notice = messages.INSTALMENT_PAST_DUE
            params = {
                "sanction": loan.sanction_number,
                "due": _day(row.due_date),
                "overdue": pkr(position.overdue_amount),
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
            notice=messages.INFORMATION_UNANSWERED,
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
            notice=messages.AWARD_NOT_ACCEPTED,
            params={"sanction": award.sanction_number, "ref": ref, "offered": _day(offered)},
            url=_application_url(ref, "#award"),
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
    return dict(counts)


@shared_task(name="notifications.reminders.send_reminders")
def send_reminders(on: str | None = None) -> dict[str, int]:
    """Beat's daily reminders for `on` (ISO date; default today). Idempotent: see send_due_reminders."""
    return send_due_reminders(today=dt.date.fromisoformat(on) if on else None)
