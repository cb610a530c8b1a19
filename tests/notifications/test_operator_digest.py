"""The operator's digest (issue #19): an operator's people may choose one email every morning instead of
an email per notification, explained on the preferences page; decisions and information requests are
still emailed at once; the digest counts what came by kind and lists what the company must do this
week, in the person's language, from a text stewards may keep; sent once a morning."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils.formats import date_format

from accounts import roles
from audit.models import AuditEvent
from grants import messages as grants_messages
from notifications import services
from notifications.digest import send_daily_digests
from notifications.kinds import Kind
from notifications.models import DigestSent, EmailDelivery, Notification, NotificationTemplate
from tests.grants.factories import OperatorFactory, SpaceFactory, UserFactory

pytestmark = pytest.mark.django_db
KARACHI = dt.timezone(dt.timedelta(hours=5))
URL = "/notifications/preferences/"
MORNING = dt.date(2026, 4, 8)  # March's return is owed; due 10 April


def _at(day: dt.date, hour: int = 8, minute: int = 30):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=KARACHI), tick=False)


@pytest.fixture
def ayesha():
    person = UserFactory(roles=[roles.OPERATOR], email="ayesha@indus.example.pk", language="en")
    operator = OperatorFactory(members=[person])
    SpaceFactory(operator=operator, name="Indus Lahore Hub", opening_date=dt.date(2025, 1, 1))
    return person


def test_an_operator_s_person_is_offered_the_digest_with_what_it_means_and_chooses_it(client, ayesha):
    client.force_login(ayesha)
    html = client.get(URL).content.decode()
    assert 'name="email_delivery"' in html
    assert "what your company must do this week" in html
    assert "questions are still emailed to you at once" in html
    assert client.post(URL, {"email_delivery": "daily"}).status_code == 302
    assert EmailDelivery.objects.get(user=ayesha).mode == "daily"
    [event] = AuditEvent.objects.filter(action="email_delivery.set", actor_id=ayesha.pk)
    assert (event.from_state, event.to_state) == ("immediate", "daily")
    # The Urdu page offers it too (its words come from the catalogue; here only that it is there).
    urdu = client.get("/ur" + URL).content.decode()
    assert 'value="daily"' in urdu and 'lang="ur"' in urdu


def test_on_the_digest_other_messages_wait_for_the_morning_but_decisions_and_questions_go_at_once(
    ayesha, django_capture_on_commit_callbacks
):
    services.email_delivery_set(actor=ayesha, mode="daily")
    with _at(MORNING - dt.timedelta(days=1), hour=15), django_capture_on_commit_callbacks(execute=True):
        mail.outbox.clear()
        paid = grants_messages.TO_OPERATOR_TRANCHE_PAID.render(n=2, sanction="SN-1", amount="PKR 5", ref="PAY-9")
        services.notify(recipients=[ayesha], subject=paid[0], body=paid[1])
        services.notify(recipients=[ayesha], subject="Seat claim note", body="", kind=Kind.GENERAL)
        asked = grants_messages.TO_OPERATOR_INFORMATION_REQUESTED.render(ref="GR-1", question="Which lease?")
        services.notify(recipients=[ayesha], subject=asked[0], body=asked[1])  # its kind from the catalogue
        refused = grants_messages.TO_OPERATOR_SCREENED_OUT.render(ref="GR-2", reason="Outside the district")
        services.notify(recipients=[ayesha], subject=refused[0], body=refused[1])
    assert sorted(m.subject for m in mail.outbox) == [
        "Application GR-1: information requested",
        "Application GR-2 was not taken forward",
    ]
    mail.outbox.clear()
    with _at(MORNING), django_capture_on_commit_callbacks(execute=True):
        assert send_daily_digests() == 1
        assert send_daily_digests() == 0  # run twice: sent once
    (digest,) = mail.outbox
    assert digest.to == ["ayesha@indus.example.pk"]
    assert digest.subject == f"Your Sahulat digest of {date_format(MORNING, 'j F Y')}"
    assert "Payments: 1" in digest.body and "  - Tranche 2 of SN-1 paid" in digest.body
    assert "Other messages: 1" in digest.body and "  - Seat claim note" in digest.body
    assert "GR-1" not in digest.body.split("What your company")[0]  # the question went at once
    assert "What your company must do soon:" in digest.body
    assert "- File the utilization return of Indus Lahore Hub for March 2026 (due 8 April 2026)" in digest.body
    assert "are not held for this digest" in digest.body
    row = DigestSent.objects.get(user=ayesha, day=MORNING)
    assert (row.notifications, row.past_clock, row.emailed) == (2, 0, True)
    assert not Notification.objects.filter(recipient=ayesha, by_email=True, emailed_at__isnull=True).exists()


def test_a_morning_with_nothing_new_still_tells_what_is_due_this_week_and_nothing_at_all_sends_nothing(
    ayesha, django_capture_on_commit_callbacks
):
    services.email_delivery_set(actor=ayesha, mode="daily")
    idle = UserFactory(roles=[roles.OPERATOR], email="idle@example.pk")
    OperatorFactory(members=[idle])  # no space, nothing owed
    services.email_delivery_set(actor=idle, mode="daily")
    mail.outbox.clear()
    with _at(MORNING), django_capture_on_commit_callbacks(execute=True):
        assert send_daily_digests() == 1
    (digest,) = mail.outbox
    assert digest.to == ["ayesha@indus.example.pk"] and "No new notifications." in digest.body
    assert DigestSent.objects.get(user=idle).emailed is False


def test_the_operator_s_digest_is_in_their_language_from_the_steward_s_text(ayesha, django_capture_on_commit_callbacks):
    steward = UserFactory(roles=[roles.DATA_STEWARD], is_staff=True)
    services.notification_template_save(
        actor=steward,
        template=NotificationTemplate(
            code="operator_digest",
            subject_en="Sahulat, {day}: your week",
            subject_ur="صہولت، {day}: آپ کا ہفتہ",
            body_ur="{actions}\n\n{summary}",
        ),
    )
    urdu = UserFactory(roles=[roles.OPERATOR], email="bilal@indus.example.pk", language="ur")
    ayesha.operators.first().members.add(urdu)
    for person in (ayesha, urdu):
        services.email_delivery_set(actor=person, mode="daily")
    mail.outbox.clear()
    with _at(MORNING), django_capture_on_commit_callbacks(execute=True):
        assert send_daily_digests() == 2
    by_person = {m.to[0]: m for m in mail.outbox}
    assert by_person["ayesha@indus.example.pk"].subject == f"Sahulat, {date_format(MORNING, 'j F Y')}: your week"
    in_urdu = by_person["bilal@indus.example.pk"]
    assert in_urdu.subject.startswith("صہولت، ") and in_urdu.subject.endswith(": آپ کا ہفتہ")
    # The steward's order: the actions first, then the notifications; the space's name kept as typed.
    assert in_urdu.body.index("Indus Lahore Hub") < in_urdu.body.index("\n\n")
    assert "\u2068" not in in_urdu.body.split("\n\n")[0][:2]  # a paragraph, not a name to isolate


def test_the_operator_s_digest_preview_uses_a_real_person_on_the_digest(client, ayesha):
    services.email_delivery_set(actor=ayesha, mode="daily")
    steward = UserFactory(roles=[roles.DATA_STEWARD], is_staff=True)
    client.force_login(steward)
    with _at(MORNING):
        url = reverse("admin:notifications_notificationtemplate_preview", args=["operator_digest"])
        html = client.get(url).content.decode()
    assert str(ayesha) in html and "File the utilization return of Indus Lahore Hub" in html


def test_a_legal_notice_is_never_in_a_digest_even_when_its_own_email_has_not_gone_yet(
    ayesha, django_capture_on_commit_callbacks
):
    services.email_delivery_set(actor=ayesha, mode="daily")
    with _at(MORNING, hour=8, minute=29), services.emails_suppressed():  # its email task not run yet
        refused = grants_messages.TO_OPERATOR_SCREENED_OUT.render(ref="GR-3", reason="Outside the district")
        services.notify(recipients=[ayesha], subject=refused[0], body=refused[1])
    mail.outbox.clear()
    with _at(MORNING), django_capture_on_commit_callbacks(execute=True):
        assert send_daily_digests() == 1
    (digest,) = mail.outbox
    assert "GR-3" not in digest.body and "Decisions:" not in digest.body
    assert Notification.objects.get(recipient=ayesha, notice="grants.TO_OPERATOR_SCREENED_OUT").emailed_at is None
