"""Soft-loan repayment schedules (grants.schedules) and the loan_schedule command.

Figures come from the State Bank's PM Youth Business & Agriculture Loan Scheme tiers and the worked
examples in data/programs.md.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command

from loans.schedules import Grace, Instalment, build_schedule, due_date

D = Decimal
AUG_2026 = dt.date(2026, 8, 1)


def schedule(principal, rate, months, grace_months=0, grace="interest_only", first_due=AUG_2026):
    return build_schedule(
        principal=D(principal),
        annual_rate_percent=D(rate),
        months=months,
        grace_months=grace_months,
        grace=grace,
        first_due=first_due,
    )


# --- the published worked figures -------------------------------------------------------------------


def test_tier_2_five_percent_with_a_year_interest_only_matches_the_worked_figure():
    rows = schedule(1_000_000, 5, months=96, grace_months=12)

    assert len(rows) == 96
    assert [r.month for r in rows] == list(range(1, 97))
    grace, repayment = rows[:12], rows[12:]
    for row in grace:
        assert (row.instalment, row.principal, row.interest, row.balance) == (
            D("4166.67"),
            D("0.00"),
            D("4166.67"),
            D("1000000.00"),
        )
    assert len(repayment) == 84
    assert {r.instalment for r in repayment[:-1]} == {D("14134")}
    assert repayment[-1].instalment == D("14125")
    # First repayment month: interest on the full million, to the rupee.
    assert rows[12] == Instalment(13, dt.date(2027, 8, 1), D("14134"), D("9967"), D("4167"), D("990033"))
    assert rows[-1] == Instalment(96, dt.date(2034, 7, 1), D("14125"), D("14066"), D("59"), D("0"))
    assert sum(r.instalment for r in rows) == 12 * D("4166.67") + 83 * D("14134") + D("14125")


def test_tier_1_zero_percent_matches_the_worked_figure():
    rows = schedule(500_000, 0, months=36)

    assert len(rows) == 36
    assert {r.instalment for r in rows[:-1]} == {D("13889")}
    assert rows[-1].instalment == D("13885")
    assert all(r.interest == 0 and r.principal == r.instalment for r in rows)
    assert rows[0].balance == D("486111")
    assert rows[-1].balance == 0


# --- other tiers and grace kinds --------------------------------------------------------------------


def test_zero_percent_tier_with_grace_pays_nothing_then_divides_evenly():
    # Asaan Karobar Finance: 0% markup, up to 5 years, 6 months' grace for a new business.
    rows = schedule(5_000_000, 0, months=60, grace_months=6)

    assert all(r.instalment == r.interest == r.principal == 0 and r.balance == 5_000_000 for r in rows[:6])
    # 5,000,000 / 54 = 92,592.59 -> 92,593; the last is 5,000,000 - 53 x 92,593 = 92,571.
    assert {r.instalment for r in rows[6:-1]} == {D("92593")}
    assert rows[-1].instalment == D("92571")
    assert sum(r.principal for r in rows) == D("5000000")


def test_tier_3_seven_percent_with_a_year_interest_only():
    rows = schedule(5_000_000, 7, months=96, grace_months=12)

    # 5,000,000 x 7% / 12 = 29,166.666... -> 29,166.67 a month during grace.
    assert {(r.instalment, r.principal, r.balance) for r in rows[:12]} == {(D("29166.67"), 0, D("5000000"))}
    # Annuity 5,000,000 x r / (1 - (1 + r)^-84), r = 7/1200: 75,463.40 -> 75,463.
    assert {r.instalment for r in rows[12:-1]} == {D("75463")}
    before_last = rows[-2].balance
    assert before_last == D("75066")
    # Last instalment = what is left + that month's interest (75,066 x 7/1200 = 437.885 -> 438).
    assert rows[-1] == Instalment(96, dt.date(2034, 7, 1), D("75504"), D("75066"), D("438"), D("0"))
    assert sum(r.principal for r in rows) == D("5000000")


def test_grace_none_capitalises_interest_then_amortises_the_larger_balance():
    rows = schedule(1_000_000, 5, months=96, grace_months=12, grace=Grace.NONE)
    grace = rows[:12]

    assert all(r.instalment == 0 for r in grace)
    # Interest accrues on the growing balance, to the paisa, and shows as negative principal.
    assert grace[0] == Instalment(1, AUG_2026, D("0"), D("-4166.67"), D("4166.67"), D("1004166.67"))
    assert grace[1].interest == D("4184.03")  # 1,004,166.67 x 5% / 12 = 4,184.0278
    assert grace[1].balance == D("1008350.70")
    assert all(r.principal == -r.interest for r in grace)
    # Close to 1,000,000 x (1 + 5%/12)^12 = 1,051,161.90; the paisa rounding each month adds 1 paisa.
    assert grace[-1].balance == D("1051161.91")
    assert {r.instalment for r in rows[12:-1]} == {D("14857")}
    assert rows[-1].instalment == D("14855.91")  # the last carries the capitalised paisa
    assert sum(r.principal for r in rows) == D("1000000")
    assert rows[-1].balance == 0


def test_grace_is_accepted_as_plain_text():
    assert schedule(1_000_000, 5, 96, 12, grace="none") == schedule(1_000_000, 5, 96, 12, grace=Grace.NONE)


def test_without_grace_the_grace_kind_changes_nothing():
    assert schedule(800_000, 5, 60, grace="none") == schedule(800_000, 5, 60, grace="interest_only")


def test_a_single_month_loan_is_repaid_in_one_instalment_with_its_interest():
    assert schedule(120_000, 5, months=1) == [Instalment(1, AUG_2026, D("120500"), D("120000"), D("500"), D("0"))]


# --- rounding invariants over a table of cases ------------------------------------------------------

CASES = [
    # principal, rate %, months, grace months, grace
    (500_000, 0, 36, 0, "interest_only"),
    (499_999, 0, 36, 0, "interest_only"),
    (1, 0, 1, 0, "interest_only"),
    (1_000_000, 5, 96, 12, "interest_only"),
    (1_000_000, 5, 96, 12, "none"),
    (1_500_000, 5, 96, 0, "interest_only"),
    (500_001, 5, 12, 11, "none"),
    (7_500_000, 7, 96, 12, "interest_only"),
    (1_500_001, 7, 60, 6, "none"),
    (2_345_678, "7.25", 84, 3, "interest_only"),
    ("1000000.50", 5, 96, 12, "interest_only"),
    ("123456.78", "12.5", 37, 5, "none"),
    (30_000_000, 0, 60, 6, "interest_only"),
    (10_000_000, 0, 60, 3, "none"),
    (50_000, 5, 6, 0, "interest_only"),
    (5_000, "0.01", 12, 0, "interest_only"),
]


@pytest.mark.parametrize(("principal", "rate", "months", "grace_months", "grace"), CASES)
def test_rounding_never_loses_or_invents_a_paisa(principal, rate, months, grace_months, grace):
    rows = schedule(principal, rate, months, grace_months, grace)
    loan = D(principal)

    assert len(rows) == months
    assert sum(r.principal for r in rows) == loan
    assert rows[-1].balance == 0
    assert rows[-1].balance.as_tuple().exponent == -2  # shown to the paisa like every amount
    balance = loan
    for row in rows:
        assert row.instalment == row.principal + row.interest
        balance -= row.principal
        assert row.balance == balance
    for row in rows[grace_months:-1]:
        assert row.instalment == rows[grace_months].instalment  # equal instalments
        assert row.instalment == row.instalment.to_integral_value()  # whole rupees
        assert row.balance > 0
    # Grace interest is exact to the paisa: balance x rate / 12, rounded half up.
    for row, previous in zip(rows[:grace_months], [loan, *[r.balance for r in rows]], strict=False):
        assert row.interest == (previous * D(rate) / 1200).quantize(D("0.01"), "ROUND_HALF_UP")
    assert sum(r.instalment for r in rows) == loan + sum(r.interest for r in rows)


def test_a_whole_rupee_loan_with_interest_only_grace_repays_in_whole_rupees_throughout():
    rows = schedule(2_345_678, "7.25", 84, 3)
    for row in rows[3:]:
        assert all(v == v.to_integral_value() for v in (row.instalment, row.principal, row.interest, row.balance))


# --- due dates ----------------------------------------------------------------------------------------


def test_due_dates_fall_monthly_and_clamp_to_the_month_end():
    rows = schedule(120_000, 0, months=14, first_due=dt.date(2028, 1, 31))

    assert [r.due_date for r in rows[:4]] == [
        dt.date(2028, 1, 31),
        dt.date(2028, 2, 29),  # leap year
        dt.date(2028, 3, 31),  # back to the 31st, not stuck on the 29th
        dt.date(2028, 4, 30),
    ]
    assert rows[12].due_date == dt.date(2029, 1, 31)
    assert rows[13].due_date == dt.date(2029, 2, 28)


@pytest.mark.parametrize(
    ("first_due", "month", "expected"),
    [
        (dt.date(2026, 8, 1), 1, dt.date(2026, 8, 1)),
        (dt.date(2026, 8, 1), 5, dt.date(2026, 12, 1)),
        (dt.date(2026, 8, 1), 6, dt.date(2027, 1, 1)),  # across the calendar year
        (dt.date(2026, 12, 31), 2, dt.date(2027, 1, 31)),
        (dt.date(2027, 1, 30), 2, dt.date(2027, 2, 28)),
        (dt.date(2026, 8, 31), 2, dt.date(2026, 9, 30)),
        (dt.date(2026, 8, 15), 96, dt.date(2034, 7, 15)),
    ],
)
def test_due_date(first_due, month, expected):
    assert due_date(first_due, month) == expected


# --- refused inputs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"principal": D("0")}, "principal must be more than zero"),
        ({"principal": D("-1000")}, "principal must be more than zero"),
        ({"principal": D("1000.005")}, "whole paisa"),
        ({"principal": D("NaN")}, "finite"),
        ({"principal": D("Infinity")}, "finite"),
        ({"annual_rate_percent": D("-0.5")}, "annual rate cannot be negative"),
        ({"months": 0}, "tenor must be at least 1 month"),
        ({"grace_months": -1}, "grace months cannot be negative"),
        ({"grace_months": 96}, r"grace months \(96\) must be fewer than the tenor \(96 months\)"),
        ({"grace_months": 97}, "must be fewer than the tenor"),
        ({"grace": "deferred"}, "grace must be one of 'interest_only', 'none'"),
    ],
)
def test_refused_inputs_say_what_is_wrong(changes, message):
    arguments = {
        "principal": D("1000000"),
        "annual_rate_percent": D("5"),
        "months": 96,
        "grace_months": 12,
        "grace": "interest_only",
        "first_due": AUG_2026,
    } | changes
    with pytest.raises(ValueError, match=message):
        build_schedule(**arguments)


@pytest.mark.parametrize(
    "changes",
    [
        {"principal": 1_000_000.0},  # money is never a float
        {"annual_rate_percent": 5.0},
        {"principal": True},
        {"months": D("96")},
        {"first_due": "2026-08-01"},
        {"first_due": dt.datetime(2026, 8, 1, tzinfo=dt.UTC)},
    ],
)
def test_wrong_types_are_refused(changes):
    arguments = {"principal": D("1000000"), "annual_rate_percent": D("5"), "months": 96, "first_due": AUG_2026}
    with pytest.raises(TypeError):
        build_schedule(**(arguments | changes))


def test_a_loan_too_small_for_whole_rupee_instalments_is_refused():
    # 100 / 36 = 2.78 -> 3 a month would repay 105 by month 35.
    with pytest.raises(ValueError, match="too small to repay in 36 whole-rupee instalments of 3"):
        schedule(100, 0, months=36)


# --- the management command -------------------------------------------------------------------------


def run_command(*args):
    out = io.StringIO()
    call_command("loan_schedule", *args, stdout=out)
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_command_prints_the_schedule_as_csv():
    rows = run_command(
        "--principal=1000000",
        "--annual-rate=5",
        "--months=96",
        "--grace-months=12",
        "--grace=interest_only",
        "--first-due=2026-08-31",
    )

    assert rows[0] == ["month", "due_date", "instalment", "principal", "interest", "balance"]
    assert len(rows) == 1 + 96
    assert rows[1] == ["1", "2026-08-31", "4166.67", "0.00", "4166.67", "1000000.00"]
    assert rows[2][1] == "2026-09-30"  # clamped to the month end
    assert rows[13] == ["13", "2027-08-31", "14134.00", "9967.00", "4167.00", "990033.00"]
    assert rows[-1] == ["96", "2034-07-31", "14125.00", "14066.00", "59.00", "0.00"]


def test_command_accepts_grouped_amounts_and_grace_none():
    rows = run_command("--principal", "1,000,000", "--annual-rate", "5", "--months", "96", "--grace-months", "12",
                       "--grace", "none", "--first-due", "2026-08-01")  # fmt: skip

    assert rows[1] == ["1", "2026-08-01", "0.00", "-4166.67", "4166.67", "1004166.67"]
    assert rows[-1][2] == "14855.91"


@time_machine.travel(dt.datetime(2026, 12, 15, 10, 0, tzinfo=dt.UTC), tick=False)
def test_command_starts_on_the_first_of_next_month_by_default():
    rows = run_command("--principal", "500000", "--annual-rate", "0", "--months", "36")

    assert rows[1] == ["1", "2027-01-01", "13889.00", "13889.00", "0.00", "486111.00"]
    assert rows[-1] == ["36", "2029-12-01", "13885.00", "13885.00", "0.00", "0.00"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--principal", "10lakh", "--annual-rate", "5", "--months", "96"], "'10lakh' is not a number"),
        (["--principal", "1e6", "--annual-rate", "5", "--months", "96"], "'1e6' is not a number"),
        (["--principal", "1,00,000", "--annual-rate", "5", "--months", "96"], "'1,00,000' is not a number"),
        (["--principal", "-5000", "--annual-rate", "5", "--months", "96"], "principal must be more than zero"),
        (["--principal", "1000000", "--annual-rate", "-5", "--months", "96"], "annual rate cannot be negative"),
        (["--principal", "1000000", "--annual-rate", "five", "--months", "96"], "'five' is not a number"),
        (["--principal", "1000000", "--annual-rate", "5", "--months", "8y"], "'8y' is not a whole number"),
        (
            ["--principal", "1000000", "--annual-rate", "5", "--months", "12", "--grace-months", "12"],
            "grace months \\(12\\) must be fewer than the tenor",
        ),
        (
            ["--principal", "1000000", "--annual-rate", "5", "--months", "96", "--grace", "deferred"],
            "invalid choice: 'deferred'",
        ),
        (
            ["--principal", "1000000", "--annual-rate", "5", "--months", "96", "--first-due", "01/08/2026"],
            "'01/08/2026' is not a date; write it as YYYY-MM-DD",
        ),
        (["--annual-rate", "5", "--months", "96"], "the following arguments are required: --principal"),
    ],
)
def test_command_refuses_bad_input_with_a_specific_message(args, message):
    with pytest.raises(CommandError, match=message):
        run_command(*args)
