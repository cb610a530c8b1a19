"""Celery application. In the embedded default (no broker configured) tasks run eagerly."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "subsidy.settings.dev")

app = Celery("subsidy")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
