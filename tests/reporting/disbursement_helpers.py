"""Money for Q1 FY2025-26 (Jul–Sep 2025), built through the services as the people would: two awards
approved by the board, payments walked maker → checker → batch → sent → paid (→ reconciled), one
payment that belongs to no application, one the bank returned, and payments either side of the
quarter's edges (midnight Pakistan time, not UTC)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.db.models import Sum

from accounts import roles
from finance import services as finance
from finance.models import PaymentInstruction
from grants.models import BudgetCommitment
from tests.factories import UserFactory
from tests.grants.conftest import complete_grant, complete_loan, to_state
from tests.grants.factories import CallFactory, GrantProgramFactory, LoanProgramFactory, OperatorFactory, SpaceFactory

from .helpers import Q1

PKT = ZoneInfo("Asia/Karachi")
INJECTION = '=HYPERLINK("http://evil.example","Click")'


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PKT)


def pay(source, *, payee, amount, people, when, application=None, space=None, narration=None, reconcile=False):
    """Request, prepare, approve, batch, send and mark paid at `when` (Pakistan time)."""
    with time_machine.travel(when, tick=False):
        instruction = finance.payment_request(
            source=source,
            payee=payee,
            amount=amount,
            narration=narration or f"Payment for {source}",
            actor=people["officer"],
            application=application,
            space=space,
        )
        instruction = finance.payment_prepare(instruction=instruction, actor=people["maker"], amount=amount)
        instruction = finance.payment_approve(instruction=instruction, actor=people["checker"])
        batch = finance.batch_create(actor=people["maker"], value_date=when.date(), instructions=[instruction])
        finance.batch_mark_sent(batch=batch, actor=people["maker"])
        instruction.refresh_from_db()
        instruction = finance.payment_mark_paid(instruction=instruction, actor=people["checker"])
        if reconcile:
            instruction = finance.payment_reconcile(instruction=instruction, actor=people["checker"])
    return instruction


def disbursements():
    """Returns the objects the tests look at. Expected Q1 figures:
    committed 5,000,000.00; paid in the quarter 3,150,000.50 in 3 payments; outstanding 2,000,000.00."""
    people = {
        "officer": UserFactory(roles=[roles.PROGRAM_OFFICER]),
        "maker": UserFactory(roles=[roles.FINANCE_MAKER]),
        "checker": UserFactory(roles=[roles.FINANCE_CHECKER]),
    }
    indus_user = UserFactory(roles=[roles.OPERATOR])
    indus = OperatorFactory(members=[indus_user], legal_name="Indus Hub Coworking (Pvt.) Ltd.")
    lahore = SpaceFactory(operator=indus, code="LHR-601", name="Indus Lahore Hub")
    spare = SpaceFactory(operator=indus, code="LHR-602", name="Indus Lahore Annexe")
    ravi_user = UserFactory(roles=[roles.OPERATOR])
    ravi = OperatorFactory(members=[ravi_user], legal_name="Ravi Workspaces (SMC-Pvt.) Ltd.")
    multan = SpaceFactory(operator=ravi, code="MUX-603", name="Ravi Multan Loft", division="Multan", district="Multan")

    with time_machine.travel(at(2025, 7, 5, 10), tick=False):
        grant_call = CallFactory(program=GrantProgramFactory(code="GR", name="Growth Grant", slug="growth-grant"))
        loan_call = CallFactory(program=LoanProgramFactory(code="SL", name="Soft Loan", slug="soft-loan"))
        grant = complete_grant(grant_call, indus, lahore, indus_user, amount=Decimal("4000000"))
        grant = to_state(grant, "approved", operator_user=indus_user, officer=people["officer"])
        loan = complete_loan(loan_call, ravi, multan, ravi_user, amount=Decimal("1000000"))
        loan = to_state(loan, "approved", operator_user=ravi_user, officer=people["officer"])

    first, second = grant.milestones.order_by("pk")
    paid_grant = pay(
        first,
        payee=indus,
        amount=Decimal("2000000.00"),
        people=people,
        when=at(2025, 8, 15, 11),
        application=grant,
        reconcile=True,
    )
    # Ten minutes into Q2 in Pakistan (still 30 September in UTC): not in Q1.
    after = pay(
        second,
        payee=indus,
        amount=Decimal("2000000.00"),
        people=people,
        when=at(2025, 10, 1, 0, 10),
        application=grant,
    )
    # Half an hour before Q1 ends in Pakistan (already 1 October nowhere): in Q1.
    loan_payment = pay(
        loan.loan_details,
        payee=ravi,
        amount=Decimal("1000000.00"),
        people=people,
        when=at(2025, 9, 30, 23, 30),
        application=loan,
        narration=INJECTION,
    )
    # Money that belongs to no application (say a one-off refund of a deposit): never dropped.
    unassigned = pay(
        lahore, payee=indus, amount=Decimal("150000.50"), people=people, when=at(2025, 8, 20, 9), space=lahore
    )
    # Marked paid in Q1, then returned by the bank: not paid.
    returned = pay(spare, payee=indus, amount=Decimal("75000.00"), people=people, when=at(2025, 9, 2, 9), space=spare)
    with time_machine.travel(at(2025, 9, 4, 9), tick=False):
        returned = finance.payment_fail(instruction=returned, actor=people["checker"], reason="Account closed")
    return {
        "people": people,
        "grant": grant,
        "loan": loan,
        "paid_grant": paid_grant,
        "after": after,
        "loan_payment": loan_payment,
        "unassigned": unassigned,
        "returned": returned,
        "spaces": {"lahore": lahore, "spare": spare, "multan": multan},
    }


def database_figures() -> dict:
    """The same figures computed straight from the database, independently of the report's code."""
    start = at(2025, 7, 1)
    end = at(2025, 10, 1)
    paid = PaymentInstruction.objects.filter(state__in=["paid", "reconciled"])
    in_quarter = paid.filter(paid_at__gte=start, paid_at__lt=end)
    committed = BudgetCommitment.objects.filter(created_at__lt=end).aggregate(s=Sum("amount"))["s"]
    paid_to_date_assigned = paid.filter(paid_at__lt=end, application__isnull=False).aggregate(s=Sum("amount"))["s"]
    return {
        "quarter": Q1,
        "committed": committed,
        "paid_in_quarter": in_quarter.aggregate(s=Sum("amount"))["s"],
        "payments_in_quarter": in_quarter.count(),
        "paid_to_date": paid.filter(paid_at__lt=end).aggregate(s=Sum("amount"))["s"],
        "outstanding": committed - paid_to_date_assigned,
    }
