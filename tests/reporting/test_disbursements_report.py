"""The quarterly disbursements report: the workbook, the PDF, the command and the download centre,
each checked against the database on money moved through the finance services."""

from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts import roles
from grants import services as grants_services
from reporting.disbursements_pdf import build_disbursements_pdf
from reporting.disbursements_report import DETAIL_COLUMNS, MONEY_COLUMNS, SHEETS, build_disbursements_xlsx
from reporting.models import ReportJob
from tests.factories import UserFactory
from tests.grants.conftest import complete_utility, ensure_allocation, to_state
from tests.grants.factories import CallFactory, OperatorFactory, SpaceFactory, UtilityProgramFactory
from tests.spaces.utilization_helpers import TODAY

from .disbursement_helpers import INJECTION, at, database_figures, disbursements, pay
from .helpers import Q1

pytestmark = pytest.mark.django_db

FMT_PKR = "#,##0.00;[Red]-#,##0.00"
FIGURES = [str(h) for h, *_rest in MONEY_COLUMNS]


def money(value) -> Decimal:
    """A number read back from the workbook, as exact rupees and paisa."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


@pytest.fixture
def data():
    return disbursements()


@pytest.fixture
def workbook(data, tmp_path):
    path = tmp_path / "q1.xlsx"
    progress = []
    with time_machine.travel(TODAY, tick=False):
        build_disbursements_xlsx(Q1, path, progress=progress.append)
    wb = load_workbook(path)
    wb.progress = progress
    return wb


def summary_table(ws, heading: str) -> dict[tuple, dict]:
    """The rows of a summary table under `heading`, keyed by their labels, as {figure: value}."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == heading)
    header = rows[start + 1]
    table = {}
    for row in rows[start + 2 :]:
        if row[0] is None:
            break
        table[tuple(v for v in row[:2] if v is not None)] = dict(zip(header[2:], row[2:], strict=True))
    return table


def test_sheets_headers_frozen_rows_filters_and_formats(workbook):
    assert workbook.sheetnames == list(SHEETS)
    payments = workbook["Payments"]
    assert [c.value for c in payments[1]] == [str(h) for h, _w in DETAIL_COLUMNS]
    assert payments.freeze_panes == "B2"
    assert payments.auto_filter.ref == "A1:N4"
    assert payments.column_dimensions["L"].width == 40
    first = payments[2]
    assert first[1].is_date and first[1].number_format == "yyyy-mm-dd"
    assert first[13].number_format == FMT_PKR and first[13].data_type == "n"
    summary = workbook["Summary"]
    assert summary["A1"].value == "Disbursements — Q1 FY2025-26 (Jul–Sep 2025)"
    assert summary.freeze_panes == "A4"
    assert len(summary._charts) == 1
    texts = [row[0] for row in summary.iter_rows(values_only=True) if row[0]]
    assert any(t.startswith("Outstanding = committed − paid to date") for t in texts)
    assert any("returned is not paid" in t for t in texts)
    by_space = workbook["By space"]
    assert by_space.freeze_panes == "E2" and by_space.auto_filter.ref == "A1:J3"
    assert workbook.progress[-1] == 95


def test_totals_equal_the_database_to_the_paisa(workbook):
    expected = database_figures()
    assert expected["paid_in_quarter"] == Decimal("3150000.50")  # the scenario is what the test thinks
    summary = workbook["Summary"]
    for heading in ("By program", "By instrument", "By division", "By district"):
        total = summary_table(summary, heading)[("Total",)]
        assert money(total["Committed (PKR)"]) == expected["committed"], heading
        assert money(total["Paid in the quarter (PKR)"]) == expected["paid_in_quarter"], heading
        assert total["Payments in the quarter"] == expected["payments_in_quarter"], heading
        assert money(total["Paid to date (PKR)"]) == expected["paid_to_date"], heading
        assert money(total["Outstanding (PKR)"]) == expected["outstanding"], heading
    programs = summary_table(summary, "By program")
    assert money(programs[("Growth Grant", "Grant")]["Outstanding (PKR)"]) == Decimal("2000000.00")
    assert money(programs[("Soft Loan", "Soft loan")]["Paid in the quarter (PKR)"]) == Decimal("1000000.00")
    divisions = summary_table(summary, "By division")
    assert money(divisions[("Multan",)]["Committed (PKR)"]) == Decimal("1000000.00")
    # The Payments sheet adds up to the same money, row by row.
    amounts = [money(r[13]) for r in workbook["Payments"].iter_rows(min_row=2, values_only=True)]
    assert sum(amounts) == expected["paid_in_quarter"] and len(amounts) == expected["payments_in_quarter"]
    # So does the By space sheet.
    spaces = list(workbook["By space"].iter_rows(min_row=2, values_only=True))
    assert sum(money(r[6]) for r in spaces if r[0] not in (None, "Total")) == expected["paid_in_quarter"]
    assert money(spaces[-1][9]) == expected["outstanding"]


def test_only_payments_paid_in_the_quarter_in_pakistan_time_are_listed(workbook, data):
    payments = list(workbook["Payments"].iter_rows(min_row=2, values_only=True))
    listed = {r[0] for r in payments}
    assert listed == {data["paid_grant"].reference, data["unassigned"].reference, data["loan_payment"].reference}
    # 1 October 00:10 in Pakistan is still 30 September in UTC: outside Q1. 30 September 23:30 is in.
    assert data["after"].reference not in listed
    loan_row = next(r for r in payments if r[0] == data["loan_payment"].reference)
    assert loan_row[1].date().isoformat() == "2025-09-30"
    assert loan_row[7:11] == ("Soft Loan", "Soft loan", data["loan"].reference, data["loan"].award.sanction_number)
    # The payment the bank returned is not paid: on its own sheet, not in the totals.
    returned = list(workbook["Returned by the bank"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[8], money(r[9])) for r in returned] == [
        (data["returned"].reference, "Account closed", Decimal("75000.00"))
    ]


def test_a_payment_without_an_application_is_kept_as_unassigned(workbook, data):
    row = next(
        r for r in workbook["Payments"].iter_rows(min_row=2, values_only=True) if r[0] == data["unassigned"].reference
    )
    assert row[7:10] == ("Unassigned", "Unassigned", None)
    assert money(row[13]) == Decimal("150000.50")
    unassigned = summary_table(workbook["Summary"], "By program")[("Unassigned", "Unassigned")]
    assert money(unassigned["Paid in the quarter (PKR)"]) == Decimal("150000.50")
    assert unassigned["Committed (PKR)"] == 0 and unassigned["Outstanding (PKR)"] == 0


def test_a_formula_like_narration_is_written_as_text(workbook):
    cells = [row[11] for row in workbook["Payments"].iter_rows(min_row=2)]
    assert "'" + INJECTION in [c.value for c in cells]
    for cell in cells:
        assert cell.data_type == "s" and not str(cell.value).startswith("=")


def test_the_pdf_opens_with_the_quarter_and_its_totals(data, tmp_path):
    path = tmp_path / "q1.pdf"
    with time_machine.travel(TODAY, tick=False):
        build_disbursements_pdf(Q1, path)
    assert path.read_bytes().startswith(b"%PDF")
    reader = PdfReader(path)
    assert len(reader.pages) >= 1
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Disbursements — Q1 FY2025-26 (Jul–Sep 2025)" in text
    assert "3,150,000.50" in text and "5,000,000.00" in text and "2,000,000.00" in text
    assert "By district" in text and "Multan" in text


def test_the_command_builds_the_workbook_and_the_pdf(data, tmp_path):
    out = tmp_path / "q1.xlsx"
    with time_machine.travel(TODAY, tick=False):
        call_command(
            "build_report", "--report", "disbursements", "--fy", "2025-26", "--quarter", "1", "--output", str(out)
        )
        pdf = tmp_path / "q1.pdf"
        call_command(
            "build_report", "--report", "disbursements", "--fy", "2025-26", "--quarter", "1", "--output", str(pdf)
        )
    wb = load_workbook(out)
    assert wb.sheetnames == list(SHEETS)
    total = summary_table(wb["Summary"], "By program")[("Total",)]
    assert money(total["Paid in the quarter (PKR)"]) == database_figures()["paid_in_quarter"]
    assert PdfReader(pdf).pages
    assert not list(tmp_path.glob(".*part"))


def test_the_download_centre_builds_and_serves_it(client, data, django_capture_on_commit_callbacks):
    viewer = UserFactory(roles=[roles.MINISTRY_VIEWER])
    client.force_login(viewer)
    with time_machine.travel(TODAY, tick=False):
        assert "Disbursements" in client.get(reverse("reporting:centre")).content.decode()
        for fmt in ("xlsx", "pdf"):
            with django_capture_on_commit_callbacks(execute=True):
                started = client.post(
                    reverse("reporting:start"), {"report": "disbursements", "quarter": "2025-1", "format": fmt}
                )
            assert started.status_code == 302
    jobs = {job.format: job for job in ReportJob.objects.filter(kind="disbursements")}
    assert {fmt: job.state for fmt, job in jobs.items()} == {"xlsx": "done", "pdf": "done"}
    download = client.get(reverse("reporting:download", args=[jobs["xlsx"].pk]))
    assert download["Content-Disposition"] == 'attachment; filename="disbursements-Q1-FY2025-26.xlsx"'
    assert b"".join(download.streaming_content)[:2] == b"PK"
    pdf = client.get(reverse("reporting:download", args=[jobs["pdf"].pk]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_a_utility_enrolment_is_one_row_several_spaces_and_its_claims_keep_their_space(tmp_path):
    """A utility enrolment has no single space (each connection has its own): its commitment and
    payments sit in one "Several spaces" row by geography; the Payments sheet names the space paid for."""

    people = {
        "officer": UserFactory(roles=[roles.PROGRAM_OFFICER]),
        "maker": UserFactory(roles=[roles.FINANCE_MAKER]),
        "checker": UserFactory(roles=[roles.FINANCE_CHECKER]),
    }
    operator_user = UserFactory(roles=[roles.OPERATOR])
    operator = OperatorFactory(members=[operator_user])
    space = SpaceFactory(operator=operator, code="GRW-801", division="Gujranwala", district="Sialkot")
    with time_machine.travel(at(2025, 7, 3, 10), tick=False):
        call = CallFactory(program=UtilityProgramFactory(code="US", name="Power Relief", slug="power-relief"))
        enrolment = complete_utility(call, operator, [space], operator_user)
        enrolment = to_state(enrolment, "in_review", operator_user=operator_user, officer=people["officer"])
        ensure_allocation(call.program)
        award = grants_services.application_approve_delegated(application=enrolment, actor=people["officer"])
    connection = enrolment.connections.get()
    pay(
        connection,
        payee=operator,
        amount=Decimal("90000.00"),
        people=people,
        when=at(2025, 8, 25, 12),
        application=enrolment,
        space=space,
    )
    path = tmp_path / "q1.xlsx"
    with time_machine.travel(TODAY, tick=False):
        build_disbursements_xlsx(Q1, path)
    wb = load_workbook(path)
    divisions = summary_table(wb["Summary"], "By division")
    several = divisions[("Several spaces",)]
    assert money(several["Committed (PKR)"]) == award.amount
    assert money(several["Paid in the quarter (PKR)"]) == Decimal("90000.00")
    assert money(several["Outstanding (PKR)"]) == award.amount - Decimal("90000.00")
    assert ("Gujranwala",) not in divisions
    programs = summary_table(wb["Summary"], "By program")
    assert money(programs[("Power Relief", "Utility subsidy")]["Paid in the quarter (PKR)"]) == Decimal("90000.00")
    (payment,) = wb["Payments"].iter_rows(min_row=2, values_only=True)
    assert payment[3:7] == ("GRW-801", space.name, "Sialkot", "Gujranwala")
