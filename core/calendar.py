"""Working days: the clock of every promise the program makes in days (visit notice, grievance
acknowledgement, a department's service time).

A working day is a weekday in settings.WORKING_WEEKDAYS (Monday=0; Punjab's offices work Monday to
Friday) that is not a public holiday in the calendar file (settings.HOLIDAYS_FILE, by default
core/data/holidays_pk.csv: one `date,name,kind` row per holiday, `#` lines are comments). The file is
read once per process; the Islamic holidays move with the moon and are corrected when notified.
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import lru_cache
from pathlib import Path

from django.conf import settings

DEFAULT_HOLIDAYS_FILE = Path(__file__).resolve().parent / "data" / "holidays_pk.csv"


@lru_cache(maxsize=4)
def _holidays_from(path: str) -> dict[dt.date, str]:
    holidays: dict[dt.date, str] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        rows = (line for line in handle if line.strip() and not line.lstrip().startswith("#"))
        for row in csv.DictReader(rows):
            holidays[dt.date.fromisoformat(row["date"].strip())] = row["name"].strip()
    return holidays


def holidays() -> dict[dt.date, str]:
    """Every public holiday in the calendar file, by date."""
    return _holidays_from(str(getattr(settings, "HOLIDAYS_FILE", DEFAULT_HOLIDAYS_FILE)))


def is_working_day(day: dt.date) -> bool:
    weekdays = getattr(settings, "WORKING_WEEKDAYS", (0, 1, 2, 3, 4))
    return day.weekday() in weekdays and day not in holidays()


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not after `start`):
    a request made on Monday for Thursday gives 3 days of notice (Tue, Wed, Thu)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The day that is `days` working days after `start` (start itself when days is 0)."""
    day, left = start, days
    while left > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day
