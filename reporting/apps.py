from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reports")

    def ready(self):
        # The quarter's reports must tie to the general ledger (manage.py check_ledger).
        from .ledger_ties import register

        register()
