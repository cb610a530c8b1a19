"""The quarterly one-window report (issue #16): the workbook and the PDF on demo-like figures, a
formula-like department or service name escaped, the quarter's boundaries on requests made through the
services, the download centre offering it, and a real Celery worker building it."""

import datetime as dt
import io
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts import roles
from grants.fiscal import FiscalYear
from integrity.models import Department
from onewindow.models import Service
from onewindow.selectors.requests import ServiceFigures
from onewindow.services import requests as services
from reporting.models import ReportJob
from reporting.onewindow_pdf import build_onewindow_pdf
from reporting.onewindow_report import SHEETS, build_onewindow_xlsx, figures_for
from reporting.services import report_job_request
from tests.factories import UserFactory
from tests.onewindow.conftest import (  # noqa: F401 - fixtures, by name
    at,
    department,
    desk,
    monday,
    operator,
    operator_user,
    pdf,
    service,
)

from .helpers import INJECTION, Q1
from .test_celery_worker import real_celery  # noqa: F401 - the worker fixture, by name

pytestmark = pytest.mark.django_db


def figures(department_name: str = "Rescue 1122", service_name: str = "Fire safety certificate") -> list:
    rescue = Department(name=department_name)
    lda = Department(name="Lahore Development Authority")
    fire = ServiceFigures(Service(department=rescue, name=service_name, promised_working_days=10))
    fire.filed, fire.issued, fire.refused, fire.open, fire.within_promise = 4, 2, 1, 1, 2
    fire.working_days = [3, 8, 19]
    noc = ServiceFigures(Service(department=rescue, name="Fire NOC for building plans", promised_working_days=15))
    noc.filed, noc.open = 1, 1
    commercial = ServiceFigures(
        Service(department=lda, name="Commercial use of the building", promised_working_days=30)
    )
    commercial.filed, commercial.issued, commercial.within_promise, commercial.working_days = 1, 1, 0, [34]
    # The selector's order: department name, then service name.
    return [commercial, noc, fire] if department_name > "Lahore" else [noc, fire, commercial]


def pdf_text(path) -> str:
    """The PDF's words, one space apart (table cells come out one per line)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def _values(ws) -> list[list]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def test_the_workbook_has_the_quarters_counts_per_department_and_per_service(tmp_path):
    path = tmp_path / "onewindow.xlsx"
    build_onewindow_xlsx(Q1, path, figures=figures())

    wb = load_workbook(path)
    assert wb.sheetnames == list(SHEETS)
    departments = _values(wb["Departments"])
    assert departments[0] == [
        "Department",
        "Filed",
        "Issued",
        "Refused",
        "Still open",
        "Median working days",
        "Decided within the promise",
        "Share within the promise (%)",
    ]
    assert departments[1] == ["Lahore Development Authority", 1, 1, 0, 0, 34, 0, 0]
    assert departments[2] == ["Rescue 1122", 5, 2, 1, 2, 8, 2, 67]
    assert departments[3] == ["Total", 6, 3, 1, 2, 13.5, 2, 50]
    rows = _values(wb["Services"])
    assert rows[0][:3] == ["Department", "Service", "Promised (working days)"]
    assert rows[2] == ["Rescue 1122", "Fire NOC for building plans", 15, 1, 0, 0, 1, None, 0, None]
    assert rows[3] == ["Rescue 1122", "Fire safety certificate", 10, 4, 2, 1, 1, 8, 2, 67]
    assert rows[4] == ["Total", None, None, 6, 3, 1, 2, 13.5, 2, 50]
    summary = _values(wb["Summary"])
    assert summary[0][0] == "One window: other departments' services — " + Q1.long_label
    assert ["Requests filed", 6] in summary and ["Decided within the promised time", 2] in summary


def test_the_pdf_has_the_same_counts(tmp_path):
    path = tmp_path / "onewindow.pdf"
    build_onewindow_pdf(Q1, path, figures=figures())

    text = pdf_text(path)
    assert "One window: other departments' services" in text
    assert "6 requests filed · 3 issued, 1 refused, 2 still open · 2 decided within the promised time" in text
    assert "Rescue 1122 5 2 1 2 8 2 67" in text
    assert "Total 6 3 1 2 13.5 2 50" in text
    assert "Fire safety certificate 10 4 2 1 1 8 2 67" in text
    assert "Counts only" in text


def test_a_formula_like_department_or_service_name_is_text_in_the_workbook(tmp_path):
    path = tmp_path / "onewindow.xlsx"
    build_onewindow_xlsx(Q1, path, figures=figures(department_name=INJECTION, service_name=INJECTION))

    wb = load_workbook(path)
    assert wb["Departments"]["A2"].value == "'" + INJECTION
    assert wb["Departments"]["A2"].data_type == "s"
    escaped = [cell for row in _values(wb["Services"]) for cell in row[:2] if cell and "HYPERLINK" in str(cell)]
    assert escaped and all(cell == "'" + INJECTION for cell in escaped)


def filed(operator_user, operator, service):  # noqa: F811 - the fixtures' values
    request = services.request_draft(actor=operator_user, service=service, operator=operator)
    services.request_save_answers(actor=operator_user, request=request, answers={"floors": "2", "alarm": "yes"})
    services.request_attach(actor=operator_user, request=request, document_type="lease_agreement", upload=pdf())
    return services.request_submit(actor=operator_user, request=request)


def test_the_quarter_counts_requests_by_the_day_submitted(monday, operator_user, operator, service, desk):  # noqa: F811
    """Through the services, as people would: Q2 FY2026-27 is October to December 2026."""
    with at(dt.date(2026, 9, 28)):
        filed(operator_user, operator, service)  # Q1: not in the quarter
    issued = filed(operator_user, operator, service)
    filed(operator_user, operator, service)  # still open
    with at(dt.date(2026, 12, 9)):
        services.request_start(actor=desk, request=issued)
        services.request_issue(actor=desk, request=issued, number="R1122/0412", issued_on=monday, pdf=pdf())
    quarter = FiscalYear(2026).quarter(2)

    [row] = figures_for(quarter)
    assert (row.service.code, row.filed, row.issued, row.open, row.working_days) == ("fire-safety", 2, 1, 1, [2])

    path = Path(settings.REPORTS_ROOT) / "q2.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    build_onewindow_pdf(quarter, path)
    text = pdf_text(path)
    assert "Fire safety certificate 10 2 1 0 1 2 1 100" in text
    assert "Ayesha" not in text and "Indus Hub" not in text and "R1122/0412" not in text


def test_the_ministry_viewer_asks_for_it_in_the_download_centre(client, django_capture_on_commit_callbacks):
    client.force_login(UserFactory(roles=[roles.MINISTRY_VIEWER]))
    centre = client.get(reverse("reporting:centre"))
    assert ("onewindow", "One window: other departments' services") in centre.context["form"].fields["report"].choices

    with django_capture_on_commit_callbacks(execute=True):  # the build is queued on commit (eager here)
        response = client.post(
            reverse("reporting:start"),
            {"report": "onewindow", "quarter": f"{Q1.fiscal_year.start_year}-1", "format": "xlsx"},
        )

    job = ReportJob.objects.get(kind="onewindow")
    assert response.status_code == 302 and job.state == "done"  # eager in tests
    assert job.download_name == "onewindow-Q1-FY2025-26.xlsx"
    download = client.get(reverse("reporting:download", args=[job.pk]))
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert wb.sheetnames == list(SHEETS)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_on_redis_builds_the_onewindow_report(real_celery):  # noqa: F811 - the fixture
    viewer = UserFactory(roles=[roles.MINISTRY_VIEWER])

    job, created = report_job_request(actor=viewer, kind="onewindow", quarter=Q1, fmt="pdf")

    assert created
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.state in (ReportJob.State.DONE, ReportJob.State.FAILED):
            break
        time.sleep(0.2)
    assert (job.state, job.progress, job.error) == ("done", 100, "")
    path = Path(settings.REPORTS_ROOT) / job.file_path
    assert path.read_bytes()[:5] == b"%PDF-"
