"""The reminders added to issue #19's first four, with frozen time: a milestone reached and its tranche
not asked for (operator); reviews not submitted 3 days before the board meets (reviewer; the chair
sees who is late on the board's page); the weekly list of loans entering a worse arrears bucket
(finance). Each on its days, never twice."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from grants import services as grants
from notifications.models import Notification, ReminderSent
from notifications.reminders import next_board_meeting, send_due_reminders
from tests.grants.conftest import SCORES, complete_grant, to_state
from tests.grants.factories import CallFactory, GrantProgramFactory, OperatorFactory, SpaceFactory, UserFactory
from tests.grants.payments import accepted_grant, request_tranche
from tests.loans.conftest import disburse

pytestmark = pytest.mark.django_db
KARACHI = dt.timezone(dt.timedelta(hours=5))


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def run_on(day: dt.date) -> dict[str, int]:
        at = dt.datetime(day.year, day.month, day.day, 8, 0, tzinfo=KARACHI)
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            return send_due_reminders()

    return run_on


@pytest.fixture
def bilal(db):
    return UserFactory(roles=[roles.OPERATOR], email="bilal@indus.example.pk", language="en")


@pytest.fixture
def operator(bilal):
    return OperatorFactory(members=[bilal], legal_name="Indus Hub Coworking (Pvt.) Ltd.")


@pytest.fixture
def officer(db):
    return UserFactory(roles=[roles.PROGRAM_OFFICER])


@pytest.fixture
def grant_call(db):
    return CallFactory(program=GrantProgramFactory(code="GR", name="Growth Grant", slug="growth-grant"))


# --- a milestone reached, its tranche not asked for ---------------------------------------------------


def test_a_milestone_due_is_reminded_on_its_day_and_a_week_later_once_each(run, grant_call, operator, bilal, officer):
    award = accepted_grant(grant_call, operator, SpaceFactory(operator=operator), bilal, officer)
    first, second = award.tranches.order_by("position")
    due = first.due_date
    assert run(due - dt.timedelta(days=1))["milestone_tranche"] == 0
    assert run(due)["milestone_tranche"] == 1
    assert run(due)["milestone_tranche"] == 0  # twice the same day
    assert run(due + dt.timedelta(days=1))["milestone_tranche"] == 0  # catch-up window: already sent
    assert run(due + dt.timedelta(days=7))["milestone_tranche"] == 1
    (on_day, week_later) = Notification.objects.filter(recipient=bilal, url__endswith="#tranches").order_by("pk")
    ref = award.application.reference
    assert on_day.subject == f"Tranche 1 of {ref}: its milestone is due, ask for it"
    assert f"“{first.title}”" in on_day.body and on_day.kind == "reminder"
    # Only the next tranche of the award is reminded, never the later one.
    assert not ReminderSent.objects.filter(code="milestone_tranche", object_id=second.pk).exists()


def test_a_tranche_asked_for_is_not_reminded(run, grant_call, operator, bilal, officer):
    award = accepted_grant(grant_call, operator, SpaceFactory(operator=operator), bilal, officer)
    first = award.tranches.order_by("position").first()
    request_tranche(first, bilal)
    assert run(first.due_date)["milestone_tranche"] == 0
    assert run(first.due_date + dt.timedelta(days=7))["milestone_tranche"] == 0


# --- reviews before the board meets -------------------------------------------------------------------


def test_the_board_meeting_day_comes_from_settings(settings):
    settings.BOARD_MEETING_DAY = 25
    assert next_board_meeting(dt.date(2026, 5, 20)) == dt.date(2026, 5, 25)
    assert next_board_meeting(dt.date(2026, 5, 25)) == dt.date(2026, 5, 25)
    assert next_board_meeting(dt.date(2026, 5, 26)) == dt.date(2026, 6, 25)
    assert next_board_meeting(dt.date(2026, 12, 30)) == dt.date(2027, 1, 25)


def test_reviews_not_submitted_are_reminded_3_days_before_the_meeting_and_the_chair_sees_who_is_late(
    run, settings, client, grant_call, operator, bilal, officer
):
    settings.BOARD_MEETING_DAY = 25
    app = to_state(complete_grant(grant_call, operator, SpaceFactory(operator=operator), bilal), "in_review",
                   operator_user=bilal, officer=officer)  # fmt: skip
    slow = UserFactory(roles=[roles.BOARD_REVIEWER], full_name="Dr. Sana Qureshi", language="ur")
    done = UserFactory(roles=[roles.BOARD_REVIEWER], full_name="Imran Butt")
    reviews = grants.review_assign(application=app, actor=officer, reviewers=[slow, done])
    finished = grants.review_declare(review=reviews[1], actor=done, conflict=False)
    grants.review_submit(
        review=finished,
        actor=done,
        scores=SCORES,
        recommendation="approve",
        comments="Sound.",
    )
    meeting = next_board_meeting(timezone.localdate() + dt.timedelta(days=10))
    assert run(meeting - dt.timedelta(days=4))["review_due"] == 0
    assert run(meeting - dt.timedelta(days=3))["review_due"] == 1
    assert run(meeting - dt.timedelta(days=3))["review_due"] == 0
    assert run(meeting - dt.timedelta(days=2))["review_due"] == 0
    (reminder,) = Notification.objects.filter(recipient=slow, kind="reminder")
    assert app.reference in reminder.subject and any("\u0600" <= ch <= "\u06ff" for ch in reminder.subject)
    assert reminder.url.startswith("/ur/") and app.reference in reminder.url
    assert not Notification.objects.filter(recipient=done, kind="reminder").exists()

    # The chair's board page lists the review not submitted, late, with the day the reviewer was reminded.
    chair = UserFactory(roles=[roles.BOARD_CHAIR])
    with time_machine.travel(dt.datetime.combine(meeting - dt.timedelta(days=1), dt.time(10), KARACHI), tick=False):
        client.force_login(chair)  # signed in that day: a session from today would have expired by then
        html = client.get(reverse("grants:workbench_board_agenda")).content.decode()
    assert "Reviews not yet submitted" in html
    row = html[html.index(f'data-review="{reviews[0].pk}"') :].split("</tr>")[0]
    assert "Dr. Sana Qureshi" in row and "Late" in row
    assert (meeting - dt.timedelta(days=3)).strftime("%-d %b %Y") in row
    assert f'data-review="{reviews[1].pk}"' not in html


# --- the weekly list of loans entering a worse arrears bucket -------------------------------------------


@pytest.fixture
def loan_people(bilal, officer):
    return {
        "operator_user": bilal,
        "officer": officer,
        "maker": UserFactory(roles=[roles.FINANCE_MAKER], email="maker@finance.example.pk"),
        "checker": UserFactory(roles=[roles.FINANCE_CHECKER], email="checker@finance.example.pk", language="ur"),
        "chair": UserFactory(roles=[roles.BOARD_CHAIR]),
    }


def test_loans_entering_a_worse_bucket_are_listed_to_finance_once_a_week(run, settings, operator, loan_people):
    from tests.grants.factories import LoanProgramFactory

    settings.REMINDER_ARREARS_WEEKDAY = 0  # Monday
    call = CallFactory(program=LoanProgramFactory(code="SL", name="Soft Loan", slug="soft-loan"))
    loan = disburse(
        call, operator, SpaceFactory(operator=operator), loan_people, amount=Decimal("1000000"), months=24,
        grace=0, on=dt.date(2026, 1, 10),
    )  # fmt: skip
    # The first instalment falls due on Tuesday 10 February 2026 and is not paid.
    assert run(dt.date(2026, 2, 9))["arrears_worse"] == 0  # Monday: still current
    mail.outbox.clear()
    assert run(dt.date(2026, 2, 16))["arrears_worse"] == 2  # Monday: current -> 1-30, to maker and checker
    assert run(dt.date(2026, 2, 16))["arrears_worse"] == 0  # run twice: sent once
    assert run(dt.date(2026, 2, 17))["arrears_worse"] == 0  # the catch-up day
    assert run(dt.date(2026, 2, 18))["arrears_worse"] == 0  # not the day
    assert run(dt.date(2026, 2, 23))["arrears_worse"] == 0  # still 1-30: nothing worse this week
    maker_copy = Notification.objects.get(recipient=loan_people["maker"], url__contains="bucket=")
    assert maker_copy.subject == "Loans entering a worse arrears bucket: 1 this week"
    assert f"{loan.sanction_number} (Indus Hub Coworking (Pvt.) Ltd.): Current → 1–30 days past due" in maker_copy.body
    checker_copy = Notification.objects.get(recipient=loan_people["checker"], url__contains="bucket=")
    assert any("\u0600" <= ch <= "\u06ff" for ch in checker_copy.body)  # her language
    assert sorted(m.to[0] for m in mail.outbox) == ["checker@finance.example.pk", "maker@finance.example.pk"]
    assert not Notification.objects.filter(recipient=loan_people["operator_user"], url__contains="bucket=").exists()
