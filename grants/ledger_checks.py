"""The grants side's invariants of the general ledger (issue #22), registered in GrantsConfig.ready()
and run by `manage.py check_ledger` and the tests: the ledger ties to the budget books to the paisa.

- per fiscal year: GL COMMITMENTS (credit balance) == Σ BudgetCommitment.amount of that year's
  allocations == Σ allocation.committed of that year;
- GL BUDGET_ALLOCATION (debit balance) == Σ allocation.amount, per fiscal year and in total.
"""

from decimal import Decimal

from django.db.models import Sum

ZERO = Decimal("0")


def _by_year(rows) -> dict[int, Decimal]:
    return {row[0]: row[1] or ZERO for row in rows}


def commitments_tie() -> list[str]:
    from finance.journal import Account, balance

    from .models import BudgetAllocation, BudgetCommitment

    ledger = _by_year(
        BudgetCommitment.objects.values("allocation__fiscal_year")
        .annotate(total=Sum("amount"))
        .values_list("allocation__fiscal_year", "total")
    )
    running = _by_year(
        BudgetAllocation.objects.values("fiscal_year")
        .annotate(total=Sum("committed"))
        .values_list("fiscal_year", "total")
    )
    problems = []
    for year in sorted(set(ledger) | set(running)):
        gl = balance(Account.COMMITMENTS, fiscal_year=year)
        rows, total = ledger.get(year, ZERO), running.get(year, ZERO)
        if not gl == rows == total:
            problems.append(
                f"FY{year}-{(year + 1) % 100:02d}: GL commitments {gl}, commitment ledger {rows}, "
                f"allocations' committed {total}."
            )
    return problems


def allocations_tie() -> list[str]:
    from finance.journal import Account, balance

    from .models import BudgetAllocation

    amounts = _by_year(
        BudgetAllocation.objects.values("fiscal_year").annotate(total=Sum("amount")).values_list("fiscal_year", "total")
    )
    problems = []
    for year, total in sorted(amounts.items()):
        gl = balance(Account.BUDGET_ALLOCATION, fiscal_year=year)
        if gl != total:
            problems.append(f"FY{year}-{(year + 1) % 100:02d}: GL budget allocation {gl}, allocations {total}.")
    return problems


def register() -> None:
    from finance.journal import register_invariant

    register_invariant("commitments equal the commitment ledger and the allocations' committed", commitments_tie)
    register_invariant("budget allocation equals the programs' allocations", allocations_tie)
