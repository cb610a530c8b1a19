"""The integrity concern's audit events. An event about a grievance carries no details (no names, no
text) in `data`: the audit timeline is read by people who must not learn what a grievance says."""

from django.db import models


class IntegrityEvent(models.TextChoices):
    VISIT_REQUESTED = "visit.requested"
    VISIT_SCHEDULED = "visit.scheduled"
    VISIT_REFUSED = "visit.refused"
    VISIT_CANCELLED = "visit.cancelled"
    VISIT_COMPLETED = "visit.completed"
    VISIT_NO_SHOW = "visit.no_show"
    VISIT_FINDINGS_VOIDED = "visit.findings_voided"
    VISIT_ANSWERED = "visit.answered_by_operator"
    GRIEVANCE_FILED = "grievance.filed"
    GRIEVANCE_ASSIGNED = "grievance.assigned"
    GRIEVANCE_ACKNOWLEDGED = "grievance.acknowledged"
    GRIEVANCE_INVESTIGATING = "grievance.investigating"
    GRIEVANCE_REPLIED = "grievance.replied"
    GRIEVANCE_RESOLVED = "grievance.resolved"
    GRIEVANCE_CLOSED = "grievance.closed"
    GRIEVANCE_REOPENED = "grievance.reopened"
    GRIEVANCE_RATED = "grievance.rated"
    GRIEVANCE_APPEALED = "grievance.appealed"
    GRIEVANCE_APPEAL_DECIDED = "grievance.appeal_decided"
    GRIEVANCE_ESCALATED = "grievance.escalated"
    # Who visits, kept by data stewards (integrity.services.registry): `data` names the fields that
    # changed, never their values (an official's CNIC stays out of the audit timeline).
    DEPARTMENT_SAVED = "department.saved"
    VISIT_PURPOSE_SAVED = "visit_purpose.saved"
    ASSOCIATION_SAVED = "association.saved"
    ASSOCIATION_MEMBERSHIP_SAVED = "association_membership.saved"
    OFFICIAL_SAVED = "official.saved"
    OFFICIAL_ACCOUNT_CREATED = "official.account_created"
