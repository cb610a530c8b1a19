from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = _("Programs, calls and awards")

    def ready(self):
        # Finance tells the instruments when their payments move (finance/hooks.py).
        from .services.hooks import register_payment_hooks

        register_payment_hooks()
        # The general ledger's invariants of the budget books (issue #22).
        from .ledger_checks import register

        register()
