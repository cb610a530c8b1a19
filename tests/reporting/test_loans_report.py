"""The quarterly loan-portfolio report: the writer on plain rows (the row protocol), then on loans
disbursed and repaid through the loans and finance services, checked against the loan book's own
totals (loans.selectors.portfolio_totals), by the command and through the download centre."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts import roles
from loans.selectors import portfolio_totals
from reporting.loans_pdf import build_loans_pdf
from reporting.loans_report import DETAIL_COLUMNS, SHEETS, build_loans_xlsx
from reporting.models import ReportJob
from tests.factories import UserFactory
from tests.grants.factories import CallFactory, LoanProgramFactory, OperatorFactory, SpaceFactory
from tests.loans.conftest import disburse, repay
from tests.spaces.utilization_helpers import TODAY

from .helpers import Q1

pytestmark = pytest.mark.django_db

INJECTION = "=1+2"
AS_OF = dt.date(2025, 9, 30)


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def row(sanction, *, division="Lahore", district="Lahore", program="Soft Loan", outstanding, dpd, bucket, **extra):
    values = {
        "sanction_number": sanction,
        "program_name": program,
        "operator": "Indus Hub Coworking (Pvt.) Ltd.",
        "space_code": "LHR-001",
        "space_name": "Indus Lahore Hub",
        "district": district,
        "division": division,
        "disbursed_amount": Decimal("1000000.00"),
        "disbursed_on": dt.date(2025, 7, 10),
        "principal_repaid": Decimal("1000000.00") - outstanding,
        "interest_repaid": Decimal("4166.67"),
        "outstanding_principal": outstanding,
        "days_past_due": dpd,
        "bucket": bucket,
        "state": "active",
        "written_off": Decimal("0.00"),  # loans.selectors.PortfolioRow's (issue #22)
    }
    values.update(extra)
    return SimpleNamespace(**values)


PLAIN_ROWS = [
    row("SAN-SL-2025-00001", outstanding=Decimal("900000.00"), dpd=0, bucket="current"),
    row("SAN-SL-2025-00002", outstanding=Decimal("800000.50"), dpd=30, bucket="1_30"),
    row(
        "SAN-SL-2025-00003",
        outstanding=Decimal("700000.00"),
        dpd=31,
        bucket="31_60",
        division="Multan",
        district="Multan",
        operator=INJECTION,
    ),
    row(
        "SAN-SL-2025-00004",
        outstanding=Decimal("600000.00"),
        dpd=120,
        bucket="90_plus",
        division="Multan",
        district="Vehari",
        disbursed_on=dt.date(2025, 6, 1),
    ),
    # Closed before the date: disbursed and repaid count, nothing is outstanding.
    row("SAN-SL-2024-00009", outstanding=Decimal("0.00"), dpd=0, bucket="current", state="closed"),
]


def summary_rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def table(ws, heading: str) -> dict[tuple, tuple]:
    rows = summary_rows(ws)
    start = next(i for i, r in enumerate(rows) if r[0] == heading)
    out = {}
    for r in rows[start + 2 :]:
        if r[0] is None:
            break
        out[tuple(v for v in r[:2] if v is not None and not isinstance(v, int | float))] = r
    return out


@pytest.fixture
def plain_workbook(tmp_path):
    path = tmp_path / "loans.xlsx"
    with time_machine.travel(TODAY, tick=False):
        build_loans_xlsx(Q1, path, rows=PLAIN_ROWS)
    return load_workbook(path)


def test_the_writer_adds_up_arrears_buckets_and_par30(plain_workbook):
    summary = plain_workbook["Summary"]
    assert summary["A1"].value == "Loan portfolio — Q1 FY2025-26 (Jul–Sep 2025)"
    assert summary["A2"].value.startswith("As at 30 September 2025.")
    buckets = table(summary, "Arrears by bucket")
    outstanding = Decimal("3000000.50")
    assert [(k[0], v[1], money(v[2])) for k, v in buckets.items()] == [
        ("Current", 2, Decimal("900000.00")),
        ("1–30 days past due", 1, Decimal("800000.50")),
        ("31–60 days past due", 1, Decimal("700000.00")),
        ("61–90 days past due", 0, Decimal("0.00")),
        ("Over 90 days past due", 1, Decimal("600000.00")),
        ("Total", 5, outstanding),
        ("PAR30", None, Decimal("1300000.00")),
        # Disbursed in the quarter: not the loan disbursed in June.
        ("Disbursed in the quarter (PKR)", None, Decimal("4000000.00")),
    ]
    # PAR30 counts loans more than 30 days past due: 31 is at risk, 30 is not.
    assert buckets[("PAR30",)][3] == pytest.approx(float(Decimal("1300000.00") / outstanding))
    programs = table(summary, "By program")
    total = programs[("Total",)]
    headers = summary_rows(summary)[next(i for i, r in enumerate(summary_rows(summary)) if r[0] == "By program") + 1]
    by_header = dict(zip(headers, total, strict=True))
    assert by_header["Loans"] == 5
    assert money(by_header["Disbursed (PKR)"]) == Decimal("5000000.00")
    assert money(by_header["Outstanding principal (PKR)"]) == outstanding
    assert money(by_header["Principal repaid (PKR)"]) == Decimal("5000000.00") - outstanding
    assert money(by_header["Interest repaid (PKR)"]) == Decimal("20833.35")
    districts = table(summary, "By district")
    assert set(districts) == {("Lahore", "Lahore"), ("Multan", "Multan"), ("Multan", "Vehari"), ("Total",)}
    assert len(summary._charts) == 1
    assert summary.freeze_panes == "A4"


def test_the_loans_sheet_one_row_per_loan_with_formats(plain_workbook):
    loans = plain_workbook["Loans"]
    assert [c.value for c in loans[1]] == [str(h) for h, _w in DETAIL_COLUMNS]
    assert loans.freeze_panes == "B2" and loans.auto_filter.ref == "A1:O6"
    first = loans[2]
    assert first[7].is_date and first[7].value.date() == dt.date(2025, 7, 10)
    assert first[8].number_format == "#,##0.00;[Red]-#,##0.00"
    values = list(loans.iter_rows(min_row=2, values_only=True))
    assert sum(money(r[11]) for r in values) == Decimal("3000000.50")
    assert [r[13] for r in values][:2] == ["Current", "1–30 days past due"]
    assert values[-1][14] == "Closed"
    borrower = next(c for c in loans["C"] if str(c.value).endswith(INJECTION))
    assert borrower.value == "'" + INJECTION and borrower.data_type == "s"


def test_the_pdf_on_plain_rows(tmp_path):
    path = tmp_path / "loans.pdf"
    with time_machine.travel(TODAY, tick=False):
        build_loans_pdf(Q1, path, rows=PLAIN_ROWS)
    assert path.read_bytes().startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(path).pages)
    assert "Loan portfolio — Q1 FY2025-26 (Jul–Sep 2025)" in text
    assert "3,000,000.50" in text and "43.3%" in text


# --- on the loan book ---------------------------------------------------------------------------------


@pytest.fixture
def loan_book():
    """Three loans: one repaid on time (current on 30 September), one never repaid (first instalment
    due 5 August: 56 days past due), one disbursed after the quarter (not in it)."""
    people = {
        "operator_user": UserFactory(roles=[roles.OPERATOR]),
        "officer": UserFactory(roles=[roles.PROGRAM_OFFICER]),
        "maker": UserFactory(roles=[roles.FINANCE_MAKER]),
        "checker": UserFactory(roles=[roles.FINANCE_CHECKER]),
        "chair": UserFactory(roles=[roles.BOARD_CHAIR]),
    }
    operator = OperatorFactory(members=[people["operator_user"]], legal_name="Indus Hub Coworking (Pvt.) Ltd.")
    lahore = SpaceFactory(operator=operator, code="LHR-701", name="Indus Lahore Hub")
    multan = SpaceFactory(operator=operator, code="MUX-702", name="Indus Multan", division="Multan", district="Multan")
    later = SpaceFactory(operator=operator, code="LHR-703", name="Indus Lahore Annexe")
    call = CallFactory(program=LoanProgramFactory(code="SL", name="Soft Loan", slug="soft-loan"))
    on_time = disburse(
        call, operator, lahore, people, amount=Decimal("1000000"), months=12, grace=0, on=dt.date(2025, 7, 10)
    )
    instalment = on_time.versions.get(is_current=True).instalments.order_by("number").first().instalment
    repay(on_time, people, instalment, dt.date(2025, 8, 10), "HBL-0801")
    repay(on_time, people, instalment, dt.date(2025, 9, 10), "HBL-0901")
    late = disburse(
        call, operator, multan, people, amount=Decimal("600000"), months=12, grace=0, on=dt.date(2025, 7, 5)
    )
    after = disburse(
        call, operator, later, people, amount=Decimal("700000"), months=12, grace=0, on=dt.date(2025, 10, 5)
    )
    return {"on_time": on_time, "late": late, "after": after}


def test_the_workbook_equals_the_loan_books_totals(loan_book, tmp_path):
    path = tmp_path / "loans.xlsx"
    with time_machine.travel(TODAY, tick=False):
        build_loans_xlsx(Q1, path)
    expected = portfolio_totals(AS_OF)
    assert expected["loans"] == 2 and expected["portfolio_at_risk_30"] > 0
    wb = load_workbook(path)
    loans = list(wb["Loans"].iter_rows(min_row=2, values_only=True))
    assert {r[0] for r in loans} == {loan_book["on_time"].sanction_number, loan_book["late"].sanction_number}
    late = next(r for r in loans if r[0] == loan_book["late"].sanction_number)
    assert (late[12], late[13]) == (56, "31–60 days past due")
    summary = wb["Summary"]
    rows = summary_rows(summary)
    headers = rows[next(i for i, r in enumerate(rows) if r[0] == "By program") + 1]
    total = dict(zip(headers, table(summary, "By program")[("Total",)], strict=True))
    assert total["Loans"] == expected["loans"]
    assert money(total["Disbursed (PKR)"]) == expected["disbursed"]
    assert money(total["Principal repaid (PKR)"]) == expected["principal_repaid"]
    assert money(total["Interest repaid (PKR)"]) == expected["interest_repaid"]
    assert money(total["Outstanding principal (PKR)"]) == expected["outstanding_principal"]
    assert total["PAR30"] == pytest.approx(float(expected["portfolio_at_risk_30"]))
    buckets = table(summary, "Arrears by bucket")
    for code, label in (("current", "Current"), ("31_60", "31–60 days past due")):
        assert buckets[(label,)][1] == expected["by_bucket"][code]["loans"]
        assert money(buckets[(label,)][2]) == expected["by_bucket"][code]["outstanding_principal"]


def test_the_command_and_the_download_centre_build_it(loan_book, tmp_path, client, django_capture_on_commit_callbacks):
    out, pdf = tmp_path / "loans.xlsx", tmp_path / "loans.pdf"
    viewer = UserFactory(roles=[roles.MINISTRY_VIEWER])
    client.force_login(viewer)
    with time_machine.travel(TODAY, tick=False):
        for path in (out, pdf):
            call_command(
                "build_report", "--report", "loans", "--fy", "2025-26", "--quarter", "1", "--output", str(path)
            )
        with django_capture_on_commit_callbacks(execute=True):
            started = client.post(
                reverse("reporting:start"), {"report": "loans", "quarter": "2025-1", "format": "xlsx"}
            )
    assert load_workbook(out).sheetnames == list(SHEETS)
    assert PdfReader(pdf).pages
    job = ReportJob.objects.get(kind="loans")
    assert started["Location"] == reverse("reporting:job", args=[job.pk]) and job.state == "done"
    download = client.get(reverse("reporting:download", args=[job.pk]))
    assert download["Content-Disposition"] == 'attachment; filename="loans-Q1-FY2025-26.xlsx"'
    assert b"".join(download.streaming_content)[:2] == b"PK"
