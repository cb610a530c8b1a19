"""A one-window request: one operator's case with one department, on that department's clock.

draft → submitted → in_process ⇄ info_requested → issued | refused; withdrawn. The clock runs from
submission for the service's promised working days and stops while the desk waits for the operator's
answer (the days waiting are added to the due date when the answer comes). What is issued is a
Certificate: immutable; a correction is a new certificate that supersedes it, both kept.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.files import StoredFile, private_document_storage
from grants.documents import DocumentType

from ..permissions import REQUESTS
from .catalogue import Service


class RequestState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_PROCESS = "in_process", _("In process")
    INFO_REQUESTED = "info_requested", _("Information requested")
    ISSUED = "issued", _("Issued")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = RequestState
# The department's clock runs in these states (it stops while information is requested).
CLOCK_STATES = (S.SUBMITTED, S.IN_PROCESS)
OPEN_STATES = (S.SUBMITTED, S.IN_PROCESS, S.INFO_REQUESTED)


class ServiceRequest(ConcurrentTransitionMixin, models.Model):
    State = RequestState

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="requests", verbose_name=_("service"))
    operator = models.ForeignKey("spaces.Operator", on_delete=models.PROTECT, related_name="service_requests")
    space = models.ForeignKey(
        "spaces.Space", on_delete=models.PROTECT, null=True, blank=True, related_name="service_requests"
    )
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"))
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    state = FSMField(_("state"), default=S.DRAFT, choices=S.choices, protected=True)

    submitted_at = models.DateTimeField(_("submitted on"), null=True, blank=True)
    due_on = models.DateField(_("due by"), null=True, blank=True)
    paused_on = models.DateField(_("clock stopped on"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)
    refusal_reason = models.TextField(_("why it was refused"), blank=True)
    refusal_rule = models.CharField(_("the rule it was refused under"), max_length=250, blank=True)
    escalated_at = models.DateTimeField(_("escalated as late"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-window request")
        verbose_name_plural = _("one-window requests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    state__in=["draft", "submitted", "in_process", "info_requested", "issued", "refused", "withdrawn"]
                ),
                name="servicerequest_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(state="withdrawn") | Q(submitted_at__isnull=False),
                name="servicerequest_submitted_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state="refused") | ~Q(refusal_reason=""), name="servicerequest_refusal_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["service", "state"]), models.Index(fields=["state", "due_on"])]

    def __str__(self):
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    # --- transitions (taken only through onewindow.services, which runs core.workflow.transition) ---

    @transition(field=state, source=S.DRAFT, target=S.SUBMITTED, permission=REQUESTS.predicate("submit"))
    def submit(self, *, at, due_on):
        self.submitted_at, self.due_on = at, due_on

    @transition(
        field=state,
        source=[S.DRAFT, S.SUBMITTED, S.IN_PROCESS, S.INFO_REQUESTED],
        target=S.WITHDRAWN,
        permission=REQUESTS.predicate("withdraw"),
    )
    def withdraw(self, *, at):
        self.closed_at = at

    @transition(field=state, source=S.SUBMITTED, target=S.IN_PROCESS, permission=REQUESTS.predicate("start"))
    def start(self, *, by):
        self.handled_by = by

    @transition(
        field=state, source=S.IN_PROCESS, target=S.INFO_REQUESTED, permission=REQUESTS.predicate("request_info")
    )
    def request_info(self, *, on):
        self.paused_on = on

    @transition(field=state, source=S.INFO_REQUESTED, target=S.IN_PROCESS, permission=REQUESTS.predicate("answer"))
    def answer(self, *, due_on):
        self.due_on, self.paused_on = due_on, None

    @transition(field=state, source=S.IN_PROCESS, target=S.ISSUED, permission=REQUESTS.predicate("issue"))
    def issue(self, *, at):
        self.closed_at = at

    @transition(
        field=state, source=[S.SUBMITTED, S.IN_PROCESS], target=S.REFUSED, permission=REQUESTS.predicate("refuse")
    )
    def refuse(self, *, at, reason, rule):
        self.closed_at, self.refusal_reason, self.refusal_rule = at, reason, rule


class RequestMessage(models.Model):
    """A question from the desk or the operator's answer, in the request's thread."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("Question from the department")
        ANSWER = "answer", _("Answer from the operator")

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    body = models.TextField(_("text"))
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(_("written on"))

    class Meta:
        ordering = ["written_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=["question", "answer"]), name="requestmessage_kind")]

    def __str__(self):
        return f"{self.request}: {self.kind}"


def request_document_path(instance, filename: str) -> str:
    return f"one-window/{instance.request_id}/{secrets.token_hex(16)}"


class RequestDocument(StoredFile):
    """A document of a request: uploaded now, or reused from one the operator filed before and that
    was accepted (`reused_from`; the same stored file, never a copy). The department sees it as filed."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="documents")
    document_type = models.CharField(_("document"), max_length=30, choices=DocumentType.choices)
    file = models.FileField(
        _("file"), storage=private_document_storage, upload_to=request_document_path, max_length=200
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    reused_from = models.CharField(_("filed earlier with"), max_length=40, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("filed on"))

    class Meta:
        verbose_name = _("request document")
        verbose_name_plural = _("request documents")
        ordering = ["request", "document_type", "-uploaded_at"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="requestdocument_not_empty"),
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                name="requestdocument_content_type_allowed",
            ),
        ]

    def __str__(self):
        return f"{self.request}: {self.document_type}"


def certificate_path(instance, filename: str) -> str:
    return f"one-window/{instance.request_id}/certificates/{secrets.token_hex(16)}.pdf"


class Certificate(StoredFile):
    """What the department issued: number, dates and the PDF. Never edited: a correction is a new
    certificate with `supersedes` pointing at the old one, and the old one stays."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.PROTECT, related_name="certificates")
    number = models.CharField(_("certificate or registration number"), max_length=80)
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    file = models.FileField(_("file"), storage=private_document_storage, upload_to=certificate_path, max_length=200)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    correction_reason = models.TextField(_("why it was corrected"), blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("recorded on"))
    expiry_reminded_at = models.DateTimeField(_("expiry reminder sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["request", "-issued_at"]
        constraints = [
            models.CheckConstraint(condition=Q(content_type="application/pdf"), name="certificate_is_pdf"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("issued_on")),
                name="certificate_valid_after_issue",
            ),
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(correction_reason=""),
                name="certificate_correction_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.number} ({self.request})"


class RequestSequence(models.Model):
    """The last request number per year, locked while a reference is taken (OWR-2026-00012)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"
