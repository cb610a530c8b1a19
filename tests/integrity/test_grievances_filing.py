"""Filing a grievance by each channel: the portal, the helpline and the public form; the tracking
number, the follow-up key kept only as a hash, the clocks, and what the integrity office is told."""

import datetime as dt

import pytest
from django.contrib.auth.hashers import check_password

from audit.models import AuditEvent
from integrity.errors import PermissionDenied, ValidationFailed
from integrity.models import Grievance
from integrity.selectors import grievances as selectors
from integrity.services import grievances as services
from notifications.models import Notification

from .grievance_fixtures import file_portal, file_public, pdf

pytestmark = pytest.mark.django_db


def test_an_operator_files_from_the_portal_and_gets_a_tracking_number(
    monday, filer, operator, integrity_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        grievance = file_portal(filer)
        second = file_portal(filer)

    assert grievance.reference == "GRV-2026-00001"
    assert (grievance.state, grievance.channel, grievance.operator) == ("filed", "portal", operator)
    assert grievance.follow_up_key_hash == ""
    # Two working days to acknowledge (Tue 8, Wed 9), thirty days to resolve.
    assert grievance.ack_due_on == dt.date(2026, 12, 9)
    assert grievance.resolve_due_on == dt.date(2027, 1, 6)
    assert second.reference == "GRV-2026-00002"
    told = Notification.objects.get(recipient=integrity_officer, subject__contains="GRV-2026-00001")
    assert "Rs 50,000" not in told.body
    assert Notification.objects.filter(recipient=filer, subject__contains="was received").count() == 2


def test_a_public_filer_gets_a_key_shown_once_and_kept_as_a_hash(monday, db):
    filed = file_public(contact_phone="0300-1112223")

    key = filed.follow_up_key
    assert key and len(key) == 19 and key.count("-") == 3
    grievance = Grievance.objects.get(pk=filed.grievance.pk)
    assert key not in grievance.follow_up_key_hash
    assert check_password(key.replace("-", ""), grievance.follow_up_key_hash)
    assert grievance.filed_by is None and grievance.channel == "public"
    assert selectors.grievance_for_tracking(grievance.reference, key.lower()) == grievance
    assert selectors.grievance_for_tracking(grievance.reference, "AAAA-BBBB-CCCC-DDDD") is None
    assert selectors.grievance_for_tracking("GRV-2026-99999", key) is None


def test_the_helpline_is_typed_in_by_an_integrity_officer_and_marked(monday, integrity_officer, filer):
    filed = services.grievance_file(
        channel="helpline", entered_by=integrity_officer, category="misconduct", what_happened="Caller was shouted at."
    )

    assert filed.grievance.channel == "helpline" and filed.grievance.entered_by == integrity_officer
    assert filed.follow_up_key
    with pytest.raises(PermissionDenied):
        services.grievance_file(channel="helpline", entered_by=filer, category="other", what_happened="x")


def test_a_visit_fills_in_whom_it_concerns(monday, filer, operator, inspector, department):
    grievance = file_portal(filer, official=inspector, department=department)

    assert selectors.has_open_grievance(official_user=inspector, operator=operator)
    assert selectors.retaliation_flag(official_user=inspector, operator=operator)
    assert list(selectors.open_grievances_naming(inspector)) == [grievance]


def test_filing_refuses_what_is_missing_and_another_company(monday, filer, other_filer):
    with pytest.raises(ValidationFailed) as refused:
        services.grievance_file(channel="portal", filed_by=filer, category="nonsense", what_happened=" ")
    assert set(refused.value.field_errors) == {"category", "what_happened"}
    with pytest.raises(PermissionDenied):
        file_portal(filer, operator=other_filer.operators.get())


def test_evidence_is_checked_by_content(monday, filer):
    grievance = file_portal(filer, evidence=[pdf()])
    assert grievance.evidence.get().content_type == "application/pdf"

    from django.core.files.uploadedfile import SimpleUploadedFile

    hostile = SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    with pytest.raises(ValidationFailed) as refused:
        file_portal(filer, evidence=[hostile])
    assert "web page" in str(refused.value.field_errors["evidence"][0])
    assert Grievance.objects.count() == 1


def test_the_filing_event_carries_no_details(monday, filer, inspector):
    grievance = file_portal(filer, official=inspector, official_name_text="Tariq")
    event = AuditEvent.objects.get(object_type="integrity.grievance", object_id=str(grievance.pk))
    assert (event.action, event.reason, event.data) == ("grievance.filed", "", {})
    assert event.object_label == grievance.reference
