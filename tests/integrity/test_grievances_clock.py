"""The grievance clocks: a breach of the acknowledgement (2 working days) or the resolution (30 days)
is escalated once to the head of integrity, and a signed-in filer is told of the delay. Time frozen
with time-machine; the beat task is called as Celery would."""

import datetime as dt

import pytest
import time_machine

from audit.models import AuditEvent
from integrity.models import Grievance
from integrity.services import grievances as services
from integrity.tasks import escalate_grievance_breaches
from notifications.models import Notification

from .grievance_fixtures import KARACHI, file_portal, to_state

pytestmark = pytest.mark.django_db


def on(day: dt.date, hour: int = 3):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 20, tzinfo=KARACHI), tick=False)


def test_a_late_acknowledgement_is_escalated_once(
    monday, filer, operator, integrity_officer, head, django_capture_on_commit_callbacks
):
    grievance = file_portal(filer)  # Monday 7 December: acknowledge by Wednesday 9
    with on(dt.date(2026, 12, 9)), django_capture_on_commit_callbacks(execute=True):
        assert escalate_grievance_breaches.apply().get() == 0  # still in time on the due day
    with on(dt.date(2026, 12, 10)), django_capture_on_commit_callbacks(execute=True):
        assert escalate_grievance_breaches.apply().get() == 1
        assert escalate_grievance_breaches.apply().get() == 0  # a second run changes nothing
    grievance.refresh_from_db()
    assert grievance.ack_escalated_at is not None and grievance.escalated_at is None
    to_head = Notification.objects.get(recipient=head)
    assert "GRV-2026-00001 was not acknowledged in time" in to_head.subject
    assert "Rs 50,000" not in to_head.body
    assert not Notification.objects.filter(recipient=integrity_officer, subject__contains="in time").exists()
    to_filer = Notification.objects.get(recipient=filer, subject__contains="taking longer")
    assert "9 December 2026" in to_filer.body
    event = AuditEvent.objects.get(action="grievance.escalated")
    assert (event.actor, event.reason, event.data) == (None, "", {})


def test_a_late_resolution_is_escalated_and_the_ack_breach_was_separate(
    monday, filer, operator, integrity_officer, head, django_capture_on_commit_callbacks
):
    grievance = to_state(file_portal(filer), "investigating", officer=integrity_officer)
    with on(dt.date(2027, 1, 6)), django_capture_on_commit_callbacks(execute=True):
        assert services.grievance_escalate_breaches() == 0  # due 6 January
    with on(dt.date(2027, 1, 7)), django_capture_on_commit_callbacks(execute=True):
        assert services.grievance_escalate_breaches() == 1
        assert services.grievance_escalate_breaches() == 0
    grievance.refresh_from_db()
    assert grievance.escalated_at is not None and grievance.ack_escalated_at is None
    assert Notification.objects.filter(recipient=head, subject__contains="was not resolved in time").count() == 1


def test_a_resolved_or_closed_grievance_is_never_escalated(monday, filer, operator, integrity_officer, head):
    to_state(file_portal(filer), "resolved", officer=integrity_officer)
    to_state(file_portal(filer), "closed", officer=integrity_officer)
    with on(dt.date(2027, 3, 1)):
        assert services.grievance_escalate_breaches() == 0
    assert not Grievance.objects.filter(escalated_at__isnull=False).exists()


def test_the_ack_clock_skips_weekends_and_holidays(db, filer, operator):
    # Filed on Friday 11 December 2026: Monday 14 and Tuesday 15 are the two working days.
    with on(dt.date(2026, 12, 11), 16):
        grievance = file_portal(filer)
    assert grievance.ack_due_on == dt.date(2026, 12, 15)
    with on(dt.date(2026, 12, 24), 16):  # Quaid-e-Azam Day (25 December) is a holiday
        later = file_portal(filer)
    assert later.ack_due_on == dt.date(2026, 12, 29)
