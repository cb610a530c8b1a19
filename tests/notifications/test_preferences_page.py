"""The preferences page (/notifications/preferences/): a fieldset per kind, in English and Urdu; saving
through the service; why SMS is unavailable without a mobile number; a legal notice's email fixed on."""

import re

import pytest
from django.urls import reverse

from notifications.kinds import Kind
from notifications.models import NotificationPreference
from tests.grants.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/notifications/preferences/"


def page(client, url=URL) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_url_and_sign_in():
    assert reverse("grants:notification_preferences") == URL


def test_anonymous_people_are_sent_to_sign_in(client):
    assert client.get(URL).status_code == 302


def test_each_kind_is_a_fieldset_with_a_legend_and_sms_is_explained_without_a_mobile(client):
    client.force_login(UserFactory(mobile=""))
    html = page(client)
    assert html.count("<fieldset") == len(Kind.choices)
    assert html.count("<legend>") == len(Kind.choices)
    assert "SMS is not available: your account has no mobile number." in html
    sms_boxes = re.findall(r'<input[^>]*name="[a-z_]+__sms"[^>]*>', html)
    assert len(sms_boxes) == len(Kind.choices) and all("disabled" in box for box in sms_boxes)
    # A legal notice's email box is shown checked and cannot be unticked.
    (decision_email,) = re.findall(r'<input[^>]*name="decision__email"[^>]*>', html)
    assert "disabled" in decision_email and "checked" in decision_email


def test_in_urdu_with_one_h1(client):
    client.force_login(UserFactory(mobile="0300-1234567", language="ur"))
    html = page(client, "/ur" + URL)
    assert html.count("<h1") == 1
    assert 'lang="ur"' in html
    assert "How we tell you" not in html and "Reminders of deadlines" not in html


def test_saving_keeps_the_choices_and_ignores_fixed_boxes(client):
    person = UserFactory(mobile="0300-1234567")
    client.force_login(person)
    # Reminders by SMS only; payments by email and SMS; a (tampered) attempt to turn decision email off.
    response = client.post(
        URL, {"reminder__sms": "on", "payment__email": "on", "payment__sms": "on", "decision__sms": "on"}
    )
    assert response.status_code == 302
    chosen = {(p.kind, p.channel): p.enabled for p in NotificationPreference.objects.filter(user=person)}
    assert chosen[("reminder", "email")] is False and chosen[("reminder", "sms")] is True
    assert chosen[("payment", "sms")] is True and chosen[("general", "email")] is False
    assert ("decision", "email") not in chosen  # always on: never stored
    html = page(client)
    (reminder_email,) = re.findall(r'<input[^>]*name="reminder__email"[^>]*>', html)
    assert "checked" not in reminder_email
    assert "SMS is not available" not in html
