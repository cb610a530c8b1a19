"""The demo loader puts a few loans on the book, in different states and buckets, once."""

from collections import Counter

import pytest

from audit.services import audit_verify_chain
from fixtures.demo_applications import load_demo_applications
from fixtures.demo_loans import load_demo_loans
from fixtures.demo_network import load_demo_network
from grants.models import LoanDetails
from loans.models import Loan, Repayment, ScheduleVersion

pytestmark = pytest.mark.django_db


def test_demo_loans_states_buckets_and_idempotent():
    load_demo_network()
    assert load_demo_loans() == 4
    load_demo_applications()  # the current round, after the loans as in load_demo: its spaces are free
    loans = list(Loan.objects.order_by("pk"))
    assert Counter(loan.state for loan in loans) == {"active": 3, "closed": 1}
    assert sorted(loan.arrears_bucket for loan in loans if loan.state == "active") == ["1_30", "61_90", "current"]
    closed = next(loan for loan in loans if loan.state == "closed")
    assert closed.closed_early and closed.principal_repaid == closed.principal
    late = next(loan for loan in loans if loan.arrears_bucket == "61_90")
    assert 61 <= late.days_past_due <= 75  # well inside the bucket, not on its edge
    # The 1-30 loan chose a capitalised grace in its application: six months with nothing asked, its
    # balance grown by the markup, then its first instalment unpaid.
    capitalised = next(loan for loan in loans if loan.arrears_bucket == "1_30")
    assert (capitalised.grace_months, capitalised.grace_kind) == (6, "none")
    assert capitalised.application.loan_details.grace_kind == "none"
    rows = list(ScheduleVersion.objects.get(loan=capitalised, is_current=True).instalments.order_by("number"))
    assert all(r.instalment == 0 for r in rows[:6]) and rows[5].balance > capitalised.principal
    assert 1 <= capitalised.days_past_due <= 20 and capitalised.outstanding_principal == rows[5].balance
    assert not Repayment.objects.filter(loan=capitalised).exists()
    # The current round's applications show both kinds.
    kinds = set(LoanDetails.objects.filter(grace_months__gt=0).values_list("grace_kind", flat=True))
    assert kinds == {"interest_only", "none"}
    counts = (Loan.objects.count(), Repayment.objects.count(), ScheduleVersion.objects.count())
    assert load_demo_loans() == 4
    assert (Loan.objects.count(), Repayment.objects.count(), ScheduleVersion.objects.count()) == counts
    assert audit_verify_chain().ok
