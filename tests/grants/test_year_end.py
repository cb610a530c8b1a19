"""The fiscal year's end (issue #22): lapse or carry forward by program policy, idempotent, refusals and
reports, the re-commitment a lapse needs, and the general ledger per fiscal year."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from finance.journal import Account, balance
from grants import services
from grants.errors import ValidationFailed
from grants.fiscal import FiscalYear
from grants.ledger_checks import allocations_tie, commitments_tie
from grants.models import BudgetAllocation, BudgetCommitment, FiscalYearClose, Program, Tranche
from grants.selectors.awards import award_money

from .factories import UserFactory
from .payments import accepted_grant, request_tranche

pytestmark = pytest.mark.django_db

AMOUNT = Decimal("4000000")
KARACHI = timezone.get_fixed_timezone(5 * 60)


@pytest.fixture
def steward(db):
    return UserFactory(roles=[roles.DATA_STEWARD], email="steward@pitb.example.pk")


@pytest.fixture
def year():
    return FiscalYear.current()


def _budget(program, fiscal_year: int, amount: Decimal, steward):
    return services.budget_allocation_set(
        program=program, fiscal_year=fiscal_year, amount=amount, actor=steward, reason="Budget"
    )


@pytest.fixture
def award(grant_call, operator, space, operator_user, officer, chair, steward, year):
    _budget(grant_call.program, year.start_year, Decimal("100000000"), steward)
    return accepted_grant(grant_call, operator, space, operator_user, officer, amount=AMOUNT, chair=chair)


def _policy(program, policy):
    Program.objects.filter(pk=program.pk).update(year_end_policy=policy)


def _after(year: FiscalYear):
    """1 July after the year, 01:00 Pakistan time."""
    return time_machine.travel(dt.datetime(year.end.year, 7, 1, 1, 0, tzinfo=KARACHI), tick=False)


def test_a_year_is_closed_only_after_it_ends(award, year):
    with pytest.raises(ValidationFailed, match=f"ends on {year.end.isoformat()}"):
        services.fiscal_year_close(fiscal_year=year, actor="test")


def test_lapse_releases_the_unpaid_part_once_and_the_award_is_recommitted_in_the_new_year(
    award, grant_call, operator_user, officer, steward, year
):
    following = FiscalYear(year.start_year + 1)
    _budget(grant_call.program, following.start_year, Decimal("50000000"), steward)
    with _after(year):
        report = services.fiscal_year_close(fiscal_year=year, actor="test")
        assert [(line.sanction_number, line.outcome, line.amount) for line in report.lines] == [
            (award.sanction_number, "lapsed", AMOUNT)
        ]
        lapse = BudgetCommitment.objects.get(application=award.application, cause="lapse")
        assert lapse.amount == -AMOUNT and "lapses (program policy)" in lapse.note and lapse.created_by is None
        assert BudgetAllocation.objects.get(program=grant_call.program, fiscal_year=year.start_year).committed == 0
        assert balance(Account.COMMITMENTS, fiscal_year=year.start_year) == 0
        assert award_money(award).uncommitted == AMOUNT
        # Idempotent: a second run does nothing and says so.
        again = services.fiscal_year_close(fiscal_year=year, actor="test")
        assert again.already_closed == FiscalYearClose.objects.get(fiscal_year=year.start_year)
        assert again.lines == []
        assert BudgetCommitment.objects.filter(application=award.application).count() == 2
        out = StringIO()
        call_command("close_fiscal_year", "--fiscal-year", year.label, stdout=out)
        assert "was already closed" in out.getvalue() and "nothing to do" in out.getvalue()
        # The remaining tranches need a new commitment before finance is asked to pay.
        first = request_tranche(Tranche.objects.get(award=award, position=1), operator_user)
        with pytest.raises(ValidationFailed, match="re-commits the award's remaining PKR 4,000,000"):
            services.tranche_verify(tranche=first, actor=officer)
        row = services.award_recommit(award=award, actor=officer)
        assert row.allocation.fiscal_year == following.start_year and row.amount == AMOUNT
        services.tranche_verify(tranche=first, actor=officer)
        assert commitments_tie() == [] and allocations_tie() == []


def test_carry_forward_moves_the_unpaid_part_and_keeps_pending_payments_in_the_old_year(
    award, grant_call, operator_user, officer, steward, year, client
):
    _policy(grant_call.program, Program.YearEndPolicy.CARRY_FORWARD)
    following = FiscalYear(year.start_year + 1)
    _budget(grant_call.program, following.start_year, Decimal("50000000"), steward)
    first = Tranche.objects.get(award=award, position=1)
    services.tranche_verify(tranche=request_tranche(first, operator_user), actor=officer)  # 2,000,000 pending
    with _after(year):
        report = services.fiscal_year_close(fiscal_year=year, actor="test")
    [line] = report.lines
    assert (line.outcome, line.amount, line.pending_kept) == ("carried_forward", Decimal("2000000"), Decimal("2000000"))
    out_row = BudgetCommitment.objects.get(application=award.application, cause="carry_forward", kind="reversal")
    in_row = BudgetCommitment.objects.get(application=award.application, cause="carry_forward", kind="commitment")
    assert out_row.allocation.fiscal_year == year.start_year and out_row.amount == Decimal("-2000000")
    assert in_row.allocation.fiscal_year == following.start_year and in_row.carried_from == out_row
    assert "carried forward into " + following.label in in_row.note
    assert balance(Account.COMMITMENTS, fiscal_year=year.start_year) == Decimal("2000000")  # the pending payment
    assert balance(Account.COMMITMENTS, fiscal_year=following.start_year) == Decimal("2000000")
    money = award_money(award)
    assert (money.committed, money.pending, money.uncommitted) == (AMOUNT, Decimal("2000000"), 0)
    assert FiscalYearClose.objects.get(fiscal_year=year.start_year).carried_forward == Decimal("2000000")
    assert commitments_tie() == [] and allocations_tie() == []
    client.force_login(officer)
    page = client.get(reverse("grants:workbench_budget"), {"fy": following.label}).content.decode()
    assert "of which carried forward" in page and "PKR 2,000,000" in page


def test_carry_forward_without_room_lapses_and_reports_the_shortfall(award, grant_call, steward, year):
    _policy(grant_call.program, Program.YearEndPolicy.CARRY_FORWARD)
    following = FiscalYear(year.start_year + 1)
    _budget(grant_call.program, following.start_year, Decimal("1000000"), steward)
    with _after(year):
        out, err = StringIO(), StringIO()
        call_command("close_fiscal_year", "--fiscal-year", year.label, "--dry-run", stdout=out, stderr=err)
        assert "Dry run: nothing written." in out.getvalue()
        assert not FiscalYearClose.objects.exists()
        assert not BudgetCommitment.objects.filter(kind="reversal").exists()
        report = services.fiscal_year_close(fiscal_year=year, actor="test")
    [line] = report.lines
    assert line.outcome == "lapsed_no_room"
    assert "has PKR 1,000,000 left of PKR 1,000,000 for " + following.label in line.detail
    assert "(PKR 3,000,000 short); it lapses" in line.detail
    assert report.refused_carry_forwards == [line]
    assert BudgetCommitment.objects.get(application=award.application, kind="reversal").cause == "lapse"
    assert BudgetAllocation.objects.get(program=grant_call.program, fiscal_year=following.start_year).committed == 0
    assert commitments_tie() == [] and allocations_tie() == []


def test_the_beat_task_closes_the_year_that_just_ended(award, year):
    from grants.tasks import close_finished_fiscal_year

    with _after(year):
        assert close_finished_fiscal_year().startswith(f"{year.label} closed: 1 awards")
        assert close_finished_fiscal_year() == f"{year.label} was already closed."
