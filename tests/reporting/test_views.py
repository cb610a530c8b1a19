"""The download centre and dashboard: who may come in, what they see, and the download."""

import pytest
import time_machine
from django.urls import reverse

from accounts import roles
from reporting.models import ReportJob
from reporting.services import report_job_request, report_job_run
from tests.factories import UserFactory
from tests.spaces.utilization_helpers import TODAY

from .helpers import Q1, network

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def done_job():
    network()
    builder = UserFactory(roles=[roles.MINISTRY_VIEWER], full_name="Imran Aslam")
    job, _created = report_job_request(actor=builder, kind="utilization", quarter=Q1, fmt="xlsx")
    report_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_a_ministry_viewer_starts_a_report_follows_it_and_downloads_it(client, django_capture_on_commit_callbacks):
    network()
    viewer = UserFactory(roles=[roles.MINISTRY_VIEWER], full_name="Imran Aslam")
    client.force_login(viewer)
    centre = client.get(reverse("reporting:centre"))
    assert centre.status_code == 200
    assert "Q1 FY2025-26 (Jul–Sep 2025)" in centre.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            reverse("reporting:start"), {"report": "utilization", "quarter": "2025-1", "format": "xlsx"}
        )
    job = ReportJob.objects.get()
    assert started.status_code == 302 and started["Location"] == reverse("reporting:job", args=[job.pk])
    page = client.get(started["Location"]).content.decode()
    assert 'value="100"' in page and "Download the report" in page
    assert client.get(reverse("reporting:job", args=[job.pk]) + "?status=1").json() == {
        "state": "done",
        "progress": 100,
    }

    download = client.get(reverse("reporting:download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="utilization-Q1-FY2025-26.xlsx"'
    assert b"".join(download.streaming_content)[:2] == b"PK"

    listing = client.get(reverse("reporting:centre")).content.decode()
    assert "Imran Aslam" in listing and reverse("reporting:download", args=[job.pk]) in listing


def test_a_queued_job_shows_its_progress_and_polls(client):
    viewer = UserFactory(roles=[roles.MINISTRY_VIEWER])
    job, _created = report_job_request(actor=viewer, kind="utilization", quarter=Q1, fmt="pdf")
    ReportJob.objects.filter(pk=job.pk).update(state="running", progress=35)
    client.force_login(viewer)
    page = client.get(reverse("reporting:job", args=[job.pk])).content.decode()
    assert '<progress id="job-progress-bar" max="100" value="35">' in page
    # The page polls through its own static script (no inline script: the Content-Security-Policy).
    assert 'data-active="1"' in page and "js/report-job.js" in page
    from pathlib import Path

    from django.contrib.staticfiles import finders

    assert "fetch(box.dataset.statusUrl" in Path(finders.find("js/report-job.js")).read_text(encoding="utf-8")
    assert client.get(reverse("reporting:download", args=[job.pk])).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (roles.MINISTRY_VIEWER, 200),
        (roles.PROGRAM_OFFICER, 200),
        (roles.OPERATOR, 403),
        (roles.BOARD_REVIEWER, 403),
        (roles.FINANCE_MAKER, 403),
        (roles.EDITOR, 403),
    ],
)
def test_only_ministry_viewers_and_officers_download(client, done_job, role, status):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("reporting:download", args=[done_job.pk])).status_code == status
    assert client.get(reverse("reporting:centre")).status_code == status
    assert client.get(reverse("reporting:dashboard")).status_code == status


def test_anonymous_people_are_sent_to_sign_in(client, done_job):
    response = client.get(reverse("reporting:download", args=[done_job.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unknown_jobs_and_files_outside_the_reports_folder_are_404(client, done_job):
    client.force_login(UserFactory(roles=[roles.MINISTRY_VIEWER]))
    assert client.get(reverse("reporting:download", args=[done_job.pk + 100])).status_code == 404
    ReportJob.objects.filter(pk=done_job.pk).update(file_path="../../etc/passwd")
    assert client.get(reverse("reporting:download", args=[done_job.pk])).status_code == 404


def test_the_dashboard_shows_the_quarter_and_a_trend_chart(client):
    network()
    client.force_login(UserFactory(roles=[roles.MINISTRY_VIEWER]))
    response = client.get(reverse("reporting:dashboard"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "This quarter so far: Q2 FY2025-26 (Oct–Dec 2025)" in body
    assert "Last quarter: Q1 FY2025-26 (Jul–Sep 2025)" in body
    assert "<svg" in body and "<polyline" in body and "<script" not in body
    previous = response.context["before"]
    assert previous.returns == 8
    assert body.count("<tr><td>") >= 15
