"""The borrower's choice after a prepayment (issue #22): shorten the tenor (same instalment, fewer
months) or re-amortise (same end date, lower instalment); both previewed before one is confirmed; a
new schedule version records which, who and why; the refusals."""

import datetime as dt
from decimal import Decimal

import pytest

from audit.models import AuditEvent
from loans import services
from loans.errors import InvalidTransition, PermissionDenied, ValidationFailed
from loans.models import Loan, ScheduleVersion

from .conftest import at, disburse, ledger_ties, repay

pytestmark = pytest.mark.django_db
DISBURSED = dt.date(2026, 1, 10)
PAID_ON = dt.date(2026, 3, 10)


@pytest.fixture
def loan(loan_call, operator, space, people):
    """PKR 1,000,000 at 5% over 24 months from 10 Jan 2026. The first instalment is paid on its day;
    on 10 Mar the borrower pays the second instalment and PKR 300,000 more."""
    loan = disburse(loan_call, operator, space, people, amount=Decimal("1000000"), months=24, grace=0, on=DISBURSED)
    rows = list(ScheduleVersion.objects.get(loan=loan).instalments.order_by("number"))
    repay(loan, people, rows[0].instalment, dt.date(2026, 2, 10), "UBL-1")
    repay(loan, people, rows[1].instalment + Decimal("300000"), PAID_ON, "UBL-2")
    return Loan.objects.get(pk=loan.pk)


def old_rows(loan):
    return list(ScheduleVersion.objects.get(loan=loan, number=1).instalments.order_by("number"))


def test_the_preview_shows_both_choices(loan, people):
    pending = services.pending_prepayment(loan)
    assert pending is not None and pending.bank_reference == "UBL-2"
    with at(PAID_ON):
        options = services.prepayment_options(repayment=pending, actor=people["operator_user"])
    rows = old_rows(loan)
    # 10 Mar's instalment was due; 10 Apr's (the current one) is paid in full; the rest prepays principal.
    assert options.prepaid == Decimal("300000.00") - rows[2].instalment
    assert options.current_instalment == rows[2].instalment
    shorten, reamortise = options.options["shorten"], options.options["reamortise"]
    # Shorten: the same instalment, fewer months, an earlier end.
    assert shorten.instalment == rows[2].instalment
    assert shorten.months < 21 and shorten.end < rows[-1].due_date
    # Re-amortise: the same 21 remaining months (May 2026 to Jan 2028) to the same end date, lower.
    assert reamortise.months == 21 and reamortise.end == rows[-1].due_date
    assert reamortise.instalment < rows[2].instalment
    assert reamortise.total_markup > shorten.total_markup
    # A preview changes nothing.
    assert ScheduleVersion.objects.filter(loan=loan).count() == 1


def test_the_borrower_chooses_to_reamortise_in_the_portal(loan, people):
    pending = services.pending_prepayment(loan)
    with at(dt.date(2026, 3, 12)):
        options = services.prepayment_options(repayment=pending, actor=people["operator_user"])
        version = services.loan_choose_prepayment(
            repayment=pending, actor=people["operator_user"], choice="reamortise", expect=options.fingerprint
        )
    assert version.number == 2 and version.is_current and version.cause == "prepayment"
    assert version.prepayment_choice == "reamortise" and version.repayment == pending
    assert version.effective_on == PAID_ON and version.created_by == people["operator_user"]
    assert "Chosen by the borrower" in version.reason
    old = ScheduleVersion.objects.get(loan=loan, number=1)
    assert not old.is_current and old.instalments.count() == 24  # kept as it was
    rows = list(version.instalments.order_by("number"))
    loan = Loan.objects.get(pk=loan.pk)
    assert version.principal == loan.outstanding_principal
    assert len(rows) == 21 and rows[0].due_date == dt.date(2026, 5, 10)
    assert rows[-1].due_date == old_rows(loan)[-1].due_date
    assert rows[0].instalment == options.options["reamortise"].instalment
    assert sum(r.principal for r in rows) == version.principal
    event = AuditEvent.objects.get(action="loan.prepayment_choice", object_id=str(loan.pk))
    assert event.data["choice"] == "reamortise" and event.data["by_borrower"] is True
    # Chosen once: no second choice for the same prepayment.
    assert services.pending_prepayment(loan) is None
    with pytest.raises(InvalidTransition, match="no prepayment awaiting a choice"):
        services.loan_choose_prepayment(repayment=pending, actor=people["operator_user"], choice="shorten")
    assert ledger_ties() == []


def test_finance_records_a_shorter_tenor_at_the_borrowers_request(loan, people):
    pending = services.pending_prepayment(loan)
    with pytest.raises(ValidationFailed) as refused:
        services.loan_choose_prepayment(repayment=pending, actor=people["maker"], choice="shorten", reason=" ")
    assert "reason" in refused.value.field_errors
    with at(dt.date(2026, 3, 12)):
        version = services.loan_choose_prepayment(
            repayment=pending, actor=people["maker"], choice="shorten", reason="Letter of 11 March"
        )
    rows = list(version.instalments.order_by("number"))
    old = old_rows(loan)
    assert version.prepayment_choice == "shorten" and "Letter of 11 March" in version.reason
    assert all(r.instalment == old[2].instalment for r in rows[:-1]) and rows[-1].instalment <= old[2].instalment
    assert rows[-1].due_date < old[-1].due_date and rows[-1].balance == 0


@pytest.mark.parametrize("who", ["officer", "chair", "other"])
def test_others_may_not_choose(loan, people, who, other_operator_user):
    person = other_operator_user if who == "other" else people[who]
    pending = services.pending_prepayment(loan)
    with pytest.raises(PermissionDenied):
        services.loan_choose_prepayment(repayment=pending, actor=person, choice="shorten", reason="x")
    assert ScheduleVersion.objects.filter(loan=loan).count() == 1


def test_a_stale_preview_and_an_unknown_choice_are_refused(loan, people):
    pending = services.pending_prepayment(loan)
    with pytest.raises(ValidationFailed):
        services.loan_choose_prepayment(repayment=pending, actor=people["operator_user"], choice="both")
    with pytest.raises(InvalidTransition, match="changed since the preview"):
        services.loan_choose_prepayment(
            repayment=pending, actor=people["operator_user"], choice="shorten", expect="0" * 20
        )


def test_a_later_repayment_ends_the_wait(loan, people):
    rows = old_rows(loan)
    repay(loan, people, rows[3].instalment, dt.date(2026, 5, 10), "UBL-3")
    assert services.pending_prepayment(Loan.objects.get(pk=loan.pk)) is None
    older = loan.repayments.get(bank_reference="UBL-2")
    with pytest.raises(InvalidTransition, match="no prepayment awaiting a choice"):
        services.loan_choose_prepayment(repayment=older, actor=people["operator_user"], choice="shorten")


def test_a_repayment_that_pays_only_what_is_due_asks_for_no_choice(loan_call, operator, space, people):
    loan = disburse(loan_call, operator, space, people, amount=Decimal("500000"), months=36, grace=0, on=DISBURSED)
    first = ScheduleVersion.objects.get(loan=loan).instalments.get(number=1)
    repay(loan, people, first.instalment, dt.date(2026, 2, 10), "MCB-1")
    assert services.pending_prepayment(Loan.objects.get(pk=loan.pk)) is None
