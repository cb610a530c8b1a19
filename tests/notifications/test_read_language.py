"""A notification is read in the language of the page: rendered in every language when it is written, so
/ur/ shows it in Urdu even to a person whose profile said English then (issue #17 item 13)."""

import pytest
from django.urls import reverse
from django.utils import translation

from grants.messages import TO_OFFICERS_SUBMITTED
from notifications.models import Notification
from notifications.services import notify
from tests.grants.factories import UserFactory

pytestmark = pytest.mark.django_db


def _urdu(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def _send_to(person) -> Notification:
    subject, body = TO_OFFICERS_SUBMITTED.render(ref="GR-2026-00007", operator="Arfa Hub", amount="PKR 900,000")
    with translation.override("en"):
        (row,) = notify(recipients=[person], subject=subject, body=body, url=reverse("grants:notification_list"))
    return row


def test_a_notice_is_stored_in_every_language_and_the_recipients_own_for_email():
    english = UserFactory()
    row = Notification.objects.get(pk=_send_to(english).pk)
    assert row.subject == "New application GR-2026-00007 to screen"  # the recipient's language: the email's
    assert row.texts["en"]["subject"] == row.subject
    assert _urdu(row.texts["ur"]["subject"]) and "GR-2026-00007" in row.texts["ur"]["subject"]
    assert "Arfa Hub" in row.texts["ur"]["body"] and _urdu(row.texts["ur"]["body"])
    assert row.subject_in("ur") == row.texts["ur"]["subject"]
    with translation.override("ur"):
        assert row.shown_subject == row.texts["ur"]["subject"]
    with translation.override("en"):
        assert row.shown_body == "Arfa Hub submitted GR-2026-00007 (PKR 900,000)."


def test_the_urdu_inbox_shows_urdu_to_a_person_whose_profile_said_english(client):
    english = UserFactory()
    row = _send_to(english)
    client.force_login(english)
    with translation.override("ur"):
        urdu_list = reverse("grants:notification_list")
    with translation.override("en"):
        english_list = reverse("grants:notification_list")
    page = client.get(urdu_list).content.decode()
    assert row.texts["ur"]["subject"] in page
    assert "New application GR-2026-00007 to screen" not in page
    page = client.get(english_list).content.decode()
    assert "New application GR-2026-00007 to screen" in page


def test_rows_written_before_and_plain_strings_read_as_stored(client):
    person = UserFactory(language="ur")
    (plain,) = notify(recipients=[person], subject="Hello", body="As typed")
    assert plain.texts == {}
    with translation.override("ur"):
        assert plain.shown_subject == "Hello" and plain.shown_body == "As typed"
    old = _send_to(person)
    Notification.objects.filter(pk=old.pk).update(texts={})  # as a row from before the migration
    old.refresh_from_db()
    with translation.override("en"):
        assert old.shown_subject == old.subject and _urdu(old.shown_subject)
    client.force_login(person)
    with translation.override("en"):
        english_list = reverse("grants:notification_list")
    page = client.get(english_list).content.decode()
    assert "Hello" in page and "As typed" in page and old.subject in page


def test_opening_a_notification_follows_the_page_language(client):
    urdu = UserFactory(language="ur")
    row = _send_to(urdu)
    assert row.url.startswith("/ur/")
    client.force_login(urdu)
    with translation.override("en"):
        opened_in_english = reverse("grants:notification_open", args=[row.pk])
        english_list = reverse("grants:notification_list")
    response = client.get(opened_in_english)
    assert response.status_code == 302
    assert response.url == english_list
