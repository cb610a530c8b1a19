"""Applications (issue 3): one model for all three instruments, with the instrument's own data in
GrantDetails / BudgetLine / Milestone, LoanDetails, or UtilityConnection rows (application_sections.py).

The state machine lives here (django-fsm-2); grants/services/ is its only caller. Transitions only
change the state and the timestamps derived from it (the clock); who may act is said by the
`permission=` callables below, and what must hold by `conditions=`. The predicates `holder_may` and
`staff_may` serve the other state machines of the app too."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.workflow import PermissionTable

from ..permissions import APPLICATIONS
from .programs import MONEY, Call, Program


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SCREENING = "screening", _("Screening")
    INFO_REQUESTED = "info_requested", _("Information requested")
    SCREENED_OUT = "screened_out", _("Screened out")
    IN_REVIEW = "in_review", _("In review")
    RECOMMENDED = "recommended", _("Recommended")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = ApplicationState
# Before a decision the operator may still withdraw; these are also "open" for the one-open-application
# rule (one open application per space and program).
OPEN_STATES = (S.DRAFT, S.SUBMITTED, S.SCREENING, S.INFO_REQUESTED, S.IN_REVIEW, S.RECOMMENDED)
# The officer's screening queue.
SCREENING_STATES = (S.SUBMITTED, S.SCREENING, S.INFO_REQUESTED)
CLOSED_STATES = (S.SCREENED_OUT, S.APPROVED, S.REJECTED, S.WITHDRAWN)
DECIDED_STATES = (S.APPROVED, S.REJECTED)


# Who may make a transition (django-fsm `permission=` callables: (application, user) -> bool).
# Object-level: the operator's own staff act for their company; staff roles act by role, but never on
# an application of a company they belong to (an applicant never screens or decides their own case).
def is_active_person(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_applicant(application, user) -> bool:
    """Whether `user` is on the staff of the applying company. On a row a service locked
    (`remember_membership`) the answer is kept per person for the rest of that service's transaction:
    the service's guard and the transition's own `permission=` ask it, the database is asked once."""
    if not is_active_person(user):
        return False
    known = getattr(application, "_membership", None)
    if known is None:
        return _is_member(application, user)
    if user.pk not in known:
        known[user.pk] = _is_member(application, user)
    return known[user.pk]


def _is_member(application, user) -> bool:
    # The membership row alone: the operator's own row is not needed to answer (issue #23).
    memberships = application._meta.get_field("operator").related_model.members.through.objects
    return memberships.filter(operator_id=application.operator_id, user_id=user.pk).exists()


def remember_membership(application):
    """Keep `is_applicant`'s answers on this instance: only for a row locked by a service, which
    reads it again for every check of one transaction (never for an instance that outlives it)."""
    application._membership = {}
    return application


def _same(obj):
    return obj


def holder_may(table: PermissionTable, action: str, application_of=_same):
    """`permission=` for an applicant's step: the role in `table`, and staff of the applicant company."""

    def permitted(obj, user) -> bool:
        return table.role_allows(user, action) and is_applicant(application_of(obj), user)

    permitted.__name__ = f"{table.concern}_{action}_by_applicant"
    return permitted


def staff_may(table: PermissionTable, action: str, application_of=_same):
    """`permission=` for a staff step: the role in `table`, and never on a company one belongs to (an
    applicant never screens, reviews, decides or pays their own case). The system (a finance hook)
    passes where the table says so."""

    def permitted(obj, user) -> bool:
        return table.role_allows(user, action) and not is_applicant(application_of(obj), user)

    permitted.__name__ = f"{table.concern}_{action}_by_staff"
    return permitted


def is_program_officer(application, user) -> bool:
    return is_active_person(user) and user.has_role("program_officer") and not is_applicant(application, user)


def may_approve_delegated(application, user) -> bool:
    """A utility-subsidy enrolment at or under the program's delegated limit may be approved by a
    program officer without the board (DESIGN.md; the limit is a program setting)."""
    program = application.call.program
    return (
        staff_may(APPLICATIONS, "approve_delegated")(application, user)
        and application.instrument == Program.Instrument.UTILITY_SUBSIDY
        and application.amount_requested <= program.delegated_limit
    )


def is_assigned_reviewer(application, user) -> bool:
    return (
        is_active_person(user)
        and not is_applicant(application, user)
        and application.reviews.filter(reviewer=user).exists()
    )


def may_complete_review(application, user) -> bool:
    """The last reviewer to submit (or to withdraw for a conflict) completes the review; the officer
    may too (e.g. after replacing a conflicted reviewer)."""
    return APPLICATIONS.role_allows(user, "recommend") and (
        is_assigned_reviewer(application, user) or is_program_officer(application, user)
    )


# The `permission=` of each Application transition, by name: the decorators below use them, and the
# services ask them before the state (so a refusal says "not yours" before "not now").
APPLICATION_MAY = {
    "submit": holder_may(APPLICATIONS, "submit"),
    "answer_information": holder_may(APPLICATIONS, "answer_information"),
    "withdraw": holder_may(APPLICATIONS, "withdraw"),
    "start_screening": staff_may(APPLICATIONS, "start_screening"),
    "request_information": staff_may(APPLICATIONS, "request_information"),
    "screen_out": staff_may(APPLICATIONS, "screen_out"),
    "send_to_review": staff_may(APPLICATIONS, "send_to_review"),
    "recommend": may_complete_review,
    "approve": staff_may(APPLICATIONS, "approve"),
    "reject": staff_may(APPLICATIONS, "reject"),
    "approve_delegated": may_approve_delegated,
}


# What must hold (django-fsm `conditions=`: (application) -> bool). The services check the same rules
# first to tell the person *what* is wrong; these keep the machine safe whoever calls it. Only rules
# the model can state on its own are here: the rules that need other modules (nothing missing for
# submit, grants/sections.py; every eligibility check passed, grants/eligibility.py) are the service
# guard's (grants/services/applications.py), so the models import neither (issue #13).
def call_is_open(application) -> bool:
    return application.call.is_open()


def reviews_complete(application) -> bool:
    """Every assigned review is in (none assigned or being scored) and at least the program's number of
    reviewers submitted one."""
    reviews = list(application.reviews.values_list("state", flat=True))
    submitted = sum(1 for state in reviews if state == "submitted")
    pending = sum(1 for state in reviews if state in ("assigned", "declared"))
    return pending == 0 and submitted >= application.call.program.min_reviewers


def has_no_open_information_request(application) -> bool:
    return not application.information_requests.filter(answered_at__isnull=True).exists()


class ApplicationSequence(models.Model):
    """The last reference number used per program and calendar year (GR-2026-00042).

    The row is locked (select_for_update) while a number is taken, so two applications created at
    once never share a number; numbers are never reused.
    """

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "year"], name="applicationsequence_one_per_program_year"),
            models.CheckConstraint(condition=Q(last_number__gte=0), name="applicationsequence_nonnegative"),
        ]

    def __str__(self):
        return f"{self.program.code}-{self.year}: {self.last_number}"


class Application(ConcurrentTransitionMixin, models.Model):
    """An operator's application to a call, for a grant, a soft loan or a utility-subsidy enrolment.

    Spaces: a grant or a loan is for one space of the operator (`space`). A utility enrolment covers
    one or more spaces, each with its own electricity connection (DISCO, bill reference, average
    bill), so it uses the `UtilityConnection` through model instead of a plain M2M: the bill data
    belongs to the (enrolment, space) pair, and later utility claims point at that connection. For a
    utility enrolment `space` stays empty; the constraints below hold that split.

    The clock: `state_entered_at` is when the current state began and `paused_for` the total time
    spent earlier in info_requested (the clock pauses while the operator owes information). Both are
    kept by the transitions, so `clock()` needs no query and a queue of any length costs one query.
    The full history of states is the audit trail (audit.selectors.audit_events_for).
    """

    State = ApplicationState

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications", verbose_name=_("call"))
    # Copied from the call's program when the application is created; programs never change instrument.
    instrument = models.CharField(_("instrument"), max_length=20, choices=Program.Instrument.choices, editable=False)
    operator = models.ForeignKey(
        "spaces.Operator", on_delete=models.PROTECT, related_name="applications", verbose_name=_("operator")
    )
    space = models.ForeignKey(
        "spaces.Space",
        on_delete=models.PROTECT,
        related_name="applications",
        null=True,
        blank=True,
        verbose_name=_("space"),
    )
    amount_requested = models.DecimalField(_("amount requested (PKR)"), default=Decimal("0"), **MONEY)
    state = FSMField(_("state"), max_length=20, choices=ApplicationState.choices, default=S.DRAFT, protected=True)
    closing_reason = models.TextField(_("reason"), blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by")
    )
    created_at = models.DateTimeField(_("started"))
    updated_at = models.DateTimeField(_("last changed"))
    state_entered_at = models.DateTimeField(_("in this state since"))
    paused_for = models.DurationField(_("time waiting for the operator"), default=dt.timedelta(0))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "submitted_at"]),
            models.Index(fields=["operator", "state"]),
            # The screening queue reads oldest submission first and stops after a page: walking this
            # index in order avoids sorting every waiting application first.
            models.Index(fields=["submitted_at", "id"], name="app_queue_order_idx"),
            # The operator's list reads newest first.
            models.Index(fields=["operator", "created_at"], name="app_operator_recent_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=S.values), name="application_state_valid"),
            models.CheckConstraint(
                condition=Q(instrument__in=["grant", "soft_loan", "utility_subsidy"]),
                name="application_instrument_valid",
            ),
            models.CheckConstraint(condition=Q(amount_requested__gte=0), name="application_amount_nonnegative"),
            models.CheckConstraint(condition=Q(paused_for__gte=dt.timedelta(0)), name="application_paused_nonnegative"),
            # A grant or a loan is for one space; a utility enrolment names its spaces per connection.
            models.CheckConstraint(
                condition=(Q(instrument="utility_subsidy") & Q(space__isnull=True))
                | (~Q(instrument="utility_subsidy") & Q(space__isnull=False)),
                name="application_space_per_instrument",
            ),
            # Submitted exactly when it left the draft (a draft may be withdrawn without submitting).
            models.CheckConstraint(
                condition=Q(state=S.DRAFT, submitted_at__isnull=True)
                | (~Q(state=S.DRAFT) & (Q(submitted_at__isnull=False) | Q(state=S.WITHDRAWN))),
                name="application_submitted_at_matches_state",
            ),
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True, state__in=[*OPEN_STATES, S.SCREENED_OUT, S.WITHDRAWN])
                | Q(decided_at__isnull=False, state__in=DECIDED_STATES),
                name="application_decided_at_matches_state",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True, state__in=OPEN_STATES)
                | Q(closed_at__isnull=False, state__in=CLOSED_STATES),
                name="application_closed_at_matches_state",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=[S.SCREENED_OUT, S.REJECTED]) | ~Q(closing_reason=""),
                name="application_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | Q(submitted_at__gte=F("created_at")),
                name="application_submitted_after_created",
            ),
        ]

    def __str__(self):
        return self.reference

    # --- the state machine ------------------------------------------------------------------------

    def _enter_state(self, at: dt.datetime) -> None:
        """Keep the clock: leaving info_requested adds its time to the pause; any state starts now."""
        if self.state == S.INFO_REQUESTED:
            self.paused_for = self.paused_for + max(at - self.state_entered_at, dt.timedelta(0))
        self.state_entered_at = at
        self.updated_at = at

    def _close(self, at: dt.datetime) -> None:
        self._enter_state(at)
        self.closed_at = at

    @transition(
        field=state,
        source=S.DRAFT,
        target=S.SUBMITTED,
        permission=APPLICATION_MAY["submit"],
        conditions=[call_is_open],
    )
    def submit(self, *, at: dt.datetime):
        self._enter_state(at)
        self.submitted_at = at

    @transition(
        field=state,
        source=S.SUBMITTED,
        target=S.SCREENING,
        permission=APPLICATION_MAY["start_screening"],
    )
    def start_screening(self, *, at: dt.datetime):
        self._enter_state(at)

    @transition(
        field=state,
        source=S.SCREENING,
        target=S.INFO_REQUESTED,
        permission=APPLICATION_MAY["request_information"],
    )
    def request_information(self, *, at: dt.datetime):
        self._enter_state(at)

    @transition(
        field=state,
        source=S.INFO_REQUESTED,
        target=S.SCREENING,
        permission=APPLICATION_MAY["answer_information"],
    )
    def answer_information(self, *, at: dt.datetime):
        self._enter_state(at)

    @transition(
        field=state,
        source=S.SCREENING,
        target=S.SCREENED_OUT,
        permission=APPLICATION_MAY["screen_out"],
    )
    def screen_out(self, *, reason: str, at: dt.datetime):
        self._close(at)
        self.closing_reason = reason

    @transition(
        field=state,
        source=S.SCREENING,
        target=S.IN_REVIEW,
        permission=APPLICATION_MAY["send_to_review"],
        conditions=[has_no_open_information_request],
    )
    def send_to_review(self, *, at: dt.datetime):
        self._enter_state(at)

    # Review and decision (grants/services/reviews.py, decisions.py): reviews complete -> recommended (on the board's
    # agenda); the board chair records approve / reject; a deferral leaves it recommended.
    @transition(
        field=state,
        source=S.IN_REVIEW,
        target=S.RECOMMENDED,
        permission=APPLICATION_MAY["recommend"],
        conditions=[reviews_complete],
    )
    def recommend(self, *, at: dt.datetime):
        self._enter_state(at)

    @transition(field=state, source=S.RECOMMENDED, target=S.APPROVED, permission=APPLICATION_MAY["approve"])
    def approve(self, *, at: dt.datetime):
        self._close(at)
        self.decided_at = at

    @transition(
        field=state,
        source=[S.IN_REVIEW, S.RECOMMENDED],
        target=S.APPROVED,
        permission=APPLICATION_MAY["approve_delegated"],
    )
    def approve_delegated(self, *, at: dt.datetime):
        self._close(at)
        self.decided_at = at

    @transition(field=state, source=S.RECOMMENDED, target=S.REJECTED, permission=APPLICATION_MAY["reject"])
    def reject(self, *, reason: str, at: dt.datetime):
        self._close(at)
        self.decided_at = at
        self.closing_reason = reason

    @transition(
        field=state,
        source=list(OPEN_STATES),
        target=S.WITHDRAWN,
        permission=APPLICATION_MAY["withdraw"],
    )
    def withdraw(self, *, reason: str, at: dt.datetime):
        self._close(at)
        self.closing_reason = reason

    # --- derived ----------------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def clock(self, now: dt.datetime | None = None) -> "ApplicationClock":
        """Time in the current state, and processing time since submission without the pauses.

        Pure arithmetic on this row's fields: no query.
        """
        now = now or timezone.now()
        end = self.closed_at or now
        in_state = None if self.closed_at else max(now - self.state_entered_at, dt.timedelta(0))
        paused = self.paused_for
        if self.state == S.INFO_REQUESTED:
            paused += max(now - self.state_entered_at, dt.timedelta(0))
        processing = None
        if self.submitted_at:
            processing = max(end - self.submitted_at - paused, dt.timedelta(0))
        return ApplicationClock(
            in_state=in_state, processing=processing, paused=paused, is_paused=self.state == S.INFO_REQUESTED
        )


class ApplicationClock:
    """What the clock shows: `in_state` (None once closed), `processing` (None before submission,
    pauses excluded), `paused` (total time waiting for the operator) and whether it is paused now."""

    __slots__ = ("in_state", "processing", "paused", "is_paused")

    def __init__(self, *, in_state, processing, paused, is_paused):
        self.in_state = in_state
        self.processing = processing
        self.paused = paused
        self.is_paused = is_paused

    def __repr__(self):
        return f"ApplicationClock(in_state={self.in_state}, processing={self.processing}, paused={self.paused})"


class InformationRequest(models.Model):
    """A program officer's question during screening, and the operator's answer."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="information_requests")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    question = models.TextField(_("question"))
    asked_at = models.DateTimeField(_("asked"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        ordering = ["application", "asked_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(question=""), name="informationrequest_question_given"),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, answered_by__isnull=True, answer="")
                | (Q(answered_at__isnull=False, answered_by__isnull=False) & ~Q(answer="")),
                name="informationrequest_answer_complete",
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(answered_at__gte=F("asked_at")),
                name="informationrequest_answered_after_asked",
            ),
            # At most one question open at a time per application.
            models.UniqueConstraint(
                fields=["application"], condition=Q(answered_at__isnull=True), name="informationrequest_one_open"
            ),
        ]

    def __str__(self):
        return f"{self.application}: {self.question[:60]}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None
