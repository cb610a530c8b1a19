"""A registered visit: the only way an official enters a space on the program's business.

requested → scheduled → completed, or refused, cancelled (with the reason), no_show. Scheduling
issues the verification code the operator and the public check at /verify/visit/<code>/. The caps and
notice rules are enforced by integrity.services.visits; the database holds what it can.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.files import StoredFile, private_document_storage

from ..permissions import VISITS
from .officials import Department, VisitPurpose


class InspectionVisit(ConcurrentTransitionMixin, models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        SCHEDULED = "scheduled", _("Scheduled")
        COMPLETED = "completed", _("Completed")
        REFUSED = "refused", _("Refused")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("Inspector did not come")

    class Urgency(models.TextChoices):
        ROUTINE = "routine", _("Routine")
        URGENT = "urgent", _("Urgent")

    class Treatment(models.IntegerChoices):
        VERY_POOR = 1, _("Very poorly")
        POOR = 2, _("Poorly")
        FAIR = 3, _("Fairly")
        GOOD = 4, _("Well")
        VERY_GOOD = 5, _("Very well")

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    space = models.ForeignKey("spaces.Space", on_delete=models.PROTECT, related_name="visits", verbose_name=_("space"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="visits")
    purpose = models.ForeignKey(
        VisitPurpose, on_delete=models.PROTECT, related_name="visits", verbose_name=_("purpose")
    )
    # Copied from the purpose when asked, so a later edit of the catalogue never rewrites history.
    legal_basis = models.CharField(_("legal basis"), max_length=250)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="inspection_visits",
        verbose_name=_("inspector"),
    )
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.ROUTINE)
    urgent_reason = models.TextField(_("why it is urgent"), blank=True)
    window_date = models.DateField(_("date"))
    window_start = models.TimeField(_("from"))
    window_end = models.TimeField(_("until"))
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (starting year)"))
    requested_at = models.DateTimeField(_("asked on"))

    state = FSMField(_("state"), default=State.REQUESTED, choices=State.choices, protected=True)
    # Who coordinated it (the association's liaison or a program officer) and when.
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    scheduled_at = models.DateTimeField(_("scheduled on"), null=True, blank=True)
    # Requests of several departments joined into one joint visit share the lead visit's window.
    joint_with = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="joined", verbose_name=_("joint visit")
    )
    # The human code the operator and the public check (shown with a QR code); unique when issued.
    code = models.CharField(_("verification code"), max_length=12, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)  # refusal or cancellation, read by the inspector
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)

    # The inspector's outcome, within VISIT_OUTCOME_WORKING_DAYS after the window. There is no fee
    # field: the program collects nothing at the door.
    findings = models.TextField(_("findings"), blank=True)
    outcome_filed_at = models.DateTimeField(_("outcome filed on"), null=True, blank=True)
    # Not filed in time: the findings are void and the lapse counts against the department.
    findings_void = models.BooleanField(_("findings void (filed late)"), default=False)

    # The operator's answer, within VISIT_ANSWER_DAYS.
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered on"), null=True, blank=True)
    happened_as_registered = models.BooleanField(_("happened as registered"), null=True, blank=True)
    asked_for_money = models.BooleanField(_("asked for money, a gift or a favour"), null=True, blank=True)
    treatment = models.PositiveSmallIntegerField(
        _("how you were treated"),
        choices=Treatment.choices,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    operator_comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("inspection visit")
        verbose_name_plural = _("inspection visits")
        ordering = ["-window_date", "-window_start", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gt=models.F("window_start")), name="visit_window_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(urgency="urgent") | ~Q(urgent_reason=""), name="visit_urgent_has_reason"
            ),
            models.CheckConstraint(condition=Q(urgency__in=["routine", "urgent"]), name="visit_urgency_valid"),
            models.CheckConstraint(
                condition=Q(state__in=["requested", "scheduled", "completed", "refused", "cancelled", "no_show"]),
                name="visit_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(treatment__isnull=True) | Q(treatment__gte=1, treatment__lte=5),
                name="visit_treatment_1_to_5",
            ),
            models.UniqueConstraint(fields=["code"], condition=~Q(code=""), name="visit_code_unique"),
        ]
        indexes = [models.Index(fields=["space", "fiscal_year", "state"])]

    def __str__(self):
        return self.reference

    @property
    def is_urgent(self) -> bool:
        return self.urgency == self.Urgency.URGENT

    # --- transitions (taken only through integrity.services, which runs core.workflow.transition) ---

    @transition(field=state, source=State.REQUESTED, target=State.SCHEDULED, permission=VISITS.predicate("schedule"))
    def schedule(self, *, by, at, code, window=None, joint_with=None, fiscal_year=None):
        self.scheduled_by, self.scheduled_at, self.code = by, at, code
        if window is not None:
            self.window_date, self.window_start, self.window_end = window
        if fiscal_year is not None:  # a moved window may fall in another fiscal year
            self.fiscal_year = fiscal_year
        self.joint_with = joint_with

    @transition(field=state, source=State.REQUESTED, target=State.REFUSED, permission=VISITS.predicate("refuse"))
    def refuse(self, *, reason, at):
        self.decision_reason, self.closed_at = reason, at

    @transition(
        field=state,
        source=[State.REQUESTED, State.SCHEDULED],
        target=State.CANCELLED,
        permission=VISITS.predicate("cancel"),
    )
    def cancel(self, *, reason, at):
        self.decision_reason, self.closed_at = reason, at

    @transition(field=state, source=State.SCHEDULED, target=State.COMPLETED, permission=VISITS.predicate("complete"))
    def complete(self, *, findings, at, late):
        self.findings, self.outcome_filed_at, self.closed_at = findings, at, at
        self.findings_void = self.findings_void or late

    @transition(field=state, source=State.SCHEDULED, target=State.NO_SHOW, permission=VISITS.predicate("mark_no_show"))
    def mark_no_show(self, *, at):
        self.closed_at = at


def visit_notice_path(instance, filename: str) -> str:
    return f"visits/{instance.visit_id}/{secrets.token_hex(16)}.pdf"


class VisitNotice(StoredFile):
    """A notice the inspector issued at the visit (a PDF), kept privately: the operator of the space,
    the inspector, the scheduler and the integrity officers may read it."""

    visit = models.ForeignKey(InspectionVisit, on_delete=models.CASCADE, related_name="notices")
    file = models.FileField(_("file"), storage=private_document_storage, upload_to=visit_notice_path, max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        verbose_name = _("visit notice")
        verbose_name_plural = _("visit notices")
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="visitnotice_not_empty"),
            models.CheckConstraint(condition=Q(content_type="application/pdf"), name="visitnotice_is_pdf"),
        ]

    def __str__(self):
        return self.original_filename


class VisitSequence(models.Model):
    """The last visit number per year, locked while a reference is taken (VIS-2026-00012)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"
