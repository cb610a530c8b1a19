"""The demo review-and-decision data: made through the services, once."""

from decimal import Decimal

import pytest
from django.utils import timezone

from audit.services import audit_verify_chain
from fixtures.demo_applications import load_demo_applications
from fixtures.demo_network import load_demo_network
from fixtures.demo_reviews import load_demo_reviews
from grants.fiscal import FiscalYear
from grants.models import Application, Award, BoardMeeting, BudgetAllocation, BudgetCommitment, Decision, Review

pytestmark = pytest.mark.django_db


def test_demo_reviews_decisions_and_a_nearly_exhausted_program_idempotent():
    load_demo_network()
    load_demo_applications()
    total = load_demo_reviews()
    assert total == Review.objects.count() > 0

    pilot = BudgetAllocation.objects.get(program__code="WW", fiscal_year=FiscalYear.current().start_year)
    assert (pilot.amount, pilot.committed) == (Decimal("12000000"), Decimal("11200000"))
    assert Application.objects.filter(call__program__code="WW", state="recommended").count() == 1
    # The demo has a past (issue #17): the board met on the days its decisions were taken, each time
    # with its quorum of three.
    meetings = BoardMeeting.objects.all()
    assert meetings.count() > 1
    assert all(meeting.members_present.count() == 3 for meeting in meetings)
    assert all(meeting.held_on <= timezone.localdate() for meeting in meetings)
    assert Decision.objects.filter(meeting__isnull=False, outcome="approve").count() >= 6
    assert Decision.objects.filter(meeting__isnull=False, outcome="reject").count() == 3
    # One reviewer declared a conflict of interest (on the soft loan in review).
    assert Review.objects.filter(state="conflicted").count() == 1
    assert Decision.objects.filter(delegated=True).count() == 1  # the utility enrolment
    # Reviewers have work waiting: a declaration and a review to score.
    assert set(Review.objects.filter(state__in=["assigned", "declared"]).values_list("reviewer__email", flat=True)) == {
        "reviewer@demo.sahulat.pk",
        "reviewer2@demo.sahulat.pk",
    }
    for allocation in BudgetAllocation.objects.all():
        ledger = sum(BudgetCommitment.objects.filter(allocation=allocation).values_list("amount", flat=True))
        assert allocation.committed == ledger <= allocation.amount
    assert Award.objects.count() == Decision.objects.filter(outcome__in=["approve", "approve_with_conditions"]).count()

    counts = (Review.objects.count(), Decision.objects.count(), BudgetCommitment.objects.count())
    assert load_demo_reviews() == total
    assert (Review.objects.count(), Decision.objects.count(), BudgetCommitment.objects.count()) == counts
    assert audit_verify_chain().ok
