"""A ministry viewer in a real browser: starts the quarterly utilization report, watches its progress
bar move as the build runs, and downloads the workbook."""

import pytest
from openpyxl import load_workbook

from accounts import roles
from reporting.models import ReportJob
from reporting.services import report_job_request, report_job_run
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, UserFactory
from tests.reporting.helpers import Q1, network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_ministry_viewer_builds_and_downloads_the_utilization_report(page, tmp_path, settings):
    settings.REPORTS_ROOT = tmp_path / "reports"
    network()
    viewer = UserFactory(roles=[roles.MINISTRY_VIEWER], email="imran@ministry.example.pk", full_name="Imran Aslam")
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER], full_name="Hamza Iqbal")
    # An officer asked for the same workbook a moment ago; a worker has it 40% done.
    running, _created = report_job_request(actor=officer, kind="utilization", quarter=Q1, fmt="xlsx")
    ReportJob.objects.filter(pk=running.pk).update(state="running", progress=40)

    sign_in(page, viewer.email, PASSWORD)
    page.goto(page.base_url + "/reports/")
    page.get_by_label("Report").select_option("utilization")
    page.get_by_label("Quarter").select_option(label="Q1 FY2025-26 (Jul–Sep 2025)")
    page.get_by_label("Excel workbook").check()
    page.get_by_role("button", name="Start building the report").click()

    page.wait_for_url(f"**/reports/jobs/{running.pk}/")
    assert "already being built" in page.locator(".messages").inner_text()
    bar = page.locator("#job-progress-bar")
    assert bar.get_attribute("value") == "40"
    assert page.locator("#job-state").inner_text().strip() == "Being built"

    # The worker finishes; the page's polling notices and shows the download.
    report_job_run(job_id=running.pk)
    download_link = page.get_by_role("link", name="Download the report")
    download_link.wait_for(timeout=15000)
    assert bar.get_attribute("value") == "100"
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename == "utilization-Q1-FY2025-26.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert load_workbook(saved).sheetnames[0] == "Summary"

    # The finished report is listed with who built it.
    page.goto(page.base_url + "/reports/")
    row = page.locator("tr", has_text="Hamza Iqbal")
    assert "Ready" in row.inner_text()

    # The PDF, built at once in the embedded (eager) set-up.
    page.get_by_label("Quarter").select_option(label="Q1 FY2025-26 (Jul–Sep 2025)")
    page.get_by_label("PDF summary").check()
    page.get_by_role("button", name="Start building the report").click()
    page.get_by_role("link", name="Download the report").wait_for()
    assert ReportJob.objects.get(format="pdf").requested_by == viewer

    page.goto(page.base_url + "/reports/dashboard/")
    assert page.locator("svg.chart").is_visible()


@pytest.mark.parametrize(
    "kind, sheets",
    [("disbursements", ["Summary", "By space", "Payments", "Returned by the bank"]), ("loans", ["Summary", "Loans"])],
)
def test_a_ministry_viewer_downloads_the_money_reports(page, tmp_path, settings, kind, sheets):
    settings.REPORTS_ROOT = tmp_path / "reports"
    network()
    viewer = UserFactory(roles=[roles.MINISTRY_VIEWER], email="imran@ministry.example.pk")

    sign_in(page, viewer.email, PASSWORD)
    page.goto(page.base_url + "/reports/")
    page.get_by_label("Report").select_option(kind)
    page.get_by_label("Quarter").select_option(label="Q1 FY2025-26 (Jul–Sep 2025)")
    page.get_by_label("Excel workbook").check()
    page.get_by_role("button", name="Start building the report").click()

    download_link = page.get_by_role("link", name="Download the report")
    download_link.wait_for(timeout=15000)  # built at once in the embedded (eager) set-up
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename == f"{kind}-Q1-FY2025-26.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert load_workbook(saved).sheetnames == sheets
    assert ReportJob.objects.get(kind=kind).requested_by == viewer
