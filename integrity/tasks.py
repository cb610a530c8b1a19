"""Integrity's background jobs (Celery beat: `integrity-grievance-escalations` in
subsidy/settings/base.py). They are idempotent: a retry or a second delivery changes nothing twice."""

from celery import shared_task

from core.tasks import IDEMPOTENT_JOB


@shared_task(name="integrity.tasks.escalate_grievance_breaches", **IDEMPOTENT_JOB)
def escalate_grievance_breaches(self, today: str | None = None) -> int:
    """Escalate every grievance past its clock to the head of integrity and tell the filer of the delay;
    each breach once (integrity.services.grievances.grievance_escalate_breaches marks it under the row's
    lock). `today` is an ISO date (default: today in Pakistan). Returns the breaches escalated."""
    import datetime as dt

    from .services.grievances import grievance_escalate_breaches

    return grievance_escalate_breaches(today=dt.date.fromisoformat(today) if today else None)


@shared_task(name="integrity.tasks.void_late_visit_outcomes", **IDEMPOTENT_JOB)
def void_late_visit_outcomes(self, today: str | None = None) -> int:
    """Void the findings of every scheduled visit whose outcome is past due, once each
    (integrity.services.visits.visits_void_late_outcomes checks under the row's lock). Returns how many."""
    import datetime as dt

    from .services.visits import visits_void_late_outcomes

    return visits_void_late_outcomes(today=dt.date.fromisoformat(today) if today else None)
