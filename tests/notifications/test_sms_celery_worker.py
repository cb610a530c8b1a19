"""A real Celery worker on Redis (not eager) sends a notification's SMS after the notifying transaction
commits, once. Uses the worker fixture of the report tests (tests/reporting/test_celery_worker.py): a
queue of this process's own, skipped when Redis is not reachable."""

import time

import pytest
from django.db import transaction

from notifications import sms
from notifications.kinds import Kind
from notifications.models import Notification
from notifications.services import notify
from notifications.tasks import send_notification_sms
from tests.grants.factories import UserFactory
from tests.reporting.test_celery_worker import real_celery  # noqa: F401 - the fixture


def _wait_for(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.2)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_on_redis_sends_the_sms_after_commit_once(real_celery):  # noqa: F811
    person = UserFactory(mobile="0300-1234567")
    with transaction.atomic():
        (row,) = notify(recipients=[person], subject="Return due", body="", url="/portal/", kind=Kind.REMINDER)
        time.sleep(0.5)
        assert sms.outbox == []  # nothing leaves before the commit
    _wait_for(lambda: Notification.objects.get(pk=row.pk).sms_at is not None)
    assert Notification.objects.get(pk=row.pk).sms_at is not None
    assert [m.to for m in sms.outbox] == ["+923001234567"]
    # A second delivery (a duplicate message) sends nothing again.
    send_notification_sms.delay(row.pk)
    time.sleep(2)
    assert len(sms.outbox) == 1
