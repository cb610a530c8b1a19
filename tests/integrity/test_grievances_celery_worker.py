"""A real Celery worker on Redis (not eager) runs the grievance escalation task end to end, as beat
would queue it. Uses the worker fixture of the report tests (tests/reporting/test_celery_worker.py):
a queue of this process's own, skipped when Redis is not reachable."""

import datetime as dt
import time

import pytest

from integrity.models import Grievance
from notifications.models import Notification
from tests.reporting.test_celery_worker import real_celery  # noqa: F401 - the fixture

from .grievance_fixtures import file_portal


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_on_redis_escalates_a_late_grievance(real_celery, filer, operator, head):  # noqa: F811
    from integrity.tasks import escalate_grievance_breaches

    grievance = file_portal(filer)
    today = grievance.ack_due_on + dt.timedelta(days=1)

    escalate_grievance_breaches.delay(today.isoformat())

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        grievance.refresh_from_db()
        if grievance.ack_escalated_at is not None and Notification.objects.filter(recipient=head).exists():
            break
        time.sleep(0.2)
    assert grievance.ack_escalated_at is not None
    escalated_at = grievance.ack_escalated_at
    # A second delivery (a beat that fires twice) escalates nothing again.
    escalate_grievance_breaches.delay(today.isoformat())
    time.sleep(2)
    grievance = Grievance.objects.get(pk=grievance.pk)
    assert grievance.ack_escalated_at == escalated_at
    assert Notification.objects.filter(recipient=head, subject__contains="not acknowledged in time").count() == 1
