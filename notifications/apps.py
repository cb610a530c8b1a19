from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The reminders' and the digest's Celery tasks live in notifications/reminders.py and digest.py
        # (not tasks.py, which every concern reaches through notify): import them so the worker knows.
        from . import digest, reminders  # noqa: F401
