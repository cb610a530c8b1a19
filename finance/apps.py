from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("Payments and reconciliation")
    default_auto_field = "django.db.models.BigAutoField"
