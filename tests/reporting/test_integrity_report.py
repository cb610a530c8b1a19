"""The quarterly integrity report (issue #15 D): the workbook and the PDF on demo-like figures, a
formula-like department name escaped, the quarter's boundaries on visits and grievances made through
the services, the download centre offering it, and a real Celery worker building it."""

import datetime as dt
import io
import time
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts import roles
from grants.fiscal import FiscalYear
from integrity.models import Department, Grievance
from integrity.selectors.figures import GrievanceFigures, PeriodFigures
from integrity.selectors.visits import DepartmentVisits
from reporting.integrity_pdf import build_integrity_pdf
from reporting.integrity_report import SHEETS, build_integrity_xlsx, figures_for
from reporting.models import ReportJob
from reporting.services import report_job_request
from tests.factories import UserFactory
from tests.integrity.grievance_fixtures import (
    file_portal,
    file_public,
    filer,  # noqa: F401 - fixtures, by name
)
from tests.integrity.visit_fixtures import (  # noqa: F401 - fixtures, by name
    KARACHI,
    ask,
    ask_and_schedule,
    association,
    at,
    departments,
    inspectors,
    liaison,
    operator_user,
    space,
)

from .helpers import INJECTION, Q1
from .test_celery_worker import real_celery  # noqa: F401 - the worker fixture, by name

pytestmark = pytest.mark.django_db

WHAT_HAPPENED = "He asked for Rs 50,000 to pass the file."


def demo_figures(first_name: str = "Punjab Revenue Authority") -> PeriodFigures:
    pra = DepartmentVisits(Department(name=first_name), registered=3, with_notice=2, urgent=1, joint=2)
    pra.confirmed, pra.money_reports, pra.refused = 2, 1, 1
    lesco = DepartmentVisits(Department(name="LESCO"), registered=1, with_notice=1, joint=1, no_show=1)
    money = GrievanceFigures("Demand for money or a gift", received=2, acknowledged_on_time=1, resolved=1)
    money.resolved_on_time, money.open, money.days_to_resolve = 1, 1, [12]
    delay = GrievanceFigures("Delay without reason", received=1, acknowledged_on_time=1, closed=1)
    total = GrievanceFigures("", received=3, acknowledged_on_time=2, resolved=1, resolved_on_time=1, closed=1, open=1)
    total.days_to_resolve = [12]
    by_department = [GrievanceFigures(first_name, received=2, acknowledged_on_time=1, open=1)]
    return PeriodFigures(
        FiscalYear(2025), [pra, lesco], total, [money, delay], by_department, start=Q1.start, end=Q1.end
    )


def pdf_text(path) -> str:
    """The PDF's words, one space apart (table cells come out one per line)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def _values(ws) -> list[list]:
    return [[cell for cell in row] for row in ws.iter_rows(values_only=True)]


def test_the_workbook_has_the_quarters_counts_per_department_and_per_category(tmp_path):
    path = tmp_path / "integrity.xlsx"
    build_integrity_xlsx(Q1, path, figures=demo_figures())

    wb = load_workbook(path)
    assert wb.sheetnames == list(SHEETS)
    visits = _values(wb["Visits"])
    assert visits[0][:4] == ["Department", "Visits registered", "With notice", "Urgent"]
    assert visits[1] == ["Punjab Revenue Authority", 3, 2, 1, 2, 1, 0, 0, 2, 1]
    assert visits[2] == ["LESCO", 1, 1, 0, 1, 0, 1, 0, 0, 0]
    assert visits[3] == ["Total", 4, 3, 1, 3, 1, 1, 0, 2, 1]
    grievances = [row for row in _values(wb["Grievances"]) if any(v is not None for v in row)]
    assert grievances[0][0] == "Grievances by category"
    assert grievances[2] == ["Demand for money or a gift", 2, 1, 1, 1, 0, 1, 12]
    assert grievances[3] == ["Delay without reason", 1, 1, 0, 0, 1, 0, None]
    assert grievances[4] == ["Total", 3, 2, 1, 1, 1, 1, 12]
    assert grievances[5][0] == "Grievances by department"
    assert grievances[7] == ["Punjab Revenue Authority", 2, 1, 0, 0, 0, 1, None]
    summary = _values(wb["Summary"])
    assert summary[0][0] == "Integrity: visits and grievances — " + Q1.long_label
    assert ["Visits registered", 4] in summary and ["Grievances received", 3] in summary


def test_the_pdf_has_the_same_counts_and_no_names_or_text(tmp_path):
    path = tmp_path / "integrity.pdf"
    build_integrity_pdf(Q1, path, figures=demo_figures())

    text = pdf_text(path)
    assert "Integrity: visits and grievances" in text
    assert "4 visits registered (1 urgent, 3 joint, 1 asked for money)" in text
    assert "3 grievances received, 2 acknowledged on time, 1 resolved on time" in text
    assert "Punjab Revenue Authority 3 2 1 2 1 0 0 2 1" in text
    assert "Demand for money or a gift 2 1 1 1 0 1 12 " in text
    assert "Counts only" in text


def test_a_formula_like_department_name_is_text_in_the_workbook(tmp_path):
    path = tmp_path / "integrity.xlsx"
    build_integrity_xlsx(Q1, path, figures=demo_figures(first_name=INJECTION))

    wb = load_workbook(path)
    assert wb["Visits"]["A2"].value == "'" + INJECTION
    assert wb["Visits"]["A2"].data_type == "s"
    department_rows = [row[0] for row in _values(wb["Grievances"]) if row[0] and "HYPERLINK" in str(row[0])]
    assert department_rows == ["'" + INJECTION]


@pytest.fixture
def people(request):
    """The integrity tests' departments, inspectors, a member space, its liaison and a filer (their
    fixtures, imported above, looked up by name)."""
    return {name: request.getfixturevalue(name) for name in ("departments", "inspectors", "space", "liaison", "filer")}


def test_the_quarter_counts_visits_by_their_day_and_grievances_by_the_day_filed(people):
    """Through the services, as people would: Q2 FY2026-27 is October to December 2026."""
    pra_department, member_space = people["departments"][0], people["space"]
    pra, epa = people["inspectors"][0], people["inspectors"][1]
    monday = dt.datetime(2026, 12, 7, 10, 0, tzinfo=KARACHI)
    with time_machine.travel(dt.datetime(2026, 9, 20, 10, 0, tzinfo=KARACHI), tick=False):
        file_public(department=pra_department)  # Q1: not in the quarter
    with at(monday.date()):
        ask_and_schedule(pra, member_space, dt.date(2026, 12, 14), people["liaison"])
        ask(epa, member_space, dt.date(2027, 1, 11))  # Q3: not in the quarter
        file_portal(people["filer"], department=pra_department)
    quarter = FiscalYear(2026).quarter(2)

    with at(monday.date()):
        figures = figures_for(quarter)

    assert [(row.department.name, row.registered, row.with_notice) for row in figures.visits] == [
        ("Punjab Revenue Authority", 1, 1)
    ]
    assert figures.grievances.received == 1
    assert [(g.label, g.received) for g in figures.grievances_by_category] == [
        (str(Grievance.Category.MONEY_DEMAND.label), 1)
    ]
    assert [(g.label, g.received) for g in figures.grievances_by_department] == [("Punjab Revenue Authority", 1)]

    with at(monday.date()):
        path = Path(settings.REPORTS_ROOT) / "q2.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        build_integrity_pdf(quarter, path)
    text = pdf_text(path)
    assert "Punjab Revenue Authority 1 1 0" in text
    assert WHAT_HAPPENED not in text and "Ayesha" not in text and "Inspector pra" not in text


def test_the_ministry_viewer_asks_for_it_in_the_download_centre(client, django_capture_on_commit_callbacks):
    viewer = UserFactory(roles=[roles.MINISTRY_VIEWER])
    client.force_login(viewer)
    centre = client.get(reverse("reporting:centre"))
    assert ("integrity", "Integrity: visits and grievances") in centre.context["form"].fields["report"].choices

    with django_capture_on_commit_callbacks(execute=True):  # the build is queued on commit (eager here)
        response = client.post(
            reverse("reporting:start"),
            {"report": "integrity", "quarter": f"{Q1.fiscal_year.start_year}-1", "format": "xlsx"},
        )

    job = ReportJob.objects.get(kind="integrity")
    assert response.status_code == 302 and job.state == "done"  # eager in tests
    download = client.get(reverse("reporting:download", args=[job.pk]))
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert wb.sheetnames == list(SHEETS)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_on_redis_builds_the_integrity_report(real_celery):  # noqa: F811 - the fixture
    viewer = UserFactory(roles=[roles.MINISTRY_VIEWER])

    job, created = report_job_request(actor=viewer, kind="integrity", quarter=Q1, fmt="pdf")

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
