from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchesConfig(AppConfig):
    """Duplicate and fraud checks across the whole registry (issue #20)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "matches"
    verbose_name = _("Duplicate checks")
