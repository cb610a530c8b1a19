"""The loan book: one Loan per accepted soft-loan award, its schedule versions and instalments, and
the append-only repayments with their allocations to instalments.

Models hold fields, database invariants and the loan's state machine; every write goes through
`loans/services/` (it locks the loan row, checks who may act, runs the transition, writes the audit
event in the same transaction). The arithmetic lives in `loans/schedules.py` (the schedule) and
`loans/positions.py` (allocation and arrears), both pure.

    sanctioned -> disbursement_requested -> active -> closed
                        ^        |           |  ^
                        +--------+           v  |  (restructure: a new schedule version)
              (payment cancelled / returned) restructured -> closed
    active | restructured -> written_off (proposed by the board chair, 90+ days past due, with the
                                          reason; confirmed by a second person: WriteOffProposal)

A loan may be paid out in several parts (DisbursementPart, issue #22): the first part's payment takes
the loan from disbursement_requested to active as a single disbursement does; each later part is paid
while the loan is servicing and rebuilds the schedule from its paid date (a new ScheduleVersion). A
loan without parts is paid in one payment whose source is the loan itself.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from grants.models import GraceKind  # one set of choices: the application's grace kind is copied to the loan

from .permissions import LOANS
from .positions import Bucket

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0")


class LoanState(models.TextChoices):
    SANCTIONED = "sanctioned", _("Sanctioned")
    DISBURSEMENT_REQUESTED = "disbursement_requested", _("Disbursement requested")
    ACTIVE = "active", _("Active")
    RESTRUCTURED = "restructured", _("Restructured")
    CLOSED = "closed", _("Closed")
    WRITTEN_OFF = "written_off", _("Written off")


S = LoanState
# States in which the borrower repays and arrears are computed.
SERVICING_STATES = (S.ACTIVE, S.RESTRUCTURED)


class ArrearsBucket(models.TextChoices):
    CURRENT = Bucket.CURRENT, _("Current")
    DPD_1_30 = Bucket.DPD_1_30, _("1–30 days past due")
    DPD_31_60 = Bucket.DPD_31_60, _("31–60 days past due")
    DPD_61_90 = Bucket.DPD_61_90, _("61–90 days past due")
    DPD_90_PLUS = Bucket.DPD_90_PLUS, _("Over 90 days past due")


class Loan(ConcurrentTransitionMixin, models.Model):
    """A soft loan being serviced. Terms are copied from the application's LoanDetails and the award
    when the loan is opened, so a later change there never changes a loan in the book."""

    award = models.OneToOneField("grants.Award", on_delete=models.PROTECT, related_name="loan")
    application = models.OneToOneField("grants.Application", on_delete=models.PROTECT, related_name="loan")
    operator = models.ForeignKey("spaces.Operator", on_delete=models.PROTECT, related_name="loans")
    sanction_number = models.CharField(_("sanction number"), max_length=24, unique=True)
    principal = models.DecimalField(_("principal (PKR)"), **MONEY)
    annual_rate_percent = models.DecimalField(_("markup (% a year)"), max_digits=5, decimal_places=2)
    tenor_months = models.PositiveSmallIntegerField(_("tenor (months, grace included)"))
    grace_months = models.PositiveSmallIntegerField(_("grace (months)"), default=0)
    grace_kind = models.CharField(
        _("during grace"), max_length=16, choices=GraceKind.choices, default=GraceKind.INTEREST_ONLY
    )
    state = FSMField(_("state"), max_length=24, choices=LoanState.choices, default=S.SANCTIONED, protected=True)
    opened_at = models.DateTimeField(_("opened"))
    disbursement_requested_at = models.DateTimeField(_("disbursement requested"), null=True, blank=True)
    disbursed_on = models.DateField(_("disbursed on"), null=True, blank=True)
    disbursed_amount = models.DecimalField(_("disbursed (PKR)"), default=ZERO, **MONEY)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_early = models.BooleanField(_("repaid early"), default=False)
    written_off_on = models.DateField(_("written off on"), null=True, blank=True)
    written_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    write_off_reason = models.TextField(_("why it was written off"), blank=True)
    write_off_amount = models.DecimalField(_("principal written off (PKR)"), default=ZERO, **MONEY)
    # Running totals of the allocations, moved only by the repayment services under the loan's lock.
    principal_repaid = models.DecimalField(_("principal repaid (PKR)"), default=ZERO, **MONEY)
    interest_repaid = models.DecimalField(_("interest repaid (PKR)"), default=ZERO, **MONEY)
    # The arrears position, stored by the daily task (loans.tasks.refresh_loan_positions) and after
    # each repayment: what the loan book lists and filters by.
    position_as_of = models.DateField(_("position as of"), null=True, blank=True)
    outstanding_principal = models.DecimalField(_("outstanding principal (PKR)"), default=ZERO, **MONEY)
    overdue_amount = models.DecimalField(_("overdue (PKR)"), default=ZERO, **MONEY)
    next_due_date = models.DateField(_("next due"), null=True, blank=True)
    next_due_amount = models.DecimalField(_("next instalment (PKR)"), default=ZERO, **MONEY)
    days_past_due = models.PositiveIntegerField(_("days past due"), default=0)
    arrears_bucket = models.CharField(
        _("arrears"), max_length=10, choices=ArrearsBucket.choices, default=ArrearsBucket.CURRENT
    )

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["state", "arrears_bucket"], name="loan_state_bucket_idx"),
            models.Index(fields=["operator", "state"], name="loan_operator_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=S.values), name="loan_state_valid"),
            models.CheckConstraint(condition=Q(arrears_bucket__in=ArrearsBucket.values), name="loan_bucket_valid"),
            models.CheckConstraint(condition=Q(grace_kind__in=GraceKind.values), name="loan_grace_kind_valid"),
            models.CheckConstraint(condition=Q(principal__gt=0), name="loan_principal_positive"),
            models.CheckConstraint(condition=Q(tenor_months__gte=1), name="loan_tenor_positive"),
            models.CheckConstraint(condition=Q(grace_months__lt=F("tenor_months")), name="loan_grace_within_tenor"),
            models.CheckConstraint(
                condition=Q(annual_rate_percent__gte=0, annual_rate_percent__lte=50), name="loan_rate_range"
            ),
            models.CheckConstraint(
                condition=Q(disbursed_amount__gte=0, disbursed_amount__lte=F("principal")),
                name="loan_disbursed_within_principal",
            ),
            models.CheckConstraint(
                condition=Q(
                    principal_repaid__gte=0,
                    interest_repaid__gte=0,
                    outstanding_principal__gte=0,
                    overdue_amount__gte=0,
                    next_due_amount__gte=0,
                    write_off_amount__gte=0,
                ),
                name="loan_amounts_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(state__in=[S.SANCTIONED, S.DISBURSEMENT_REQUESTED], disbursed_on__isnull=True)
                | (~Q(state__in=[S.SANCTIONED, S.DISBURSEMENT_REQUESTED]) & Q(disbursed_on__isnull=False)),
                name="loan_disbursed_on_matches_state",
            ),
            models.CheckConstraint(
                condition=~Q(state=S.WRITTEN_OFF) | (Q(written_off_on__isnull=False) & ~Q(write_off_reason="")),
                name="loan_written_off_has_reason",
            ),
        ]

    def __str__(self):
        return self.sanction_number

    @property
    def is_servicing(self) -> bool:
        return self.state in SERVICING_STATES

    # --- the state machine (loans/services/ is the only caller) ---------------------------------

    @transition(
        field=state,
        source=S.SANCTIONED,
        target=S.DISBURSEMENT_REQUESTED,
        permission=LOANS.predicate("request_disbursement"),
    )
    def request_disbursement(self, *, at: dt.datetime):
        self.disbursement_requested_at = at

    @transition(
        field=state,
        source=S.DISBURSEMENT_REQUESTED,
        target=S.SANCTIONED,
        permission=LOANS.predicate("cancel_disbursement"),
    )
    def cancel_disbursement(self):
        self.disbursement_requested_at = None

    @transition(field=state, source=S.DISBURSEMENT_REQUESTED, target=S.ACTIVE, permission=LOANS.predicate("activate"))
    def activate(self, *, disbursed_on: dt.date, amount: Decimal):
        self.disbursed_on = disbursed_on
        self.disbursed_amount = amount

    @transition(
        field=state,
        source=S.ACTIVE,
        target=S.DISBURSEMENT_REQUESTED,
        permission=LOANS.predicate("disbursement_returned"),
    )
    def disbursement_returned(self):
        self.disbursed_on = None
        self.disbursed_amount = ZERO

    @transition(
        field=state, source=list(SERVICING_STATES), target=S.RESTRUCTURED, permission=LOANS.predicate("restructure")
    )
    def restructure(self):
        pass

    @transition(field=state, source=list(SERVICING_STATES), target=S.CLOSED, permission=LOANS.predicate("close"))
    def close(self, *, on: dt.date, early: bool):
        self.closed_on = on
        self.closed_early = early

    @transition(
        field=state,
        source=S.CLOSED,
        target=RETURN_VALUE(S.ACTIVE, S.RESTRUCTURED),
        permission=LOANS.predicate("reopen"),
    )
    def reopen(self, *, restructured: bool):
        self.closed_on = None
        self.closed_early = False
        return S.RESTRUCTURED if restructured else S.ACTIVE

    @transition(
        field=state, source=list(SERVICING_STATES), target=S.WRITTEN_OFF, permission=LOANS.predicate("write_off")
    )
    def write_off(self, *, on: dt.date, by, reason: str, amount: Decimal):
        self.written_off_on = on
        self.written_off_by = by
        self.write_off_reason = reason
        self.write_off_amount = amount


class VersionCause(models.TextChoices):
    DISBURSEMENT = "disbursement", _("Disbursement paid")
    PART = "part", _("Part of the disbursement paid")
    PREPAYMENT = "prepayment", _("Prepayment")
    RESTRUCTURE = "restructure", _("Restructuring")


class PrepaymentChoice(models.TextChoices):
    """What a prepayment does to the rest of the schedule (Fineract's 'reduce number of instalments'
    and 'reduce instalment amount')."""

    SHORTEN = "shorten", _("Shorten the tenor (same instalment, fewer months)")
    REAMORTISE = "reamortise", _("Re-amortise (same end date, lower instalment)")


class ScheduleVersion(models.Model):
    """One repayment schedule of a loan. Version 1 is made when the disbursement is paid; a
    restructuring makes the next version and the earlier one stops being current (kept, never
    changed). At most one version per loan is current (a partial unique constraint): a retried
    disbursement hook cannot make a second schedule."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    is_current = models.BooleanField(_("current"), default=True)
    effective_on = models.DateField(_("effective from"))
    principal = models.DecimalField(_("principal scheduled (PKR)"), **MONEY)
    capitalised_interest = models.DecimalField(_("overdue interest capitalised (PKR)"), default=ZERO, **MONEY)
    annual_rate_percent = models.DecimalField(_("markup (% a year)"), max_digits=5, decimal_places=2)
    months = models.PositiveSmallIntegerField(_("months"))
    grace_months = models.PositiveSmallIntegerField(_("grace (months)"), default=0)
    grace_kind = models.CharField(_("during grace"), max_length=16, choices=GraceKind.choices)
    first_due = models.DateField(_("first instalment due"))
    reason = models.TextField(_("reason"), blank=True)
    cause = models.CharField(
        _("why it was made"), max_length=16, choices=VersionCause.choices, default=VersionCause.DISBURSEMENT
    )
    prepayment_choice = models.CharField(
        _("prepayment choice"), max_length=12, choices=PrepaymentChoice.choices, blank=True
    )
    # The prepayment this version follows (cause prepayment), or the part whose payment made it (part).
    repayment = models.OneToOneField(
        "Repayment", null=True, blank=True, on_delete=models.PROTECT, related_name="schedule_version"
    )
    part = models.OneToOneField(
        "DisbursementPart", null=True, blank=True, on_delete=models.PROTECT, related_name="schedule_version"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("schedule version")
        verbose_name_plural = _("schedule versions")
        ordering = ["loan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], name="loan_schedule_version_unique"),
            models.UniqueConstraint(fields=["loan"], condition=Q(is_current=True), name="loan_one_current_schedule"),
            models.CheckConstraint(condition=Q(principal__gt=0), name="loan_schedule_principal_positive"),
            models.CheckConstraint(condition=Q(cause__in=VersionCause.values), name="loan_schedule_cause_valid"),
            models.CheckConstraint(
                condition=Q(cause=VersionCause.PREPAYMENT, repayment__isnull=False)
                & Q(prepayment_choice__in=PrepaymentChoice.values)
                | ~Q(cause=VersionCause.PREPAYMENT) & Q(prepayment_choice=""),
                name="loan_schedule_prepayment_choice",
            ),
        ]

    def __str__(self):
        return f"{self.loan} v{self.number}"


class Instalment(models.Model):
    """One row of a schedule version, exactly as loans.schedules.build_schedule made it."""

    version = models.ForeignKey(ScheduleVersion, on_delete=models.PROTECT, related_name="instalments")
    number = models.PositiveSmallIntegerField(_("number"))
    due_date = models.DateField(_("due"))
    instalment = models.DecimalField(_("instalment (PKR)"), **MONEY)
    principal = models.DecimalField(_("principal (PKR)"), max_digits=14, decimal_places=2)
    interest = models.DecimalField(_("interest (PKR)"), **MONEY)
    balance = models.DecimalField(_("balance (PKR)"), **MONEY)

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["version", "number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="loan_instalment_unique"),
            models.CheckConstraint(condition=Q(instalment=F("principal") + F("interest")), name="loan_instalment_sum"),
        ]

    def __str__(self):
        return f"{self.version} #{self.number}"


class CollectionFile(models.Model):
    """A bank collection file imported in one transaction; the same file (SHA-256) is refused twice."""

    file_name = models.CharField(_("file"), max_length=200)
    file_hash = models.CharField(_("SHA-256"), max_length=64, unique=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("imported"))
    row_count = models.PositiveIntegerField(_("rows"))
    total = models.DecimalField(_("total (PKR)"), **MONEY)

    class Meta:
        verbose_name = _("collection file")
        verbose_name_plural = _("collection files")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return self.file_name


class Repayment(models.Model):
    """Money received from the borrower (or a reversal of such a row). Append-only: a mistake is
    corrected by a reversal (negative amount, pointing at the row it reverses), never by an edit."""

    class Kind(models.TextChoices):
        REPAYMENT = "repayment", _("Repayment")
        REVERSAL = "reversal", _("Reversal")

    class Channel(models.TextChoices):
        FORM = "form", _("Posted by hand")
        COLLECTION_FILE = "collection_file", _("Bank collection file")

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="repayments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REPAYMENT)
    channel = models.CharField(_("how it came"), max_length=16, choices=Channel.choices, default=Channel.FORM)
    received_on = models.DateField(_("received on"))
    amount = models.DecimalField(_("amount (PKR)"), **MONEY)
    bank_reference = models.CharField(_("bank reference"), max_length=40)
    principal = models.DecimalField(_("to principal (PKR)"), **MONEY)
    interest = models.DecimalField(_("to interest (PKR)"), **MONEY)
    collection = models.ForeignKey(
        CollectionFile, null=True, blank=True, on_delete=models.PROTECT, related_name="repayments"
    )
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    # When an earlier repayment is reversed, each later one is reversed and posted again on top of the
    # corrected schedule (its split re-derived): the new row points at the one it replays.
    replay_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replayed_as"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(_("posted"))

    class Meta:
        verbose_name = _("repayment")
        verbose_name_plural = _("repayments")
        ordering = ["loan", "posted_at", "id"]
        indexes = [models.Index(fields=["loan", "bank_reference"], name="loan_repayment_ref_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="repayment", amount__gt=0, reverses__isnull=True)
                | Q(kind="reversal", amount__lt=0, reverses__isnull=False),
                name="loan_repayment_sign_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(replay_of__isnull=True) | Q(kind="repayment"), name="loan_repayment_replay_is_repayment"
            ),
            models.CheckConstraint(condition=Q(amount=F("principal") + F("interest")), name="loan_repayment_split"),
        ]

    def __str__(self):
        return f"{self.loan} {self.received_on} {self.amount}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Repayments are append-only: record a reversal instead of editing.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Repayments are append-only: record a reversal instead of deleting.")


class RepaymentAllocation(models.Model):
    """What part of a repayment settled which instalment (negative on a reversal)."""

    class Kind(models.TextChoices):
        OVERDUE = "overdue", _("Due")
        CURRENT = "current", _("Current instalment")
        PREPAYMENT = "prepayment", _("Prepayment of principal")

    repayment = models.ForeignKey(Repayment, on_delete=models.PROTECT, related_name="allocations")
    instalment = models.ForeignKey(Instalment, on_delete=models.PROTECT, related_name="allocations")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    principal = models.DecimalField(_("principal (PKR)"), **MONEY)
    interest = models.DecimalField(_("interest (PKR)"), **MONEY)
    interest_waived = models.DecimalField(_("interest waived (PKR)"), default=ZERO, **MONEY)

    class Meta:
        verbose_name = _("repayment allocation")
        verbose_name_plural = _("repayment allocations")
        ordering = ["repayment", "instalment__number"]

    def __str__(self):
        return f"{self.repayment} -> {self.instalment}"


class PartState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    REQUESTED = "requested", _("Requested")
    PAID = "paid", _("Paid")


class DisbursementPart(models.Model):
    """One part (tranche) of a loan paid out in several parts: its planned date and amount; the parts
    of a loan sum to its sanctioned principal. Each is requested and paid through finance like a
    single disbursement (the payment's source is the part). The plan is fixed while the loan is
    sanctioned; afterwards only the state moves (loans.services.disbursement)."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="parts")
    number = models.PositiveSmallIntegerField(_("part"))
    planned_on = models.DateField(_("planned for"))
    amount = models.DecimalField(_("amount (PKR)"), **MONEY)
    state = FSMField(_("state"), max_length=10, choices=PartState.choices, default=PartState.PLANNED, protected=True)
    requested_at = models.DateTimeField(_("requested"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        verbose_name = _("disbursement part")
        verbose_name_plural = _("disbursement parts")
        ordering = ["loan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], name="loan_part_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="loan_part_amount_positive"),
            models.CheckConstraint(condition=Q(state__in=PartState.values), name="loan_part_state_valid"),
            models.CheckConstraint(
                condition=Q(state=PartState.PAID, paid_on__isnull=False) | ~Q(state=PartState.PAID) & Q(paid_on=None),
                name="loan_part_paid_on_matches_state",
            ),
        ]

    def __str__(self):
        return f"{self.loan} part {self.number}"

    @transition(
        field=state,
        source=PartState.PLANNED,
        target=PartState.REQUESTED,
        permission=LOANS.predicate("request_disbursement"),
    )
    def request(self, *, at: dt.datetime, by):
        self.requested_at = at
        self.requested_by = by

    @transition(
        field=state,
        source=PartState.REQUESTED,
        target=PartState.PLANNED,
        permission=LOANS.predicate("cancel_disbursement"),
    )
    def cancel(self):
        self.requested_at = None
        self.requested_by = None

    # Paid as the loan's single disbursement is (Loan.activate): finance's people, or the system.
    @transition(field=state, source=PartState.REQUESTED, target=PartState.PAID, permission=LOANS.predicate("activate"))
    def pay(self, *, on: dt.date):
        self.paid_on = on


class WriteOffState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class WriteOffProposal(models.Model):
    """A write-off as the board chair proposed it (the reason and the figures on that day) and what
    became of it: confirmed by a second person (a board member or the finance checker, never the
    proposer: four-eyes rule for writing off public money) or withdrawn by the proposer."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="write_off_proposals")
    state = models.CharField(_("state"), max_length=10, choices=WriteOffState.choices, default=WriteOffState.PROPOSED)
    reason = models.TextField(_("why it should be written off"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed"))
    proposed_on = models.DateField(_("figures as of"))
    outstanding_principal = models.DecimalField(_("outstanding principal (PKR)"), **MONEY)
    overdue_amount = models.DecimalField(_("overdue (PKR)"), **MONEY)
    days_past_due = models.PositiveIntegerField(_("days past due"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("write-off proposal")
        verbose_name_plural = _("write-off proposals")
        ordering = ["loan", "-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["loan"], condition=Q(state="proposed"), name="loan_one_open_write_off_proposal"
            ),
            models.CheckConstraint(condition=Q(state__in=WriteOffState.values), name="loan_write_off_state_valid"),
            models.CheckConstraint(condition=~Q(reason=""), name="loan_write_off_proposal_has_reason"),
            # Four eyes: whoever confirms is never the proposer (the proposer may only withdraw).
            models.CheckConstraint(
                condition=~Q(state="confirmed") | (Q(decided_by__isnull=False) & ~Q(decided_by=F("proposed_by"))),
                name="loan_write_off_confirmed_by_another",
            ),
        ]

    def __str__(self):
        return f"{self.loan} write-off ({self.state})"


class Recovery(models.Model):
    """Money recovered on a written-off loan (or a reversal of such a row). Append-only, as repayments."""

    class Kind(models.TextChoices):
        RECOVERY = "recovery", _("Recovery")
        REVERSAL = "reversal", _("Reversal")

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="recoveries")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.RECOVERY)
    received_on = models.DateField(_("received on"))
    amount = models.DecimalField(_("amount (PKR)"), **MONEY)
    bank_reference = models.CharField(_("bank reference"), max_length=40)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(_("posted"))

    class Meta:
        verbose_name = _("recovery")
        verbose_name_plural = _("recoveries")
        ordering = ["loan", "posted_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="recovery", amount__gt=0, reverses__isnull=True)
                | Q(kind="reversal", amount__lt=0, reverses__isnull=False) & ~Q(reason=""),
                name="loan_recovery_sign_matches_kind",
            ),
        ]

    def __str__(self):
        return f"{self.loan} recovery {self.received_on} {self.amount}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Recoveries are append-only: record a reversal instead of editing.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Recoveries are append-only: record a reversal instead of deleting.")
