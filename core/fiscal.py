"""Pakistan's fiscal year as plain numbers, for every concern (finance may not import grants): a
fiscal year is named by the calendar year it starts in, on 1 July. grants.fiscal builds its
FiscalYear and quarters on these two functions."""

import datetime as dt


def fiscal_year_start(day: dt.date) -> int:
    """The starting year of the fiscal year `day` falls in (1 July 2025 – 30 June 2026 is 2025)."""
    return day.year if day.month >= 7 else day.year - 1


def fiscal_year_label(start_year: int) -> str:
    """'FY2025-26'."""
    return f"FY{start_year}-{(start_year + 1) % 100:02d}"
