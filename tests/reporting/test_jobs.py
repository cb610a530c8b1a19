"""Report jobs: one build per request, idempotent runs, atomic files, the quarterly schedule."""

from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied

from accounts import roles
from audit.models import AuditEvent
from grants.fiscal import FiscalYear
from reporting.models import ReportJob
from reporting.services import (
    ReportError,
    available_reports,
    report_file,
    report_job_request,
    report_job_run,
    scheduled_reports_request,
)
from reporting.tasks import build_finished_quarter_reports, build_report
from tests.factories import UserFactory
from tests.spaces.utilization_helpers import TODAY

from .helpers import Q1, network

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def files_of(job) -> list[Path]:
    folder = (Path(settings.REPORTS_ROOT) / job.file_path).parent
    return sorted(p for p in folder.iterdir() if f"job{job.pk}." in p.name)


def test_a_request_builds_once_and_running_the_task_again_changes_nothing(django_capture_on_commit_callbacks):
    network()
    viewer = UserFactory(roles=[roles.MINISTRY_VIEWER])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job, created = report_job_request(actor=viewer, kind="utilization", quarter=Q1, fmt="xlsx")
    assert created and len(callbacks) == 1
    job.refresh_from_db()
    assert (job.state, job.progress, job.attempts) == ("done", 100, 1)
    first = files_of(job)
    assert len(first) == 1 and first[0].stat().st_size == job.size
    assert report_file(job) == first[0].resolve()

    build_report.delay(job.pk)  # a duplicate delivery
    build_report(job.pk)

    job.refresh_from_db()
    assert (job.state, job.attempts) == ("done", 1)
    assert ReportJob.objects.count() == 1
    assert files_of(job) == first
    assert not list(first[0].parent.glob(".*.part"))
    assert AuditEvent.objects.filter(action="report.build").count() == 1


def test_a_second_request_while_queued_joins_the_first():
    viewer = UserFactory(roles=[roles.MINISTRY_VIEWER])
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER])
    job, created = report_job_request(actor=viewer, kind="utilization", quarter=Q1, fmt="pdf")
    again, created_again = report_job_request(actor=officer, kind="utilization", quarter=Q1, fmt="pdf")
    assert created and not created_again and again.pk == job.pk
    other_format, created_other = report_job_request(actor=officer, kind="utilization", quarter=Q1, fmt="xlsx")
    assert created_other and other_format.pk != job.pk


def test_a_redelivered_running_job_is_built_again_into_one_file():
    network()
    viewer = UserFactory(roles=[roles.MINISTRY_VIEWER])
    job, _created = report_job_request(actor=viewer, kind="utilization", quarter=Q1, fmt="xlsx")
    # The worker died mid-build: the job says running and a half-written temporary file is left.
    ReportJob.objects.filter(pk=job.pk).update(state="running", progress=40, attempts=1)
    assert report_job_run(job_id=job.pk) == "done"
    job.refresh_from_db()
    assert (job.state, job.attempts, job.progress) == ("done", 2, 100)
    assert len(files_of(job)) == 1


def test_a_failing_writer_fails_the_job_and_leaves_no_file(monkeypatch):
    viewer = UserFactory(roles=[roles.MINISTRY_VIEWER])
    job, _created = report_job_request(actor=viewer, kind="utilization", quarter=Q1, fmt="xlsx")

    def broken(quarter, path, progress=None):
        Path(path).write_bytes(b"half a file")
        raise RuntimeError("disk full")

    monkeypatch.setattr("reporting.services.writer_for", lambda kind, fmt: broken)
    assert report_job_run(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert job.state == "failed" and "disk full" in job.error and job.file_path == ""
    root = Path(settings.REPORTS_ROOT)
    assert not [p for p in root.rglob(f"*job{job.pk}*")]


def test_who_may_ask_and_what_is_refused():
    with pytest.raises(PermissionDenied):
        report_job_request(actor=UserFactory(roles=[roles.OPERATOR]), kind="utilization", quarter=Q1, fmt="xlsx")
    viewer = UserFactory(roles=[roles.MINISTRY_VIEWER])
    with pytest.raises(ReportError, match="There is no report called audit"):
        report_job_request(actor=viewer, kind="audit", quarter=Q1, fmt="xlsx")
    with pytest.raises(ReportError, match="has not started yet"):
        report_job_request(actor=viewer, kind="utilization", quarter=FiscalYear(2025).quarter(3), fmt="xlsx")
    assert not ReportJob.objects.exists()


def test_the_quarterly_schedule_queues_the_finished_quarter_once(django_capture_on_commit_callbacks):
    network()
    with django_capture_on_commit_callbacks(execute=True):
        first = build_finished_quarter_reports()
    with django_capture_on_commit_callbacks(execute=True):
        second = build_finished_quarter_reports()
    kinds = available_reports()
    assert "disbursements" in kinds and "utilization" in kinds
    assert len(first) == 2 * len(kinds) and second == []
    jobs = ReportJob.objects.order_by("kind", "format")
    assert [(j.kind, j.format, j.fiscal_year, j.quarter, j.scheduled, j.requested_by, j.state) for j in jobs] == [
        (kind, fmt, 2025, 1, True, None, "done") for kind in sorted(kinds) for fmt in ("pdf", "xlsx")
    ]
    # A later day in the same quarter still finds nothing new to do.
    with time_machine.travel("2025-12-20 09:00 +0500", tick=False):
        assert scheduled_reports_request() == []


def test_the_beat_schedule_names_the_task():
    entry = settings.CELERY_BEAT_SCHEDULE["reporting-quarterly-reports"]
    assert entry["task"] == build_finished_quarter_reports.name
    assert entry["schedule"].month_of_year == {1, 4, 7, 10} and entry["schedule"].day_of_month == {1}
