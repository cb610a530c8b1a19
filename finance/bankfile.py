"""The bank's upload file for a payment batch (Excel and CSV) — plain functions from rows to bytes.

The column headings are the bank's format, fixed in English whatever the interface language, because
the bank's system reads them. Every text cell goes through `safe_text`, so a payee name or narration
such as "=HYPERLINK(...)" shows as text and is never evaluated by a spreadsheet (formula injection).
"""

import csv
import io
from decimal import Decimal

from openpyxl import Workbook

from core.spreadsheet import safe_text

from .models import PaymentBatch, PaymentState

HEADERS = ["Payee", "IBAN", "Amount (PKR)", "Narration", "Payment reference"]


def batch_file_rows(batch: PaymentBatch) -> list[tuple[str, str, Decimal, str, str]]:
    """One row per payment still in the batch (cancelled ones left it), in id order."""
    payments = batch.payments.exclude(state=PaymentState.CANCELLED).order_by("id")
    return [
        (
            safe_text(p.payee_name_snapshot),
            p.iban_snapshot,
            p.amount,
            safe_text(p.narration),
            p.reference,
        )
        for p in payments
    ]


def bank_file_xlsx(batch: PaymentBatch) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(batch.reference)
    sheet.append(HEADERS)
    for payee, iban, amount, narration, reference in batch_file_rows(batch):
        sheet.append([payee, iban, amount, narration, reference])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def bank_file_csv(batch: PaymentBatch) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for payee, iban, amount, narration, reference in batch_file_rows(batch):
        writer.writerow([payee, iban, f"{amount:.2f}", narration, reference])
    return buffer.getvalue().encode("utf-8")
