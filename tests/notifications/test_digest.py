"""The staff digest (issue #19): staff choose each email or one digest every morning on the preferences
page (freelancers cannot; the operators' digest is in test_operator_digest.py); a person on the digest
gets no email per notification but one in the morning, grouped by kind with counts and the items of
their queues past their clock, in their language; a second run that morning sends nothing (a row per
person per day)."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from django.utils.formats import date_format

from accounts import roles
from audit.models import AuditEvent
from core.errors import PermissionDenied
from notifications.digest import send_daily_digests
from notifications.kinds import Kind
from notifications.models import DigestSent, EmailDelivery, Notification
from notifications.services import email_delivery_set, notify
from tests.grants.conftest import complete_grant, to_state
from tests.grants.factories import CallFactory, GrantProgramFactory, OperatorFactory, SpaceFactory, UserFactory

pytestmark = pytest.mark.django_db
KARACHI = dt.timezone(dt.timedelta(hours=5))
URL = "/notifications/preferences/"


@pytest.fixture
def officer(db):
    return UserFactory(roles=[roles.PROGRAM_OFFICER], email="officer@pitb.example.pk", full_name="Hina Raza")


def test_staff_choose_the_digest_on_the_preferences_page_audited(client, officer):
    client.force_login(officer)
    html = client.get(URL).content.decode()
    assert "One digest email every morning" in html and 'name="email_delivery"' in html
    response = client.post(URL, {"email_delivery": "daily"})
    assert response.status_code == 302
    assert EmailDelivery.objects.get(user=officer).mode == "daily"
    [event] = AuditEvent.objects.filter(action="email_delivery.set", actor_id=officer.pk)
    assert (event.from_state, event.to_state) == ("immediate", "daily")
    urdu = client.get("/ur" + URL).content.decode()
    assert 'value="daily"' in urdu and "checked" in urdu.split('value="daily"')[1].split(">")[0]


def test_freelancers_are_not_offered_the_digest_and_the_service_refuses_them(client):
    freelancer = UserFactory(roles=[roles.FREELANCER])
    client.force_login(freelancer)
    html = client.get(URL).content.decode()
    assert 'name="email_delivery"' not in html
    client.post(URL, {"email_delivery": "daily"})
    assert not EmailDelivery.objects.exists()
    with pytest.raises(PermissionDenied):
        email_delivery_set(actor=freelancer, mode="daily")
    assert not EmailDelivery.objects.exists()


def _travel(day: dt.date, hour: int = 8):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 30, tzinfo=KARACHI), tick=False)


def test_a_digest_person_gets_one_email_a_morning_grouped_with_counts_and_what_is_past_its_clock(
    officer, django_capture_on_commit_callbacks
):
    email_delivery_set(actor=officer, mode="daily")
    other = UserFactory(roles=[roles.PROGRAM_OFFICER], email="other@pitb.example.pk")  # each email as it comes
    # An application submitted today, not screened: past its 5-day clock a week later.
    operator_user = UserFactory(roles=[roles.OPERATOR])
    operator = OperatorFactory(members=[operator_user])
    call = CallFactory(program=GrantProgramFactory(code="GR", name="Growth Grant", slug="growth-grant"))
    app = to_state(
        complete_grant(call, operator, SpaceFactory(operator=operator), operator_user),
        "submitted",
        operator_user=operator_user,
        officer=officer,
    )
    today = timezone.localdate(app.submitted_at)
    morning = today + dt.timedelta(days=7)
    with _travel(today + dt.timedelta(days=6), hour=15), django_capture_on_commit_callbacks(execute=True):
        mail.outbox.clear()
        for n in range(3):
            notify(recipients=[officer, other], subject=f"Payment {n} returned", body="", kind=Kind.PAYMENT)
        notify(recipients=[officer, other], subject="A new grievance", body="", kind=Kind.GENERAL)
    assert [m.to for m in mail.outbox] == [["other@pitb.example.pk"]] * 4  # none to the digest person yet

    # The submission's notice to officers came a week ago: before yesterday, it stays in the inbox only.
    recent = Notification.objects.filter(recipient=officer, created_at__date__gte=today + dt.timedelta(days=6))
    assert recent.count() == 4
    mail.outbox.clear()
    with _travel(morning), django_capture_on_commit_callbacks(execute=True):
        assert send_daily_digests() == 1
        assert send_daily_digests() == 0  # run twice: sent once
    (digest,) = mail.outbox
    assert digest.to == ["officer@pitb.example.pk"]
    assert digest.subject == f"Your Sahulat digest of {date_format(morning, 'j F Y')}"
    assert "Payments: 3" in digest.body and "  - Payment 2 returned" in digest.body
    assert "Other messages: 1" in digest.body and "  - A new grievance" in digest.body
    assert "submitted" not in digest.body.split("Past their clock")[0]
    assert "Past their clock and waiting for you:" in digest.body
    due = date_format(today + dt.timedelta(days=5), "j F Y")
    assert f"- Screen {app.reference} ({operator.legal_name}) (due {due})" in digest.body
    assert not recent.filter(emailed_at__isnull=True).exists()
    row = DigestSent.objects.get(user=officer)
    assert (row.day, row.notifications, row.past_clock, row.emailed) == (morning, 4, 1, True)

    # The next morning: nothing new, but the application is still past its clock.
    mail.outbox.clear()
    with _travel(morning + dt.timedelta(days=1)), django_capture_on_commit_callbacks(execute=True):
        assert send_daily_digests() == 1
    assert "No new notifications." in mail.outbox[0].body and app.reference in mail.outbox[0].body


def test_the_digest_is_in_the_person_s_language_and_nothing_to_say_sends_nothing(
    django_capture_on_commit_callbacks,
):
    checker = UserFactory(roles=[roles.FINANCE_CHECKER], language="ur", email="checker@finance.example.pk")
    quiet = UserFactory(roles=[roles.FINANCE_MAKER], email="maker@finance.example.pk")
    email_delivery_set(actor=checker, mode="daily")
    email_delivery_set(actor=quiet, mode="daily")
    notify(recipients=[checker], subject=lambda: "Payment", body="", kind=Kind.PAYMENT)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_daily_digests(today=timezone.localdate()) == 1
    (digest,) = mail.outbox
    assert digest.to == ["checker@finance.example.pk"]
    assert any("\u0600" <= ch <= "\u06ff" for ch in digest.subject)
    assert DigestSent.objects.get(user=quiet).emailed is False  # recorded, no email
