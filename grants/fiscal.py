"""Pakistan's fiscal year: 1 July to 30 June, labelled FY2025-26; Q1 is July to September.

A fiscal year is identified by the calendar year it starts in (2025 means FY2025-26).
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.fiscal import fiscal_year_label, fiscal_year_start


@dataclass(frozen=True, order=True)
class FiscalYear:
    start_year: int

    @classmethod
    def of(cls, day: dt.date) -> "FiscalYear":
        return cls(fiscal_year_start(day))

    @classmethod
    def current(cls) -> "FiscalYear":
        return cls.of(timezone.localdate())

    @classmethod
    def parse(cls, text: str) -> "FiscalYear":
        """Accept 'FY2025-26', '2025-26' or '2025'."""
        cleaned = text.strip().upper().removeprefix("FY")
        head, _sep, tail = cleaned.partition("-")
        if not head.isdigit() or len(head) != 4:
            raise ValueError(f"Not a fiscal year: {text!r} (write it as 2025-26).")
        fy = cls(int(head))
        if tail and tail != f"{(fy.start_year + 1) % 100:02d}":
            raise ValueError(f"Not a fiscal year: {text!r} ({head} is followed by {fy.start_year + 1}).")
        return fy

    @property
    def start(self) -> dt.date:
        return dt.date(self.start_year, 7, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.start_year + 1, 6, 30)

    @property
    def label(self) -> str:
        return fiscal_year_label(self.start_year)

    def __str__(self) -> str:
        return self.label

    def quarter(self, number: int) -> "FiscalQuarter":
        return FiscalQuarter(self, number)


@dataclass(frozen=True, order=True)
class FiscalQuarter:
    fiscal_year: FiscalYear
    number: int

    def __post_init__(self):
        if self.number not in (1, 2, 3, 4):
            raise ValueError("A fiscal quarter is 1, 2, 3 or 4.")

    @classmethod
    def of(cls, day: dt.date) -> "FiscalQuarter":
        fy = FiscalYear.of(day)
        months_in = (day.month - 7) % 12
        return cls(fy, months_in // 3 + 1)

    @property
    def start(self) -> dt.date:
        month = 7 + 3 * (self.number - 1)
        year = self.fiscal_year.start_year + (month - 1) // 12
        return dt.date(year, (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> dt.date:
        start = self.start
        month = start.month + 3
        year = start.year + (month - 1) // 12
        next_start = dt.date(year, (month - 1) % 12 + 1, 1)
        return next_start - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        return f"Q{self.number} {self.fiscal_year.label}"

    @property
    def long_label(self) -> str:
        """'Q1 FY2025-26 (Jul–Sep 2025)'."""
        first = date_format(self.start, "M")
        last = date_format(self.end, "M")
        return _("%(label)s (%(first)s–%(last)s %(year)s)") % {
            "label": self.label,
            "first": first,
            "last": last,
            "year": self.end.year,
        }

    def __str__(self) -> str:
        return self.label
