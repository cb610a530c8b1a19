"""Reversing any repayment (issue #22): the later ones are reversed and split again in order (reversal
rows for the old allocations, new rows for the replayed ones; append-only), the general ledger
mirrors the old entries and posts the new splits, the preview shows the positions before and after."""

import datetime as dt
from decimal import Decimal

import pytest

from audit.models import AuditEvent
from finance.journal import Account, balance
from finance.models import JournalEntry
from loans import services
from loans.errors import InvalidTransition, PermissionDenied, ValidationFailed
from loans.models import Loan, Repayment, RepaymentAllocation, ScheduleVersion

from .conftest import at, disburse, ledger_ties, repay

pytestmark = pytest.mark.django_db
DISBURSED = dt.date(2026, 1, 10)
PRINCIPAL = Decimal("1000000.00")


@pytest.fixture
def loan(loan_call, operator, space, people):
    """PKR 1,000,000 at 5% over 24 months from 10 Jan 2026; the first three instalments paid on their days."""
    loan = disburse(loan_call, operator, space, people, amount=PRINCIPAL, months=24, grace=0, on=DISBURSED)
    rows = schedule(loan)
    for n, day in enumerate([dt.date(2026, 2, 10), dt.date(2026, 3, 10), dt.date(2026, 4, 10)]):
        repay(loan, people, rows[n].instalment, day, f"HBL-{n + 1}")
    return Loan.objects.get(pk=loan.pk)


def schedule(loan):
    return list(ScheduleVersion.objects.get(loan=loan, is_current=True).instalments.order_by("number"))


def live(loan):
    return Repayment.objects.filter(loan=loan, kind="repayment", reversed_by__isnull=True).order_by("posted_at", "id")


def test_reversing_the_first_repayment_replays_the_later_two(loan, people):
    rows = schedule(loan)
    instalment = rows[0].instalment
    first, second, third = live(loan)
    with at(dt.date(2026, 4, 20)):
        preview = services.loan_reversal_preview(repayment=first, actor=people["checker"])
    # The preview changed nothing.
    assert live(loan).count() == 3 and Repayment.objects.filter(loan=loan, kind="reversal").count() == 0
    assert preview.before.principal_repaid == sum(r.principal for r in rows[:3])
    assert preview.before.overdue_principal == 0 and preview.before.days_past_due == 0
    with at(dt.date(2026, 4, 20)):
        services.loan_reverse_repayment(
            repayment=first, actor=people["checker"], reason="Cheque bounced", expect=preview.fingerprint
        )
    loan = Loan.objects.get(pk=loan.pk)
    # Three reversal rows (the bounced one and the two it carried), two replays, nothing edited.
    reversals = Repayment.objects.filter(loan=loan, kind="reversal")
    assert sorted(r.reverses.bank_reference for r in reversals) == ["HBL-1", "HBL-2", "HBL-3"]
    assert reversals.get(reverses=first).reason == "Cheque bounced"
    replays = list(live(loan))
    assert [(r.bank_reference, r.replay_of_id) for r in replays] == [("HBL-2", second.pk), ("HBL-3", third.pk)]
    # Re-derived splits: on 10 Mar the interest of rows 1 and 2 first, then row 1's principal; on 10 Apr
    # row 3's interest, then the rest of row 1's principal and row 2's.
    assert replays[0].interest == rows[0].interest + rows[1].interest
    assert replays[0].principal == instalment - rows[0].interest - rows[1].interest
    assert replays[1].interest == rows[2].interest and replays[1].principal == instalment - rows[2].interest
    assert second.principal == rows[1].principal  # the old rows keep their old splits
    # Reversal allocations take back exactly the old ones.
    for old in (first, second, third):
        taken = RepaymentAllocation.objects.filter(repayment__reverses=old)
        assert sorted((a.instalment_id, -a.principal, -a.interest) for a in taken) == sorted(
            (a.instalment_id, a.principal, a.interest) for a in old.allocations.all()
        )
    principal = replays[0].principal + replays[1].principal
    interest = replays[0].interest + replays[1].interest
    assert (loan.principal_repaid, loan.interest_repaid) == (principal, interest)
    # The preview said so.
    assert preview.after.principal_repaid == principal and preview.after.markup_repaid == interest
    assert [(r.principal_after, r.interest_after) for r in preview.replayed] == [
        (replays[0].principal, replays[0].interest),
        (replays[1].principal, replays[1].interest),
    ]
    assert preview.after.overdue_principal > 0 and preview.after.days_past_due == 41  # row 2, of 10 Mar
    # The general ledger: old entries mirrored, new splits posted; receivable ties to the book.
    assert balance(Account.LOANS_RECEIVABLE) == PRINCIPAL - principal
    assert balance(Account.MARKUP_INCOME) == interest
    assert JournalEntry.objects.filter(source__startswith="loans.repayment:", reverses__isnull=False).count() == 3
    assert ledger_ties() == []
    event = AuditEvent.objects.get(action="loan.repayment_reversal", object_id=str(loan.pk))
    assert event.data["replayed"] == ["HBL-2", "HBL-3"] and event.reason == "Cheque bounced"
    assert AuditEvent.objects.filter(action="loan.repayment_replay", object_id=str(loan.pk)).count() == 2


def test_refusals_name_the_rule(loan, people):
    first, second, _third = live(loan)
    with pytest.raises(ValidationFailed):
        services.loan_reverse_repayment(repayment=first, actor=people["maker"], reason=" ")
    with pytest.raises(PermissionDenied, match="Only finance staff"):
        services.loan_reverse_repayment(repayment=first, actor=people["officer"], reason="x")
    with pytest.raises(InvalidTransition, match="changed since the preview"):
        services.loan_reverse_repayment(repayment=first, actor=people["maker"], reason="x", expect="f" * 20)
    services.loan_reverse_repayment(repayment=second, actor=people["maker"], reason="Wrong loan")
    with pytest.raises(InvalidTransition, match="already reversed"):
        services.loan_reverse_repayment(repayment=second, actor=people["maker"], reason="again")
    assert live(loan).count() == 2 and ledger_ties() == []


def test_a_repayment_before_a_prepayments_new_schedule_is_not_replayed_across_it(loan, people):
    rows = schedule(loan)
    repay(loan, people, rows[3].instalment + Decimal("100000"), dt.date(2026, 5, 10), "HBL-4")
    pending = services.pending_prepayment(Loan.objects.get(pk=loan.pk))
    services.loan_choose_prepayment(repayment=pending, actor=people["maker"], choice="reamortise", reason="Call")
    first = Repayment.objects.get(loan=loan, bank_reference="HBL-1")
    with pytest.raises(InvalidTransition, match="new schedule chosen after a prepayment"):
        services.loan_reverse_repayment(repayment=first, actor=people["maker"], reason="x")


def test_reversing_under_a_payoff_reopens_the_loan(loan, people):
    payoff_day = dt.date(2026, 5, 1)
    owed = services.loan_payoff(loan, on=payoff_day)
    repay(loan, people, owed.total, payoff_day, "PAYOFF")
    assert Loan.objects.get(pk=loan.pk).state == "closed"
    first = Repayment.objects.get(loan=loan, bank_reference="HBL-1")
    with at(dt.date(2026, 5, 5)):
        services.loan_reverse_repayment(repayment=first, actor=people["maker"], reason="Bounced")
    loan = Loan.objects.get(pk=loan.pk)
    # The payoff replayed no longer pays everything: the loan owes the bounced instalment again.
    assert loan.state == "active" and loan.closed_on is None
    assert loan.outstanding_principal > 0 and ledger_ties() == []
    assert Repayment.objects.get(replay_of__bank_reference="PAYOFF", reversed_by__isnull=True).amount == owed.total
