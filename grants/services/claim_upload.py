"""A month's utility claims in one upload (issue #22): every row filed by the single claim's own
service, all of them or none.

    outcome = utility_claims_upload(application=enrolment, actor=user, rows=rows, bills=bills, confirm=False)

Each row runs `utility_claim_submit` (the rules, the duplicate-bill checks, the audit event, the
officers' notice) in a savepoint, so one row's refusal is recorded against its row and column and the
next row is still judged. The whole upload runs in one transaction: a preview (`confirm=False`), or
an upload with any refusal, is rolled back, and the bill files the rolled-back claims stored are
deleted, so nothing is left behind; a confirmed upload without a refusal commits every claim at once.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import DomainError, ValidationFailed

from ..claim_upload import SheetRow
from ..models import Application
from .utility_claims import utility_claim_submit

if TYPE_CHECKING:
    from accounts.models import User

ZERO = Decimal("0.00")
# The single claim's form fields, by the sheet's column that carries them.
FIELD_COLUMN = {
    "connection": "connection",
    "disco": "connection",
    "bill_reference": "connection",
    "billing_month": "month",
    "units": "units",
    "bill_amount": "amount",
    "file": "bill",
}


@dataclass
class RowOutcome:
    row: SheetRow
    space: str = ""
    subsidy: Decimal | None = None
    bill_amount: Decimal | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)  # by column; "" for the whole row

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class UploadOutcome:
    rows: list[RowOutcome]
    errors: list[str] = field(default_factory=list)  # about the upload as a whole
    filed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and all(row.ok for row in self.rows)

    @property
    def refused_rows(self) -> int:
        return sum(1 for row in self.rows if not row.ok)

    @property
    def total_bill(self) -> Decimal:
        return sum((row.bill_amount or ZERO for row in self.rows), ZERO)

    @property
    def total_subsidy(self) -> Decimal:
        return sum((row.subsidy or ZERO for row in self.rows), ZERO)


def utility_claims_upload(
    *, application: Application, actor: "User", rows: list[SheetRow], bills: dict, confirm: bool
) -> UploadOutcome:
    """Judge (and, with `confirm` and no refusal, file) one claim per row. `bills` maps a file name, as
    the sheet writes it, to the uploaded file."""
    outcome = UploadOutcome(
        rows=[RowOutcome(row=row, errors={k: list(v) for k, v in row.errors.items()}) for row in rows]
    )
    connections = {c.bill_reference: c for c in application.connections.select_related("space")}
    named = [row.bill for row in rows if row.bill]
    for name in sorted(set(bills) - set(named)):
        outcome.errors.append(
            _("The file “%(name)s” was uploaded but no row of the sheet names it; remove it or add its row.")
            % {"name": name}
        )
    seen_bills: dict[str, int] = {}
    seen_months: dict[tuple[str, object], int] = {}
    stored: list[tuple] = []
    with transaction.atomic():
        for result in outcome.rows:
            row = result.row
            connection = connections.get(row.connection)
            if row.connection and connection is None and "connection" not in result.errors:
                result.errors["connection"] = [
                    _("%(ref)s is not a connection of enrolment %(enrolment)s (its connections: %(refs)s).")
                    % {
                        "ref": row.connection,
                        "enrolment": application.reference,
                        "refs": ", ".join(sorted(connections)),
                    }
                ]
            if connection is not None:
                result.space = connection.space.name
            if row.bill and row.bill not in bills and "bill" not in result.errors:
                result.errors["bill"] = [
                    _("No file named “%(name)s” was uploaded with the sheet.") % {"name": row.bill}
                ]
            if row.bill in seen_bills:
                result.errors.setdefault("bill", []).append(
                    _("The file “%(name)s” is already the bill of row %(n)s; each bill is its own file.")
                    % {"name": row.bill, "n": seen_bills[row.bill]}
                )
            seen_bills.setdefault(row.bill, row.number)
            key = (row.connection, row.month)
            if row.month is not None and key in seen_months:
                result.errors.setdefault("month", []).append(
                    _("Row %(n)s already claims this connection's bill for this month.") % {"n": seen_months[key]}
                )
            seen_months.setdefault(key, row.number)
            if result.errors:
                continue
            try:
                with transaction.atomic():
                    claim = utility_claim_submit(
                        connection=connection,
                        actor=actor,
                        disco=connection.disco,
                        bill_reference=row.connection,
                        billing_month=row.month,
                        units=row.units,
                        bill_amount=row.amount,
                        file=bills[row.bill],
                    )
            except ValidationFailed as error:
                for name, messages in error.field_errors.items():
                    result.errors.setdefault(FIELD_COLUMN.get(name, ""), []).extend(str(m) for m in messages)
                if not error.field_errors:
                    result.errors.setdefault("", []).extend(str(m) for m in error.messages)
                continue
            except DomainError as error:
                # Not the row's fault (no accepted award, someone else's enrolment): the upload stops.
                outcome.errors.extend(str(m) for m in error.messages)
                break
            stored.append((claim.file.storage, claim.file.name))
            result.subsidy, result.bill_amount = claim.subsidy_amount, claim.bill_amount
        outcome.filed = confirm and outcome.ok
        if not outcome.filed:
            transaction.set_rollback(True)
    if not outcome.filed:
        for storage, name in stored:
            storage.delete(name)
    return outcome
