"""The integrity concern's audit events. An event about a grievance carries no details (no names, no
text) in `data`: the audit timeline is read by people who must not learn what a grievance says."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IntegrityEvent(models.TextChoices):
    VISIT_REQUESTED = "visit.requested", _("Visit requested")
    VISIT_SCHEDULED = "visit.scheduled", _("Visit scheduled")
    VISIT_REFUSED = "visit.refused", _("Visit refused")
    VISIT_CANCELLED = "visit.cancelled", _("Visit cancelled")
    VISIT_COMPLETED = "visit.completed", _("Visit completed")
    VISIT_NO_SHOW = "visit.no_show", _("Visitor did not come")
    VISIT_FINDINGS_VOIDED = "visit.findings_voided", _("Visit findings voided")
    VISIT_ANSWERED = "visit.answered_by_operator", _("Operator answered the findings")
    GRIEVANCE_FILED = "grievance.filed", _("Grievance filed")
    GRIEVANCE_ASSIGNED = "grievance.assigned", _("Grievance assigned")
    GRIEVANCE_ACKNOWLEDGED = "grievance.acknowledged", _("Grievance acknowledged")
    GRIEVANCE_INVESTIGATING = "grievance.investigating", _("Investigation started")
    GRIEVANCE_REPLIED = "grievance.replied", _("Reply sent")
    GRIEVANCE_RESOLVED = "grievance.resolved", _("Grievance resolved")
    GRIEVANCE_CLOSED = "grievance.closed", _("Grievance closed")
    GRIEVANCE_REOPENED = "grievance.reopened", _("Grievance reopened")
    GRIEVANCE_RATED = "grievance.rated", _("Filer rated the handling")
    GRIEVANCE_APPEALED = "grievance.appealed", _("Appeal filed")
    GRIEVANCE_APPEAL_DECIDED = "grievance.appeal_decided", _("Appeal decided")
    GRIEVANCE_ESCALATED = "grievance.escalated", _("Grievance escalated")
    # Who visits, kept by data stewards (integrity.services.registry): `data` names the fields that
    # changed, never their values (an official's CNIC stays out of the audit timeline).
    DEPARTMENT_SAVED = "department.saved", _("Department saved")
    VISIT_PURPOSE_SAVED = "visit_purpose.saved", _("Visit purpose saved")
    ASSOCIATION_SAVED = "association.saved", _("Association saved")
    ASSOCIATION_MEMBERSHIP_SAVED = "association_membership.saved", _("Association membership saved")
    OFFICIAL_SAVED = "official.saved", _("Official saved")
    OFFICIAL_ACCOUNT_CREATED = "official.account_created", _("Official's account created")
