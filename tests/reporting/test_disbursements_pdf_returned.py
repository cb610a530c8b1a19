"""The disbursements PDF (issue #17, item 10): the definitions print their minus sign, name no sheet of
the workbook, and a payment the bank returned is reported in the quarter it was returned, whatever
quarter it was marked paid in, with the definition printed."""

from decimal import Decimal

import pytest
import time_machine
from openpyxl import load_workbook
from pypdf import PdfReader

from finance import services as finance
from grants.fiscal import FiscalYear
from reporting.disbursements_pdf import build_disbursements_pdf
from reporting.disbursements_report import SHEETS, build_disbursements_xlsx

from .disbursement_helpers import at, disbursements
from .helpers import Q1

pytestmark = pytest.mark.django_db

Q2 = FiscalYear(2025).quarter(2)  # Oct–Dec 2025


def pdf_text(path) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(path).pages)


@pytest.fixture
def data():
    return disbursements()


@pytest.fixture
def returned_in_q2(data):
    """Marked paid in Q1 (20 August), returned by the bank in Q2 (6 October)."""
    paid = data["unassigned"]
    with time_machine.travel(at(2025, 10, 6, 11), tick=False):
        return finance.payment_fail(instruction=paid, actor=data["people"]["checker"], reason="Title mismatch")


def test_the_pdf_prints_its_definitions_with_a_minus_sign_and_names_no_sheet(data, tmp_path):
    path = tmp_path / "q1.pdf"
    with time_machine.travel(at(2025, 10, 15, 10), tick=False):
        build_disbursements_pdf(Q1, path)
    text = pdf_text(path)

    assert "Outstanding = committed - paid to date, per application" in text
    for sheet in SHEETS:
        assert f"sheet “{sheet}”" not in text and f"{sheet} sheet" not in text
    assert "Returned by the bank: the payments the bank returned in the quarter, whatever quarter" in text
    # The payment marked paid in Q1 and returned in Q1 is listed with its reason and amount.
    assert data["returned"].reference in text and "Account closed" in text and "75,000.00" in text


def test_a_payment_paid_in_one_quarter_and_returned_in_the_next_is_in_the_next_quarters_report(
    data, returned_in_q2, tmp_path
):
    with time_machine.travel(at(2026, 1, 15, 10), tick=False):
        build_disbursements_pdf(Q2, tmp_path / "q2.pdf")
        build_disbursements_xlsx(Q2, tmp_path / "q2.xlsx")
        build_disbursements_pdf(Q1, tmp_path / "q1.pdf")
    q2 = pdf_text(tmp_path / "q2.pdf")
    assert returned_in_q2.reference in q2 and "Title mismatch" in q2
    assert "2025-08-20" in q2 and "2025-10-06" in q2  # marked paid in August, returned in October
    rows = list(load_workbook(tmp_path / "q2.xlsx")["Returned by the bank"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[8], Decimal(str(r[9]))) for r in rows] == [
        (returned_in_q2.reference, "Title mismatch", returned_in_q2.amount)
    ]
    # Q1's report (built after the return) lists it too: marked paid in Q1, and not counted as paid.
    q1 = pdf_text(tmp_path / "q1.pdf")
    assert returned_in_q2.reference in q1 and data["returned"].reference in q1
