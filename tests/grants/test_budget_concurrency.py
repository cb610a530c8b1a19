"""On PostgreSQL: twenty board approvals at the same moment against a budget that fits exactly ten.
The allocation row lock (grants/services_review._commit_budget) makes them queue; exactly ten commit,
the committed total equals the ledger's sum and the allocation, never more."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from grants import services
from grants.errors import GrantsError
from grants.models import Application, Award, BudgetAllocation, BudgetCommitment

from .conftest import board_meeting, complete_grant, ensure_allocation, review_fully, to_state
from .factories import OperatorFactory, SpaceFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

AMOUNT = Decimal("2000000")


def test_twenty_concurrent_approvals_commit_exactly_what_fits(grant_call, officer, chair):
    assert connection.vendor == "postgresql"
    allocation = ensure_allocation(grant_call.program, amount=AMOUNT * 10)
    meeting = board_meeting(chair)
    reviewers = [UserFactory(roles=["board_reviewer"]) for _i in range(2)]
    apps = []
    for _i in range(20):
        user = UserFactory(roles=["operator"])
        company = OperatorFactory(members=[user])
        app = complete_grant(grant_call, company, SpaceFactory(operator=company), user, amount=AMOUNT)
        app = to_state(app, "in_review", operator_user=user, officer=officer)
        apps.append(review_fully(app, officer=officer, reviewers=reviewers))
    assert all(app.state == "recommended" for app in apps)

    barrier = threading.Barrier(len(apps))
    outcomes = [None] * len(apps)

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
            outcomes[index] = "ok"
        except GrantsError as error:
            outcomes[index] = error.message
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(i, app)) for i, app in enumerate(apps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes.count("ok") == 10, outcomes
    refusals = [o for o in outcomes if o != "ok"]
    assert len(refusals) == 10
    assert all("Not enough budget" in o and "has PKR 0 left" in o and "needs PKR 2,000,000 more" in o for o in refusals)
    allocation.refresh_from_db()
    ledger = sum(BudgetCommitment.objects.filter(allocation=allocation).values_list("amount", flat=True))
    assert allocation.committed == ledger == allocation.amount == AMOUNT * 10
    assert Application.objects.filter(pk__in=[a.pk for a in apps], state="approved").count() == 10
    assert Award.objects.count() == 10
    assert len(set(Award.objects.values_list("sanction_number", flat=True))) == 10
    assert BudgetAllocation.objects.get(pk=allocation.pk).committed <= allocation.amount
