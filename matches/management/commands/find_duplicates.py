from django.core.management.base import BaseCommand

from matches.rules import RULE_BY_CODE
from matches.services.sweep import matches_sweep


class Command(BaseCommand):
    help = "Sweep the whole registry for duplicates (every match rule); store what is new. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rule", action="append", choices=sorted(RULE_BY_CODE), help="Only this rule (repeatable)."
        )

    def handle(self, *args, **options):
        result = matches_sweep(rules=options.get("rule"))
        for code, found in result.found.items():
            self.stdout.write(f"{code:15} {found:7d} pairs, {result.new[code]:7d} new, {result.seconds[code]:8.2f} s")
        self.stdout.write(self.style.SUCCESS(f"Sweep done: {result.total_new} new matches."))
