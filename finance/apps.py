from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("Payments and reconciliation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The general ledger's own invariants (manage.py check_ledger); the instruments add theirs.
        from .ledger_checks import register

        register()
