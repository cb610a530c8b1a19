"""Every transition leaves an audit event (from, to, reason) and tells the right people, after commit."""

import pytest
from django.core import mail

from audit.models import AuditEvent
from audit.selectors import audit_events_for
from grants import services
from notifications.models import Notification

from .conftest import complete_grant, decide, review_fully, to_state

pytestmark = pytest.mark.django_db


def test_audit_event_per_transition(grant_call, operator, space, operator_user, officer, chair):
    app = complete_grant(grant_call, operator, space, operator_user)
    app = services.application_submit(application=app, actor=operator_user)
    app = services.application_start_screening(application=app, actor=officer)
    services.application_request_information(application=app, actor=officer, question="Lease deed?")
    services.application_answer_information(application=app, actor=operator_user, answer="Attached.")
    services.application_send_to_review(application=app, actor=officer)
    review_fully(app, officer=officer)
    decide(app, chair, "reject", reasons="Quota reached.")
    transitions = [
        (e.action, e.from_state, e.to_state, e.actor_id, e.reason)
        for e in audit_events_for(app)
        if e.from_state != e.to_state
    ]
    assert transitions == [
        ("application.create", "", "draft", operator_user.pk, ""),
        ("application.submit", "draft", "submitted", operator_user.pk, ""),
        ("application.start_screening", "submitted", "screening", officer.pk, ""),
        ("application.request_information", "screening", "info_requested", officer.pk, "Lease deed?"),
        ("application.answer_information", "info_requested", "screening", operator_user.pk, ""),
        ("application.send_to_review", "screening", "in_review", officer.pk, ""),
        # Completed by the last review: recorded as the system's, so the operator's timeline names no reviewer.
        ("application.recommend", "in_review", "recommended", None, ""),
        ("application.reject", "recommended", "rejected", chair.pk, "Quota reached."),
    ]
    # Section saves and uploads are recorded too, without a change of state.
    edits = {e.action for e in audit_events_for(app) if e.from_state == e.to_state}
    assert edits == {
        "application.assign_reviewers",
        "application.save_grant_details",
        "application.save_budget_lines",
        "application.save_milestones",
        "application.upload_document",
    }
    review = AuditEvent.objects.get(action="application.send_to_review")
    assert review.data["eligibility"] == {
        "operator_verified": True,
        "space_in_punjab": True,
        "amount_within_limits": True,
        "documents_present": True,
        "one_open_application": True,
        "certificate_held": True,  # the program requires no other department's certificate
    }


def test_notifications_written_and_emailed_after_commit(
    grant_call, operator, space, operator_user, officer, django_capture_on_commit_callbacks
):
    app = complete_grant(grant_call, operator, space, operator_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.application_submit(application=app, actor=operator_user)
    # Rows exist in the transaction; the email waits for the commit.
    assert Notification.objects.filter(
        recipient=operator_user, subject=f"Application {app.reference} submitted"
    ).exists()
    assert Notification.objects.filter(recipient=officer, subject=f"New application {app.reference} to screen").exists()
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([operator_user.email, officer.email])
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0


def test_information_request_reaches_operator_with_the_question(
    grant_call, operator, space, operator_user, officer, django_capture_on_commit_callbacks
):
    app = to_state(
        complete_grant(grant_call, operator, space, operator_user),
        "screening",
        operator_user=operator_user,
        officer=officer,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.application_request_information(application=app, actor=officer, question="Send the lease deed.")
    note = Notification.objects.get(recipient=operator_user, subject__endswith="information requested")
    assert "Send the lease deed." in note.body
    assert mail.outbox[-1].to == [operator_user.email]
    assert "Send the lease deed." in mail.outbox[-1].body


def test_refused_transition_sends_nothing(grant_call, operator, space, operator_user, other_operator_user):
    app = complete_grant(grant_call, operator, space, operator_user)
    before = Notification.objects.count()
    with pytest.raises(services.PermissionDenied):
        services.application_submit(application=app, actor=other_operator_user)
    assert Notification.objects.count() == before
