"""Reminders (issue #19) on their days, with frozen time: each is sent on its offset from the date it
counts from, never twice (a second run, or a later run inside the catch-up window, sends nothing), to
the company's people in their own language, in the portal, by email and by SMS."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts import roles
from grants import services as grants
from notifications import sms
from notifications.models import Notification, ReminderSent
from notifications.reminders import send_due_reminders
from spaces.models import UtilizationReturn
from tests.grants.conftest import complete_grant, to_state
from tests.grants.factories import CallFactory, GrantProgramFactory, OperatorFactory, SpaceFactory, UserFactory
from tests.loans.conftest import disburse, repay

pytestmark = pytest.mark.django_db
KARACHI = dt.timezone(dt.timedelta(hours=5))
NONE_SENT = {
    "utilization_return": 0,
    "loan_instalment": 0,
    "information_request": 0,
    "award_accept": 0,
    "milestone_tranche": 0,
    "review_due": 0,
    "arrears_worse": 0,
}


def _urdu(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Beat's morning run on a day, time frozen at 08:00 in Pakistan; its transaction 'commits' (the
    test's own stays open), so the email and SMS tasks it queued run."""

    def run_on(day: dt.date) -> dict[str, int]:
        at = dt.datetime(day.year, day.month, day.day, 8, 0, tzinfo=KARACHI)
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            return send_due_reminders()

    return run_on


def sent(code: str, **counts) -> dict[str, int]:
    return {**NONE_SENT, code: counts.get("n", 1)}


@pytest.fixture
def ayesha(db):
    return UserFactory(roles=[roles.OPERATOR], email="ayesha@indus.example.pk", mobile="0300-1234567", language="ur")


@pytest.fixture
def bilal(db):
    return UserFactory(roles=[roles.OPERATOR], email="bilal@indus.example.pk", language="en")


@pytest.fixture
def operator(ayesha, bilal):
    return OperatorFactory(members=[ayesha, bilal], legal_name="Indus Hub Coworking (Pvt.) Ltd.")


@pytest.fixture
def officer(db):
    return UserFactory(roles=[roles.PROGRAM_OFFICER], email="officer@pitb.example.pk")


def reminders_to(person, about: str = ""):
    """A person's reminders, oldest first; `about`: only those whose link contains it."""
    rows = Notification.objects.filter(recipient=person, kind="reminder", url__contains=about)
    return list(rows.order_by("created_at", "pk"))


# --- (a) the utilization return ---------------------------------------------------------------------


def test_the_return_is_reminded_before_on_and_after_its_day_once_each(run, operator, ayesha, bilal):
    space = SpaceFactory(operator=operator, name="Indus Lahore Hub", opening_date=dt.date(2025, 1, 1))
    SpaceFactory(operator=operator, network_status="exited")  # files no returns
    # March 2026's return is due on 10 April (UTILIZATION_RETURN_DUE_DAY); offsets -3, 0, +3.
    assert run(dt.date(2026, 4, 6)) == NONE_SENT
    assert run(dt.date(2026, 4, 7)) == sent("utilization_return")
    assert run(dt.date(2026, 4, 7)) == NONE_SENT  # twice the same day: nothing twice
    assert run(dt.date(2026, 4, 8)) == NONE_SENT  # inside the catch-up window: still sent once
    assert run(dt.date(2026, 4, 10)) == sent("utilization_return")
    assert run(dt.date(2026, 4, 13)) == sent("utilization_return")
    assert run(dt.date(2026, 4, 20)) == NONE_SENT
    english = [n.subject for n in reminders_to(bilal)]
    assert english == [
        "Utilization return of Indus Lahore Hub for March 2026 due on 10 April 2026",
        "Utilization return of Indus Lahore Hub for March 2026 due today",
        "Utilization return of Indus Lahore Hub for March 2026 is late",
    ]
    assert all(_urdu(n.subject) for n in reminders_to(ayesha))  # her language, not the caller's
    assert ReminderSent.objects.filter(code="utilization_return", object_id=space.pk).count() == 3
    # Ayesha has a mobile: each reminder also went by SMS, in Urdu, with the link to the returns page.
    assert len(sms.outbox) == 3
    assert all(m.to == "+923001234567" and "/ur/" in m.text for m in sms.outbox)


def test_a_filed_return_is_not_reminded(run, operator, bilal):
    space = SpaceFactory(operator=operator, opening_date=dt.date(2025, 1, 1))
    UtilizationReturn.objects.create(
        space=space,
        month=dt.date(2026, 3, 1),
        seats_offered=60,
        seats_allotted=40,
        seat_days_available=1300,
        seat_days_used=900,
        members=40,
        women_members=12,
        freelancers=20,
        startups=5,
        meeting_room_hours_available=200,
        meeting_room_hours_booked=80,
        filed_at=timezone.now(),
    )
    assert run(dt.date(2026, 4, 7)) == NONE_SENT
    assert run(dt.date(2026, 4, 13)) == NONE_SENT


def test_the_command_runs_for_a_given_date(django_capture_on_commit_callbacks, operator, bilal, capsys):
    SpaceFactory(operator=operator, opening_date=dt.date(2025, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--date", "2026-04-10")
        call_command("send_reminders", "--date", "2026-04-10")
    out = capsys.readouterr().out
    assert "Reminders sent: 1 utilization return, 0 loan instalment" in out
    assert "Reminders sent: 0 utilization return, 0 loan instalment" in out
    assert len(reminders_to(bilal)) == 1
    assert len(mail.outbox) == 2  # one email each to Ayesha and Bilal


# --- (c) an unanswered question and (d) an award not accepted ------------------------------------


@pytest.fixture
def grant_call(db):
    return CallFactory(program=GrantProgramFactory(code="GR", name="Growth Grant", slug="growth-grant"))


def test_an_unanswered_question_is_reminded_after_5_and_10_days(run, grant_call, operator, bilal, officer):
    space = SpaceFactory(operator=operator)
    app = complete_grant(grant_call, operator, space, bilal)
    app = to_state(app, "info_requested", operator_user=bilal, officer=officer)
    asked = timezone.localdate(app.information_requests.get().asked_at)
    assert run(asked + dt.timedelta(days=4))["information_request"] == 0
    assert run(asked + dt.timedelta(days=5))["information_request"] == 1
    assert run(asked + dt.timedelta(days=5))["information_request"] == 0
    assert run(asked + dt.timedelta(days=6))["information_request"] == 0
    assert run(asked + dt.timedelta(days=10))["information_request"] == 1
    subjects = [n.subject for n in reminders_to(bilal, "#answer")]
    assert subjects == [f"Application {app.reference}: the program officer's question waits for your answer"] * 2
    assert "Lease?" in reminders_to(bilal, "#answer")[0].body  # the question itself, in the portal and the email


def test_an_answered_question_is_not_reminded(run, grant_call, operator, bilal, officer):
    app = complete_grant(grant_call, operator, SpaceFactory(operator=operator), bilal)
    app = to_state(app, "info_requested", operator_user=bilal, officer=officer)
    asked = timezone.localdate(app.information_requests.get().asked_at)
    grants.application_answer_information(application=app, actor=bilal, answer="The lease runs to 2030.")
    assert run(asked + dt.timedelta(days=5))["information_request"] == 0


def test_an_award_not_accepted_is_reminded_after_7_days_once(run, grant_call, operator, bilal, officer):
    app = complete_grant(grant_call, operator, SpaceFactory(operator=operator), bilal)
    app = to_state(app, "approved", operator_user=bilal, officer=officer)
    offered = timezone.localdate(app.award.offered_at)
    assert run(offered + dt.timedelta(days=6))["award_accept"] == 0
    assert run(offered + dt.timedelta(days=7))["award_accept"] == 1
    assert run(offered + dt.timedelta(days=8))["award_accept"] == 0
    (reminder,) = reminders_to(bilal, "#award")
    assert reminder.subject == f"Award {app.award.sanction_number} waits for your acceptance"
    assert reminder.url.endswith("#award")
    grants.award_accept(award=app.award, actor=bilal)
    ReminderSent.objects.all().delete()  # even with the record gone, an accepted award is not reminded
    assert run(offered + dt.timedelta(days=7))["award_accept"] == 0


# --- (b) loan instalments ---------------------------------------------------------------------------


@pytest.fixture
def loan_people(bilal, officer):
    return {
        "operator_user": bilal,
        "officer": officer,
        "maker": UserFactory(roles=[roles.FINANCE_MAKER]),
        "checker": UserFactory(roles=[roles.FINANCE_CHECKER]),
        "chair": UserFactory(roles=[roles.BOARD_CHAIR]),
    }


def test_an_instalment_is_reminded_5_days_before_and_the_first_day_past_due(run, operator, bilal, loan_people):
    from tests.grants.factories import LoanProgramFactory

    call = CallFactory(program=LoanProgramFactory(code="SL", name="Soft Loan", slug="soft-loan"))
    space = SpaceFactory(operator=operator)
    # Disbursed on 10 January 2026: instalments due on the 10th from February.
    loan = disburse(
        call, operator, space, loan_people, amount=Decimal("1000000"), months=24, grace=0, on=dt.date(2026, 1, 10)
    )
    assert run(dt.date(2026, 2, 4))["loan_instalment"] == 0
    assert run(dt.date(2026, 2, 5))["loan_instalment"] == 1
    assert run(dt.date(2026, 2, 5))["loan_instalment"] == 0
    assert run(dt.date(2026, 2, 10))["loan_instalment"] == 0  # the day itself: no reminder
    assert run(dt.date(2026, 2, 11))["loan_instalment"] == 1  # unpaid: first day past due
    assert run(dt.date(2026, 2, 12))["loan_instalment"] == 0
    subjects = [n.subject for n in reminders_to(bilal, "/loans/")]
    assert subjects == [
        f"Loan {loan.sanction_number}: instalment due on 10 February 2026",
        f"Loan {loan.sanction_number}: an instalment is past due",
    ]
    # Paid on time in March: reminded before, not after.
    first = loan.versions.get(is_current=True).instalments.get(number=1).instalment
    second = loan.versions.get(is_current=True).instalments.get(number=2).instalment
    assert run(dt.date(2026, 3, 5))["loan_instalment"] == 1
    repay(loan, loan_people, first + second, on=dt.date(2026, 3, 9), reference="BANK-0309")
    assert run(dt.date(2026, 3, 11))["loan_instalment"] == 0
