"""A real Celery worker on Redis (not eager) sends the morning staff digest (the beat task
`notifications.digest.send_digests`), once a day whatever the deliveries. Uses the worker fixture of the
report tests: a queue of this process's own, skipped when Redis is not reachable."""

import datetime as dt
import time

import pytest
from django.core import mail
from django.db import OperationalError
from django.utils import timezone

from accounts import roles
from notifications.digest import send_digests
from notifications.kinds import Kind
from notifications.models import DigestSent
from notifications.services import email_delivery_set, notify
from tests.grants.factories import UserFactory
from tests.reporting.test_celery_worker import real_celery  # noqa: F401 - the fixture


def _holds(predicate) -> bool:
    # On SQLite (shared-cache, in memory) a read while the worker's transaction writes is refused at
    # once ("database table is locked") rather than waiting: look again a moment later.
    try:
        return predicate()
    except OperationalError:
        return False


def _wait_for(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not _holds(predicate):
        time.sleep(0.2)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_on_redis_sends_the_morning_digest_once(real_celery):  # noqa: F811
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER], email="digest@pitb.example.pk")
    email_delivery_set(actor=officer, mode="daily")
    notify(recipients=[officer], subject="Payment PAY-1 returned", body="", kind=Kind.PAYMENT)
    time.sleep(1)  # the notification's own email task, if any, has nothing to send to a digest person
    mail.outbox.clear()
    today = timezone.localdate()

    send_digests.delay(today.isoformat())
    _wait_for(lambda: DigestSent.objects.filter(user=officer, day=today).exists() and len(mail.outbox) == 1)
    row = DigestSent.objects.get(user=officer, day=today)
    assert (row.notifications, row.emailed) == (1, True)
    (digest,) = mail.outbox
    assert digest.to == ["digest@pitb.example.pk"] and "Payment PAY-1 returned" in digest.body

    # A second delivery the same morning: the day's row is there, nothing is sent again. A digest for
    # another day, sent after it, proves the worker ran the second task before the check.
    send_digests.delay(today.isoformat())
    tomorrow = today + dt.timedelta(days=1)
    send_digests.delay(tomorrow.isoformat())
    _wait_for(lambda: DigestSent.objects.filter(user=officer, day=tomorrow).exists())
    assert DigestSent.objects.filter(user=officer, day=today).count() == 1
    assert len([m for m in mail.outbox if "Payment PAY-1 returned" in m.body]) == 1
