from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoansConfig(AppConfig):
    name = "loans"
    verbose_name = _("Soft-loan servicing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # finance tells the loan when its disbursement moves (paid -> schedule), inside the payment's
        # transaction; see finance/hooks.py. A loan paid in one payment is its source; a loan paid in
        # parts has one payment per part (issue #22).
        from finance.hooks import describe_source, on_payment_state

        from .selectors import disbursement_payment_label, part_payment_label
        from .services import disbursement_payment_moved, part_payment_moved

        on_payment_state("loans.loan", disbursement_payment_moved)
        describe_source("loans.loan", disbursement_payment_label)
        on_payment_state("loans.disbursementpart", part_payment_moved)
        describe_source("loans.disbursementpart", part_payment_label)
        # The general ledger: a paid disbursement (or part) debits loans receivable (finance/journal.py),
        # and loans receivable must equal the loan book's outstanding principal.
        from finance.journal import Account, payment_account, register_invariant

        from .ledger import receivable_ties_to_the_book

        payment_account("loans.loan", Account.LOANS_RECEIVABLE, accrues=False)
        payment_account("loans.disbursementpart", Account.LOANS_RECEIVABLE, accrues=False)
        register_invariant("loans receivable equals the loan book", receivable_ties_to_the_book)
