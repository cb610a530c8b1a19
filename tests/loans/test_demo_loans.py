"""The demo loader puts a few loans on the book, in different states and buckets, once: among them a
loan paid out in two parts, a re-amortised prepayment, a reversed older repayment with a later one
replayed, and a loan written off by two people with a recovery (issue #22); the ledger ties."""

from collections import Counter

import pytest

from audit.services import audit_verify_chain
from fixtures.demo_applications import load_demo_applications
from fixtures.demo_loans import load_demo_loans
from fixtures.demo_network import load_demo_network
from grants.models import LoanDetails
from loans.ledger import receivable_ties_to_the_book
from loans.models import Loan, Recovery, Repayment, ScheduleVersion, WriteOffProposal

pytestmark = pytest.mark.django_db


def test_demo_loans_states_buckets_and_idempotent():
    load_demo_network()
    assert load_demo_loans() == 7
    load_demo_applications()  # the current round, after the loans as in load_demo: its spaces are free
    loans = list(Loan.objects.order_by("pk"))
    assert Counter(loan.state for loan in loans) == {"active": 5, "closed": 1, "written_off": 1}
    assert sorted(loan.arrears_bucket for loan in loans if loan.state == "active") == [
        "1_30",
        "61_90",
        "current",
        "current",
        "current",
    ]
    # Paid out in two parts: the schedule rebuilt when the second was paid, the first version kept.
    two_parts = next(loan for loan in loans if loan.parts.exists())
    assert [p.state for p in two_parts.parts.order_by("number")] == ["paid", "paid"]
    assert two_parts.disbursed_amount == two_parts.principal
    assert list(two_parts.versions.order_by("number").values_list("cause", flat=True)) == ["part", "part"]
    # A reversed older repayment, the later one replayed; then a re-amortised prepayment.
    prepaid = next(loan for loan in loans if loan.versions.filter(cause="prepayment").exists())
    assert prepaid.versions.get(cause="prepayment").prepayment_choice == "reamortise"
    assert Repayment.objects.filter(loan=prepaid, kind="reversal").count() == 2
    assert Repayment.objects.filter(loan=prepaid, replay_of__isnull=False).count() == 1
    assert prepaid.arrears_bucket == "current"
    # Written off by two people, with a recovery.
    written_off = next(loan for loan in loans if loan.state == "written_off")
    proposal = WriteOffProposal.objects.get(loan=written_off)
    assert proposal.state == "confirmed" and proposal.decided_by != proposal.proposed_by
    assert Recovery.objects.filter(loan=written_off).count() == 1
    assert receivable_ties_to_the_book() == []
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
    assert load_demo_loans() == 7
    assert (Loan.objects.count(), Repayment.objects.count(), ScheduleVersion.objects.count()) == counts
    assert audit_verify_chain().ok
