"""Helpers every loans service shares: who may act, the locked loan, the workflow transition, notifications,
money input. Imports none of the other service modules."""

from decimal import Decimal
from typing import TYPE_CHECKING, Any, NoReturn, TypeGuard, cast

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from accounts import roles
from core import workflow
from core.money import parse_money
from notifications.services import Message, notify

from .. import schedules
from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from ..events import LoanEvent
from ..models import (
    Loan,
    LoanState,
)
from ..permissions import LOANS

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

    Person = User | AnonymousUser | None

S = LoanState
ZERO = Decimal("0.00")
PAISA = Decimal("0.01")
WRITE_OFF_MIN_DAYS = 91
DUE_DAY_LATEST = schedules.DUE_DAY_LATEST


# --- helpers ---------------------------------------------------------------------------------------


def _active(user: "Person") -> TypeGuard["User"]:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_borrower_staff(loan: Loan, user: "Person") -> bool:
    return _active(user) and loan.operator.members.filter(pk=user.pk).exists()


def may_post_repayments(user: "Person") -> bool:
    return _active(user) and LOANS.role_allows(user, "post_repayment")


def may_restructure(user: "Person") -> bool:
    return _active(user) and LOANS.role_allows(user, "restructure")


def may_write_off(user: "Person") -> bool:
    return _active(user) and LOANS.role_allows(user, "write_off")


def may_request_disbursement(user: "Person") -> bool:
    return _active(user) and LOANS.role_allows(user, "request_disbursement")


def _url(name: str, **kwargs: Any) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _lock(loan: Loan) -> Loan:
    try:
        return Loan.objects.select_for_update().select_related("operator").get(pk=loan.pk)
    except Loan.DoesNotExist:
        raise InvalidTransition(_("This loan no longer exists.")) from None


def _state_label(state: str) -> str:
    try:
        return str(LoanState(state).label)
    except ValueError:
        return state


def _refuse_state(loan: Loan, doing: str) -> NoReturn:
    raise InvalidTransition(
        _("Loan %(sanction)s is %(state)s: it cannot %(doing)s now.")
        % {"sanction": loan.sanction_number, "state": _state_label(loan.state).lower(), "doing": doing}
    )


def _transition(
    loan: Loan,
    name: str,
    actor: "User | None",
    *,
    event: LoanEvent,
    reason: str = "",
    data: dict[str, Any] | None = None,
    **kwargs: Any,
) -> str:
    """One transition of a locked loan on the workflow path (core.workflow). Returns the state it left."""
    if name == "write_off":
        kwargs["reason"] = reason
    return workflow.transition(
        loan,
        workflow.Step(name, event, kwargs=kwargs, reason=reason, data=data or {}),
        actor=actor,
        table=LOANS,
        guard=_not_borrower,
        wrong_state=_("Loan %(sanction)s is %(state)s: it cannot do that now.")
        % {"sanction": loan.sanction_number, "state": _state_label(loan.state).lower()},
        raced=_("Someone else changed loan %(sanction)s at the same moment; reload it.")
        % {"sanction": loan.sanction_number},
    )


def _not_borrower(loan: Loan, actor: "Person") -> None:
    if is_borrower_staff(loan, actor):
        raise PermissionDenied(
            _("You are on the staff of %(operator)s, so you may not act on its loan.") % {"operator": loan.operator}
        )


def _tell_operator(loan: Loan, subject: Message, body: Message) -> None:
    """Notify the borrower's people, each in their own language: `subject, body` from a loans.messages
    notice's `render(...)` (see core.messages)."""
    notify(
        recipients=loan.operator.members.filter(is_active=True),
        subject=subject,
        body=body,
        url=_url("loans:portal_loan", pk=loan.pk),
    )


def _tell_finance(loan: Loan, subject: Message, body: Message) -> None:
    """Notify finance's makers and checkers, each in their own language (a loans.messages notice)."""
    from accounts.models import User

    notify(
        recipients=User.objects.filter(
            groups__name__in=[roles.FINANCE_MAKER, roles.FINANCE_CHECKER], is_active=True
        ).distinct(),
        subject=subject,
        body=body,
        url=_url("loans:loan", pk=loan.pk),
    )


def _money(value: object, label: str, field: str) -> Decimal:
    if isinstance(value, float | bool) or not isinstance(value, Decimal | int):
        raise ValidationFailed(field_errors={field: [_("%(label)s must be an amount in rupees.") % {"label": label}]})
    amount, problem = parse_money(value, label, positive=True)
    if problem:
        raise ValidationFailed(field_errors={field: [problem]})
    return cast(Decimal, amount)  # no problem: parse_money gave the amount
