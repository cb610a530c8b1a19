from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OneWindowConfig(AppConfig):
    """The one-window desk: the other departments' certificates and approvals, asked for and tracked
    in one place. It stands apart because its cases belong to other departments, on their own clocks,
    and are read by their desks; it reuses integrity's Department and Official."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "onewindow"
    verbose_name = _("One window: other departments' services")
