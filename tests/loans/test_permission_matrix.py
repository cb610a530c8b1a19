"""Who may do what to a loan: the roles loans.permissions.LOANS gives each action, walked through the
services. Any other role is refused."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts import roles
from loans import collections, services
from loans.errors import InvalidTransition, LoansError, PermissionDenied
from loans.models import Repayment, WriteOffProposal
from loans.permissions import LOANS
from tests.factories import UserFactory

from .conftest import disburse, repay

pytestmark = pytest.mark.django_db

# The table's row each action here is taken under: a reversal and the bank's collection file post
# (or take back) repayments; confirming a write-off takes the loan's write_off transition.
ROW = {
    "request_disbursement": "request_disbursement",
    "plan_disbursement": "plan_disbursement",
    "post_repayment": "post_repayment",
    "reverse_repayment": "post_repayment",
    "import_collection": "post_repayment",
    "choose_prepayment": "choose_prepayment",
    "restructure": "restructure",
    "propose_write_off": "propose_write_off",
    "confirm_write_off": "write_off",
    "post_recovery": "post_recovery",
}
ALLOWED = {action: {role for role, cell in LOANS.cells() if cell == row} for action, row in ROW.items()}
ROLES = [
    roles.OPERATOR,
    roles.PROGRAM_OFFICER,
    roles.BOARD_REVIEWER,
    roles.BOARD_CHAIR,
    roles.FINANCE_MAKER,
    roles.FINANCE_CHECKER,
    roles.MINISTRY_VIEWER,
    roles.INTEGRITY_OFFICER,
    roles.DATA_STEWARD,
    # A bank's API client (issue #21) posts the repayments it collected, as finance does from its file.
    roles.BANK_CLIENT,
]


def act(action, loan, person):
    today = dt.date(2026, 2, 10)
    if action == "request_disbursement":
        return services.loan_request_disbursement(award=loan.award, actor=person)
    if action == "post_repayment":
        return services.loan_post_repayment(
            loan=loan, actor=person, amount=Decimal("10"), received_on=today, bank_reference=f"M-{person.pk}"
        )
    if action == "reverse_repayment":
        return services.loan_reverse_repayment(
            repayment=Repayment.objects.filter(loan=loan).first(), actor=person, reason="Matrix"
        )
    if action == "import_collection":
        content = (
            f"sanction_number,date_received,amount,bank_reference\n{loan.sanction_number},2026-02-10,5,C-{person.pk}\n"
        )
        return collections.collection_import(file_name=f"m{person.pk}.csv", content=content.encode(), actor=person)
    if action == "restructure":
        return services.loan_restructure(
            loan=loan,
            actor=person,
            months=36,
            grace_months=0,
            grace_kind="interest_only",
            first_due=dt.date(2099, 1, 10),
            reason="Matrix",
        )
    if action == "plan_disbursement":
        return services.loan_plan_disbursement(
            award=loan.award,
            actor=person,
            parts=[(dt.date(2099, 1, 1), Decimal("1")), (dt.date(2099, 2, 1), Decimal("1"))],
        )
    if action == "choose_prepayment":
        return services.loan_choose_prepayment(
            repayment=Repayment.objects.filter(loan=loan).first(), actor=person, choice="shorten", reason="Matrix"
        )
    if action == "confirm_write_off":
        return services.loan_confirm_write_off(proposal=WriteOffProposal.objects.get(loan=loan), actor=person)
    if action == "post_recovery":
        return services.loan_post_recovery(
            loan=loan, actor=person, amount=Decimal("1"), received_on=today, bank_reference=f"R-{person.pk}"
        )
    return services.loan_propose_write_off(loan=loan, actor=person, reason="Matrix")


@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_permission_matrix(action, loan_call, operator, space, people):
    loan = disburse(
        loan_call, operator, space, people, amount=Decimal("500000"), months=36, grace=0, on=dt.date(2026, 1, 10)
    )
    repay(loan, people, "100", dt.date(2026, 2, 1), "SEED-1")
    # An open proposal whose figures no longer match: whoever may confirm gets past the role check only.
    WriteOffProposal.objects.create(
        loan=loan,
        reason="Matrix",
        proposed_by=people["chair"],
        proposed_at=timezone.now(),
        proposed_on=dt.date(2026, 2, 1),
        outstanding_principal=Decimal("0"),
        overdue_amount=Decimal("0"),
        days_past_due=0,
    )
    for role in ROLES:
        person = UserFactory(roles=[role])
        try:
            act(action, loan, person)
        except PermissionDenied:
            assert role not in ALLOWED[action], f"{role} was refused {action}"
        except LoansError:
            assert role in ALLOWED[action], f"{role} got past the permission check of {action}"
        else:
            assert role in ALLOWED[action], f"{role} was allowed {action}"
    # The borrower's own staff are refused every action, whatever their role, except the choice of what
    # their prepayment does (members choose in the portal; here no prepayment awaits a choice).
    insider = UserFactory(roles=sorted(ALLOWED[action]))
    operator.members.add(insider)
    expected = InvalidTransition if action == "choose_prepayment" else PermissionDenied
    with pytest.raises(expected):
        act(action, loan, insider)


def test_the_matrix_walks_every_row_a_person_takes():
    """The rows left out move with the disbursement's payment or a repayment (the system, in the
    disbursement and repayment tests); every action here is allowed to some role."""
    assert set(LOANS.rules) - set(ROW.values()) == {
        "cancel_disbursement",
        "activate",
        "disbursement_returned",
        "close",
        "reopen",
        "withdraw_write_off",  # the proposer only: tests/loans/test_write_off.py
        "choose_prepayment_as_borrower",  # the borrower's members: tests/loans/test_prepayment.py
    }
    assert all(ALLOWED.values())
    assert set().union(*ALLOWED.values()) <= set(ROLES)
