"""A real Celery worker on Redis (not eager) builds a report end to end.

The worker runs in a thread of this process (celery.contrib.testing.worker) against the broker in
CELERY_TEST_BROKER_URL (CI: redis://127.0.0.1:6379/15), so it uses the test database; the test is
transactional because the worker's connection must see committed rows.
"""

import contextlib
import os
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings

from accounts import roles
from reporting.models import ReportJob
from reporting.services import report_job_request
from subsidy.celery import app
from tests.factories import UserFactory

from .helpers import Q1, network

BROKER = os.environ.get("CELERY_TEST_BROKER_URL") or "redis://127.0.0.1:6379/15"


def _redis_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(BROKER, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _reset_pools() -> None:
    """Forget pools made for another broker URL; Celery finds the one for the current URL on next use
    (kombu keeps one pool per URL, so they are not closed here)."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def real_celery():
    if not _redis_reachable():
        pytest.skip(f"Redis is not reachable at {BROKER}; set CELERY_TEST_BROKER_URL (CI starts Redis)")
    with worker_on(run_queues()):
        yield app


def run_queues() -> dict[str, str]:
    """The production queues (default, notifications, reports), each renamed for this test process:
    another test run on the same Redis (a second checkout, a developer's run beside CI) never takes
    this run's tasks, nor this run theirs; tasks are routed as in production (settings.CELERY_TASK_ROUTES)."""
    prefix = f"test-{os.getpid()}"
    names = (settings.CELERY_TASK_DEFAULT_QUEUE, settings.CELERY_NOTIFICATIONS_QUEUE, settings.CELERY_REPORTS_QUEUE)
    return {name: f"{prefix}-{name}" for name in names}


@contextlib.contextmanager
def worker_on(queues: dict[str, str], serving: list[str] | None = None):
    """A worker in a thread, on Redis, with the queues renamed as `queues` says, consuming `serving`
    (production names; all of them by default)."""
    from celery.contrib.testing.worker import start_worker

    keys = ("broker_url", "task_always_eager", "result_backend", "task_default_queue", "task_routes")
    saved = {key: app.conf[key] for key in keys}
    routes = {pattern: {"queue": queues[route["queue"]]} for pattern, route in settings.CELERY_TASK_ROUTES.items()}
    app.conf.update(
        broker_url=BROKER,
        task_always_eager=False,
        result_backend=None,
        task_default_queue=queues[settings.CELERY_TASK_DEFAULT_QUEUE],
        task_routes=routes,
    )
    _reset_pools()
    served = [queues[name] for name in (serving or list(queues))]
    redis.Redis.from_url(BROKER).delete(*queues.values())  # stale messages of an earlier, interrupted run
    try:
        with start_worker(
            app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=30, queues=served
        ):
            yield app
    finally:
        redis.Redis.from_url(BROKER).delete(*queues.values())
        app.conf.update(saved)
        _reset_pools()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_on_redis_builds_the_report(real_celery):
    network()
    viewer = UserFactory(roles=[roles.MINISTRY_VIEWER])

    job, created = report_job_request(actor=viewer, kind="utilization", quarter=Q1, fmt="xlsx")

    assert created
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.state in (ReportJob.State.DONE, ReportJob.State.FAILED):
            break
        time.sleep(0.2)
    assert (job.state, job.progress, job.error) == ("done", 100, "")
    path = Path(settings.REPORTS_ROOT) / job.file_path
    assert path.is_file() and path.stat().st_size == job.size
    assert path.read_bytes()[:2] == b"PK"
