"""Kinds, preferences and the SMS channel (issue #19): who gets what by which channel, in which
language; the SMS sent once, after commit, through the configured backend."""

import pytest
from django.core import mail

from grants.messages import TO_OPERATOR_INFORMATION_REQUESTED, TO_OPERATOR_SCREENING
from notifications import sms
from notifications.kinds import Channel, Kind
from notifications.models import Notification, NotificationPreference
from notifications.services import notification_preferences_set, notify
from notifications.tasks import send_notification_sms
from tests.grants.factories import UserFactory

pytestmark = pytest.mark.django_db


def _urdu(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def _send(people, kind, capture, notice=TO_OPERATOR_SCREENING):
    subject, body = notice.render(ref="GR-2026-00042", question="Which lease?")
    with capture(execute=True):
        return notify(
            recipients=people, subject=subject, body=body, url="/portal/applications/GR-2026-00042/", kind=kind
        )


def test_the_default_kind_keeps_portal_and_email_and_sends_no_sms(django_capture_on_commit_callbacks):
    person = UserFactory(mobile="0300-1234567")
    (row,) = _send([person], Kind.GENERAL, django_capture_on_commit_callbacks)
    assert (row.kind, row.by_email, row.by_sms) == ("general", True, False)
    assert len(mail.outbox) == 1
    assert sms.outbox == []


def test_a_reminder_goes_by_sms_to_a_person_with_a_mobile_in_their_language(django_capture_on_commit_callbacks):
    english = UserFactory(mobile="0300-1234567", language="en")
    urdu = UserFactory(mobile="0321 7654321", language="ur")
    _send([english, urdu], Kind.REMINDER, django_capture_on_commit_callbacks)
    by_number = {m.to: m for m in sms.outbox}
    assert set(by_number) == {"+923001234567", "+923217654321"}
    assert by_number["+923001234567"].text == (
        "Application GR-2026-00042 is being screened http://127.0.0.1:8000/portal/applications/GR-2026-00042/"
    )
    urdu_text = by_number["+923217654321"].text
    assert _urdu(urdu_text) and "GR-2026-00042" in urdu_text
    # Every row is marked sent; another delivery of the task sends nothing again.
    rows = Notification.objects.filter(recipient__in=[english, urdu])
    assert all(row.sms_at is not None and row.sms_claimed_at is None for row in rows)
    assert [send_notification_sms(row.pk) for row in rows] == [False, False]
    assert len(sms.outbox) == 2


def test_no_sms_without_a_usable_mobile(django_capture_on_commit_callbacks):
    nobody = UserFactory(mobile="")
    landline = UserFactory(mobile="042-35761234")
    rows = _send([nobody, landline], Kind.REMINDER, django_capture_on_commit_callbacks)
    assert [row.by_sms for row in rows] == [False, False]
    assert sms.outbox == []
    assert len(mail.outbox) == 2


def test_nothing_is_sent_inside_the_transaction_that_notified(django_capture_on_commit_callbacks):
    person = UserFactory(mobile="0300-1234567")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipients=[person], subject="Hello", body="", kind=Kind.REMINDER)
    assert sms.outbox == [] and mail.outbox == []
    # The email task, the SMS task and forgetting the person's header count, all for the commit.
    assert len(callbacks) == 3


def test_preferences_are_honoured_and_legal_notices_always_emailed(django_capture_on_commit_callbacks):
    person = UserFactory(mobile="0300-1234567")
    notification_preferences_set(
        actor=person,
        choices={
            (Kind.REMINDER, Channel.EMAIL): False,
            (Kind.REMINDER, Channel.SMS): False,
            (Kind.PAYMENT, Channel.SMS): True,
            (Kind.INFORMATION_REQUEST, Channel.EMAIL): False,  # not allowed: ignored
            (Kind.INFORMATION_REQUEST, Channel.SMS): False,
        },
    )
    assert not NotificationPreference.objects.filter(kind=Kind.INFORMATION_REQUEST, channel=Channel.EMAIL).exists()
    (reminder,) = _send([person], Kind.REMINDER, django_capture_on_commit_callbacks)
    assert (reminder.by_email, reminder.by_sms) == (False, False)
    assert mail.outbox == [] and sms.outbox == []
    (payment,) = _send([person], Kind.PAYMENT, django_capture_on_commit_callbacks)
    assert (payment.by_email, payment.by_sms) == (True, True)
    (question,) = _send(
        [person], Kind.INFORMATION_REQUEST, django_capture_on_commit_callbacks, TO_OPERATOR_INFORMATION_REQUESTED
    )
    assert (question.by_email, question.by_sms) == (True, False)
    assert [m.subject for m in mail.outbox] == [
        "Application GR-2026-00042 is being screened",
        "Application GR-2026-00042: information requested",
    ]
    assert len(sms.outbox) == 1
    # The portal shows all three whatever the channels.
    assert Notification.objects.filter(recipient=person).count() == 3


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="Unknown notification kind"):
        notify(recipients=[UserFactory()], subject="x", body="y", kind="gossip")


def test_an_sms_never_carries_a_cnic_or_an_iban_and_stays_short(settings):
    text = sms.sms_text(
        "Operator 35202-1234567-1 paid into PK36SCBL0000001123456702 " + "long words " * 40, "/portal/x/"
    )
    assert "35202-1234567-1" not in text and "PK36SCBL0000001123456702" not in text
    assert len(text) <= settings.SMS_MAX_CHARS
    assert text.endswith(" http://127.0.0.1:8000/portal/x/")


# --- the HTTP gateway, against a fake server on 127.0.0.1 --------------------------------------------


def test_the_gateway_is_sent_the_message_with_the_key_and_the_sender(gateway):
    message = sms.SmsMessage(to="+923001234567", text="Hello", reference="sahulat-7")
    assert sms.get_backend().send(message) == "gw-1"
    (request,) = gateway.requests
    assert request == {
        "path": "/send",
        "auth": "Bearer test-key",
        "to": "+923001234567",
        "from": "SAHULAT",
        "text": "Hello",
        "reference": "sahulat-7",
    }


def test_a_gateway_failure_is_retried_and_sent_once(gateway, django_capture_on_commit_callbacks):
    gateway.answers = [503]
    person = UserFactory(mobile="0300-1234567")
    (row,) = _send([person], Kind.REMINDER, django_capture_on_commit_callbacks)
    row.refresh_from_db()
    assert len(gateway.requests) == 2  # refused, then accepted on the retry
    assert [r["reference"] for r in gateway.requests] == [f"sahulat-{row.pk}"] * 2
    assert row.sms_at is not None and row.sms_claimed_at is None
    assert send_notification_sms(row.pk) is False
    assert len(gateway.requests) == 2


def test_a_gateway_that_times_out_is_retried_then_given_up_without_marking_sent(
    gateway, django_capture_on_commit_callbacks
):
    gateway.default = "slow"
    person = UserFactory(mobile="0300-1234567")
    with pytest.raises(sms.SmsError, match="did not answer"):
        sms.get_backend().send(sms.SmsMessage(to="+923001234567", text="x"))
    (row,) = _send([person], Kind.REMINDER, django_capture_on_commit_callbacks)
    row.refresh_from_db()
    assert len(gateway.requests) == 1 + 1 + send_notification_sms.max_retries  # each try timed out
    assert row.sms_at is None and row.sms_claimed_at is None  # free for a later try
    assert Notification.objects.get(pk=row.pk).emailed_at is not None  # the email did not wait for it
