"""Reading a bank statement file (Excel .xlsx or CSV) into checked lines.

The statement's columns are fixed (the template finance gives the bank): value_date,
payment_reference, amount, status, bank_remarks. A missing or unknown column, an amount written with
text or thousands separators, a date that is not a date or a status the program does not know refuse
the whole file, each with a message naming the line and the column; nothing is read half.
"""

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _

from core.spreadsheet import is_formula_like
from core.workbook import csv_rows, xlsx_rows

from .errors import ValidationFailed

COLUMNS = ["value_date", "payment_reference", "amount", "status", "bank_remarks"]
STATUSES = {"paid": "paid", "credited": "paid", "returned": "returned", "failed": "failed", "rejected": "failed"}
MAX_BYTES = settings.STATEMENT_MAX_BYTES
MAX_PROBLEMS = 20
AMOUNT_RE = re.compile(r"^\d+(\.\d{1,2})?$")
CEILING = Decimal("999999999999.99")


@dataclass(frozen=True)
class ParsedLine:
    line_number: int  # as the person sees it in the file (the header is line 1)
    value_date: dt.date
    reference: str
    amount: Decimal
    bank_status: str
    bank_remarks: str


def _header(value) -> str:
    return re.sub(r"[\s\-]+", "_", str(value or "").strip().lower())


def _amount(value, line: int) -> tuple[Decimal | None, str | None]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, _("Line %(line)d: the amount is empty.") % {"line": line}
    if isinstance(value, bool):
        return None, _("Line %(line)d: the amount must be a number.") % {"line": line}
    if isinstance(value, int | float | Decimal):
        # Excel stores numbers as binary floats; their shortest decimal form is what the bank typed.
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return None, _("Line %(line)d: the amount must be a number.") % {"line": line}
        if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
            return None, _("Line %(line)d: the amount %(value)s has more than two decimal places.") % {
                "line": line,
                "value": value,
            }
    else:
        text = str(value).strip()
        if "," in text and AMOUNT_RE.match(text.replace(",", "")):
            return None, _(
                "Line %(line)d: write the amount without thousands separators (%(plain)s, not %(value)s)."
            ) % {"line": line, "plain": text.replace(",", ""), "value": text}
        if not AMOUNT_RE.match(text):
            return None, _(
                "Line %(line)d: the amount must be a number in rupees, like 1250000.00; it is “%(value)s”."
            ) % {
                "line": line,
                "value": text[:40],
            }
        amount = Decimal(text)
    if amount <= 0:
        return None, _("Line %(line)d: the amount must be more than zero.") % {"line": line}
    if amount > CEILING:
        return None, _("Line %(line)d: the amount is far larger than any payment of this program.") % {"line": line}
    return amount.quantize(Decimal("0.01")), None


def _date(value, line: int) -> tuple[dt.date | None, str | None]:
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date(), None  # noqa: DTZ007 — a calendar date, no time
        except ValueError:
            continue
    return None, _("Line %(line)d: the value date “%(value)s” is not a date (write 2026-01-31 or 31/01/2026).") % {
        "line": line,
        "value": text[:20],
    }


def open_table(
    *, file_name: str, content: bytes, columns, what, max_rows: int
) -> tuple[dict[str, int], Iterator[list]]:
    """Open an uploaded bank file (.xlsx or .csv, at most 5 MB, at most `max_rows` rows after the
    heading, blank ones included; core.workbook checks the workbook before parsing it) whose first row must name exactly
    `columns` (in any order). Returns {column: position} and an iterator over the rows after the
    heading. Raises ValidationFailed naming the missing, unknown or repeated columns; `what` names the
    file in messages ("statement", "collection file"). Used by the bank statement here and the loan
    collection file (loans/collections.py)."""
    if len(content) > MAX_BYTES:
        raise ValidationFailed(
            _("This %(what)s is larger than 5 MB; ask the bank for one file per day.") % {"what": what}
        )
    lower = (file_name or "").lower()
    if lower.endswith(".csv"):
        rows = csv_rows(content, what=what, max_rows=max_rows)
    elif lower.endswith(".xlsx"):
        # data_only: a bank's workbook may compute a column; the value it saved is what the bank sent.
        rows = xlsx_rows(content, what=what, max_rows=max_rows, data_only=True)
    else:
        raise ValidationFailed(_("Upload the %(what)s as an Excel workbook (.xlsx) or a CSV file.") % {"what": what})

    rows = iter(rows)
    header_row = next(rows, None)
    if not header_row:
        raise ValidationFailed(_("This %(what)s is empty.") % {"what": what})
    headers = [_header(h) for h in header_row]
    while headers and not headers[-1]:
        headers.pop()
    missing = [c for c in columns if c not in headers]
    unknown = [h or _("(a column without a heading)") for h in headers if h not in columns]
    duplicated = sorted({h for h in headers if h in columns and headers.count(h) > 1})
    problems = []
    if missing:
        problems.append(_("missing columns: %(cols)s") % {"cols": ", ".join(missing)})
    if unknown:
        problems.append(_("unknown columns: %(cols)s") % {"cols": ", ".join(unknown)})
    if duplicated:
        problems.append(_("columns given twice: %(cols)s") % {"cols": ", ".join(duplicated)})
    if problems:
        raise ValidationFailed(
            _("This %(what)s does not follow the template (%(problems)s). The columns are: %(cols)s.")
            % {"what": what, "problems": "; ".join(problems), "cols": ", ".join(columns)}
        )
    return {name: headers.index(name) for name in columns}, rows


def read_statement(*, file_name: str, content: bytes) -> list[ParsedLine]:
    """Every line of the statement, checked. Raises ValidationFailed listing the problems (up to 20)."""
    index, rows = open_table(
        file_name=file_name, content=content, columns=COLUMNS, what=_("statement"), max_rows=settings.STATEMENT_MAX_ROWS
    )

    lines: list[ParsedLine] = []
    errors: list[str] = []
    for number, row in enumerate(rows, start=2):
        row = list(row or [])
        if not any(cell not in (None, "") and str(cell).strip() for cell in row):
            continue  # blank line

        def cell(name, row=row):
            position = index[name]
            return row[position] if position < len(row) else None

        line_errors = []
        for name in COLUMNS:
            if is_formula_like(cell(name)):
                line_errors.append(
                    _("Line %(line)d: column %(col)s holds a formula; only plain values are accepted.")
                    % {"line": number, "col": name}
                )
        value_date, problem = _date(cell("value_date"), number)
        if problem:
            line_errors.append(problem)
        amount, problem = _amount(cell("amount"), number)
        if problem:
            line_errors.append(problem)
        reference = str(cell("payment_reference") or "").strip().upper()
        if not reference:
            line_errors.append(_("Line %(line)d: the payment reference is empty.") % {"line": number})
        elif len(reference) > 60:
            line_errors.append(_("Line %(line)d: the payment reference is too long.") % {"line": number})
        status_text = str(cell("status") or "").strip().lower()
        status = STATUSES.get(status_text)
        if status is None:
            line_errors.append(
                _("Line %(line)d: the status “%(value)s” is not one of paid, returned or failed.")
                % {"line": number, "value": status_text[:20]}
            )
        if line_errors:
            errors.extend(line_errors)
            if len(errors) >= MAX_PROBLEMS:
                break
            continue
        remarks = str(cell("bank_remarks") or "").strip()[:300]
        lines.append(ParsedLine(number, value_date, reference, amount, status, remarks))
    if errors:
        raise ValidationFailed(*errors[:MAX_PROBLEMS])
    if not lines:
        raise ValidationFailed(_("This statement has a heading but no lines."))
    return lines
