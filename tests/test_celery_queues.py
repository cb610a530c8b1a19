"""Issue #23: notifications and report building have their own Celery queues, so a long report never
delays an email; and no task leaves a result in Redis (nothing reads them)."""

import time

import pytest
import redis
from django.conf import settings
from django.core import mail

from accounts import roles
from reporting.models import ReportJob
from reporting.services import report_job_request
from subsidy.celery import app
from tests.factories import UserFactory
from tests.reporting.helpers import Q1, network
from tests.reporting.test_celery_worker import BROKER, _redis_reachable, run_queues, worker_on


def _queue(task: str) -> str:
    return app.amqp.router.route({}, task)["queue"].name


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("notifications.tasks.send_notification_emails", "notifications"),
        ("notifications.tasks.send_notification_sms", "notifications"),
        ("notifications.reminders.send_reminders", "notifications"),
        ("notifications.digest.send_digests", "notifications"),
        ("accounts.tasks.send_verification_email", "notifications"),
        ("reporting.tasks.build_report", "reports"),
        ("spaces.tasks.run_registry_import", "reports"),
        ("matches.tasks.find_duplicates", "reports"),
        ("finance.tasks.payment_mark_sent", "celery"),
        ("audit.tasks.publish_audit_head", "celery"),
    ],
)
def test_tasks_are_routed_to_their_queue(task, queue):
    assert _queue(task) == queue


def test_no_task_result_is_stored():
    assert app.conf.task_ignore_result is True
    assert settings.CELERY_RESULT_BACKEND is None


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_an_email_goes_out_while_a_report_waits_for_its_own_worker():
    if not _redis_reachable():
        pytest.skip(f"Redis is not reachable at {BROKER}; set CELERY_TEST_BROKER_URL (CI starts Redis)")
    from notifications.services import notify

    queues = run_queues()
    network()
    viewer = UserFactory(roles=[roles.MINISTRY_VIEWER])
    person = UserFactory(email="operator@example.pk")
    # Only the notifications worker runs: the report's worker is busy (here: absent).
    with worker_on(queues, serving=["notifications"]):
        job, _created = report_job_request(actor=viewer, kind="utilization", quarter=Q1, fmt="xlsx")
        notify(recipients=[person], subject="Your return is due", body="Please file it.")
        deadline = time.monotonic() + 30
        while not mail.outbox and time.monotonic() < deadline:
            time.sleep(0.2)

        assert [message.to for message in mail.outbox] == [["operator@example.pk"]]
        job.refresh_from_db()
        assert job.state == ReportJob.State.QUEUED
        broker = redis.Redis.from_url(BROKER)
        assert broker.llen(queues["reports"]) == 1
        assert broker.llen(queues["notifications"]) == 0
        assert not list(broker.scan_iter("celery-task-meta-*"))
