"""The Sahulat Django project package: settings, root URLs, Celery app. No domain models live here."""

from .celery import app as celery_app

__all__ = ("celery_app",)
