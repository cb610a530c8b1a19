"""The bank's collection file: repayments the bank collected from borrowers, one row each.

Columns (the template finance gives the bank; headings in any order, case and spacing ignored):
    sanction_number   the loan's sanction number, e.g. SAN-SL-2026-00001 (the loan account)
    date_received     2026-01-31 or 31/01/2026 (or an Excel date)
    amount            rupees, digits only (1250000.00): no text, no thousands separators
    bank_reference    the bank's reference for the collection (unique per loan)

Refused whole, nothing written, each problem naming the row and the column: a missing or unknown
column, an empty cell, an amount with text or commas, a date that is not a date, a formula, a sanction
number that is no loan, a loan that is not being repaid, the same reference twice (in the file or
already posted), a file already imported (same SHA-256), and any row the repayment service refuses
(e.g. more than the loan's balance). `collection_preview` runs the whole import in a transaction it
rolls back, so the preview shows exactly what confirming will do; `collection_import` does it for real.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import workflow
from core.dates import show_datetime
from core.spreadsheet import is_formula_like

# The statement reader's file handling (CSV in UTF-8, .xlsx through openpyxl) is the same for any
# bank file, so it is reused rather than copied.
from finance.errors import FinanceError
from finance.pending import file_hash
from finance.statements import open_table
from loans.events import LoanEvent

from . import services
from .errors import LoansError, PermissionDenied, ValidationFailed
from .models import SERVICING_STATES, CollectionFile, Loan

COLUMNS = ["sanction_number", "date_received", "amount", "bank_reference"]
MAX_PROBLEMS = 30
AMOUNT_RE = re.compile(r"^\d+(\.\d{1,2})?$")


@dataclass(frozen=True)
class CollectionRow:
    row: int  # as the person sees it in the spreadsheet (the heading is row 1)
    sanction_number: str
    received_on: dt.date
    amount: Decimal
    bank_reference: str


@dataclass
class PlannedRow:
    row: CollectionRow
    principal: Decimal
    interest: Decimal
    closes: bool


@dataclass
class CollectionPreview:
    file_name: str
    file_hash: str
    rows: list[PlannedRow]

    @property
    def total(self) -> Decimal:
        return sum((p.row.amount for p in self.rows), Decimal("0.00"))


def _amount(value, row: int) -> tuple[Decimal | None, str | None]:
    where = {"row": row, "col": "amount"}
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, _("Row %(row)d, column %(col)s: empty.") % where
    if isinstance(value, bool):
        return None, _("Row %(row)d, column %(col)s: not a number.") % where
    if isinstance(value, int | float | Decimal):
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return None, _("Row %(row)d, column %(col)s: not a number.") % where
    else:
        text = str(value).strip()
        if "," in text and AMOUNT_RE.match(text.replace(",", "")):
            return None, _(
                "Row %(row)d, column %(col)s: write %(plain)s without thousands separators, not %(value)s."
            ) % {**where, "plain": text.replace(",", ""), "value": text}
        if not AMOUNT_RE.match(text):
            return None, _("Row %(row)d, column %(col)s: “%(value)s” is not an amount in rupees like 14134.00.") % {
                **where,
                "value": text[:40],
            }
        amount = Decimal(text)
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        return None, _("Row %(row)d, column %(col)s: at most two decimal places.") % where
    if amount <= 0:
        return None, _("Row %(row)d, column %(col)s: must be more than zero.") % where
    return amount.quantize(Decimal("0.01")), None


def _date(value, row: int) -> tuple[dt.date | None, str | None]:
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
    return None, _("Row %(row)d, column %(col)s: “%(value)s” is not a date (write 2026-01-31 or 31/01/2026).") % {
        "row": row,
        "col": "date_received",
        "value": text[:20],
    }


def read_collection(*, file_name: str, content: bytes) -> list[CollectionRow]:
    """Every row, checked for shape. Raises ValidationFailed listing the problems."""
    try:
        index, rows = open_table(
            file_name=file_name,
            content=content,
            columns=COLUMNS,
            what=_("collection file"),
            max_rows=settings.COLLECTION_MAX_ROWS,
        )
    except FinanceError as error:  # the shared reader's refusal, as this app's error
        raise ValidationFailed(*error.messages) from None
    parsed: list[CollectionRow] = []
    errors: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in enumerate(rows, start=2):
        row = list(row or [])
        if not any(cell not in (None, "") and str(cell).strip() for cell in row):
            continue

        def cell(name, row=row):
            position = index[name]
            return row[position] if position < len(row) else None

        row_errors = [
            _("Row %(row)d, column %(col)s: holds a formula; only plain values are accepted.")
            % {"row": number, "col": name}
            for name in COLUMNS
            if is_formula_like(cell(name))
        ]
        if row_errors:
            errors.extend(row_errors)
            continue
        sanction = str(cell("sanction_number") or "").strip().upper()
        reference = " ".join(str(cell("bank_reference") or "").split())
        if not sanction:
            row_errors.append(_("Row %(row)d, column %(col)s: empty.") % {"row": number, "col": "sanction_number"})
        if not reference:
            row_errors.append(_("Row %(row)d, column %(col)s: empty.") % {"row": number, "col": "bank_reference"})
        elif len(reference) > 40:
            row_errors.append(
                _("Row %(row)d, column %(col)s: at most 40 characters.") % {"row": number, "col": "bank_reference"}
            )
        received_on, problem = _date(cell("date_received"), number)
        if problem:
            row_errors.append(problem)
        amount, problem = _amount(cell("amount"), number)
        if problem:
            row_errors.append(problem)
        key = (sanction, reference.upper())
        if sanction and reference and key in seen:
            row_errors.append(
                _("Row %(row)d, column %(col)s: %(ref)s for %(loan)s is already on row %(first)d of this file.")
                % {"row": number, "col": "bank_reference", "ref": reference, "loan": sanction, "first": seen[key]}
            )
        seen.setdefault(key, number)
        if row_errors:
            errors.extend(row_errors)
            if len(errors) >= MAX_PROBLEMS:
                break
            continue
        parsed.append(CollectionRow(number, sanction, received_on, amount, reference))
    if errors:
        raise ValidationFailed(*errors[:MAX_PROBLEMS])
    if not parsed:
        raise ValidationFailed(_("This file has a heading but no rows."))
    return parsed


def _refuse_duplicate(digest: str) -> None:
    existing = CollectionFile.objects.filter(file_hash=digest).first()
    if existing is not None:
        raise ValidationFailed(
            _("This collection file was already imported on %(when)s (as “%(name)s”); it is not imported twice.")
            % {"when": show_datetime(existing.uploaded_at), "name": existing.file_name}
        )


def _post_all(*, file_name: str, digest: str, rows: list[CollectionRow], actor) -> tuple[CollectionFile, list]:
    """Post every row in the caller's transaction; collect every row's refusal, then refuse the lot."""
    _refuse_duplicate(digest)
    loans = {
        loan.sanction_number: loan
        for loan in Loan.objects.filter(sanction_number__in={r.sanction_number for r in rows}).order_by("pk")
    }
    errors = []
    for r in rows:
        loan = loans.get(r.sanction_number)
        if loan is None:
            errors.append(
                _("Row %(row)d, column %(col)s: no loan has the sanction number %(value)s.")
                % {"row": r.row, "col": "sanction_number", "value": r.sanction_number}
            )
        elif loan.state not in SERVICING_STATES:
            errors.append(
                _("Row %(row)d, column %(col)s: loan %(value)s is %(state)s, not being repaid.")
                % {
                    "row": r.row,
                    "col": "sanction_number",
                    "value": r.sanction_number,
                    "state": loan.get_state_display().lower(),
                }
            )
    if errors:
        raise ValidationFailed(*errors[:MAX_PROBLEMS])
    try:
        with transaction.atomic():
            collection = CollectionFile.objects.create(
                file_name=file_name[:200],
                file_hash=digest,
                uploaded_by=actor,
                uploaded_at=timezone.now(),
                row_count=len(rows),
                total=sum((r.amount for r in rows), Decimal("0.00")),
            )
    except IntegrityError:
        raise ValidationFailed(_("This collection file was imported a moment ago by someone else.")) from None
    planned = []
    # Rows are posted in date order per loan, so each is split on top of the earlier ones.
    for r in sorted(rows, key=lambda r: (r.received_on, r.row)):
        try:
            with transaction.atomic():
                repayment = services.loan_post_repayment(
                    loan=loans[r.sanction_number],
                    actor=actor,
                    amount=r.amount,
                    received_on=r.received_on,
                    bank_reference=r.bank_reference,
                    collection=collection,
                )
        except PermissionDenied:
            raise
        except LoansError as error:
            for field, messages in (error.field_errors or {"": error.messages}).items():
                column = {"received_on": "date_received", "amount": "amount", "bank_reference": "bank_reference"}.get(
                    field, "sanction_number"
                )
                for message in messages:
                    errors.append(
                        _("Row %(row)d, column %(col)s: %(message)s")
                        % {"row": r.row, "col": column, "message": message}
                    )
            continue
        closes = Loan.objects.filter(pk=repayment.loan_id, state="closed").exists()
        planned.append(PlannedRow(r, repayment.principal, repayment.interest, closes))
    if errors:
        raise ValidationFailed(*errors[:MAX_PROBLEMS])
    planned.sort(key=lambda p: p.row.row)
    return collection, planned


class _Rollback(Exception):
    pass


def collection_preview(*, file_name: str, content: bytes, actor) -> CollectionPreview:
    """What importing the file would do, row by row; nothing is kept. Raises ValidationFailed."""
    if not services.may_post_repayments(actor):
        raise PermissionDenied(_("Only finance staff may import collection files."))
    digest = file_hash(content)
    rows = read_collection(file_name=file_name, content=content)
    planned: list[PlannedRow] = []
    try:
        with transaction.atomic():
            _collection, planned = _post_all(file_name=file_name, digest=digest, rows=rows, actor=actor)
            raise _Rollback
    except _Rollback:
        pass
    return CollectionPreview(file_name, digest, planned)


def collection_import(*, file_name: str, content: bytes, actor) -> CollectionFile:
    """Post every row as a repayment in one transaction, or none. Raises ValidationFailed."""
    if not services.may_post_repayments(actor):
        raise PermissionDenied(_("Only finance staff may import collection files."))
    digest = file_hash(content)
    rows = read_collection(file_name=file_name, content=content)
    with transaction.atomic():
        collection, _planned = _post_all(file_name=file_name, digest=digest, rows=rows, actor=actor)
        workflow.record(
            actor=actor,
            event=LoanEvent.COLLECTION_IMPORT,
            obj=collection,
            data={"file_hash": digest, "rows": len(rows), "total": str(collection.total)},
        )
    return collection
