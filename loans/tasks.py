"""The daily arrears pass (Celery beat: `loans-daily-positions` in subsidy/settings/base.py)."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from .services import loan_refresh_positions


@shared_task(name="loans.tasks.refresh_loan_positions")
def refresh_loan_positions(as_of: str | None = None) -> int:
    """Store every servicing loan's position as of `as_of` (ISO date; default today in Pakistan).
    Idempotent: a retry or a second delivery stores the same figures."""
    day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
    return loan_refresh_positions(as_of=day)
