"""The read API for the reports: portfolio_rows and portfolio_totals, as of any day."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from finance import services as finance
from finance.models import PaymentInstruction
from grants.models import Award
from loans.models import Loan, ScheduleVersion
from loans.selectors import portfolio_rows, portfolio_totals

from .conftest import disburse, repay

pytestmark = pytest.mark.django_db


def test_portfolio_rows_as_of_past_days(loan_call, operator, space, people):
    paying = disburse(
        loan_call, operator, space, people, amount=Decimal("500000"), months=36, grace=0, on=dt.date(2026, 1, 10)
    )
    late = disburse(
        loan_call, operator, space, people, amount=Decimal("1000000"), months=24, grace=0, on=dt.date(2026, 1, 10)
    )
    repay(paying, people, "13889", dt.date(2026, 2, 10), "R-1")
    repay(paying, people, "13889", dt.date(2026, 3, 10), "R-2")
    with CaptureQueriesContext(connection) as queries:
        rows = {r.sanction_number: r for r in portfolio_rows(dt.date(2026, 2, 28))}
    # The loans, then per chunk of 500: schedule versions, their instalments, allocations, repaid sums.
    assert len(queries.captured_queries) == 5
    a, b = rows[paying.sanction_number], rows[late.sanction_number]
    # Only what was received by 28 Feb counts.
    assert (a.principal_repaid, a.interest_repaid, a.outstanding_principal) == (
        Decimal("13889.00"),
        Decimal("0.00"),
        Decimal("486111.00"),
    )
    assert (a.days_past_due, a.bucket, a.state) == (0, "current", "active")
    assert (b.days_past_due, b.bucket, b.outstanding_principal) == (18, "1_30", Decimal("1000000.00"))
    assert (a.program_code, a.space_code, a.district) == ("SL", "LHR-001", space.district)
    assert a.disbursed_amount == Decimal("500000.00") and a.disbursed_on == dt.date(2026, 1, 10)
    # Before any disbursement: no rows.
    assert list(portfolio_rows(dt.date(2026, 1, 9))) == []
    totals = portfolio_totals(dt.date(2026, 2, 28))
    assert totals["loans"] == 2 and totals["disbursed"] == Decimal("1500000.00")
    assert totals["outstanding_principal"] == Decimal("1486111.00")
    assert totals["by_bucket"]["1_30"] == {"loans": 1, "outstanding_principal": Decimal("1000000.00")}
    assert totals["portfolio_at_risk_30"] == 0
    later = portfolio_totals(dt.date(2026, 4, 15))  # the late loan: 10 Feb unpaid, 64 days
    assert later["by_bucket"]["61_90"]["loans"] == 1
    assert later["portfolio_at_risk_30"] == Decimal("1000000.00") / later["outstanding_principal"]


def test_a_disbursement_the_bank_returns_takes_the_loan_back(loan_call, operator, space, people):
    loan = disburse(loan_call, operator, space, people, amount=Decimal("500000"), months=36, grace=0)
    instruction = PaymentInstruction.objects.get(idempotency_key=f"loans.loan:{loan.pk}")
    finance.payment_fail(instruction=instruction, actor=people["checker"], reason="Account closed")
    loan = Loan.objects.get(pk=loan.pk)
    assert loan.state == "disbursement_requested" and loan.disbursed_on is None
    assert Award.objects.get(pk=loan.award_id).paid == 0
    assert not ScheduleVersion.objects.filter(loan=loan, is_current=True).exists()
    assert list(portfolio_rows(timezone.localdate())) == []
