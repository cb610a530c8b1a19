from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The reminders' Celery task lives in notifications/reminders.py (not tasks.py, which every
        # concern reaches through notify): import it so the worker knows it.
        from . import reminders  # noqa: F401
