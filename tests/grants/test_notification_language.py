"""Each person reads notifications in the language they use the site in, whoever's action sent them."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from core.bilingual import isolated
from grants import services
from notifications.models import Notification
from notifications.services import notify

from .conftest import complete_grant, make_reviewers, to_state
from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_site_remembers_the_language_a_person_uses(client):
    person = UserFactory()
    client.force_login(person)
    client.get("/portal/")
    person.refresh_from_db()
    assert person.language == ""  # English, the default: nothing written
    with translation.override("ur"):
        url = reverse("grants:portal_applications")
    assert url.startswith("/ur/")
    client.get(url)
    person.refresh_from_db()
    assert person.language == "ur"
    client.get("/portal/")
    person.refresh_from_db()
    assert person.language == "en"


def test_a_message_is_rendered_per_recipient_and_a_string_as_given():
    english, urdu = UserFactory(), UserFactory(language="ur")
    with translation.override("en"):
        notify(
            recipients=[english, urdu],
            subject=lambda: translation.gettext("Notifications"),
            body="as given",
            url=reverse("grants:notification_list"),
        )
    rows = {n.recipient_id: n for n in Notification.objects.all()}
    assert rows[english.pk].subject == "Notifications"
    assert rows[urdu.pk].subject != "Notifications" and rows[urdu.pk].subject.strip()
    assert rows[english.pk].body == rows[urdu.pk].body == "as given"
    assert rows[urdu.pk].url.startswith("/ur/") and not rows[english.pk].url.startswith("/ur/")


def test_an_urdu_speaking_operator_hears_of_an_english_officers_action_in_urdu(
    grant_call, operator, space, operator_user, officer
):
    User.objects.filter(pk=operator_user.pk).update(language="ur")
    operator_user.refresh_from_db()
    app = complete_grant(grant_call, operator, space, operator_user)
    services.application_submit(application=app, actor=operator_user)
    Notification.objects.all().delete()
    with translation.override("en"):
        services.application_start_screening(application=app, actor=officer)
    to_operator = Notification.objects.get(recipient=operator_user)
    with translation.override("ur"):
        expected = translation.gettext("Application %(ref)s is being screened") % {"ref": isolated(app.reference)}
    assert to_operator.subject == expected
    assert expected != f"Application {app.reference} is being screened"  # the catalogue has it in Urdu


def test_an_urdu_speaking_officer_hears_of_an_english_operators_submission_in_urdu(
    grant_call, operator, space, operator_user, officer
):
    User.objects.filter(pk=officer.pk).update(language="ur")
    english_officer = UserFactory(roles=["program_officer"], email="english-officer@example.pk")
    User.objects.filter(pk=english_officer.pk).update(language="en")
    app = complete_grant(grant_call, operator, space, operator_user)
    with translation.override("en"):
        services.application_submit(application=app, actor=operator_user)
    in_urdu = Notification.objects.get(recipient=officer)
    in_english = Notification.objects.get(recipient=english_officer)
    with translation.override("ur"):
        expected = translation.gettext("New application %(ref)s to screen") % {"ref": isolated(app.reference)}
    assert expected != f"New application {app.reference} to screen"  # the catalogue has it in Urdu
    assert in_urdu.subject == expected
    assert in_english.subject == f"New application {app.reference} to screen"
    assert in_urdu.url.startswith("/ur/") and not in_english.url.startswith("/ur/")


def test_an_urdu_speaking_reviewer_is_asked_to_review_in_urdu(grant_call, operator, space, operator_user, officer):
    app = to_state(
        complete_grant(grant_call, operator, space, operator_user),
        "in_review",
        operator_user=operator_user,
        officer=officer,
    )
    urdu, english = make_reviewers(2)
    User.objects.filter(pk=urdu.pk).update(language="ur")
    urdu.refresh_from_db()
    with translation.override("en"):
        services.review_assign(application=app, actor=officer, reviewers=[urdu, english])
    with translation.override("ur"):
        expected = translation.gettext("Please review application %(ref)s") % {"ref": isolated(app.reference)}
    assert expected != f"Please review application {app.reference}"  # the catalogue has it in Urdu
    assert Notification.objects.get(recipient=urdu).subject == expected
    assert Notification.objects.get(recipient=english).subject == f"Please review application {app.reference}"
