"""The general ledger's export for the government's accounting system (CSV and Excel): one row per
journal line, in posting order. Headings are fixed in English, as the receiving system reads them;
every text cell goes through `safe_text` (no formula injection). Amounts are numbers with two places.

The Excel file is written in write-only mode and the CSV row by row, so a year's ledger streams
without holding every row in memory twice.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterator

from django.utils import translation
from openpyxl import Workbook

from core.fiscal import fiscal_year_label
from core.spreadsheet import safe_text

from .journal import Account, journal_lines

HEADERS = [
    "Entry",
    "Date",
    "Fiscal year",
    "Account code",
    "Account",
    "Debit (PKR)",
    "Credit (PKR)",
    "Narration",
    "Source",
    "Event",
    "Reverses entry",
    "Posted by",
    "Posted at",
]


def gl_rows(*, start: dt.date | None = None, end: dt.date | None = None) -> Iterator[list]:
    with translation.override("en"):
        names = {account.value: str(account.label) for account in Account}
    for line in journal_lines(start=start, end=end).iterator(chunk_size=2000):
        entry = line.entry
        yield [
            f"JE-{entry.pk}",
            entry.on,
            fiscal_year_label(entry.fiscal_year),
            line.account,
            names[line.account],
            line.debit,
            line.credit,
            safe_text(entry.narration),
            safe_text(entry.source),
            entry.event,
            f"JE-{entry.reverses_id}" if entry.reverses_id else "",
            safe_text(entry.actor_label),
            entry.created_at.isoformat(timespec="seconds"),
        ]


def gl_csv(*, start: dt.date | None = None, end: dt.date | None = None) -> Iterator[bytes]:
    """The CSV, line by line (UTF-8 with a byte-order mark, so Excel reads Urdu names)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    yield ("\ufeff" + buffer.getvalue()).encode()
    for row in gl_rows(start=start, end=end):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([value.isoformat() if isinstance(value, dt.date) else value for value in row])
        yield buffer.getvalue().encode()


def gl_xlsx(*, start: dt.date | None = None, end: dt.date | None = None) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("General ledger")
    sheet.append(HEADERS)
    for row in gl_rows(start=start, end=end):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
