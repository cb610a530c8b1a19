"""Test-only shortcuts."""

from django.utils import timezone

from grants.models import CLOSED_STATES, DECIDED_STATES, Application, InformationRequest


def force_state(app: Application, state: str, *, asked_by=None) -> Application:
    """Put a complete application straight into `state` in the database (bypassing the services), with
    the timestamps the constraints demand, so the permission matrix can start from any state."""
    now = timezone.now()
    Application.objects.filter(pk=app.pk).update(
        state=state,
        submitted_at=None if state == "draft" else now,
        closed_at=now if state in CLOSED_STATES else None,
        decided_at=now if state in DECIDED_STATES else None,
        closing_reason="Reason" if state in ("screened_out", "rejected") else "",
        state_entered_at=now,
    )
    if state == "info_requested":
        InformationRequest.objects.create(application=app, asked_by=asked_by, question="Which lease?", asked_at=now)
    return Application.objects.get(pk=app.pk)
