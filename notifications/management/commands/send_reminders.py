"""Send the reminders due today (what beat runs every morning), or on --date for a demo or a test."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from notifications.reminders import send_due_reminders


class Command(BaseCommand):
    help = "Send the reminders due today (returns, instalments, unanswered questions, awards); each only once."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to run for, YYYY-MM-DD (default: today in Pakistan)")

    def handle(self, *args, **options):
        day = None
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(f"--date must be YYYY-MM-DD, not {options['date']!r}.") from error
        counts = send_due_reminders(today=day)
        summary = ", ".join(f"{value} {key.replace('_', ' ')}" for key, value in counts.items())
        self.stdout.write(f"Reminders sent: {summary}.")
