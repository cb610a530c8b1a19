"""A grievance: a confidential complaint about an official or the program, outside the approval chain.

    filed → acknowledged → investigating → resolved (substantiated, partly, not substantiated; the
    action taken) or closed (duplicate, withdrawn, out of scope; with the reason)
    resolved | closed → investigating          the filer reopens once, within GRIEVANCE_REOPEN_DAYS
    resolved → under_appeal                    the filer rates the handling 1 or 2
    under_appeal → appeal_decided              the head of integrity upholds the resolution, or
    under_appeal → investigating               sends it back to be investigated again

Only integrity officers and the head of integrity read a grievance; the filer reads its state and the
replies (never the internal notes, never who handles it) in the portal, or with the tracking number and
the follow-up key (kept only as a hash) at /grievances/track/. Every write goes through
integrity.services.grievances; its audit events carry no details.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from core.files import StoredFile, private_document_storage

from ..permissions import GRIEVANCES
from .officials import Department
from .visits import InspectionVisit


class GrievanceState(models.TextChoices):
    FILED = "filed", _("Filed")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    INVESTIGATING = "investigating", _("Being investigated")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    UNDER_APPEAL = "under_appeal", _("Under appeal to the head of integrity")
    APPEAL_DECIDED = "appeal_decided", _("Appeal decided")


S = GrievanceState
# Still being handled: what "open" means for the visit rules and the retaliation guard.
OPEN_STATES = (S.FILED, S.ACKNOWLEDGED, S.INVESTIGATING, S.UNDER_APPEAL)
# A resolution stands (the outcome and the action taken are kept).
RESOLVED_STATES = (S.RESOLVED, S.UNDER_APPEAL, S.APPEAL_DECIDED)
# The resolve clock runs (no acknowledgement clock once acknowledged).
CLOCK_STATES = (S.FILED, S.ACKNOWLEDGED, S.INVESTIGATING)


class Grievance(ConcurrentTransitionMixin, models.Model):
    State = GrievanceState

    class Category(models.TextChoices):
        MONEY_DEMAND = "money_demand", _("Demand for money or a gift")
        UNREGISTERED_VISIT = "unregistered_visit", _("Unregistered or repeated visit")
        DELAY = "delay", _("Delay without reason")
        MISCONDUCT = "misconduct", _("Misconduct")
        # A freelancer charged more than their share of a subsidised seat (seat vouchers, issue #18).
        OVERCHARGE = "overcharge", _("Charged more than the subsidised share")
        OTHER = "other", _("Other")

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Portal (signed in)")
        HELPLINE = "helpline", _("Helpline (typed in by an integrity officer)")
        PUBLIC = "public", _("Public form (no account)")

    class Outcome(models.TextChoices):
        SUBSTANTIATED = "substantiated", _("Substantiated")
        PARTLY = "partly", _("Partly substantiated")
        NOT_SUBSTANTIATED = "not_substantiated", _("Not substantiated")

    class CloseKind(models.TextChoices):
        DUPLICATE = "duplicate", _("Duplicate of another grievance")
        WITHDRAWN = "withdrawn", _("Withdrawn by the filer")
        OUT_OF_SCOPE = "out_of_scope", _("Out of the program's scope")

    class AppealOutcome(models.TextChoices):
        UPHELD = "upheld", _("Resolution upheld")
        REINVESTIGATE = "reinvestigate", _("Sent back to be investigated again")

    reference = models.CharField(_("tracking number"), max_length=20, unique=True)
    category = models.CharField(_("what it is about"), max_length=20, choices=Category.choices)
    channel = models.CharField(_("how it came"), max_length=10, choices=Channel.choices)
    filed_at = models.DateTimeField(_("filed on"))
    # The signed-in filer (portal); none for the helpline and the public form.
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="grievances_filed"
    )
    # The integrity officer who typed in a helpline call.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    operator = models.ForeignKey(
        "spaces.Operator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grievances",
        verbose_name=_("company"),
    )

    # Whom it concerns (all optional).
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grievances",
        verbose_name=_("department"),
    )
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grievances_naming",
        verbose_name=_("official"),
    )
    official_name_text = models.CharField(_("official's name, as the filer gave it"), max_length=160, blank=True)
    application = models.ForeignKey(
        "grants.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("application"),
    )
    visit = models.ForeignKey(
        InspectionVisit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grievances",
        verbose_name=_("visit"),
    )
    stage = models.CharField(_("stage"), max_length=160, blank=True)
    what_happened = models.TextField(_("what happened"))

    # A filer without an account may leave a way to reach them; none is required.
    contact_name = models.CharField(_("your name"), max_length=120, blank=True)
    contact_phone = models.CharField(_("your phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("your email"), blank=True)
    # The follow-up key shown once to a filer without an account, kept only as a hash.
    follow_up_key_hash = models.CharField(max_length=200, blank=True)

    state = FSMField(_("state"), max_length=20, choices=GrievanceState.choices, default=S.FILED, protected=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grievances_assigned",
        verbose_name=_("handled by"),
    )
    # The clocks: acknowledged within GRIEVANCE_ACK_WORKING_DAYS, resolved within GRIEVANCE_RESOLVE_DAYS.
    ack_due_on = models.DateField(_("acknowledge by"))
    resolve_due_on = models.DateField(_("resolve by"))
    acknowledged_at = models.DateTimeField(_("acknowledged on"), null=True, blank=True)
    investigation_started_at = models.DateTimeField(_("investigation started"), null=True, blank=True)
    # Set by the escalation task once per breach, so a breach is escalated once.
    ack_escalated_at = models.DateTimeField(_("late acknowledgement escalated"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("late resolution escalated"), null=True, blank=True)

    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    action_taken = models.TextField(_("action taken"), blank=True)
    resolved_at = models.DateTimeField(_("resolved on"), null=True, blank=True)
    close_kind = models.CharField(_("why it was closed"), max_length=20, choices=CloseKind.choices, blank=True)
    close_reason = models.TextField(_("reason"), blank=True)
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    reopened_at = models.DateTimeField(_("reopened on"), null=True, blank=True)

    rating = models.PositiveSmallIntegerField(
        _("rating of the handling"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rated_at = models.DateTimeField(_("rated on"), null=True, blank=True)
    appealed_at = models.DateTimeField(_("appealed on"), null=True, blank=True)
    appeal_outcome = models.CharField(_("appeal decision"), max_length=20, choices=AppealOutcome.choices, blank=True)
    appeal_reason = models.TextField(_("the head's reasons"), blank=True)
    appeal_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    appeal_decided_at = models.DateTimeField(_("appeal decided on"), null=True, blank=True)

    class Meta:
        verbose_name = _("grievance")
        verbose_name_plural = _("grievances")
        ordering = ["filed_at", "id"]
        indexes = [
            models.Index(fields=["state", "filed_at"], name="grievance_state_filed_idx"),
            models.Index(fields=["official", "state"], name="grievance_official_state_idx"),
            models.Index(fields=["operator", "state"], name="grievance_operator_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=S.values), name="grievance_state_valid"),
            models.CheckConstraint(
                condition=Q(
                    category__in=["money_demand", "unregistered_visit", "delay", "misconduct", "overcharge", "other"]
                ),
                name="grievance_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=["portal", "helpline", "public"]), name="grievance_channel_valid"
            ),
            # Portal: a signed-in filer. Helpline: the officer who typed it and a key for the caller.
            # Public: nobody signed in, and a key to follow it up.
            models.CheckConstraint(
                condition=Q(channel="portal", filed_by__isnull=False, entered_by__isnull=True)
                | Q(channel="helpline", filed_by__isnull=True, entered_by__isnull=False) & ~Q(follow_up_key_hash="")
                | Q(channel="public", filed_by__isnull=True, entered_by__isnull=True) & ~Q(follow_up_key_hash=""),
                name="grievance_channel_matches_filer",
            ),
            models.CheckConstraint(condition=~Q(what_happened=""), name="grievance_says_what_happened"),
            models.CheckConstraint(
                condition=Q(resolve_due_on__gte=models.F("ack_due_on")), name="grievance_clocks_ordered"
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=["substantiated", "partly", "not_substantiated"]),
                name="grievance_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["resolved", "under_appeal", "appeal_decided"], resolved_at__isnull=False)
                & ~Q(outcome="")
                & ~Q(action_taken="")
                | ~Q(state__in=["resolved", "under_appeal", "appeal_decided"]) & Q(outcome=""),
                name="grievance_resolution_matches_state",
            ),
            models.CheckConstraint(
                condition=Q(state="closed", closed_at__isnull=False)
                & Q(close_kind__in=["duplicate", "withdrawn", "out_of_scope"])
                & ~Q(close_reason="")
                | ~Q(state="closed") & Q(close_kind=""),
                name="grievance_closure_matches_state",
            ),
            # An investigation has someone handling it.
            models.CheckConstraint(
                condition=~Q(state="investigating") | Q(assigned_to__isnull=False),
                name="grievance_investigation_assigned",
            ),
            models.CheckConstraint(condition=Q(reopen_count__lte=1), name="grievance_reopened_at_most_once"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5, rated_at__isnull=False),
                name="grievance_rating_1_to_5",
            ),
            # An appeal follows a low rating, and only the head's decision ends it.
            models.CheckConstraint(
                condition=~Q(state__in=["under_appeal", "appeal_decided"])
                | Q(rating__lte=2, appealed_at__isnull=False),
                name="grievance_appeal_follows_low_rating",
            ),
            models.CheckConstraint(
                condition=Q(state="appeal_decided", appeal_outcome="upheld", appeal_decided_at__isnull=False)
                & ~Q(appeal_reason="")
                | ~Q(state="appeal_decided"),
                name="grievance_appeal_decision_matches_state",
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_anonymous(self) -> bool:
        return self.filed_by_id is None

    # --- the state machine (integrity.services.grievances is the only caller) ---------------------

    @transition(field=state, source=S.FILED, target=S.ACKNOWLEDGED, permission=GRIEVANCES.predicate("acknowledge"))
    def acknowledge(self, *, at):
        self.acknowledged_at = at

    @transition(
        field=state,
        source=[S.FILED, S.ACKNOWLEDGED],
        target=S.INVESTIGATING,
        permission=GRIEVANCES.predicate("investigate"),
        conditions=[lambda grievance: grievance.assigned_to_id is not None],
    )
    def investigate(self, *, at):
        self.acknowledged_at = self.acknowledged_at or at
        self.investigation_started_at = at

    @transition(field=state, source=S.INVESTIGATING, target=S.RESOLVED, permission=GRIEVANCES.predicate("resolve"))
    def resolve(self, *, outcome, action_taken, at):
        self.outcome, self.action_taken, self.resolved_at = outcome, action_taken, at

    @transition(
        field=state,
        source=[S.FILED, S.ACKNOWLEDGED, S.INVESTIGATING],
        target=S.CLOSED,
        permission=GRIEVANCES.predicate("close"),
    )
    def close(self, *, kind, reason, at):
        self.close_kind, self.close_reason, self.closed_at = kind, reason, at

    @transition(
        field=state,
        source=[S.RESOLVED, S.CLOSED],
        target=RETURN_VALUE(S.INVESTIGATING, S.ACKNOWLEDGED),
        permission=GRIEVANCES.predicate("reopen"),
        conditions=[lambda grievance: grievance.reopen_count == 0 and grievance.rating is None],
    )
    def reopen(self, *, at, resolve_due_on):
        self.reopen_count += 1
        self.reopened_at = at
        self.acknowledged_at = self.acknowledged_at or at
        self.outcome, self.action_taken, self.resolved_at = "", "", None
        self.close_kind, self.close_reason, self.closed_at = "", "", None
        self.resolve_due_on, self.escalated_at = resolve_due_on, None
        # Back with whoever handled it; a grievance closed before anyone took it waits to be assigned.
        return S.INVESTIGATING if self.assigned_to_id is not None else S.ACKNOWLEDGED

    @transition(
        field=state,
        source=S.RESOLVED,
        target=S.UNDER_APPEAL,
        permission=GRIEVANCES.predicate("appeal"),
        conditions=[
            lambda grievance: grievance.rating is not None and grievance.rating <= 2 and not grievance.appeal_outcome
        ],
    )
    def appeal(self, *, at):
        self.appealed_at = at

    @transition(
        field=state,
        source=S.UNDER_APPEAL,
        target=RETURN_VALUE(S.APPEAL_DECIDED, S.INVESTIGATING),
        permission=GRIEVANCES.predicate("decide_appeal"),
    )
    def decide_appeal(self, *, outcome, reason, by, at, resolve_due_on):
        self.appeal_outcome, self.appeal_reason = outcome, reason
        self.appeal_decided_by, self.appeal_decided_at = by, at
        if outcome == self.AppealOutcome.UPHELD:
            return S.APPEAL_DECIDED
        self.outcome, self.action_taken, self.resolved_at = "", "", None
        self.rating, self.rated_at = None, None
        self.resolve_due_on, self.escalated_at = resolve_due_on, None
        return S.INVESTIGATING


class GrievanceMessage(models.Model):
    """What was written on a grievance: a reply to the filer (shown on the track page and in the
    portal), an internal note of the integrity officers (never shown to the filer), or the filer's own
    words when they reopen it or appeal."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply to the filer")
        NOTE = "note", _("Internal note")
        FILER = "filer", _("From the filer")

    grievance = models.ForeignKey(Grievance, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    text = models.TextField(_("text"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    written_at = models.DateTimeField(_("written on"))

    class Meta:
        verbose_name = _("grievance message")
        verbose_name_plural = _("grievance messages")
        ordering = ["grievance", "written_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["reply", "note", "filer"]), name="grievancemessage_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="grievancemessage_not_empty"),
            # Staff write replies and notes under their name.
            models.CheckConstraint(
                condition=Q(kind="filer") | Q(written_by__isnull=False), name="grievancemessage_staff_named"
            ),
        ]

    def __str__(self):
        return f"{self.grievance} {self.kind} {self.written_at:%Y-%m-%d}"


def grievance_evidence_path(instance, filename: str) -> str:
    return f"grievances/{instance.grievance_id}/{secrets.token_hex(16)}"


class GrievanceEvidence(StoredFile):
    """A document or photo the filer gave, kept privately: only the integrity officers download it."""

    grievance = models.ForeignKey(Grievance, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(
        _("file"), storage=private_document_storage, upload_to=grievance_evidence_path, max_length=200
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        verbose_name = _("grievance evidence")
        verbose_name_plural = _("grievance evidence")
        ordering = ["grievance", "uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="grievanceevidence_not_empty"),
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                name="grievanceevidence_document_type",
            ),
        ]

    def __str__(self):
        return self.original_filename


class GrievanceSequence(models.Model):
    """The last grievance number per year, locked while a tracking number is taken (GRV-2026-00012)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"
