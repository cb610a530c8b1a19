"""The quarterly utilization report: the workbook and the PDF, checked against the database."""

import datetime as dt

import pytest
import time_machine
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting.utilization_pdf import build_utilization_pdf
from reporting.utilization_report import DETAIL_COLUMNS, SHEETS, TOTAL_COLUMNS, build_utilization_xlsx
from tests.spaces.utilization_helpers import TODAY

from .helpers import INJECTION, Q1, network, quarter_sums

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def workbook(tmp_path):
    data = network()
    path = tmp_path / "q1.xlsx"
    progress = []
    build_utilization_xlsx(Q1, path, progress=progress.append)
    wb = load_workbook(path)
    wb.progress = progress
    wb.data = data
    return wb


def test_sheets_and_detail_headers(workbook):
    assert workbook.sheetnames == list(SHEETS)
    detail = workbook["Spaces by month"]
    assert [c.value for c in detail[1]] == [str(h) for h, _f, _w in DETAIL_COLUMNS]
    assert detail.max_row == 1 + 8  # 3 spaces × 3 months, less Multan's September
    assert detail.freeze_panes == "E2"
    assert detail.auto_filter.ref == "A1:S9"
    assert workbook.progress and workbook.progress[-1] == 95


def test_summary_totals_equal_the_database(workbook):
    summary = workbook["Summary"]
    assert summary["A1"].value == "Space utilization — Q1 FY2025-26 (Jul–Sep 2025)"
    headers = [c.value for c in summary[5]]
    assert headers[2:] == [str(h) for h, *_rest in TOTAL_COLUMNS]
    rows = {r[0]: r for r in summary.iter_rows(min_row=6, max_row=8, values_only=True)}
    assert set(rows) == {"Lahore", "Multan", "Punjab"}
    total = rows["Punjab"]
    sums = quarter_sums()
    by_header = dict(zip(headers, total, strict=True))
    assert by_header["Returns"] == 8
    assert by_header["Seats offered"] == sums["seats_offered"]
    assert by_header["Seat-days used"] == sums["seat_days_used"]
    assert by_header["Women members"] == sums["women_members"]
    assert by_header["Meeting-room hours booked"] == sums["meeting_room_hours_booked"]
    assert by_header["Utilization"] == pytest.approx(sums["seat_days_used"] / sums["seat_days_available"])
    assert by_header["Occupancy"] == pytest.approx(sums["seats_allotted"] / sums["seats_offered"])
    # The detail sheet adds up to the same figures.
    detail = list(workbook["Spaces by month"].iter_rows(min_row=2, values_only=True))
    assert sum(r[10] for r in detail) == sums["seat_days_used"]
    assert sum(r[6] for r in detail) == sums["seats_offered"]
    assert len(summary._charts) == 1
    assert summary.freeze_panes == "A6"


def test_number_formats_dates_and_percentages(workbook):
    detail = workbook["Spaces by month"]
    row = detail[2]
    assert row[0].number_format == "mmm yyyy" and row[0].is_date
    assert row[0].value.date() == dt.date(2025, 7, 1)
    assert row[8].number_format == "0.0%" and row[11].number_format == "0.0%"
    assert row[18].is_date and row[18].number_format == "yyyy-mm-dd hh:mm"
    summary = workbook["Summary"]
    assert summary.cell(row=6, column=5).number_format == "#,##0"
    assert summary.cell(row=6, column=7).number_format == "0.0%"


def test_a_formula_like_space_name_is_written_as_text(workbook):
    detail = workbook["Spaces by month"]
    names = [r[4] for r in detail.iter_rows(min_row=2, values_only=True)]
    assert "'" + INJECTION in names
    for row in detail.iter_rows(min_row=2):
        assert row[4].data_type == "s"
        assert not str(row[4].value).startswith("=")


def test_spaces_that_did_not_file_are_listed(workbook):
    missing = list(workbook["Did not file"].iter_rows(min_row=2, values_only=True))
    assert [(r[0].date(), r[3]) for r in missing] == [(dt.date(2025, 9, 1), "MUX-503")]


def test_the_pdf_opens_and_shows_the_quarter(tmp_path):
    network()
    path = tmp_path / "q1.pdf"
    build_utilization_pdf(Q1, path)
    text = "".join(page.extract_text() for page in PdfReader(path).pages)
    assert "Space utilization — Q1 FY2025-26 (Jul–Sep 2025)" in text
    assert "By division" in text and "Multan" in text
    sums = quarter_sums()
    assert f"{sums['seat_days_used']:,}" in text


def test_the_command_builds_the_report(tmp_path):
    network()
    out = tmp_path / "q1.xlsx"
    call_command("build_report", "--report", "utilization", "--fy", "2025-26", "--quarter", "1", "--output", str(out))
    assert load_workbook(out).sheetnames == list(SHEETS)
    pdf = tmp_path / "q1.pdf"
    call_command("build_report", "--report", "utilization", "--fy", "FY2025-26", "--quarter", "1", "--output", str(pdf))
    assert PdfReader(pdf).pages
    assert not list(tmp_path.glob(".*part"))
    with pytest.raises(CommandError, match="Not a fiscal year"):
        call_command("build_report", "--report", "utilization", "--fy", "25-26", "--quarter", "1", "--output", str(out))
