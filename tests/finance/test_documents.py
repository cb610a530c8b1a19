"""The bank's upload file (Excel and CSV) and the payment voucher PDF."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from finance import services
from finance.bankfile import HEADERS, bank_file_csv, bank_file_xlsx
from finance.vouchers import payment_voucher_pdf
from tests.factories import OperatorFactory, SpaceFactory

from .conftest import approved_payment, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(space, payee, officer, maker, checker):
    hostile = OperatorFactory(bank_account_title='=HYPERLINK("http://evil.example","Click")')
    one = approved_payment(space, payee, officer, maker, checker, amount=Decimal("1250000.50"))
    two = services.payment_request(
        source=SpaceFactory(operator=hostile),
        payee=hostile,
        amount=Decimal("75000"),
        narration="+cmd|' /C calc'!A0 utility claim",
        actor=officer,
    )
    two = services.payment_prepare(instruction=two, actor=maker)
    two = services.payment_approve(instruction=two, actor=checker)
    return services.batch_create(actor=maker, value_date=today(), instructions=[one, two]), one, two


def test_excel_upload_file_has_payee_iban_amount_narration_and_reference(batch):
    batch, one, two = batch
    sheet = load_workbook(io.BytesIO(bank_file_xlsx(batch))).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADERS
    assert rows[1] == [one.payee_name_snapshot, one.iban_snapshot, 1250000.5, one.narration, one.reference]
    assert Decimal(str(rows[1][2])) == Decimal("1250000.50")
    assert rows[2][1] == two.iban_snapshot and len(rows[2][1]) == 24 and rows[2][1].startswith("PK")
    # Formula-looking text is written as text (a leading apostrophe), never as a formula.
    assert rows[2][0] == "'" + '=HYPERLINK("http://evil.example","Click")'
    assert rows[2][3].startswith("'+cmd")
    assert all(sheet.cell(row=3, column=c).data_type == "s" for c in (1, 4))


def test_csv_upload_file_matches_and_escapes_formulas(batch):
    batch, one, two = batch
    rows = list(csv.reader(io.StringIO(bank_file_csv(batch).decode("utf-8"))))
    assert rows[0] == HEADERS
    assert rows[1] == [one.payee_name_snapshot, one.iban_snapshot, "1250000.50", one.narration, one.reference]
    assert rows[2][2] == "75000.00"
    assert rows[2][0].startswith("'=") and rows[2][3].startswith("'+")


def test_voucher_pdf_opens_and_shows_amount_and_approvals(batch, maker, checker):
    batch, one, _two = batch
    services.batch_mark_sent(batch=batch, actor=maker)
    one.refresh_from_db()
    pdf = payment_voucher_pdf(one)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Payment voucher" in text
    assert "PKR 1,250,000.50" in text
    assert one.reference in text and one.iban_snapshot in text
    assert maker.full_name in text and checker.full_name in text
    assert batch.reference in text
