from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VouchersConfig(AppConfig):
    """Seat vouchers (issue #18): the subsidised seat for freelancers, per round, one per person."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "vouchers"
    verbose_name = _("Seat vouchers")

    def ready(self) -> None:
        from finance.hooks import describe_source, on_payment_state

        from .services.claims import claim_payment_label, claim_payment_moved

        on_payment_state("vouchers.seatclaim", claim_payment_moved)
        describe_source("vouchers.seatclaim", claim_payment_label)
        # The general ledger: a seat claim's payment is seat subsidy expenditure (finance/journal.py).
        from finance.journal import Account, payment_account

        payment_account("vouchers.seatclaim", Account.SEAT_SUBSIDY_EXPENDITURE, accrues=True)
