"""Close a fiscal year's budgets: what is committed but unpaid on each award lapses or is carried
forward into the new year's allocation, by each program's year-end policy (grants.services.year_end).
Idempotent: a year is closed once; a second run says when it was closed and does nothing.

    python manage.py close_fiscal_year                       # the year that just ended
    python manage.py close_fiscal_year --fiscal-year 2025-26 --dry-run
"""

from django.core.management.base import BaseCommand, CommandError

from grants.errors import GrantsError
from grants.fiscal import FiscalYear
from grants.money import pkr
from grants.services.year_end import finished_fiscal_year, fiscal_year_close


class Command(BaseCommand):
    help = "Close a fiscal year: lapse or carry forward what is committed but unpaid on each award."

    def add_arguments(self, parser):
        parser.add_argument(
            "--fiscal-year", help="The year to close, e.g. 2025-26 (default: the year that just ended)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Say what would happen; write nothing.")

    def handle(self, *args, **options):
        try:
            fiscal_year = FiscalYear.parse(options["fiscal_year"]) if options["fiscal_year"] else finished_fiscal_year()
        except ValueError as error:
            raise CommandError(str(error)) from None
        try:
            report = fiscal_year_close(
                fiscal_year=fiscal_year, actor="manage.py close_fiscal_year", dry_run=options["dry_run"]
            )
        except GrantsError as error:
            raise CommandError(" ".join(str(m) for m in error.messages)) from None
        if report.already_closed is not None:
            self.stdout.write(
                f"{fiscal_year.label} was already closed on {report.already_closed.closed_at:%Y-%m-%d %H:%M}; "
                "nothing to do."
            )
            return
        heading = "Dry run: nothing written." if report.dry_run else f"{fiscal_year.label} closed."
        self.stdout.write(heading)
        for line in report.lines:
            self.stdout.write(
                f"  {line.program} {line.sanction_number} ({line.reference}): {line.outcome} {pkr(line.amount)}"
                f"{f'; {pkr(line.pending_kept)} pending stays in {fiscal_year.label}' if line.pending_kept else ''}"
                f" — {line.detail}"
            )
        self.stdout.write(
            f"Awards: {len(report.lines)}; lapsed {pkr(report.lapsed)}; carried forward {pkr(report.carried_forward)}; "
            f"payments pending kept in {fiscal_year.label}: {pkr(report.pending_kept)}."
        )
        for line in report.refused_carry_forwards:
            self.stderr.write(f"Not carried forward: {line.sanction_number}: {line.detail}")
