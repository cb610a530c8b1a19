from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from finance.journal import invariants, ledger_problems, trial_balance
from finance.models import JournalEntry


class Command(BaseCommand):
    help = (
        "Check the general ledger's invariants: every entry balances, and the ledger ties to every book "
        "(the bank to the payments paid less returned, payables to payments awaiting the bank, commitments "
        "to the commitment ledger, loans receivable to the loan book). Prints the trial balance's totals "
        "and OK, or each broken invariant with its figures, and exits 1."
    )

    def handle(self, *args, **options):
        problems = ledger_problems()
        if problems:
            lines = [f"BROKEN: {name}\n  " + "\n  ".join(found) for name, found in problems.items()]
            raise CommandError("\n".join(lines))
        balance = trial_balance(timezone.localdate())
        self.stdout.write(
            f"OK: {JournalEntry.objects.count()} entries; trial balance on {balance.on}: "
            f"debits {balance.total_debit:,.2f} = credits {balance.total_credit:,.2f}; "
            f"{len(invariants())} invariants hold."
        )
