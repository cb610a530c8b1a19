"""A real Celery worker on Redis (not eager) runs the nightly duplicate sweep (the beat task
`matches.tasks.find_duplicates`), and a second delivery stores nothing new. Uses the worker fixture of
the report tests: a queue of this process's own, skipped when Redis is not reachable."""

import time

import pytest

from audit.models import AuditEvent
from matches.models import Match
from matches.tasks import find_duplicates
from tests.reporting.test_celery_worker import real_celery  # noqa: F401 - the fixture

from .conftest import company


def _wait_for(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.2)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_on_redis_runs_the_sweep_and_a_second_run_stores_nothing(real_celery):  # noqa: F811
    shared = "35202-7654321-3"
    a, b = company(principal_cnic=shared), company(principal_cnic=shared)
    company(principal_cnic="35202-7654321-5")  # one digit apart: no match

    find_duplicates.delay()
    _wait_for(lambda: Match.objects.filter(rule="principal_cnic").exists())
    (match,) = Match.objects.filter(rule="principal_cnic")
    assert {match.left_operator_id, match.right_operator_id} == {a.pk, b.pk}
    assert (match.kind, match.state, match.value) == ("confirmed", "open", shared)
    assert AuditEvent.objects.filter(action="match.found").count() == Match.objects.count()

    # The next night, a third company gives the same CNIC: the sweep adds its two pairs and stores the
    # first pair once (found twice, one match), each new match audited once.
    c = company(principal_cnic=shared)
    find_duplicates.delay()
    _wait_for(lambda: Match.objects.filter(rule="principal_cnic").count() >= 3)
    pairs = [frozenset((m.left_operator_id, m.right_operator_id)) for m in Match.objects.filter(rule="principal_cnic")]
    assert sorted(pairs, key=sorted) == sorted(
        [frozenset((a.pk, b.pk)), frozenset((a.pk, c.pk)), frozenset((b.pk, c.pk))], key=sorted
    )
    assert AuditEvent.objects.filter(action="match.found").count() == Match.objects.count()
