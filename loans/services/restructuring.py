"""Restructuring a loan onto a new schedule version (writing off: loans/services/write_off.py)."""

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import show_date
from core.money import pkr_each

from .. import messages, positions
from ..errors import PermissionDenied, ValidationFailed
from ..events import LoanEvent
from ..models import (
    SERVICING_STATES,
    Loan,
    ScheduleVersion,
    VersionCause,
)
from ..schedules import Instalment as ScheduleRow
from ..schedules import build_schedule
from ._common import (
    _lock,
    _not_borrower,
    _refuse_state,
    _tell_operator,
    _transition,
    may_restructure,
)
from .balances import (
    _rows_and_settled,
    _store_position,
    _store_rows,
    _version_in_force,
    loan_position,
)

if TYPE_CHECKING:
    from accounts.models import User


# --- restructuring and writing off -----------------------------------------------------------------


def loan_restructure(
    *,
    loan: Loan,
    actor: "User",
    months: int,
    grace_months: int,
    grace_kind: str,
    first_due: dt.date,
    reason: str,
    annual_rate_percent: Decimal | None = None,
) -> ScheduleVersion:
    """A new schedule version for what is owed today: the outstanding principal plus the overdue
    interest, capitalised, over `months` (grace included) from `first_due`. The old version is kept.

    Refused unless the actor is a finance checker (not the borrower's staff) and the loan is servicing.
    """
    if not may_restructure(actor):
        raise PermissionDenied(_("Only a finance checker may restructure a loan."))
    reason = " ".join(str(reason or "").split())
    errors: dict[str, list] = {}
    if not reason:
        errors["reason"] = [_("Say why the loan is restructured (the borrower reads it).")]
    today = timezone.localdate()
    if not isinstance(first_due, dt.date) or first_due <= today:
        errors["first_due"] = [_("The first instalment of the new schedule must fall after today.")]
    with transaction.atomic():
        loan = _lock(loan)
        _not_borrower(loan, actor)
        if loan.state not in SERVICING_STATES:
            _refuse_state(loan, _("be restructured"))
        rate = loan.annual_rate_percent if annual_rate_percent is None else annual_rate_percent
        old = _version_in_force(loan)
        _instalments, rows, settled = _rows_and_settled(old)
        owed = positions.payoff(principal=old.principal, rows=rows, settled=settled, on=today)
        principal = owed.overdue_principal + owed.remaining_principal + owed.overdue_interest
        if principal <= 0:
            errors.setdefault("months", []).append(_("Nothing is owed on this loan: there is nothing to restructure."))
        schedule: list[ScheduleRow] = []  # set below whenever there are no errors
        if not errors:
            try:
                schedule = build_schedule(
                    principal=principal,
                    annual_rate_percent=rate,
                    months=months,
                    grace_months=grace_months,
                    grace=grace_kind,
                    first_due=first_due,
                )
            except (ValueError, TypeError) as error:
                errors.setdefault("months", []).append(str(error))
        if errors:
            raise ValidationFailed(field_errors=errors)
        ScheduleVersion.objects.filter(pk=old.pk).update(is_current=False)
        version = ScheduleVersion.objects.create(
            loan=loan,
            number=old.number + 1,
            effective_on=today,
            principal=principal,
            capitalised_interest=owed.overdue_interest,
            annual_rate_percent=rate,
            months=months,
            grace_months=grace_months,
            grace_kind=grace_kind,
            first_due=first_due,
            reason=reason,
            cause=VersionCause.RESTRUCTURE,
            created_by=actor,
            created_at=timezone.now(),
        )
        _store_rows(version, schedule)
        _transition(
            loan,
            "restructure",
            actor,
            event=LoanEvent.RESTRUCTURE,
            reason=reason,
            data={
                "from_version": old.number,
                "version": version.number,
                "principal": str(principal),
                "capitalised_interest": str(owed.overdue_interest),
                "annual_rate_percent": str(rate),
                "months": months,
                "grace_months": grace_months,
                "grace_kind": grace_kind,
                "first_due": first_due.isoformat(),
            },
        )
        _store_position(loan, loan_position(loan, as_of=today), today)
        _tell_operator(
            loan,
            *messages.TO_BORROWER_RESTRUCTURED.render(
                s=loan.sanction_number,
                principal=pkr_each(principal),
                months=months,
                due=lambda: show_date(first_due),
                reason=reason,
            ),
        )
    return version
