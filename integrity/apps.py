from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    """Official visits and grievances: one concern, kept together (DESIGN.md). Registered visits with
    verification codes, the caps and notice rules that keep visits few and announced, and a
    confidential grievance channel outside the approval chain."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "integrity"
    verbose_name = _("Integrity: visits and grievances")
