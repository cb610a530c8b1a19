"""A month's utility claims in one upload (issue #22): the sheet, its template, and the files held
between the preview and the operator's confirmation.

The sheet has one row per bill, in five columns (the headings of the template this module writes;
the same headings in another order are accepted, a sheet without them is refused as the wrong template):

    Connection (bill reference number) | Billing month (YYYY-MM) | Units (kWh) | Bill amount (PKR) | Bill file name

Reading the sheet judges only its shape (a month, a whole number, a file name); every business rule
is the single claim's own (grants.services.utility_claims.utility_claim_submit), run row by row by
grants.services.claim_upload. Files wait for the confirmation in private storage, in a folder named by
the SHA-256 of everything uploaded and of who uploaded it for which enrolment, so the confirmation
files exactly what was previewed, for that person and that enrolment only.
"""

import datetime as dt
import hashlib
import io
import json
import re
import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from core.errors import ValidationFailed
from core.spreadsheet import is_formula_like, safe_text
from core.uploads import sanitise_filename
from core.workbook import csv_rows, xlsx_rows

# The columns, their headings in the template (fixed, as a bank's format is), and what the page calls them.
COLUMNS = {
    "connection": ("Connection (bill reference number)", gettext_lazy("Connection")),
    "month": ("Billing month (YYYY-MM)", gettext_lazy("Billing month")),
    "units": ("Units (kWh)", gettext_lazy("Units")),
    "amount": ("Bill amount (PKR)", gettext_lazy("Bill amount")),
    "bill": ("Bill file name", gettext_lazy("Bill file")),
}
HEADINGS = [heading for heading, _label in COLUMNS.values()]
SHEET = "Claims"
MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")


def max_rows() -> int:
    return int(getattr(settings, "CLAIM_UPLOAD_MAX_ROWS", 60))


def column_label(column: str) -> str:
    return str(COLUMNS[column][1]) if column in COLUMNS else ""


@dataclass
class SheetRow:
    """One row of the sheet as read: the raw text of each column, what could be parsed, and the
    problems of its shape by column."""

    number: int  # the row's number in the sheet (the heading is row 1)
    connection: str = ""
    month: dt.date | None = None
    units: int | None = None
    amount: str = ""
    bill: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)

    def refuse(self, column: str, message: str) -> None:
        self.errors.setdefault(column, []).append(message)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _month(value, row: SheetRow) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    match = MONTH.match(_text(value))
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12:
            return dt.date(year, month, 1)
    row.refuse("month", _("Write the billing month as year and month, e.g. 2026-11."))
    return None


def _units(value, row: SheetRow) -> int | None:
    text = _text(value).replace(",", "")
    if text.isascii() and text.isdigit():
        return int(text)
    row.refuse("units", _("Write the units billed as a whole number of kWh, e.g. 1840."))
    return None


def _row(number: int, cells: list, where: dict[str, int]) -> SheetRow:
    row = SheetRow(number=number)
    values = {column: cells[index] if index < len(cells) else None for column, index in where.items()}
    for column, value in values.items():
        if is_formula_like(value):
            row.refuse(column, _("A formula is not accepted here; type the value itself."))
            values[column] = None
    row.connection = _text(values["connection"]).replace(" ", "").replace("-", "")
    if not row.connection and "connection" not in row.errors:
        row.refuse("connection", _("Write the connection's bill reference number."))
    if values["month"] not in (None, ""):
        row.month = _month(values["month"], row)
    elif "month" not in row.errors:
        row.refuse("month", _("Write the billing month, e.g. 2026-11."))
    if values["units"] not in (None, ""):
        row.units = _units(values["units"], row)
    elif "units" not in row.errors:
        row.refuse("units", _("Write the units billed."))
    amount = values["amount"]
    row.amount = str(amount) if isinstance(amount, Decimal | int) else _text(amount)
    if isinstance(amount, float):
        row.amount = f"{amount:.2f}"
    if not row.amount and "amount" not in row.errors:
        row.refuse("amount", _("Write the amount of the bill."))
    row.bill = _text(values["bill"])
    if not row.bill and "bill" not in row.errors:
        row.refuse("bill", _("Write the name of the bill's file, as uploaded with the sheet."))
    return row


def read_claim_sheet(content: bytes, file_name: str) -> list[SheetRow]:
    """The sheet's rows. Raises ValidationFailed for a file that is not a workbook or CSV, the wrong
    template (its headings are missing), no rows, or more rows than one upload takes."""
    what = _("claims sheet")
    name = (file_name or "").lower()
    if name.endswith(".xlsx"):
        rows = xlsx_rows(content, what=what, max_rows=max_rows(), sheet=SHEET)
    elif name.endswith(".csv"):
        rows = csv_rows(content, what=what, max_rows=max_rows())
    else:
        raise ValidationFailed(
            field_errors={"sheet": [_("The claims sheet is an Excel workbook (.xlsx) or a CSV file.")]}
        )
    try:
        heading = [_text(cell).lower() for cell in next(rows)]
    except StopIteration:
        raise ValidationFailed(field_errors={"sheet": [_("The claims sheet is empty.")]}) from None
    where = {}
    for column, (title, _label) in COLUMNS.items():
        if title.lower() in heading:
            where[column] = heading.index(title.lower())
    if len(where) != len(COLUMNS):
        missing = [title for column, (title, _label) in COLUMNS.items() if column not in where]
        raise ValidationFailed(
            field_errors={
                "sheet": [
                    _(
                        "This is not the claims template: its first row must have the headings %(headings)s "
                        "(missing: %(missing)s). Download the template and fill it in."
                    )
                    % {"headings": ", ".join(f"“{h}”" for h in HEADINGS), "missing": ", ".join(missing)}
                ]
            }
        )
    found = []
    for number, cells in enumerate(rows, start=2):
        if all(_text(cell) == "" for cell in cells):
            continue
        found.append(_row(number, cells, where))
    if not found:
        raise ValidationFailed(field_errors={"sheet": [_("The claims sheet has its headings but no bill.")]})
    return found


def template_xlsx(connections) -> bytes:
    """The template, with one row per enrolled connection and its reference number filled in."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(HEADINGS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for connection in connections:
        sheet.append([safe_text(connection.bill_reference), None, None, None, None])
    for letter, width in zip("ABCDE", (34, 24, 12, 18, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2, max_col=1):
        row[0].number_format = "@"  # the reference number stays text: no 1.23E+13
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- the files held between the preview and the confirmation -----------------------------------------


class HeldUploadGone(Exception):
    """The held upload expired, was already filed, or is not this person's for this enrolment."""


def _root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / "pending" / "claims"


def hold(*, application_id: int, user_id: int, sheet: tuple[str, bytes], bills: list[tuple[str, bytes]]) -> str:
    """Keep the sheet and the bills; returns the token the confirmation names them by."""
    digest = hashlib.sha256(f"{application_id}:{user_id}".encode())
    for name, content in [sheet, *bills]:
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    token = digest.hexdigest()
    folder = _root() / token
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {"application": application_id, "user": user_id, "sheet": sheet[0], "bills": []}
    (folder / "sheet").write_bytes(sheet[1])
    for index, (name, content) in enumerate(bills):
        (folder / f"bill-{index}").write_bytes(content)
        manifest["bills"].append(name)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return token


def load(token: str, *, application_id: int, user_id: int) -> tuple[tuple[str, bytes], list[tuple[str, bytes]]]:
    """The held sheet and bills, checked against the token; HeldUploadGone otherwise."""
    if not re.fullmatch(r"[0-9a-f]{64}", token or ""):
        raise HeldUploadGone(token)
    folder = _root() / token
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
        sheet = (manifest["sheet"], (folder / "sheet").read_bytes())
        bills = [(name, (folder / f"bill-{index}").read_bytes()) for index, name in enumerate(manifest["bills"])]
    except (OSError, ValueError, KeyError):
        raise HeldUploadGone(token) from None
    if manifest["application"] != application_id or manifest["user"] != user_id:
        raise HeldUploadGone(token)
    digest = hashlib.sha256(f"{application_id}:{user_id}".encode())
    for name, content in [sheet, *bills]:
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    if digest.hexdigest() != token:
        raise HeldUploadGone(token)
    return sheet, bills


def forget(token: str) -> None:
    if re.fullmatch(r"[0-9a-f]{64}", token or ""):
        shutil.rmtree(_root() / token, ignore_errors=True)


def bill_files(bills: list[tuple[str, bytes]]) -> dict[str, ContentFile]:
    """The bills by their (cleaned) file name, as the sheet names them."""
    return {sanitise_filename(name): ContentFile(content, name=sanitise_filename(name)) for name, content in bills}
