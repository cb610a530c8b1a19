"""Arrears: days past due and buckets on fixed days, the daily pass and its idempotency."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from loans import positions
from loans.models import Loan
from loans.schedules import build_schedule
from loans.tasks import refresh_loan_positions

from .conftest import disburse, repay

SCHEDULE = build_schedule(
    principal=Decimal("500000"), annual_rate_percent=Decimal("0"), months=36, first_due=dt.date(2026, 2, 10)
)
ROWS = [positions.Row(r.month, r.due_date, r.instalment, r.principal, r.interest) for r in SCHEDULE]
FIRST_DUE = dt.date(2026, 2, 10)


@pytest.mark.parametrize(
    ("days_late", "bucket"),
    [
        (0, "current"),
        (1, "1_30"),
        (30, "1_30"),
        (31, "31_60"),
        (60, "31_60"),
        (61, "61_90"),
        (90, "61_90"),
        (91, "90_plus"),
    ],
)
def test_bucket_boundaries_on_fixed_days(days_late, bucket):
    as_of = FIRST_DUE + dt.timedelta(days=days_late)
    position = positions.position(principal=Decimal("500000"), rows=ROWS, settled={}, as_of=as_of)
    assert position.days_past_due == days_late
    assert position.bucket == bucket
    if days_late == 0:  # due today is due, not overdue
        assert position.overdue_amount == 0 and position.next_due_date == FIRST_DUE


def test_paid_instalments_are_not_arrears_and_the_oldest_unpaid_counts():
    as_of = dt.date(2026, 4, 20)  # rows 1-3 due (10 Feb, 10 Mar, 10 Apr)
    settled = {1: positions.Settled(principal=Decimal("13889.00"))}
    position = positions.position(principal=Decimal("500000"), rows=ROWS, settled=settled, as_of=as_of)
    assert position.days_past_due == (as_of - dt.date(2026, 3, 10)).days == 41
    assert position.overdue_amount == Decimal("27778.00")
    assert position.outstanding_principal == Decimal("486111.00")
    assert position.next_due_date == dt.date(2026, 5, 10) and position.next_due_amount == Decimal("13889.00")
    # A part-paid instalment is still in arrears.
    settled[2] = positions.Settled(principal=Decimal("13000.00"))
    assert positions.position(principal=Decimal("500000"), rows=ROWS, settled=settled, as_of=as_of).days_past_due == 41


def test_capitalised_grace_asks_nothing_and_grows_the_balance():
    rows = [
        positions.Row(r.month, r.due_date, r.instalment, r.principal, r.interest)
        for r in build_schedule(
            principal=Decimal("1000000"),
            annual_rate_percent=Decimal("5"),
            months=24,
            grace_months=3,
            grace="none",
            first_due=FIRST_DUE,
        )
    ]
    position = positions.position(principal=Decimal("1000000"), rows=rows, settled={}, as_of=dt.date(2026, 4, 11))
    assert position.days_past_due == 0  # nothing was asked in grace
    assert position.outstanding_principal == Decimal("1000000") + sum(-r.principal for r in rows[:3])


@pytest.mark.django_db
def test_daily_pass_stores_positions_and_is_idempotent(loan_call, operator, space, people):
    on_time = disburse(
        loan_call, operator, space, people, amount=Decimal("500000"), months=36, grace=0, on=dt.date(2026, 1, 10)
    )
    late = disburse(
        loan_call, operator, space, people, amount=Decimal("400000"), months=36, grace=0, on=dt.date(2026, 1, 10)
    )
    repay(on_time, people, "13889", dt.date(2026, 2, 9), "MCB-1")
    as_of = dt.date(2026, 3, 5)  # 10 Feb is past; 10 Mar is next
    assert refresh_loan_positions(as_of.isoformat()) == 2
    on_time.refresh_from_db()
    late.refresh_from_db()
    assert (on_time.days_past_due, on_time.arrears_bucket, on_time.next_due_date) == (
        0,
        "current",
        dt.date(2026, 3, 10),
    )
    assert on_time.outstanding_principal == Decimal("486111.00")
    assert (late.days_past_due, late.arrears_bucket, late.overdue_amount) == (23, "1_30", Decimal("11111.00"))
    assert late.position_as_of == as_of
    before = list(Loan.objects.order_by("pk").values())
    events = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as second_run:
        refresh_loan_positions(as_of.isoformat())
    assert list(Loan.objects.order_by("pk").values()) == before
    assert AuditEvent.objects.count() == events
    # One bulk pass: the loans, their schedules, the allocations, one bulk update, the capitalised
    # markup already in the general ledger (+ savepoints).
    assert len([q for q in second_run.captured_queries if "SAVEPOINT" not in q["sql"]]) <= 6
    # The command does the same for a chosen day.
    call_command("loan_positions", "--as-of", "2026-05-15")
    late.refresh_from_db()
    assert (late.days_past_due, late.arrears_bucket) == (94, "90_plus")
