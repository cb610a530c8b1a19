"""The award's end (issue #22): completion by a program officer, termination by two board members, the
release of the unpaid remainder, re-commitment, and the general-ledger postings of every commitment row."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts import roles
from finance.journal import Account, balance
from finance.models import JournalEntry
from grants import services
from grants.errors import InvalidTransition, PermissionDenied, ValidationFailed
from grants.fiscal import FiscalYear
from grants.ledger_checks import allocations_tie, commitments_tie
from grants.models import (
    Award,
    AwardState,
    BudgetAllocation,
    BudgetAllocationChange,
    BudgetCommitment,
    TerminationProposal,
    Tranche,
    TrancheState,
)
from grants.selectors.awards import award_money
from notifications.models import Notification

from .factories import UserFactory
from .payments import accepted_grant, finance_people, pay_through_finance, payment_for, request_tranche

pytestmark = pytest.mark.django_db

AMOUNT = Decimal("4000000")
BUDGET = Decimal("100000000")


@pytest.fixture
def steward(db):
    return UserFactory(roles=[roles.DATA_STEWARD], email="steward@pitb.example.pk")


@pytest.fixture
def reviewer(db):
    return UserFactory(roles=[roles.BOARD_REVIEWER], email="member@pitb.example.pk", full_name="Sana Mir")


@pytest.fixture
def award(grant_call, operator, space, operator_user, officer, chair, steward):
    services.budget_allocation_set(
        program=grant_call.program,
        fiscal_year=FiscalYear.current().start_year,
        amount=BUDGET,
        actor=steward,
        reason="The program's budget for the year.",
    )
    return accepted_grant(grant_call, operator, space, operator_user, officer, amount=AMOUNT, chair=chair)


def _allocation(award):
    return BudgetAllocation.objects.get(pk=award.commitment.allocation_id)


def _pay_tranche(award, position, operator_user, officer):
    tranche = Tranche.objects.get(award=award, position=position)
    services.tranche_verify(tranche=request_tranche(tranche, operator_user), actor=officer)
    maker, checker = _finance_people()
    pay_through_finance(Tranche.objects.get(pk=tranche.pk), maker, checker)


def _finance_people():
    from accounts.models import User

    people = list(User.objects.filter(email__endswith="@finance.example.pk").order_by("email"))
    if len(people) == 2:
        checker, maker = people
        return maker, checker
    return finance_people()


def _ledger_ties():
    assert commitments_tie() == []
    assert allocations_tie() == []


# --- the general ledger of the budget ------------------------------------------------------------------


def test_allocation_and_approval_post_to_the_general_ledger(award):
    fy = FiscalYear.current().start_year
    assert balance(Account.BUDGET_ALLOCATION, fiscal_year=fy) == BUDGET
    assert balance(Account.COMMITMENTS, fiscal_year=fy) == AMOUNT
    assert balance(Account.BUDGET_AVAILABLE, fiscal_year=fy) == BUDGET - AMOUNT
    entry = JournalEntry.objects.get(source=f"grants.budgetcommitment:{award.commitment_id}")
    assert entry.fiscal_year == fy and entry.event == "budget.commit"
    assert {(line.account, line.debit, line.credit) for line in entry.lines.all()} == {
        (Account.BUDGET_AVAILABLE, AMOUNT, 0),
        (Account.COMMITMENTS, 0, AMOUNT),
    }
    _ledger_ties()


def test_allocation_change_is_refused_below_committed_and_for_non_stewards(award, officer, steward):
    allocation = _allocation(award)
    with pytest.raises(ValidationFailed) as refused:
        services.budget_allocation_set(
            program=allocation.program,
            fiscal_year=allocation.fiscal_year,
            amount=Decimal("1000000"),
            actor=steward,
            reason="Cut",
        )
    assert "already committed PKR 4,000,000" in refused.value.messages[0]
    assert "PKR 3,000,000 less than what is committed" in refused.value.messages[0]
    with pytest.raises(PermissionDenied):
        services.budget_allocation_set(
            program=allocation.program, fiscal_year=allocation.fiscal_year, amount=BUDGET * 2, actor=officer, reason="x"
        )
    services.budget_allocation_set(
        program=allocation.program,
        fiscal_year=allocation.fiscal_year,
        amount=BUDGET - Decimal("10000000"),
        actor=steward,
        reason="The finance department's mid-year cut.",
    )
    change = BudgetAllocationChange.objects.filter(allocation=allocation).latest("pk")
    assert change.delta == Decimal("-10000000") and change.changed_by == steward
    assert balance(Account.BUDGET_ALLOCATION, fiscal_year=allocation.fiscal_year) == BUDGET - Decimal("10000000")
    _ledger_ties()


# --- completion -------------------------------------------------------------------------------------------


def test_complete_early_needs_a_note_then_releases_the_unpaid_remainder(award, operator_user, officer):
    _pay_tranche(award, 1, operator_user, officer)
    allocation_before = _allocation(award)
    with pytest.raises(ValidationFailed) as refused:
        services.award_complete(award=award, actor=officer)
    text = refused.value.field_errors["note"][0]
    assert "PKR 2,000,000 paid of PKR 4,000,000" in text and "PKR 2,000,000 is unpaid" in text

    services.award_complete(award=award, actor=officer, note="The solar part was dropped from the plan.")
    award.refresh_from_db()
    assert award.state == AwardState.COMPLETED and award.ended_by == officer
    assert award.end_note == "The solar part was dropped from the plan."
    assert Tranche.objects.get(award=award, position=2).state == TrancheState.CANCELLED
    release = BudgetCommitment.objects.get(application=award.application, cause="completion")
    assert release.kind == "reversal" and release.amount == Decimal("-2000000")
    allocation = _allocation(award)
    assert allocation.committed == allocation_before.committed - Decimal("2000000")
    assert allocation.remaining == allocation_before.remaining + Decimal("2000000")
    assert award_money(award).releasable == 0
    assert JournalEntry.objects.filter(source=f"grants.budgetcommitment:{release.pk}", event="budget.release").exists()
    assert Notification.objects.filter(recipient=operator_user, subject__contains="completed").exists()
    _ledger_ties()


def test_complete_when_everything_is_paid_releases_nothing(award, operator_user, officer):
    _pay_tranche(award, 1, operator_user, officer)
    _pay_tranche(award, 2, operator_user, officer)
    services.award_complete(award=award, actor=officer)
    award.refresh_from_db()
    assert award.state == AwardState.COMPLETED and award.end_note == "All of the award is paid."
    assert not BudgetCommitment.objects.filter(application=award.application, kind="reversal").exists()


def test_complete_is_refused_while_a_payment_is_with_finance_and_to_others(award, operator_user, officer, chair):
    tranche = Tranche.objects.get(award=award, position=1)
    services.tranche_verify(tranche=request_tranche(tranche, operator_user), actor=officer)
    with pytest.raises(InvalidTransition) as refused:
        services.award_complete(award=award, actor=officer, note="Closing.")
    assert "PKR 2,000,000 waiting for payment" in refused.value.message
    with pytest.raises(PermissionDenied):
        services.award_complete(award=award, actor=chair, note="Closing.")
    with pytest.raises(PermissionDenied):
        services.award_complete(award=award, actor=operator_user, note="Closing.")


# --- termination: two board members ------------------------------------------------------------------


def test_only_the_chair_proposes_and_the_proposer_never_confirms(award, officer, chair, reviewer):
    with pytest.raises(PermissionDenied, match="Only the board chair may propose"):
        services.award_termination_propose(award=award, actor=officer, reason="No progress.")
    with pytest.raises(PermissionDenied):
        services.award_termination_propose(award=award, actor=reviewer, reason="No progress.")
    with pytest.raises(ValidationFailed):
        services.award_termination_propose(award=award, actor=chair, reason="  ")
    proposal = services.award_termination_propose(award=award, actor=chair, reason="The space has closed.")
    with pytest.raises(InvalidTransition, match="already waiting"):
        services.award_termination_propose(award=award, actor=chair, reason="Again.")
    with pytest.raises(PermissionDenied, match="Two-person rule"):
        services.award_termination_confirm(proposal=proposal, actor=chair)
    with pytest.raises(PermissionDenied):
        services.award_termination_confirm(proposal=proposal, actor=officer)
    award.refresh_from_db()
    assert award.state == AwardState.ACCEPTED
    # The board members other than the proposer are asked to confirm.
    assert Notification.objects.filter(recipient=reviewer, subject__contains="Termination of award").exists()
    assert not Notification.objects.filter(recipient=chair, subject__contains="Termination of award").exists()


def test_the_proposer_withdraws_and_nobody_else(award, chair):
    other_chair = UserFactory(roles=[roles.BOARD_CHAIR])
    proposal = services.award_termination_propose(award=award, actor=chair, reason="The space has closed.")
    with pytest.raises(PermissionDenied, match="who proposed"):
        services.award_termination_withdraw(proposal=proposal, actor=other_chair)
    proposal = services.award_termination_withdraw(proposal=proposal, actor=chair)
    assert proposal.state == TerminationProposal.State.WITHDRAWN
    with pytest.raises(InvalidTransition):
        services.award_termination_confirm(proposal=proposal, actor=other_chair)
    # A new proposal may follow; another chair may confirm it.
    again = services.award_termination_propose(award=award, actor=chair, reason="The lease ended.")
    services.award_termination_confirm(proposal=again, actor=other_chair)
    award.refresh_from_db()
    assert award.state == AwardState.TERMINATED and award.end_note == "The lease ended."


def test_confirmed_termination_cancels_unrequested_tranches_keeps_finance_pipeline_and_tells_the_operator(
    award, operator_user, officer, chair, reviewer, client
):
    first = Tranche.objects.get(award=award, position=1)
    services.tranche_verify(tranche=request_tranche(first, operator_user), actor=officer)  # with finance
    allocation_before = _allocation(award)
    proposal = services.award_termination_propose(
        award=award, actor=chair, reason="The company sold the space to a café chain."
    )
    services.award_termination_confirm(proposal=proposal, actor=reviewer)
    award.refresh_from_db()
    assert award.state == AwardState.TERMINATED and award.ended_by == reviewer
    assert Tranche.objects.get(award=award, position=1).state == TrancheState.VERIFIED  # finance's, untouched
    assert Tranche.objects.get(award=award, position=2).state == TrancheState.CANCELLED
    assert payment_for(first).state == "requested"
    # The pending payment stays committed; the rest is released.
    money = award_money(award)
    assert (money.committed, money.pending, money.releasable) == (Decimal("2000000"), Decimal("2000000"), 0)
    assert _allocation(award).committed == allocation_before.committed - Decimal("2000000")
    proposal.refresh_from_db()
    assert proposal.state == "confirmed" and proposal.decided_by == reviewer
    note = Notification.objects.get(recipient=operator_user, subject__contains="terminated")
    assert "sold the space to a café chain" in note.body
    client.force_login(operator_user)
    page = client.get(reverse("grants:portal_application", args=[award.application.reference]))
    assert "sold the space to a café chain" in page.content.decode()
    # No new payment request for a terminated award.
    with pytest.raises(InvalidTransition):
        services.tranche_request(
            tranche=Tranche.objects.get(award=award, position=2), actor=operator_user, progress_note="x", evidence=[]
        )
    _ledger_ties()


def test_payment_on_a_terminated_award_is_refused_when_finance_cancelled_it(award, operator_user, officer, chair):
    from finance import services as finance

    first = Tranche.objects.get(award=award, position=1)
    services.tranche_verify(tranche=request_tranche(first, operator_user), actor=officer)
    proposal = services.award_termination_propose(award=award, actor=chair, reason="Closed.")
    services.award_termination_confirm(proposal=proposal, actor=UserFactory(roles=[roles.BOARD_REVIEWER]))
    maker, _checker = _finance_people()
    finance.payment_cancel(instruction=payment_for(first), actor=maker, reason="Award terminated.")
    with pytest.raises(InvalidTransition, match="terminated: no new payment"):
        services.tranche_pay_again(tranche=first, actor=officer)


# --- release and re-commitment ---------------------------------------------------------------------------


def test_release_is_refused_over_releasable_and_then_payment_waits_for_a_recommitment(
    award, operator_user, officer, chair
):
    _pay_tranche(award, 1, operator_user, officer)
    with pytest.raises(ValidationFailed) as refused:
        services.budget_release(award=award, actor=chair, amount="2500000", reason="Too much")
    text = refused.value.field_errors["amount"][0]
    assert "PKR 2,500,000 is more than award" in text
    assert "PKR 4,000,000 committed, PKR 2,000,000 paid and PKR 0 waiting for payment" in text
    assert "leave PKR 2,000,000 releasable" in text
    with pytest.raises(PermissionDenied):
        services.budget_release(award=award, actor=operator_user, amount="1", reason="x")
    rows = services.budget_release(award=award, actor=chair, amount="500000", reason="Solar costs fell.")
    assert [row.amount for row in rows] == [Decimal("-500000")] and rows[0].cause == "release"
    money = award_money(award)
    assert (money.committed, money.releasable, money.uncommitted) == (
        Decimal("3500000"),
        Decimal("1500000"),
        Decimal("500000"),
    )
    second = request_tranche(Tranche.objects.get(award=award, position=2), operator_user)
    with pytest.raises(ValidationFailed) as refused:
        services.tranche_verify(tranche=second, actor=officer)
    assert "PKR 1,500,000 is free for this payment of PKR 2,000,000" in refused.value.message
    with pytest.raises(ValidationFailed, match="at most PKR 500,000"):
        services.award_recommit(award=award, actor=officer, amount="600000")
    row = services.award_recommit(award=award, actor=officer)
    assert row.amount == Decimal("500000") and row.cause == "recommitment"
    services.tranche_verify(tranche=second, actor=officer)
    assert Tranche.objects.get(pk=second.pk).state == TrancheState.VERIFIED
    _ledger_ties()


def test_whole_reversal_is_refused_once_the_award_has_paid(award, operator_user, officer):
    _pay_tranche(award, 1, operator_user, officer)
    with pytest.raises(ValidationFailed, match="cannot be reversed whole"):
        services.budget_commitment_reverse(commitment=award.commitment, actor=officer, reason="Wrong")


# --- pages ------------------------------------------------------------------------------------------------


def test_award_pages_show_the_figures_and_refuse_the_proposer_confirming(award, operator_user, officer, chair, client):
    _pay_tranche(award, 1, operator_user, officer)
    client.force_login(officer)
    listing = client.get(reverse("grants:workbench_awards")).content.decode()
    assert award.sanction_number in listing and "PKR 2,000,000" in listing
    page = client.get(reverse("grants:workbench_award", args=[award.sanction_number])).content.decode()
    assert "data-releasable>PKR 2,000,000" in page.replace("\n", "")
    response = client.post(
        reverse("grants:workbench_award_release", args=[award.sanction_number]),
        {"amount": "3000000", "reason": "Over"},
        follow=True,
    )
    assert "is more than award" in response.content.decode()
    client.force_login(chair)
    client.post(
        reverse("grants:workbench_award_termination_propose", args=[award.sanction_number]), {"reason": "Closed."}
    )
    assert TerminationProposal.objects.filter(award=award, state="pending").exists()
    response = client.post(reverse("grants:workbench_award_termination_confirm", args=[award.sanction_number]))
    assert response.status_code == 403
    assert Award.objects.get(pk=award.pk).state == AwardState.ACCEPTED
    client.force_login(operator_user)
    assert client.get(reverse("grants:workbench_awards")).status_code == 403
