"""Texts kept by data stewards (issue #19): each notice of the catalogue declares its placeholders; a
steward's text with an unknown placeholder or a brace not closed is refused with the line at fault;
saved through the service, audited, by a data steward only; the code's default is used where no text
is kept; a reminder is rendered from the steward's text in each recipient's language; the preview
renders a notice against a real case."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from accounts import roles
from audit.models import AuditEvent
from core.errors import PermissionDenied, ValidationFailed
from notifications import catalogue, services, sms, templating
from notifications.models import Notification, NotificationTemplate
from notifications.reminders import send_due_reminders
from tests.grants.factories import OperatorFactory, SpaceFactory, UserFactory

pytestmark = pytest.mark.django_db
KARACHI = dt.timezone(dt.timedelta(hours=5))


@pytest.fixture
def steward():
    return UserFactory(roles=[roles.DATA_STEWARD], is_staff=True)


# --- the markup ---------------------------------------------------------------------------------------


def test_an_unknown_placeholder_is_refused_with_its_line():
    text = "The return of {space} is due.\nPay {amount} by {due}."
    assert templating.problems(text, {"space", "month", "due"}) == [
        "Line 2: unknown placeholder {amount}; this notice may use {due}, {month}, {space}."
    ]


def test_broken_markup_is_refused_with_its_line():
    assert templating.problems("Fine {space}\n\nNot {space closed", {"space"}) == [
        "Line 3: a “{” is not closed (write {{ for a brace itself)."
    ]
    assert templating.problems("a } alone", {"space"}) == [
        "Line 1: a “}” has no “{” before it (write }} for a brace itself)."
    ]
    assert templating.problems("{Space Name}", {"space"}) == [
        "Line 1: “{Space Name}” is not a placeholder (a name in small letters, e.g. {ref})."
    ]
    assert templating.problems("one\ntwo", {"space"}, single_line=True) == [
        "Line 2: a subject is one line; remove the line break."
    ]


def test_escaped_braces_and_known_placeholders_are_fine_and_filled():
    text = "{{not a placeholder}} for {space}"
    assert templating.problems(text, {"space"}) == []
    assert templating.fill(text, {"space": "Indus Hub"}) == "{not a placeholder} for Indus Hub"
    # A value is never read as markup.
    assert templating.fill("{space}", {"space": "{ref}"}) == "{ref}"


@pytest.mark.parametrize("entry", catalogue.ENTRIES, ids=lambda e: e.code)
@pytest.mark.parametrize("language", ["en", "ur"])
def test_every_default_uses_only_the_placeholders_its_notice_declares(entry, language):
    with translation.override(language):
        for part in ("subject", "body"):
            text = str(getattr(entry.notice, part))
            assert templating.placeholders_in_percent(text) <= set(entry.placeholders), (entry.code, part)
            # Shown to stewards in their markup, the default passes the same check.
            assert templating.problems(entry.default(part), entry.placeholders) == []


# --- saving: who, what is checked, the audit ---------------------------------------------------------


def test_a_data_steward_saves_a_text_through_the_service_and_it_is_audited(steward):
    template = NotificationTemplate(code="return_due_soon", subject_ur="{space} کی {month} کی رپورٹ {due} تک")
    saved = services.notification_template_save(actor=steward, template=template)
    [event] = AuditEvent.objects.filter(action="notification_template.save", object_id=str(saved.pk))
    assert event.actor_id == steward.pk
    assert "subject_ur" in event.data["fields"] and event.data["created"] is True
    # Saved again unchanged: nothing written.
    services.notification_template_save(actor=steward, template=saved)
    assert AuditEvent.objects.filter(action="notification_template.save").count() == 1


def test_anyone_else_is_refused_and_nothing_is_saved():
    operator = UserFactory(roles=[roles.OPERATOR])
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER], is_staff=True)
    for person in (operator, officer):
        with pytest.raises(PermissionDenied):
            services.notification_template_save(
                actor=person, template=NotificationTemplate(code="return_due_soon", subject_en="Hi {space}")
            )
    assert not NotificationTemplate.objects.exists()
    assert not AuditEvent.objects.filter(action="notification_template.save").exists()


def test_the_service_refuses_an_unknown_placeholder_per_field_with_the_line(steward):
    template = NotificationTemplate(code="return_late", body_en="Dear operator,\nPay {amount} now.")
    with pytest.raises(ValidationFailed) as refused:
        services.notification_template_save(actor=steward, template=template)
    assert refused.value.field_errors["body_en"] == [
        "Line 2: unknown placeholder {amount}; this notice may use {due}, {month}, {space}."
    ]
    assert not NotificationTemplate.objects.exists()


def test_the_admin_form_shows_the_line_at_fault_and_saves_nothing(client, steward):
    client.force_login(steward)
    response = client.post(
        reverse("admin:notifications_notificationtemplate_add"),
        {"code": "award_not_accepted", "subject_en": "Award {sanction}", "body_en": "Accept {sanction\nnow."},
    )
    assert response.status_code == 200
    assert "Line 1: a “{” is not closed" in response.content.decode()
    assert not NotificationTemplate.objects.exists()


def test_the_admin_saves_a_good_text_audited_and_never_deletes(client, steward):
    client.force_login(steward)
    response = client.post(
        reverse("admin:notifications_notificationtemplate_add"),
        {"code": "award_not_accepted", "subject_en": "Please accept award {sanction}", "body_en": ""},
    )
    assert response.status_code == 302
    template = NotificationTemplate.objects.get(code="award_not_accepted")
    assert AuditEvent.objects.filter(action="notification_template.save", actor_id=steward.pk).count() == 1
    listing = client.get(reverse("admin:notifications_notificationtemplate_changelist")).content.decode()
    assert "the code's default" in listing and "kept by a steward" in listing
    delete = client.post(
        reverse("admin:notifications_notificationtemplate_delete", args=[template.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert NotificationTemplate.objects.filter(pk=template.pk).exists()


# --- used when a notice is sent, per recipient language ------------------------------------------------


def test_a_reminder_uses_the_steward_s_text_in_each_recipient_s_language(steward, django_capture_on_commit_callbacks):
    ayesha = UserFactory(roles=[roles.OPERATOR], language="ur", mobile="0300-1234567")
    bilal = UserFactory(roles=[roles.OPERATOR], language="en")
    operator = OperatorFactory(members=[ayesha, bilal])
    SpaceFactory(operator=operator, name="Indus Lahore Hub", opening_date=dt.date(2025, 1, 1))
    services.notification_template_save(
        actor=steward,
        template=NotificationTemplate(
            code="return_due_today",
            subject_ur="آج آخری دن: {space} کی {month} کی رپورٹ",
            body_ur="{space} کی رپورٹ آج {due} تک جمع کریں۔",
        ),
    )
    with (
        time_machine.travel(dt.datetime(2026, 4, 10, 8, 0, tzinfo=KARACHI), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        send_due_reminders()
    urdu = Notification.objects.get(recipient=ayesha)
    english = Notification.objects.get(recipient=bilal)
    # The space's name is isolated in the Urdu text (U+2068 ... U+2069), in the steward's text as in the code's.
    assert urdu.subject.startswith("آج آخری دن: \u2068Indus Lahore Hub\u2069 کی ")
    assert "\u2068Indus Lahore Hub\u2069 کی رپورٹ آج" in urdu.body
    # English was left blank: the code's default, in English.
    assert english.subject == "Utilization return of Indus Lahore Hub for March 2026 due today"
    # The SMS is the subject as the steward wrote it (Ayesha has the mobile).
    (message,) = sms.outbox
    assert message.text.startswith("آج آخری دن: \u2068Indus Lahore Hub")


# --- the preview against a real case --------------------------------------------------------------------


def test_the_preview_renders_a_notice_against_a_real_case_in_both_languages(client, steward):
    operator = OperatorFactory()
    SpaceFactory(operator=operator, name="Multan Tech Loft", opening_date=dt.date(2025, 1, 1))
    services.notification_template_save(
        actor=steward,
        template=NotificationTemplate(code="return_late", subject_en="LATE: {space}, {month}"),
    )
    client.force_login(steward)
    html = client.get(
        reverse("admin:notifications_notificationtemplate_preview", args=["return_late"])
    ).content.decode()
    assert '<option value="0" selected>Multan Tech Loft</option>' in html
    subjects = re.findall(r'<strong data-part="subject">(.*?)</strong>', html)
    assert subjects[0].startswith("LATE: Multan Tech Loft, ")
    assert "Multan Tech Loft" in subjects[1] and any("\u0600" <= ch <= "\u06ff" for ch in subjects[1])  # the default


def test_the_preview_is_for_stewards_only_and_knows_its_notices(client, steward):
    client.force_login(UserFactory(roles=[roles.PROGRAM_OFFICER], is_staff=True))
    assert (
        client.get(reverse("admin:notifications_notificationtemplate_preview", args=["return_late"])).status_code == 403
    )
    client.force_login(steward)
    assert client.get(reverse("admin:notifications_notificationtemplate_preview", args=["gossip"])).status_code == 404
    # No case in the data and none sent yet: sample values, labelled so.
    empty = client.get(reverse("admin:notifications_notificationtemplate_preview", args=["review_due"])).content
    assert "Sample values (this notice has not been sent yet)" in empty.decode()
    assert "[the application&#x27;s reference]" in empty.decode()
