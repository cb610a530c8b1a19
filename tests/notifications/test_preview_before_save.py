"""The steward's "Preview" (issue #19): the subject and body as typed, unsaved, rendered in English and
Urdu against a case (the latest notification sent with the notice, a reminder's real case, or sample
values labelled so); nothing is saved or audited; a text with an unknown placeholder or broken markup is
refused with the line at fault, for every notice of the catalogue."""

import re

import pytest
from django.urls import reverse

from accounts import roles
from audit.models import AuditEvent
from grants import messages as grants_messages
from notifications import services
from notifications.models import NotificationTemplate
from tests.grants.factories import UserFactory

pytestmark = pytest.mark.django_db
ADD = "admin:notifications_notificationtemplate_add"
FSI, PDI = "\u2068", "\u2069"


@pytest.fixture
def steward():
    return UserFactory(roles=[roles.DATA_STEWARD], is_staff=True)


def _form(code="", **texts):
    return {"code": code, "subject_en": "", "body_en": "", "subject_ur": "", "body_ur": "", **texts}


def _subjects(html: str) -> list[str]:
    return re.findall(r'<strong data-part="subject">(.*?)</strong>', html)


def _send_withdrawn(ref: str):
    person = UserFactory(roles=[roles.OPERATOR], language="ur")
    subject, body = grants_messages.TO_OPERATOR_WITHDRAWN.render(ref=ref)
    services.notify(recipients=[person], subject=subject, body=body)


def test_preview_renders_the_unsaved_text_against_the_latest_notice_sent_and_saves_nothing(client, steward):
    _send_withdrawn("GR-2026-0007")
    client.force_login(steward)
    response = client.post(
        reverse(ADD),
        _form(
            "grants.TO_OPERATOR_WITHDRAWN", subject_en="Withdrawn: {ref}", subject_ur="واپس لی گئی: {ref}", _preview="1"
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-preview="unsaved"' in html
    english, urdu = _subjects(html)
    assert english == "Withdrawn: GR-2026-0007"
    # The Urdu with the params as they were sent to the Urdu reader (isolated).
    assert urdu == f"واپس لی گئی: {FSI}GR-2026-0007{PDI}"
    assert "Sent " in html and "GR-2026-0007" in html  # the case's label
    # The form is shown again with the texts typed, the notice's placeholders beside it.
    assert 'value="Withdrawn: {ref}"' in html and 'id="notice-help"' in html
    assert not NotificationTemplate.objects.exists()
    assert not AuditEvent.objects.filter(action="notification_template.save").exists()


def test_preview_of_a_notice_never_sent_uses_sample_values_labelled_so(client, steward):
    client.force_login(steward)
    html = client.post(
        reverse(ADD), _form("vouchers.VOUCHER_LAPSED", body_en="{reference} at {space}: {reason}", _preview="1")
    ).content.decode()
    assert "Sample values (this notice has not been sent yet)" in html
    bodies = re.findall(r'<p data-part="body">(.*?)</p>', html)
    assert (
        bodies[0] == "[the voucher&#x27;s or seat claim&#x27;s reference] at [the space&#x27;s name]: [why it lapsed]"
    )
    assert not NotificationTemplate.objects.exists()


def test_preview_refuses_an_unknown_placeholder_or_broken_markup_with_the_line_and_renders_nothing(client, steward):
    client.force_login(steward)
    html = client.post(
        reverse(ADD),
        _form("grants.TO_OPERATOR_WITHDRAWN", body_en="Withdrawn.\nRefund {amount} now.", body_ur="{ref", _preview="1"),
    ).content.decode()
    assert "Line 2: unknown placeholder {amount}; this notice may use {ref}." in html
    assert "Line 1: a “{” is not closed (write {{ for a brace itself)." in html
    assert 'data-preview="refused"' in html and not _subjects(html)
    assert not NotificationTemplate.objects.exists()


def test_preview_on_a_kept_text_changes_nothing_until_saved(client, steward):
    template = services.notification_template_save(
        actor=steward, template=NotificationTemplate(code="grants.TO_OPERATOR_WITHDRAWN", subject_en="Old: {ref}")
    )
    _send_withdrawn("GR-2026-0009")
    client.force_login(steward)
    url = reverse("admin:notifications_notificationtemplate_change", args=[template.pk])
    html = client.post(url, _form(subject_en="New: {ref}", _preview="1")).content.decode()
    assert _subjects(html)[0] == "New: GR-2026-0009"
    template.refresh_from_db()
    assert template.subject_en == "Old: {ref}"
    assert AuditEvent.objects.filter(action="notification_template.save").count() == 1
    # Saved with the same form: now it is kept.
    assert client.post(url, _form(subject_en="New: {ref}")).status_code == 302
    template.refresh_from_db()
    assert template.subject_en == "New: {ref}"


def test_preview_of_a_reminder_uses_its_real_cases_and_the_case_chosen(client, steward):
    import datetime as dt

    from tests.grants.factories import OperatorFactory, SpaceFactory

    operator = OperatorFactory()
    SpaceFactory(operator=operator, name="Alpha Hub", opening_date=dt.date(2025, 1, 1))
    SpaceFactory(operator=operator, name="Beta Hub", opening_date=dt.date(2025, 1, 1))
    client.force_login(steward)
    html = client.post(
        reverse(ADD), _form("return_late", subject_en="LATE {space}", _preview="1", _case="1")
    ).content.decode()
    assert '<option value="1" selected>Beta Hub</option>' in html
    assert _subjects(html)[0] == "LATE Beta Hub"


def test_only_a_data_steward_may_preview_a_draft(client):
    client.force_login(UserFactory(roles=[roles.PROGRAM_OFFICER], is_staff=True))
    response = client.post(reverse(ADD), _form("grants.TO_OPERATOR_WITHDRAWN", subject_en="x {ref}", _preview="1"))
    assert response.status_code == 403
    assert not NotificationTemplate.objects.exists()


def test_the_catalogue_list_offers_every_notice_with_its_kind(client, steward):
    client.force_login(steward)
    html = client.get(reverse("admin:notifications_notificationtemplate_changelist")).content.decode()
    assert "<code>grants.TO_OPERATOR_APPROVED</code>" in html and "<code>return_due_soon</code>" in html
    assert "?code=loans.TO_BORROWER_DISBURSED" in html
    add = client.get(reverse(ADD) + "?code=loans.TO_BORROWER_DISBURSED").content.decode()
    assert "<code>{first}</code> (the first instalment&#x27;s amount)" in add
    assert 'value="loans.TO_BORROWER_DISBURSED" selected' in add
