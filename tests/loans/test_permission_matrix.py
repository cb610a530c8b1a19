"""Who may do what to a loan: one table, role × action. Any cell not listed denies."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts import roles
from loans import collections, services
from loans.errors import LoansError, PermissionDenied
from loans.models import Repayment
from tests.factories import UserFactory

from .conftest import disburse, repay

pytestmark = pytest.mark.django_db

ALLOWED = {
    "request_disbursement": {roles.PROGRAM_OFFICER, roles.FINANCE_MAKER},
    "post_repayment": {roles.FINANCE_MAKER, roles.FINANCE_CHECKER},
    "reverse_repayment": {roles.FINANCE_MAKER, roles.FINANCE_CHECKER},
    "import_collection": {roles.FINANCE_MAKER, roles.FINANCE_CHECKER},
    "restructure": {roles.FINANCE_CHECKER},
    "write_off": {roles.BOARD_CHAIR},
}
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
    return services.loan_write_off(loan=loan, actor=person, reason="Matrix")


@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_permission_matrix(action, loan_call, operator, space, people):
    loan = disburse(
        loan_call, operator, space, people, amount=Decimal("500000"), months=36, grace=0, on=dt.date(2026, 1, 10)
    )
    repay(loan, people, "100", dt.date(2026, 2, 1), "SEED-1")
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
    # The borrower's own staff are refused every action, whatever their role.
    insider = UserFactory(roles=sorted(ALLOWED[action]))
    operator.members.add(insider)
    with pytest.raises(PermissionDenied):
        act(action, loan, insider)
