"""Issue #23: a read replica for bulk reads, off by default. Inside reading_from_replica() reads go to
the `replica` database when one is configured; writes always go to the primary; without a replica
nothing changes."""

import pytest
from django.db import router

from accounts.models import User
from core.replica import ReplicaRouter, reading_from_replica


def test_without_a_replica_everything_reads_the_primary(settings):
    assert "replica" not in settings.DATABASES
    with reading_from_replica():
        assert router.db_for_read(User) == "default"


@pytest.fixture
def with_replica(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": {**settings.DATABASES["default"]}}
    return ReplicaRouter()


def test_bulk_reads_go_to_the_replica_and_writes_to_the_primary(with_replica):
    assert with_replica.db_for_read(User) is None  # outside: the primary, as Django chooses
    with reading_from_replica():
        assert with_replica.db_for_read(User) == "replica"
        assert with_replica.db_for_write(User) == "default"
    assert with_replica.db_for_read(User) is None


def test_migrations_run_on_the_primary_only(with_replica):
    assert with_replica.allow_migrate("default", "grants") is True
    assert with_replica.allow_migrate("replica", "grants") is False


@pytest.mark.django_db
def test_a_report_job_reads_its_rows_inside_the_replica_context(monkeypatch):
    import reporting.services as services
    from accounts import roles
    from core import replica
    from tests.factories import UserFactory
    from tests.reporting.helpers import Q1, network

    network()
    job, _created = services.report_job_request(
        actor=UserFactory(roles=[roles.MINISTRY_VIEWER]), kind="utilization", quarter=Q1, fmt="xlsx"
    )
    seen = []

    def write_report_file(**kwargs):
        seen.append(replica._on_replica.get())
        kwargs["final"].parent.mkdir(parents=True, exist_ok=True)
        kwargs["final"].write_bytes(b"PK")
        return 2

    monkeypatch.setattr(services, "write_report_file", write_report_file)

    assert services.report_job_run(job_id=job.pk) == "done"
    assert seen == [True] and replica._on_replica.get() is False
