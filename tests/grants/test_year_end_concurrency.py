"""On PostgreSQL: the year-end close carrying commitments into the new year's allocation while the board
approves applications against that same allocation, all at once. The allocation row lock makes them
queue: nothing is over-committed, and the ledger, the allocations' running totals and the general
ledger agree per fiscal year."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, connections
from django.utils import timezone

from accounts import roles
from grants import services
from grants.errors import GrantsError
from grants.fiscal import FiscalYear
from grants.ledger_checks import allocations_tie, commitments_tie
from grants.models import BudgetAllocation, BudgetCommitment, Program

from .conftest import complete_grant, review_fully, to_state
from .factories import OperatorFactory, SpaceFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

AMOUNT = Decimal("2000000")
KARACHI = timezone.get_fixed_timezone(5 * 60)


def _application(call, officer):
    user = UserFactory(roles=[roles.OPERATOR])
    company = OperatorFactory(members=[user])
    app = complete_grant(call, company, SpaceFactory(operator=company), user, amount=AMOUNT)
    return to_state(app, "in_review", operator_user=user, officer=officer)


def test_year_end_close_racing_board_approvals_never_over_commits(grant_call, officer, chair):
    assert connection.vendor == "postgresql"
    steward = UserFactory(roles=[roles.DATA_STEWARD])
    program = grant_call.program
    Program.objects.filter(pk=program.pk).update(year_end_policy=Program.YearEndPolicy.CARRY_FORWARD)
    year = FiscalYear.current()
    following = FiscalYear(year.start_year + 1)
    for fiscal_year, amount in ((year, AMOUNT * 3), (following, AMOUNT * 6)):
        services.budget_allocation_set(
            program=program, fiscal_year=fiscal_year.start_year, amount=amount, actor=steward, reason="Budget"
        )
    reviewers = [UserFactory(roles=[roles.BOARD_REVIEWER]) for _i in range(2)]
    # This year: three approved awards, nothing paid (3 × 2,000,000 to carry forward).
    for _i in range(3):
        app = review_fully(_application(grant_call, officer), officer=officer, reviewers=reviewers)
        meeting = services.board_meeting_record(actor=chair, held_on=timezone.localdate(), members_present=reviewers)
        services.board_decision_record(
            meeting=meeting,
            application=app,
            actor=chair,
            outcome="approve",
            votes_for=3,
            votes_against=0,
            votes_abstain=0,
        )
    # Six more, recommended, decided on 1 July of the new year against its allocation (room for six).
    waiting = [review_fully(_application(grant_call, officer), officer=officer, reviewers=reviewers) for _i in range(6)]

    with time_machine.travel(dt.datetime(year.end.year, 7, 1, 10, 0, tzinfo=KARACHI), tick=True):
        meeting = services.board_meeting_record(actor=chair, held_on=timezone.localdate(), members_present=reviewers)
        barrier = threading.Barrier(len(waiting) + 1)
        outcomes: dict[str, object] = {}

        def approve(index, app):
            try:
                barrier.wait()
                services.board_decision_record(
                    meeting=meeting,
                    application=app,
                    actor=chair,
                    outcome="approve",
                    votes_for=3,
                    votes_against=0,
                    votes_abstain=0,
                )
                outcomes[f"approve-{index}"] = "ok"
            except GrantsError as error:
                outcomes[f"approve-{index}"] = error.message
            finally:
                connections.close_all()

        def close():
            try:
                barrier.wait()
                outcomes["close"] = services.fiscal_year_close(fiscal_year=year, actor="test")
            finally:
                connections.close_all()

        threads = [threading.Thread(target=approve, args=(i, app)) for i, app in enumerate(waiting)]
        threads.append(threading.Thread(target=close))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    report = outcomes["close"]
    approved = [key for key, value in outcomes.items() if key.startswith("approve") and value == "ok"]
    refused = [value for key, value in outcomes.items() if key.startswith("approve") and value != "ok"]
    assert all("Not enough budget" in message for message in refused), refused
    new = BudgetAllocation.objects.get(program=program, fiscal_year=following.start_year)
    old = BudgetAllocation.objects.get(program=program, fiscal_year=year.start_year)
    # Whoever came first took the room; the carried-forward awards that found none lapsed, reported.
    assert new.committed <= new.amount
    assert new.committed == AMOUNT * len(approved) + report.carried_forward
    assert report.carried_forward + report.lapsed == AMOUNT * 3
    assert len(report.lines) == 3
    assert old.committed == 0
    for allocation in (old, new):
        ledger = sum(BudgetCommitment.objects.filter(allocation=allocation).values_list("amount", flat=True))
        assert ledger == allocation.committed
    assert commitments_tie() == [] and allocations_tie() == []
