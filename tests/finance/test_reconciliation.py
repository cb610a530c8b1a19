"""Importing the bank's statement: matched, returned and unmatched lines, and the files refused whole."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from finance import services
from finance.errors import PermissionDenied, ValidationFailed
from finance.models import BankStatement, LedgerEntry, PaymentInstruction, StatementLine
from tests.factories import SpaceFactory

from .conftest import sent_payment

pytestmark = pytest.mark.django_db

HEADER = "value_date,payment_reference,amount,status,bank_remarks"


def csv_bytes(*lines, header=HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def three_sent(payee, officer, maker, checker):
    return [
        sent_payment(SpaceFactory(operator=payee), payee, officer, maker, checker, amount=Decimal(amount))
        for amount in ("1250000.00", "75000.00", "300000.00")
    ]


def test_matched_returned_and_unmatched_lines(three_sent, maker, checker):
    paid, returned, other = three_sent
    content = csv_bytes(
        f"2026-01-15,{paid.reference},1250000.00,paid,CR to IBAN",
        f"2026-01-15,{returned.reference.lower()},75000.00,returned,Account closed",
        f"2026-01-15,{other.reference},300001.00,paid,",
        "2026-01-15,SHL-NOTOURS-1,5000.00,paid,Bank charge",
    )
    preview = services.statement_preview(file_name="statement.csv", content=content)
    assert [p.outcome for p in preview.lines] == ["matched", "returned", "unmatched", "unmatched"]
    assert PaymentInstruction.objects.get(pk=paid.pk).state == "sent"  # a preview writes nothing

    statement = services.statement_import(file_name="statement.csv", content=content, actor=checker)
    states = {p.pk: p.state for p in PaymentInstruction.objects.all()}
    assert states == {paid.pk: "reconciled", returned.pk: "failed", other.pk: "sent"}
    returned_row = PaymentInstruction.objects.get(pk=returned.pk)
    assert returned_row.failure_reason == "Account closed"
    lines = list(statement.lines.order_by("line_number"))
    assert [(line.line_number, line.outcome) for line in lines] == [
        (2, "matched"),
        (3, "returned"),
        (4, "unmatched"),
        (5, "unmatched"),
    ]
    assert "amount differs" in lines[2].problem
    assert "No payment" in lines[3].problem
    assert LedgerEntry.objects.get(instruction=paid, kind="paid").statement_line == lines[0]
    assert LedgerEntry.objects.get(instruction=returned, kind="failed").statement_line == lines[1]

    line = services.statement_line_resolve(line=lines[3], actor=maker, resolution="Bank charge, booked by accounts")
    assert line.outcome == "resolved" and line.resolved_by == maker
    assert StatementLine.objects.filter(outcome="unmatched").count() == 1


def test_excel_statement_with_numeric_amounts_and_dates(three_sent, checker):
    paid = three_sent[0]
    content = xlsx_bytes(
        [
            ["Value date", "Payment reference", "Amount", "Status", "Bank remarks"],
            # An Excel date cell has no time zone.
            [dt.datetime(2026, 1, 15), paid.reference, 1250000, "Credited", None],  # noqa: DTZ001
        ]
    )
    statement = services.statement_import(file_name="statement.xlsx", content=content, actor=checker)
    assert statement.lines.get().outcome == "matched"
    assert PaymentInstruction.objects.get(pk=paid.pk).state == "reconciled"


def test_a_line_repeating_a_reconciled_payment_is_left_for_a_person(three_sent, checker):
    paid = three_sent[0]
    content = csv_bytes(
        f"2026-01-15,{paid.reference},1250000.00,paid,", f"2026-01-16,{paid.reference},1250000.00,paid,"
    )
    statement = services.statement_import(file_name="s.csv", content=content, actor=checker)
    assert list(statement.lines.values_list("outcome", flat=True)) == ["matched", "unmatched"]
    assert LedgerEntry.objects.filter(instruction=paid, kind="paid").count() == 1


@pytest.mark.parametrize(
    "content, message",
    [
        (csv_bytes("2026-01-15,SHL-A-1,100.00,paid", header="value_date,payment_reference,amount,status"), "missing"),
        (
            csv_bytes("2026-01-15,SHL-A-1,100.00,paid,,x", header=HEADER + ",account_number"),
            "unknown columns: account_number",
        ),
        (csv_bytes('2026-01-15,SHL-A-1,"1,250,000",paid,'), "without thousands separators"),
        (csv_bytes("2026-01-15,SHL-A-1,one lakh,paid,"), "must be a number"),
        (csv_bytes("2026-01-15,SHL-A-1,100.005,paid,"), "must be a number"),
        (csv_bytes("15 Jan,SHL-A-1,100.00,paid,"), "is not a date"),
        (csv_bytes("2026-01-15,SHL-A-1,100.00,pending,"), "not one of paid"),
        (csv_bytes("2026-01-15,=HYPERLINK(1),100.00,paid,"), "formula"),
    ],
)
def test_bad_statements_are_refused_whole_with_a_specific_message(three_sent, checker, content, message):
    good_line = f"2026-01-15,{three_sent[0].reference},1250000.00,paid,\n".encode()
    with pytest.raises(ValidationFailed) as error:
        services.statement_import(file_name="bad.csv", content=content + good_line, actor=checker)
    assert message in error.value.message
    assert not BankStatement.objects.exists()
    assert PaymentInstruction.objects.get(pk=three_sent[0].pk).state == "sent"


def test_a_statement_without_lines_is_refused(maker):
    with pytest.raises(ValidationFailed, match="no lines"):
        services.statement_preview(file_name="empty.csv", content=csv_bytes())
    with pytest.raises(ValidationFailed, match="empty"):
        services.statement_preview(file_name="empty.csv", content=b"")


def test_the_same_statement_is_never_imported_twice(three_sent, checker):
    content = csv_bytes(f"2026-01-15,{three_sent[0].reference},1250000.00,paid,")
    services.statement_import(file_name="monday.csv", content=content, actor=checker)
    with pytest.raises(ValidationFailed, match="already imported"):
        services.statement_preview(file_name="monday-again.csv", content=content)
    with pytest.raises(ValidationFailed, match="already imported"):
        services.statement_import(file_name="monday-again.csv", content=content, actor=checker)
    assert BankStatement.objects.count() == 1


def test_other_file_types_and_people_are_refused(three_sent, maker, officer):
    with pytest.raises(ValidationFailed, match=".xlsx"):
        services.statement_preview(file_name="statement.pdf", content=b"%PDF-1.4")
    with pytest.raises(ValidationFailed, match="not an Excel"):
        services.statement_preview(file_name="statement.xlsx", content=b"not a zip")
    with pytest.raises(PermissionDenied):
        services.statement_import(file_name="s.csv", content=csv_bytes("2026-01-15,X,1.00,paid,"), actor=officer)
