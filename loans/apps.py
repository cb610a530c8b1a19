from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoansConfig(AppConfig):
    name = "loans"
    verbose_name = _("Soft-loan servicing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # finance tells the loan when its disbursement moves (paid -> schedule), inside the payment's
        # transaction; see finance/hooks.py.
        from finance.hooks import describe_source, on_payment_state

        from .selectors import disbursement_payment_label
        from .services import disbursement_payment_moved

        on_payment_state("loans.loan", disbursement_payment_moved)
        describe_source("loans.loan", disbursement_payment_label)
        # The general ledger: a paid disbursement debits loans receivable (finance/journal.py).
        from finance.journal import Account, payment_account

        payment_account("loans.loan", Account.LOANS_RECEIVABLE, accrues=False)
