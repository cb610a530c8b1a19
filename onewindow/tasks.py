"""One-window background jobs (Celery beat; subsidy/settings/base.py). Idempotent: a retry or a second
delivery changes nothing twice (each service marks what it did under the row's lock)."""

import datetime as dt

from celery import shared_task

from core.tasks import IDEMPOTENT_JOB


@shared_task(name="onewindow.tasks.escalate_late_requests", **IDEMPOTENT_JOB)
def escalate_late_requests(self, today: str | None = None) -> int:
    """Escalate every request past its promised time to the coordinators, once; tell the operator."""
    from .services.requests import requests_escalate_late

    return requests_escalate_late(today=dt.date.fromisoformat(today) if today else None)


@shared_task(name="onewindow.tasks.remind_expiring_certificates", **IDEMPOTENT_JOB)
def remind_expiring_certificates(self, today: str | None = None) -> int:
    """Remind operators 30 days before a certificate's validity ends, once per certificate."""
    from .services.requests import certificates_remind_expiry

    return certificates_remind_expiry(today=dt.date.fromisoformat(today) if today else None)
