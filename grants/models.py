import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.workflow import PermissionTable

from .documents import DocumentType
from .fiscal import FiscalYear
from .permissions import APPLICATIONS, AWARDS, CLAIMS, REVIEWS, TRANCHES
from .schedules import Grace
from .storage import application_document_path, private_document_storage

MONEY = {"max_digits": 14, "decimal_places": 2}


class Program(models.Model):
    """A funding program: one instrument, its rules, and its budget per fiscal year."""

    class Instrument(models.TextChoices):
        GRANT = "grant", _("Grant")
        SOFT_LOAN = "soft_loan", _("Soft loan")
        UTILITY_SUBSIDY = "utility_subsidy", _("Utility subsidy")

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    code = models.CharField(
        _("reference prefix"),
        max_length=3,
        unique=True,
        help_text=_("Two or three capital letters that start every application reference, e.g. GR."),
    )
    instrument = models.CharField(_("instrument"), max_length=20, choices=Instrument.choices)
    summary = models.TextField(_("summary"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    # Rules. Terms change between rounds, so every number is a setting here, never a constant in code.
    min_amount = models.DecimalField(_("smallest amount (PKR)"), default=Decimal("0"), **MONEY)
    max_amount = models.DecimalField(_("largest amount (PKR)"), **MONEY)
    own_contribution_percent = models.DecimalField(
        _("own contribution required (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    subsidy_share = models.DecimalField(
        _("subsidy share"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Utility subsidies: the share of the eligible bill paid, e.g. 0.7000 for 70%."),
    )
    monthly_cap = models.DecimalField(
        _("monthly cap (PKR)"),
        null=True,
        blank=True,
        help_text=_("Utility subsidies: the most paid for one month's bill."),
        **MONEY,
    )
    delegated_limit = models.DecimalField(
        _("officer's delegated limit (PKR)"),
        default=Decimal("0"),
        help_text=_("Amounts at or under this may be approved by a program officer without the board."),
        **MONEY,
    )
    min_reviewers = models.PositiveSmallIntegerField(_("reviewers per application"), default=2)
    board_quorum = models.PositiveSmallIntegerField(_("board quorum"), default=3)
    withholding_tax_percent = models.DecimalField(
        _("withholding tax (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Deducted from payments only where the program's legal advice says it applies."),
    )
    required_documents = models.JSONField(
        _("required documents"),
        default=list,
        blank=True,
        help_text=_("Codes from the document list every application to this program must carry."),
    )

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(min_amount__gte=0), name="program_min_amount_nonnegative"),
            models.CheckConstraint(condition=Q(max_amount__gte=F("min_amount")), name="program_max_at_least_min"),
            models.CheckConstraint(condition=Q(delegated_limit__gte=0), name="program_delegated_limit_nonnegative"),
            models.CheckConstraint(
                condition=Q(subsidy_share__isnull=True) | Q(subsidy_share__gte=0, subsidy_share__lte=1),
                name="program_subsidy_share_fraction",
            ),
            models.CheckConstraint(
                condition=Q(monthly_cap__isnull=True) | Q(monthly_cap__gte=0), name="program_monthly_cap_nonnegative"
            ),
            models.CheckConstraint(
                condition=Q(instrument__in=["grant", "soft_loan", "utility_subsidy"]), name="program_instrument_valid"
            ),
            models.CheckConstraint(condition=Q(min_reviewers__gte=1), name="program_min_reviewers_positive"),
            models.CheckConstraint(condition=Q(board_quorum__gte=1), name="program_board_quorum_positive"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        unknown = [code for code in self.required_documents or [] if code not in DocumentType.values]
        if unknown:
            errors["required_documents"] = _("Unknown document codes: %(codes)s.") % {"codes": ", ".join(unknown)}
        if self.instrument == self.Instrument.UTILITY_SUBSIDY and (
            self.subsidy_share is None or self.monthly_cap is None
        ):
            errors["subsidy_share"] = _("A utility subsidy needs a subsidy share and a monthly cap.")
        if self.code and not (self.code.isalpha() and self.code.isupper() and 2 <= len(self.code) <= 3):
            errors["code"] = _("Two or three capital letters, e.g. GR.")
        if errors:
            raise ValidationError(errors)

    def allocation_for(self, fiscal_year: FiscalYear):
        return self.allocations.filter(fiscal_year=fiscal_year.start_year).first()


class LoanTier(models.Model):
    """A soft-loan product tier: amount band, markup, tenor and grace (e.g. the PM Youth Loan tiers)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="loan_tiers")
    number = models.PositiveSmallIntegerField(_("tier"))
    min_amount = models.DecimalField(_("from (PKR)"), **MONEY)
    max_amount = models.DecimalField(_("up to (PKR)"), **MONEY)
    annual_markup_percent = models.DecimalField(
        _("markup (% a year)"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(50)]
    )
    max_tenor_months = models.PositiveSmallIntegerField(_("longest tenor (months)"))
    max_grace_months = models.PositiveSmallIntegerField(_("longest grace (months)"), default=0)
    min_equity_percent = models.DecimalField(
        _("own equity required (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("loan tier")
        verbose_name_plural = _("loan tiers")
        ordering = ["program", "number"]
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="loantier_unique_number"),
            models.CheckConstraint(condition=Q(min_amount__gte=0), name="loantier_min_nonnegative"),
            models.CheckConstraint(condition=Q(max_amount__gte=F("min_amount")), name="loantier_max_at_least_min"),
            models.CheckConstraint(condition=Q(annual_markup_percent__gte=0), name="loantier_markup_nonnegative"),
            models.CheckConstraint(condition=Q(max_tenor_months__gte=1), name="loantier_tenor_positive"),
            models.CheckConstraint(
                condition=Q(max_grace_months__lt=F("max_tenor_months")), name="loantier_grace_within_tenor"
            ),
        ]

    def __str__(self):
        return f"{self.program} — tier {self.number}"


class BudgetAllocation(models.Model):
    """The money a program may commit in one fiscal year."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="allocations")
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year (starting year)"),
        validators=[MinValueValidator(2020), MaxValueValidator(2100)],
        help_text=_("2025 means FY2025-26 (1 July 2025 to 30 June 2026)."),
    )
    amount = models.DecimalField(_("allocated (PKR)"), **MONEY)
    # The running total of the commitment ledger (BudgetCommitment), kept by grants/services_review.py
    # in the same transaction as each ledger row, under a lock of this row. Holding it here lets the
    # database enforce committed ≤ allocated (a CHECK cannot sum other rows).
    committed = models.DecimalField(_("committed (PKR)"), default=Decimal("0"), editable=False, **MONEY)

    class Meta:
        verbose_name = _("budget allocation")
        verbose_name_plural = _("budget allocations")
        ordering = ["program", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["program", "fiscal_year"], name="allocation_one_per_program_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="allocation_amount_nonnegative"),
            models.CheckConstraint(condition=Q(committed__gte=0), name="allocation_committed_nonnegative"),
            models.CheckConstraint(condition=Q(committed__lte=F("amount")), name="allocation_committed_within_amount"),
        ]

    def __str__(self):
        return f"{self.program} {self.fiscal_year_label}"

    @property
    def fiscal_year_label(self) -> str:
        return FiscalYear(self.fiscal_year).label

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.committed


class Call(models.Model):
    """A call for applications to a program, open between two moments, with a quota of awards."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="calls")
    title = models.CharField(_("title"), max_length=200)
    reference = models.SlugField(_("reference"), max_length=60, unique=True)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    quota = models.PositiveIntegerField(_("quota (awards)"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="call_closes_after_opening"),
            models.CheckConstraint(condition=Q(quota__gte=1), name="call_quota_positive"),
        ]

    def __str__(self):
        return self.title

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.opens_at <= at < self.closes_at


# ---------------------------------------------------------------------------------------------------
# Applications (issue 3): one model for all three instruments, with the instrument's own data in
# GrantDetails / BudgetLine / Milestone, LoanDetails, or UtilityConnection rows.
#
# The state machine lives here (django-fsm-2); grants/services.py is its only caller. Transitions only
# change the state and the timestamps derived from it (the clock); who may act is said by the
# `permission=` callables below, and what must hold by `conditions=`.
# ---------------------------------------------------------------------------------------------------


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
    return is_active_person(user) and application.operator.members.filter(pk=user.pk).exists()


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
# first to tell the person *what* is wrong; these keep the machine safe whoever calls it.
def call_is_open(application) -> bool:
    return application.call.is_open()


def nothing_missing(application) -> bool:
    from .sections import missing_for_submit

    return not missing_for_submit(application)


def eligibility_passed(application) -> bool:
    from .eligibility import eligibility_checks

    return all(check.passed for check in eligibility_checks(application))


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
        conditions=[call_is_open, nothing_missing],
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
        conditions=[has_no_open_information_request, eligibility_passed],
    )
    def send_to_review(self, *, at: dt.datetime):
        self._enter_state(at)

    # Review and decision (grants/services_review.py): reviews complete -> recommended (on the board's
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


class GrantDetails(models.Model):
    """A grant application's own answers. The amount asked for is Application.amount_requested."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="grant_details")
    purpose = models.TextField(_("what the grant pays for"))
    own_contribution = models.DecimalField(_("own contribution (PKR)"), **MONEY)

    class Meta:
        verbose_name = _("grant details")
        verbose_name_plural = _("grant details")
        constraints = [
            models.CheckConstraint(condition=Q(own_contribution__gte=0), name="grantdetails_contribution_nonnegative"),
        ]

    def __str__(self):
        return f"{self.application} grant details"


class BudgetLine(models.Model):
    """One line of a grant's project budget (grant plus own contribution)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="budget_lines")
    position = models.PositiveSmallIntegerField(_("line"))
    description = models.CharField(_("item"), max_length=200)
    amount = models.DecimalField(_("cost (PKR)"), **MONEY)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["application", "position"]
        constraints = [
            models.UniqueConstraint(fields=["application", "position"], name="budgetline_unique_position"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="budgetline_amount_positive"),
        ]

    def __str__(self):
        return f"{self.description}: {self.amount}"


class Milestone(models.Model):
    """A grant tranche: paid when the milestone is verified, due by a date."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("milestone"), max_length=200)
    amount = models.DecimalField(_("tranche (PKR)"), **MONEY)
    due_date = models.DateField(_("due by"))

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["application", "position"]
        constraints = [
            models.UniqueConstraint(fields=["application", "position"], name="milestone_unique_position"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="milestone_amount_positive"),
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"


class GraceKind(models.TextChoices):
    """What the borrower pays during grace months (grants.schedules.Grace). The loan book
    (loans.models) uses these same choices, so an application's choice is copied to its loan as is."""

    INTEREST_ONLY = Grace.INTEREST_ONLY.value, _("Interest only")
    NONE = Grace.NONE.value, _("None paid (interest capitalised)")


class LoanDetails(models.Model):
    """A soft-loan application's terms. The tier and its markup are looked up from the program's
    LoanTier rows when the details are saved, and copied here so a later change of the program's
    tiers does not silently change a submitted application.

    grace_kind matters only with grace months; without them it is always interest_only (the loan
    book's default), so that "no grace" has one stored form (a constraint holds it)."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="loan_details")
    amount = models.DecimalField(_("loan amount (PKR)"), **MONEY)
    tenure_months = models.PositiveSmallIntegerField(_("tenure (months)"))
    grace_months = models.PositiveSmallIntegerField(_("grace (months)"), default=0)
    grace_kind = models.CharField(
        _("during grace"), max_length=16, choices=GraceKind.choices, default=GraceKind.INTEREST_ONLY
    )
    purpose = models.TextField(_("purpose"))
    equity_contribution = models.DecimalField(_("own equity (PKR)"), **MONEY)
    tier = models.ForeignKey(LoanTier, on_delete=models.PROTECT, related_name="+", verbose_name=_("tier"))
    annual_markup_percent = models.DecimalField(_("markup (% a year)"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("loan details")
        verbose_name_plural = _("loan details")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="loandetails_amount_positive"),
            models.CheckConstraint(condition=Q(tenure_months__gte=1), name="loandetails_tenure_positive"),
            models.CheckConstraint(
                condition=Q(grace_months__lt=F("tenure_months")), name="loandetails_grace_within_tenure"
            ),
            models.CheckConstraint(condition=Q(grace_kind__in=GraceKind.values), name="loandetails_grace_kind_valid"),
            models.CheckConstraint(
                condition=Q(grace_months__gt=0) | Q(grace_kind=GraceKind.INTEREST_ONLY),
                name="loandetails_grace_kind_needs_grace",
            ),
            models.CheckConstraint(condition=Q(equity_contribution__gte=0), name="loandetails_equity_nonnegative"),
            models.CheckConstraint(
                condition=Q(annual_markup_percent__gte=0, annual_markup_percent__lte=50),
                name="loandetails_markup_range",
            ),
        ]

    def __str__(self):
        return f"{self.application} loan {self.amount}"


class Disco(models.TextChoices):
    """Pakistan's electricity distribution companies. KE (Karachi) numbers accounts with 13 digits;
    the others print a 14-digit reference number on the bill."""

    LESCO = "LESCO", _("LESCO (Lahore)")
    GEPCO = "GEPCO", _("GEPCO (Gujranwala)")
    FESCO = "FESCO", _("FESCO (Faisalabad)")
    IESCO = "IESCO", _("IESCO (Islamabad)")
    MEPCO = "MEPCO", _("MEPCO (Multan)")
    PESCO = "PESCO", _("PESCO (Peshawar)")
    HESCO = "HESCO", _("HESCO (Hyderabad)")
    SEPCO = "SEPCO", _("SEPCO (Sukkur)")
    QESCO = "QESCO", _("QESCO (Quetta)")
    TESCO = "TESCO", _("TESCO (Tribal areas)")
    HAZECO = "HAZECO", _("HAZECO (Hazara)")
    KE = "KE", _("K-Electric (Karachi)")


def bill_reference_length(disco: str) -> int:
    return 13 if disco == Disco.KE else 14


class UtilityConnection(models.Model):
    """One enrolled space of a utility-subsidy enrolment and its electricity connection."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="connections")
    space = models.ForeignKey("spaces.Space", on_delete=models.PROTECT, related_name="utility_connections")
    disco = models.CharField(_("electricity company"), max_length=6, choices=Disco.choices)
    bill_reference = models.CharField(
        _("bill reference number"), max_length=14, help_text=_("14 digits (KE: the 13-digit account number).")
    )
    average_monthly_bill = models.DecimalField(_("average monthly bill (PKR)"), **MONEY)

    class Meta:
        verbose_name = _("enrolled connection")
        verbose_name_plural = _("enrolled connections")
        ordering = ["application", "space__code"]
        constraints = [
            models.UniqueConstraint(fields=["application", "space"], name="utilityconnection_one_per_space"),
            models.UniqueConstraint(fields=["application", "bill_reference"], name="utilityconnection_unique_bill"),
            models.CheckConstraint(condition=Q(disco__in=Disco.values), name="utilityconnection_disco_valid"),
            # Length here; "digits only" is checked by the service (a portable regex CHECK is not available).
            models.CheckConstraint(
                condition=(Q(disco="KE") & Q(Exact(Length("bill_reference"), 13)))
                | (~Q(disco="KE") & Q(Exact(Length("bill_reference"), 14))),
                name="utilityconnection_reference_length",
            ),
            models.CheckConstraint(condition=Q(average_monthly_bill__gt=0), name="utilityconnection_bill_positive"),
        ]

    def __str__(self):
        return f"{self.space} {self.disco} {self.bill_reference}"


class StoredFile(models.Model):
    """What every privately stored upload keeps beside its `file` (grants/storage.py; checked by
    grants.services_payments.read_upload / the application upload service): the content type is what
    the bytes are (detected with `filetype`), never what the name claims; the original name is kept
    only as sanitised text for display."""

    original_filename = models.CharField(_("file name"), max_length=120)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("content type"), max_length=40)

    class Meta:
        abstract = True


class ApplicationDocument(StoredFile):
    """A document uploaded to an application, stored privately (grants/storage.py).

    The content type is what the bytes are (detected with `filetype`), never what the name claims;
    the original name is kept only as sanitised text for display.
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    document_type = models.CharField(_("document"), max_length=30, choices=DocumentType.choices)
    file = models.FileField(
        _("file"), storage=private_document_storage, upload_to=application_document_path, max_length=200
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        ordering = ["application", "document_type", "-uploaded_at"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="applicationdocument_not_empty"),
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                name="applicationdocument_content_type_allowed",
            ),
            models.CheckConstraint(
                condition=Q(document_type__in=DocumentType.values), name="applicationdocument_type_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_document_type_display()}: {self.original_filename}"


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


# ---------------------------------------------------------------------------------------------------
# Review and decision (issue 4): the program's rubric, reviewer assignments with their conflict
# declarations and scores, board meetings and decisions, the budget commitment ledger, and awards.
# Every write is a service in grants/services_review.py.
# ---------------------------------------------------------------------------------------------------

# Scores are whole numbers from 1 (poor) to 5 (excellent): a short scale that board members use the
# same way, and that a weighted average turns into a score with two decimals (grants/scoring.py).
SCORE_MIN = 1
SCORE_MAX = 5


class RubricCriterion(models.Model):
    """One criterion of a program's review rubric and its weight. Weights are relative (a criterion of
    weight 30 counts three times one of weight 10); they need not add up to 100."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="rubric")
    position = models.PositiveSmallIntegerField(_("order"))
    code = models.SlugField(_("code"), max_length=40)
    title = models.CharField(_("criterion"), max_length=120)
    guidance = models.TextField(_("what reviewers look for"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        ordering = ["program", "position"]
        constraints = [
            models.UniqueConstraint(fields=["program", "code"], name="rubriccriterion_unique_code"),
            models.UniqueConstraint(fields=["program", "position"], name="rubriccriterion_unique_position"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="rubriccriterion_weight_positive"),
        ]

    def __str__(self):
        return f"{self.title} ({self.weight})"


class ReviewState(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned: conflict declaration due")
    DECLARED = "declared", _("No conflict: scoring")
    SUBMITTED = "submitted", _("Submitted")
    CONFLICTED = "conflicted", _("Removed: conflict of interest")


class Recommendation(models.TextChoices):
    APPROVE = "approve", _("Approve")
    APPROVE_WITH_CONDITIONS = "approve_with_conditions", _("Approve with conditions")
    REJECT = "reject", _("Reject")


def _review_application(review):
    return review.application


class Review(ConcurrentTransitionMixin, models.Model):
    """A board reviewer's assignment to one application and, once submitted, their review.

    assigned -> declared (no conflict) -> submitted; assigned -> conflicted (the reviewer is removed).
    `weighted_score` is fixed at submission from the criterion scores and the weights they carry.
    """

    State = ReviewState

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("reviewer")
    )
    state = FSMField(
        _("state"), max_length=20, choices=ReviewState.choices, default=ReviewState.ASSIGNED, protected=True
    )
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(_("assigned"))
    declared_at = models.DateTimeField(_("conflict declared"), null=True, blank=True)
    conflict_reason = models.TextField(_("conflict of interest"), blank=True)
    recommendation = models.CharField(_("recommendation"), max_length=30, choices=Recommendation.choices, blank=True)
    comments = models.TextField(_("comments"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    weighted_score = models.DecimalField(_("weighted score"), max_digits=4, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["application", "assigned_at", "pk"]
        indexes = [models.Index(fields=["reviewer", "state"], name="review_reviewer_state_idx")]
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="review_one_per_reviewer"),
            models.CheckConstraint(condition=Q(state__in=ReviewState.values), name="review_state_valid"),
            models.CheckConstraint(
                condition=Q(recommendation="") | Q(recommendation__in=Recommendation.values),
                name="review_recommendation_valid",
            ),
            models.CheckConstraint(
                condition=Q(state=ReviewState.ASSIGNED, declared_at__isnull=True)
                | (~Q(state=ReviewState.ASSIGNED) & Q(declared_at__isnull=False)),
                name="review_declared_at_matches_state",
            ),
            models.CheckConstraint(
                condition=~Q(state=ReviewState.CONFLICTED) | ~Q(conflict_reason=""),
                name="review_conflict_has_reason",
            ),
            # A submitted review has its score, recommendation and time; nothing else has them.
            models.CheckConstraint(
                condition=(
                    Q(state=ReviewState.SUBMITTED)
                    & Q(submitted_at__isnull=False, weighted_score__isnull=False)
                    & ~Q(recommendation="")
                )
                | (~Q(state=ReviewState.SUBMITTED) & Q(submitted_at__isnull=True, weighted_score__isnull=True)),
                name="review_submitted_complete",
            ),
            models.CheckConstraint(
                condition=Q(weighted_score__isnull=True)
                | Q(weighted_score__gte=SCORE_MIN, weighted_score__lte=SCORE_MAX),
                name="review_weighted_score_range",
            ),
        ]

    def __str__(self):
        return f"{self.application} / {self.reviewer}"

    @transition(
        field=state,
        source=ReviewState.ASSIGNED,
        target=ReviewState.DECLARED,
        permission=staff_may(REVIEWS, "declare_no_conflict", _review_application),
    )
    def declare_no_conflict(self, *, at: dt.datetime):
        self.declared_at = at

    @transition(
        field=state,
        source=ReviewState.ASSIGNED,
        target=ReviewState.CONFLICTED,
        permission=staff_may(REVIEWS, "declare_conflict", _review_application),
    )
    def declare_conflict(self, *, reason: str, at: dt.datetime):
        self.declared_at = at
        self.conflict_reason = reason

    @transition(
        field=state,
        source=ReviewState.DECLARED,
        target=ReviewState.SUBMITTED,
        permission=staff_may(REVIEWS, "submit", _review_application),
    )
    def submit(self, *, at: dt.datetime):
        self.submitted_at = at

    @property
    def is_pending(self) -> bool:
        return self.state in (ReviewState.ASSIGNED, ReviewState.DECLARED)


class CriterionScore(models.Model):
    """One criterion's score in a submitted review, with the weight the criterion had then (a later
    change of the rubric does not change a submitted score)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        ordering = ["review", "criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="criterionscore_one_per_criterion"),
            models.CheckConstraint(
                condition=Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX), name="criterionscore_score_range"
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterionscore_weight_positive"),
        ]

    def __str__(self):
        return f"{self.criterion.code}: {self.score}"


class ConflictOfInterest(models.Model):
    """A board member's declared conflict with an operator (a company). Declared once, it keeps them
    off every application of that company: the officer cannot assign them again."""

    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conflicts")
    operator = models.ForeignKey("spaces.Operator", on_delete=models.PROTECT, related_name="conflicts")
    reason = models.TextField(_("reason"))
    declared_at = models.DateTimeField(_("declared"))
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+", null=True, blank=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "operator"], name="conflict_one_per_operator"),
            models.CheckConstraint(condition=~Q(reason=""), name="conflict_has_reason"),
        ]

    def __str__(self):
        return f"{self.reviewer} / {self.operator}"


class BoardMeeting(models.Model):
    """A meeting of the approval board, recorded by its chair with the members present."""

    held_on = models.DateField(_("date of the meeting"))
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    members_present = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="board_meetings", verbose_name=_("members present")
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("board meeting")
        verbose_name_plural = _("board meetings")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return _("Board meeting of %(date)s") % {"date": self.held_on.strftime("%d %b %Y")}


class DecisionOutcome(models.TextChoices):
    APPROVE = "approve", _("Approve")
    APPROVE_WITH_CONDITIONS = "approve_with_conditions", _("Approve with conditions")
    REJECT = "reject", _("Reject")
    DEFER = "defer", _("Defer")


APPROVING_OUTCOMES = (DecisionOutcome.APPROVE, DecisionOutcome.APPROVE_WITH_CONDITIONS)


class Decision(models.Model):
    """The decision on one application: by the board at a meeting (the chair records it, with quorum
    and votes), or by a program officer within the program's delegated limit (no meeting, no votes).

    `members_present` and `quorum` are copied from the meeting and the program when the decision is
    recorded, so the database itself holds "no decision without quorum" and "no more votes than
    members present" for every row (CheckConstraints below), whatever changes later.
    """

    Outcome = DecisionOutcome

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="decisions")
    meeting = models.ForeignKey(BoardMeeting, on_delete=models.PROTECT, related_name="decisions", null=True, blank=True)
    delegated = models.BooleanField(_("decided by an officer within the delegated limit"), default=False)
    outcome = models.CharField(_("decision"), max_length=30, choices=DecisionOutcome.choices)
    members_present = models.PositiveSmallIntegerField(_("members present"), default=0)
    quorum = models.PositiveSmallIntegerField(_("quorum"), default=0)
    votes_for = models.PositiveSmallIntegerField(_("votes for"), default=0)
    votes_against = models.PositiveSmallIntegerField(_("votes against"), default=0)
    votes_abstain = models.PositiveSmallIntegerField(_("abstentions"), default=0)
    amount = models.DecimalField(_("amount approved (PKR)"), null=True, blank=True, **MONEY)
    conditions = models.TextField(_("conditions"), blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided"))

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["decided_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(outcome__in=DecisionOutcome.values), name="decision_outcome_valid"),
            # A board decision has a meeting; a delegated one has none, and no votes.
            models.CheckConstraint(
                condition=Q(delegated=False, meeting__isnull=False)
                | Q(
                    delegated=True,
                    meeting__isnull=True,
                    votes_for=0,
                    votes_against=0,
                    votes_abstain=0,
                    outcome__in=APPROVING_OUTCOMES,
                ),
                name="decision_board_or_delegated",
            ),
            models.CheckConstraint(
                condition=Q(delegated=True) | Q(members_present__gte=F("quorum"), quorum__gte=1),
                name="decision_board_has_quorum",
            ),
            models.CheckConstraint(
                condition=Q(delegated=True)
                | Q(members_present__gte=F("votes_for") + F("votes_against") + F("votes_abstain")),
                name="decision_votes_within_members_present",
            ),
            models.CheckConstraint(
                condition=Q(delegated=True) | ~Q(outcome__in=APPROVING_OUTCOMES) | Q(votes_for__gt=F("votes_against")),
                name="decision_approval_has_majority",
            ),
            models.CheckConstraint(
                condition=(Q(outcome__in=APPROVING_OUTCOMES) & Q(amount__gt=0))
                | (~Q(outcome__in=APPROVING_OUTCOMES) & Q(amount__isnull=True)),
                name="decision_amount_only_when_approved",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=DecisionOutcome.APPROVE_WITH_CONDITIONS) | ~Q(conditions=""),
                name="decision_conditions_given",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=DecisionOutcome.REJECT) | ~Q(reasons=""), name="decision_rejection_has_reasons"
            ),
            # An application is decided once; deferrals may repeat.
            models.UniqueConstraint(
                fields=["application"], condition=~Q(outcome=DecisionOutcome.DEFER), name="decision_one_final"
            ),
        ]

    def __str__(self):
        return f"{self.application}: {self.get_outcome_display()}"


class BudgetCommitment(models.Model):
    """One row of the append-only commitment ledger of a program's allocation for a fiscal year.

    A commitment is a positive amount; a correction is a *reversal*: a new, negative row pointing at
    the row it reverses (once). Rows are never updated or deleted (save() refuses an update).

    Committed ≤ allocated cannot be a CheckConstraint over ledger rows (a CHECK sees one row), so it is
    held on the allocation row: BudgetAllocation.committed is the ledger's running total, changed only
    in the same transaction as the ledger row, under a lock of the allocation row (select_for_update),
    and BudgetAllocation's CheckConstraint `allocation_committed_within_amount` refuses any total over
    the allocation. Concurrent approvals queue on the lock, and each sees the total its predecessor
    committed (tests/grants/test_budget_concurrency.py runs 20 at once on PostgreSQL).
    """

    class Kind(models.TextChoices):
        COMMITMENT = "commitment", _("Commitment")
        REVERSAL = "reversal", _("Reversal")

    allocation = models.ForeignKey(BudgetAllocation, on_delete=models.PROTECT, related_name="commitments")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="commitments")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    amount = models.DecimalField(_("amount (PKR)"), **MONEY)
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, related_name="reversed_by", null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("budget commitment")
        verbose_name_plural = _("budget commitments")
        ordering = ["allocation", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="commitment", amount__gt=0, reverses__isnull=True)
                | Q(kind="reversal", amount__lt=0, reverses__isnull=False),
                name="budgetcommitment_sign_matches_kind",
            ),
        ]

    def __str__(self):
        return f"{self.application} {self.amount}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Budget commitments are append-only: record a reversal instead of editing.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Budget commitments are append-only: record a reversal instead of deleting.")


class SanctionSequence(models.Model):
    """The last sanction number used per program and calendar year (SAN-GR-2026-00012), taken under a
    row lock like ApplicationSequence."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "year"], name="sanctionsequence_one_per_program_year"),
        ]

    def __str__(self):
        return f"SAN-{self.program.code}-{self.year}: {self.last_number}"


class AwardState(models.TextChoices):
    OFFERED = "award_offered", _("Award offered")
    ACCEPTED = "award_accepted", _("Award accepted")


def _award_application(award):
    return award.application


class Award(ConcurrentTransitionMixin, models.Model):
    """What an approval grants: the sanction number, the amount, the conditions, and the letter's
    verification code. The operator accepts it in the portal (award_offered -> award_accepted)."""

    State = AwardState

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="award")
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="award")
    commitment = models.OneToOneField(BudgetCommitment, on_delete=models.PROTECT, related_name="award")
    sanction_number = models.CharField(_("sanction number"), max_length=24, unique=True)
    amount = models.DecimalField(_("amount (PKR)"), **MONEY)
    conditions = models.TextField(_("conditions"), blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (starting year)"))
    verification_code = models.CharField(_("verification code"), max_length=14, unique=True)
    state = FSMField(_("state"), max_length=20, choices=AwardState.choices, default=AwardState.OFFERED, protected=True)
    offered_at = models.DateTimeField(_("offered"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # The running total of the award's payments that the bank has paid (tranches, the loan
    # disbursement, utility claims), kept by grants/award_money.py in the same transaction as the
    # payment's state change, under a lock of this row: a CHECK can then hold paid ≤ committed.
    paid = models.DecimalField(_("paid (PKR)"), default=Decimal("0"), editable=False, **MONEY)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-offered_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="award_amount_positive"),
            # Paid ≤ committed per award: the award's amount is what its budget commitment holds.
            models.CheckConstraint(condition=Q(paid__gte=0, paid__lte=F("amount")), name="award_paid_within_amount"),
            models.CheckConstraint(condition=Q(state__in=AwardState.values), name="award_state_valid"),
            models.CheckConstraint(
                condition=Q(state=AwardState.OFFERED, accepted_at__isnull=True, accepted_by__isnull=True)
                | Q(state=AwardState.ACCEPTED, accepted_at__isnull=False, accepted_by__isnull=False),
                name="award_accepted_matches_state",
            ),
        ]

    def __str__(self):
        return self.sanction_number

    @property
    def fiscal_year_label(self) -> str:
        return FiscalYear(self.fiscal_year).label

    @transition(
        field=state,
        source=AwardState.OFFERED,
        target=AwardState.ACCEPTED,
        permission=holder_may(AWARDS, "accept", _award_application),
    )
    def accept(self, *, by, at: dt.datetime):
        self.accepted_by = by
        self.accepted_at = at


# ---------------------------------------------------------------------------------------------------
# Paying awards (issue 5): grant tranches and utility claims. Every write is a service in
# grants/services_payments.py; finance pays them (finance.services.payment_request) and tells them
# through the hooks registered in grants/apps.py.
# ---------------------------------------------------------------------------------------------------


def payment_document_path(instance, filename: str) -> str:
    """payments/<kind>/<owner id>/<random>.<extension from the detected content type>."""
    import secrets

    from .storage import EXTENSION_FOR_CONTENT_TYPE

    extension = EXTENSION_FOR_CONTENT_TYPE.get(instance.content_type, "bin")
    owner = instance.tranche_id if isinstance(instance, TrancheEvidence) else instance.connection_id
    kind = "tranches" if isinstance(instance, TrancheEvidence) else "claims"
    return f"payments/{kind}/{owner}/{secrets.token_hex(16)}.{extension}"


UPLOAD_CONTENT_TYPES = ["application/pdf", "image/jpeg", "image/png"]


class TrancheState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    REQUESTED = "requested", _("Requested: waiting for the officer")
    RETURNED = "returned", _("Returned: evidence needed")
    VERIFIED = "verified", _("Verified: with finance for payment")
    PAID = "paid", _("Paid")


# States in which the operator's request stands (the request columns are filled).
TRANCHE_REQUESTED_STATES = (TrancheState.REQUESTED, TrancheState.VERIFIED, TrancheState.PAID)
TRANCHE_VERIFIED_STATES = (TrancheState.VERIFIED, TrancheState.PAID)


def _tranche_application(tranche):
    return tranche.award.application


class Tranche(ConcurrentTransitionMixin, models.Model):
    """One instalment of a grant award, made from one milestone of the application when the award is
    accepted (grants.services_payments.tranche_schedule_create). The tranches of an award add up to
    the award's amount.

    scheduled -> requested (the operator, with evidence) -> verified (the officer; finance is asked
    to pay) -> paid (finance's hook, when the bank has paid). requested -> returned (the officer sends
    the evidence back with a reason) -> requested again. A paid tranche whose payment the bank returns
    goes back to verified, waiting for finance's retry.
    """

    State = TrancheState

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="tranches", verbose_name=_("award"))
    milestone = models.OneToOneField(
        Milestone, on_delete=models.PROTECT, related_name="tranche", verbose_name=_("milestone")
    )
    position = models.PositiveSmallIntegerField(_("tranche"))
    title = models.CharField(_("milestone"), max_length=200)
    amount = models.DecimalField(_("amount (PKR)"), **MONEY)
    due_date = models.DateField(_("due by"))
    state = FSMField(
        _("state"), max_length=12, choices=TrancheState.choices, default=TrancheState.SCHEDULED, protected=True
    )
    progress_note = models.TextField(_("progress note"), blank=True)
    requested_at = models.DateTimeField(_("requested"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    return_reason = models.TextField(_("why the evidence was returned"), blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        ordering = ["award", "position"]
        indexes = [models.Index(fields=["state", "requested_at"], name="tranche_queue_idx")]
        constraints = [
            models.UniqueConstraint(fields=["award", "position"], name="tranche_unique_position"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="tranche_amount_positive"),
            models.CheckConstraint(condition=Q(state__in=TrancheState.values), name="tranche_state_valid"),
            models.CheckConstraint(
                condition=Q(state__in=TRANCHE_REQUESTED_STATES, requested_at__isnull=False, requested_by__isnull=False)
                | ~Q(state__in=TRANCHE_REQUESTED_STATES),
                name="tranche_requested_fields_match_state",
            ),
            models.CheckConstraint(
                condition=Q(state="scheduled", requested_at__isnull=True) | ~Q(state="scheduled"),
                name="tranche_scheduled_not_requested",
            ),
            models.CheckConstraint(
                condition=Q(state__in=TRANCHE_VERIFIED_STATES, verified_at__isnull=False, verified_by__isnull=False)
                | Q(~Q(state__in=TRANCHE_VERIFIED_STATES), verified_at__isnull=True, verified_by__isnull=True),
                name="tranche_verified_fields_match_state",
            ),
            models.CheckConstraint(
                condition=(Q(state="returned") & ~Q(return_reason="") & Q(returned_at__isnull=False))
                | ~Q(state="returned"),
                name="tranche_returned_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(state="paid", paid_at__isnull=False) | Q(~Q(state="paid"), paid_at__isnull=True),
                name="tranche_paid_at_matches_state",
            ),
            models.CheckConstraint(
                condition=Q(verified_at__isnull=True) | Q(verified_at__gte=F("requested_at")),
                name="tranche_verified_after_requested",
            ),
        ]

    def __str__(self):
        return f"{self.award.sanction_number} tranche {self.position}"

    @property
    def is_overdue(self) -> bool:
        """Past its due date and not yet asked for (or returned and not asked for again)."""
        return self.state in (TrancheState.SCHEDULED, TrancheState.RETURNED) and self.due_date < timezone.localdate()

    @transition(
        field=state,
        source=[TrancheState.SCHEDULED, TrancheState.RETURNED],
        target=TrancheState.REQUESTED,
        permission=holder_may(TRANCHES, "request", _tranche_application),
    )
    def request(self, *, by, at: dt.datetime, note: str):
        self.requested_by = by
        self.requested_at = at
        self.progress_note = note

    @transition(
        field=state,
        source=TrancheState.REQUESTED,
        target=TrancheState.RETURNED,
        permission=staff_may(TRANCHES, "send_back", _tranche_application),
    )
    def send_back(self, *, by, at: dt.datetime, reason: str):
        self.returned_by = by
        self.returned_at = at
        self.return_reason = reason

    @transition(
        field=state,
        source=TrancheState.REQUESTED,
        target=TrancheState.VERIFIED,
        permission=staff_may(TRANCHES, "verify", _tranche_application),
    )
    def verify(self, *, by, at: dt.datetime):
        self.verified_by = by
        self.verified_at = at

    @transition(
        field=state,
        source=TrancheState.VERIFIED,
        target=TrancheState.PAID,
        permission=staff_may(TRANCHES, "mark_paid", _tranche_application),
    )
    def mark_paid(self, *, at: dt.datetime):
        self.paid_at = at

    @transition(
        field=state,
        source=TrancheState.PAID,
        target=TrancheState.VERIFIED,
        permission=staff_may(TRANCHES, "payment_returned", _tranche_application),
    )
    def payment_returned(self):
        self.paid_at = None


class TrancheEvidence(StoredFile):
    """A file the operator sends with a tranche request (progress report, photo, receipt), stored
    privately like application documents: the content type is what the bytes are."""

    class Kind(models.TextChoices):
        PROGRESS_REPORT = "progress_report", _("Progress report")
        PHOTO = "photo", _("Photo of the work")
        RECEIPT = "receipt", _("Receipt or invoice")

    tranche = models.ForeignKey(Tranche, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(_("evidence"), max_length=20, choices=Kind.choices)
    file = models.FileField(
        _("file"), storage=private_document_storage, upload_to=payment_document_path, max_length=200
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        verbose_name = _("tranche evidence")
        verbose_name_plural = _("tranche evidence")
        ordering = ["tranche", "uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="trancheevidence_not_empty"),
            models.CheckConstraint(
                condition=Q(content_type__in=UPLOAD_CONTENT_TYPES), name="trancheevidence_content_type_allowed"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["progress_report", "photo", "receipt"]), name="trancheevidence_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.original_filename}"


class UtilityClaimState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted: waiting for the officer")
    VERIFIED = "verified", _("Verified against the bill")
    APPROVED = "approved", _("Approved: with finance for payment")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")


def _claim_application(claim):
    return claim.connection.application


class UtilityClaim(ConcurrentTransitionMixin, StoredFile):
    """One month's electricity bill of an enrolled connection, claimed for the subsidy.

    subsidy = min(program.subsidy_share × eligible amount, program.monthly_cap), rounded half-up to
    the paisa (grants.services_payments.utility_subsidy_for). The same bill (DISCO, reference
    number, billing month) is claimed once: a rejected claim does not count, so a bill rejected for
    an unreadable scan may be filed again.

    submitted -> verified (officer, against the bill) -> approved (officer; finance is asked to pay)
    -> paid (finance's hook); submitted | verified -> rejected (with a reason). A paid claim whose
    payment the bank returns goes back to approved, waiting for finance's retry.
    """

    State = UtilityClaimState

    connection = models.ForeignKey(
        UtilityConnection, on_delete=models.PROTECT, related_name="claims", verbose_name=_("connection")
    )
    disco = models.CharField(_("electricity company"), max_length=6, choices=Disco.choices)
    bill_reference = models.CharField(_("bill reference number"), max_length=14)
    billing_month = models.DateField(_("billing month"), help_text=_("The first day of the month billed."))
    units = models.PositiveIntegerField(_("units (kWh)"))
    bill_amount = models.DecimalField(_("bill amount (PKR)"), **MONEY)
    eligible_amount = models.DecimalField(_("eligible amount (PKR)"), **MONEY)
    subsidy_amount = models.DecimalField(_("subsidy (PKR)"), **MONEY)
    state = FSMField(
        _("state"),
        max_length=10,
        choices=UtilityClaimState.choices,
        default=UtilityClaimState.SUBMITTED,
        protected=True,
    )
    # The bill, stored privately (the content type is what the bytes are).
    file = models.FileField(
        _("bill"), storage=private_document_storage, upload_to=payment_document_path, max_length=200
    )
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verification_note = models.TextField(_("verification note"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    rejected_at = models.DateTimeField(_("rejected"), null=True, blank=True)
    rejection_reason = models.TextField(_("why the claim was rejected"), blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        verbose_name = _("utility claim")
        verbose_name_plural = _("utility claims")
        ordering = ["-billing_month", "-submitted_at"]
        indexes = [models.Index(fields=["state", "submitted_at"], name="utilityclaim_queue_idx")]
        constraints = [
            # One bill is claimed once; a rejected claim frees the bill to be filed again.
            models.UniqueConstraint(
                fields=["disco", "bill_reference", "billing_month"],
                condition=~Q(state="rejected"),
                name="utilityclaim_one_claim_per_bill",
            ),
            models.CheckConstraint(condition=Q(state__in=UtilityClaimState.values), name="utilityclaim_state_valid"),
            models.CheckConstraint(condition=Q(disco__in=Disco.values), name="utilityclaim_disco_valid"),
            models.CheckConstraint(
                condition=(Q(disco="KE") & Q(Exact(Length("bill_reference"), 13)))
                | (~Q(disco="KE") & Q(Exact(Length("bill_reference"), 14))),
                name="utilityclaim_reference_length",
            ),
            models.CheckConstraint(condition=Q(billing_month__day=1), name="utilityclaim_month_first_day"),
            models.CheckConstraint(condition=Q(bill_amount__gt=0), name="utilityclaim_bill_positive"),
            models.CheckConstraint(
                condition=Q(eligible_amount__gt=0, eligible_amount__lte=F("bill_amount")),
                name="utilityclaim_eligible_within_bill",
            ),
            models.CheckConstraint(
                condition=Q(subsidy_amount__gt=0, subsidy_amount__lte=F("eligible_amount")),
                name="utilityclaim_subsidy_within_eligible",
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="utilityclaim_bill_not_empty"),
            models.CheckConstraint(
                condition=Q(content_type__in=UPLOAD_CONTENT_TYPES), name="utilityclaim_content_type_allowed"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["verified", "approved", "paid"], verified_at__isnull=False)
                | Q(state__in=["submitted"], verified_at__isnull=True)
                | Q(state="rejected"),
                name="utilityclaim_verified_matches_state",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["approved", "paid"], approved_at__isnull=False, approved_by__isnull=False)
                | Q(~Q(state__in=["approved", "paid"]), approved_at__isnull=True),
                name="utilityclaim_approved_matches_state",
            ),
            models.CheckConstraint(
                condition=(Q(state="rejected", rejected_at__isnull=False) & ~Q(rejection_reason=""))
                | Q(~Q(state="rejected"), rejected_at__isnull=True),
                name="utilityclaim_rejected_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(state="paid", paid_at__isnull=False) | Q(~Q(state="paid"), paid_at__isnull=True),
                name="utilityclaim_paid_at_matches_state",
            ),
        ]

    def __str__(self):
        return f"{self.disco} {self.bill_reference} {self.billing_month:%b %Y}"

    @transition(
        field=state,
        source=UtilityClaimState.SUBMITTED,
        target=UtilityClaimState.VERIFIED,
        permission=staff_may(CLAIMS, "verify", _claim_application),
    )
    def verify(self, *, by, at: dt.datetime, eligible_amount: Decimal, subsidy_amount: Decimal, note: str):
        self.verified_by = by
        self.verified_at = at
        self.eligible_amount = eligible_amount
        self.subsidy_amount = subsidy_amount
        self.verification_note = note

    @transition(
        field=state,
        source=UtilityClaimState.VERIFIED,
        target=UtilityClaimState.APPROVED,
        permission=staff_may(CLAIMS, "approve", _claim_application),
    )
    def approve(self, *, by, at: dt.datetime):
        self.approved_by = by
        self.approved_at = at

    @transition(
        field=state,
        source=[UtilityClaimState.SUBMITTED, UtilityClaimState.VERIFIED],
        target=UtilityClaimState.REJECTED,
        permission=staff_may(CLAIMS, "reject", _claim_application),
    )
    def reject(self, *, by, at: dt.datetime, reason: str):
        self.rejected_by = by
        self.rejected_at = at
        self.rejection_reason = reason

    @transition(
        field=state,
        source=UtilityClaimState.APPROVED,
        target=UtilityClaimState.PAID,
        permission=staff_may(CLAIMS, "mark_paid", _claim_application),
    )
    def mark_paid(self, *, at: dt.datetime):
        self.paid_at = at

    @transition(
        field=state,
        source=UtilityClaimState.PAID,
        target=UtilityClaimState.APPROVED,
        permission=staff_may(CLAIMS, "payment_returned", _claim_application),
    )
    def payment_returned(self):
        self.paid_at = None
