"""The nightly duplicate sweep (Celery beat, `matches-nightly-sweep`). Idempotent: a match found twice
is one match, so a retry or a second delivery stores nothing new."""

from celery import shared_task

from .services.sweep import matches_sweep


@shared_task(name="matches.tasks.find_duplicates")
def find_duplicates() -> dict[str, int]:
    return matches_sweep().new
