"""Print a soft-loan repayment schedule as CSV, e.g. to check a tier's terms before a call opens.

    python manage.py loan_schedule --principal 1000000 --annual-rate 5 --months 96 \\
        --grace-months 12 --grace interest_only --first-due 2026-08-01
"""

import argparse
import csv
import datetime as dt
import io
import re
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from loans.schedules import Grace, build_schedule

HEADER = ["month", "due_date", "instalment", "principal", "interest", "balance"]
# Digits, optionally grouped in thousands as reports print them (1,000,000), optionally with decimals.
NUMBER = re.compile(r"\d+(\.\d+)?|\d{1,3}(,\d{3})+(\.\d+)?")


def amount(text: str) -> Decimal:
    cleaned = text.strip()
    if not NUMBER.fullmatch(cleaned.removeprefix("-")):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; write it like 1000000 or 1,000,000.50.")
    return Decimal(cleaned.replace(",", ""))


def whole_number(text: str) -> int:
    if not re.fullmatch(r"-?\d+", text.strip()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of months.")
    return int(text)


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD.") from None


def first_of_next_month(today: dt.date) -> dt.date:
    return dt.date(today.year + today.month // 12, today.month % 12 + 1, 1)


class Command(BaseCommand):
    help = (
        "Print a soft-loan repayment schedule as CSV (month,due_date,instalment,principal,interest,balance). "
        "--months is the whole tenor, grace months included."
    )

    def add_arguments(self, parser):
        parser.add_argument("--principal", type=amount, required=True, help="Loan amount in PKR, e.g. 1000000.")
        parser.add_argument("--annual-rate", type=amount, required=True, help="Markup in percent a year, e.g. 5.")
        parser.add_argument("--months", type=whole_number, required=True, help="Whole tenor, grace included.")
        parser.add_argument("--grace-months", type=whole_number, default=0, help="Grace months (default 0).")
        parser.add_argument(
            "--grace",
            choices=[g.value for g in Grace],
            default=Grace.INTEREST_ONLY.value,
            help="During grace pay the interest (interest_only, default) or nothing, capitalising it (none).",
        )
        parser.add_argument(
            "--first-due",
            type=iso_date,
            default=None,
            help="Due date of month 1, YYYY-MM-DD (default: the 1st of next month).",
        )

    def handle(self, *args, **options):
        first_due = options["first_due"] or first_of_next_month(timezone.localdate())
        try:
            schedule = build_schedule(
                principal=options["principal"],
                annual_rate_percent=options["annual_rate"],
                months=options["months"],
                grace_months=options["grace_months"],
                grace=options["grace"],
                first_due=first_due,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        for row in schedule:
            writer.writerow(
                [row.month, row.due_date.isoformat(), row.instalment, row.principal, row.interest, row.balance]
            )
        self.stdout.write(out.getvalue(), ending="")
