import datetime as dt

import pytest

from grants.fiscal import FiscalQuarter, FiscalYear


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (dt.date(2025, 7, 1), "FY2025-26"),
        (dt.date(2026, 6, 30), "FY2025-26"),
        (dt.date(2026, 7, 1), "FY2026-27"),
        (dt.date(2099, 12, 31), "FY2099-00"),
    ],
)
def test_fiscal_year_runs_july_to_june(day, label):
    assert FiscalYear.of(day).label == label


@pytest.mark.parametrize(
    ("day", "label", "start", "end"),
    [
        (dt.date(2025, 8, 15), "Q1 FY2025-26", dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
        (dt.date(2025, 12, 31), "Q2 FY2025-26", dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
        (dt.date(2026, 2, 28), "Q3 FY2025-26", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        (dt.date(2026, 6, 30), "Q4 FY2025-26", dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
    ],
)
def test_quarters(day, label, start, end):
    quarter = FiscalQuarter.of(day)
    assert (quarter.label, quarter.start, quarter.end) == (label, start, end)


def test_long_label_names_the_months():
    assert FiscalYear(2025).quarter(1).long_label == "Q1 FY2025-26 (Jul–Sep 2025)"
    assert FiscalYear(2025).quarter(3).long_label == "Q3 FY2025-26 (Jan–Mar 2026)"


@pytest.mark.parametrize(("text", "start"), [("FY2025-26", 2025), ("2025-26", 2025), ("2025", 2025)])
def test_parse(text, start):
    assert FiscalYear.parse(text).start_year == start


@pytest.mark.parametrize("text", ["2025-27", "25-26", "FYabcd", ""])
def test_parse_refuses_nonsense(text):
    with pytest.raises(ValueError):
        FiscalYear.parse(text)


def test_quarter_number_must_be_1_to_4():
    with pytest.raises(ValueError):
        FiscalQuarter(FiscalYear(2025), 5)
