from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The reminders' and the digest's Celery tasks live in notifications/reminders.py and digest.py
        # (not tasks.py, which every concern reaches through notify): import them so the worker knows.
        # Every notice rendered anywhere (core.messages.Notice.render) reads the steward's text of it
        # from the catalogue, which discovers the concerns' notices now that every app is loaded.
        from core.messages import keep_texts_from

        from . import digest, reminders  # noqa: F401
        from .catalogue import kept_for

        keep_texts_from(kept_for)
