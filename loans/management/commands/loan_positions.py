"""Store every servicing loan's arrears position for a day (what the daily beat task does).

python manage.py loan_positions                   # today (Asia/Karachi)
python manage.py loan_positions --as-of 2026-12-31
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from loans.services import loan_refresh_positions


class Command(BaseCommand):
    help = "Compute and store each active or restructured loan's position (days past due, bucket) for a day."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", default=None, help="The day, YYYY-MM-DD (default: today in Pakistan).")

    def handle(self, *args, **options):
        try:
            day = dt.date.fromisoformat(options["as_of"]) if options["as_of"] else timezone.localdate()
        except ValueError:
            raise CommandError(f"{options['as_of']!r} is not a date; write it as YYYY-MM-DD.") from None
        count = loan_refresh_positions(as_of=day)
        self.stdout.write(f"Positions stored for {count} loans as of {day.isoformat()}.")
