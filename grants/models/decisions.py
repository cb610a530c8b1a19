"""Board meetings, decisions, the budget commitment ledger, sanction numbers and awards."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.dates import show_date

from ..fiscal import FiscalYear
from ..permissions import AWARDS
from .applications import Application, holder_may, staff_may
from .programs import MONEY, BudgetAllocation, Program


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
        return _("Board meeting of %(date)s") % {"date": show_date(self.held_on)}


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

    class Cause(models.TextChoices):
        # Commitments (positive rows).
        APPROVAL = "approval", _("Approval")
        RECOMMITMENT = "recommitment", _("Re-commitment after a lapse")
        # Reversals (negative rows).
        CORRECTION = "correction", _("Correction")
        RELEASE = "release", _("Release of the unpaid remainder")
        COMPLETION = "completion", _("Award completed")
        TERMINATION = "termination", _("Award terminated")
        LAPSE = "lapse", _("Lapsed at year end")
        # Both: the old year's reversal and the new year's commitment that continues it.
        CARRY_FORWARD = "carry_forward", _("Carried forward")

    allocation = models.ForeignKey(BudgetAllocation, on_delete=models.PROTECT, related_name="commitments")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="commitments")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    cause = models.CharField(_("cause"), max_length=16, choices=Cause.choices, default=Cause.APPROVAL)
    amount = models.DecimalField(_("amount (PKR)"), **MONEY)
    # A full reversal of one row (a correction) points at it, once; a release of part of an award's
    # commitment (completion, termination, year end, the officer's release) points at none.
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, related_name="reversed_by", null=True, blank=True)
    # A carried-forward commitment in the new year names the old year's reversal it continues.
    carried_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, related_name="carried_to", null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    # Empty for the scheduler's year-end close (no person acted).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("budget commitment")
        verbose_name_plural = _("budget commitments")
        ordering = ["allocation", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="commitment", amount__gt=0, reverses__isnull=True)
                | Q(kind="reversal", amount__lt=0, carried_from__isnull=True),
                name="budgetcommitment_sign_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind="commitment", cause__in=["approval", "recommitment", "carry_forward"])
                | Q(
                    kind="reversal",
                    cause__in=["correction", "release", "completion", "termination", "lapse", "carry_forward"],
                ),
                name="budgetcommitment_cause_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(cause="carry_forward", kind="commitment", carried_from__isnull=False)
                | ~Q(cause="carry_forward", kind="commitment"),
                name="budgetcommitment_carry_forward_names_its_origin",
            ),
            models.CheckConstraint(
                condition=~Q(cause="correction") | Q(reverses__isnull=False),
                name="budgetcommitment_correction_names_its_row",
            ),
        ]
        indexes = [models.Index(fields=["application", "allocation"], name="budgetcommitment_award_idx")]

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
    # The active award: accepted and being paid (the stored value stays "award_accepted").
    ACCEPTED = "award_accepted", _("Award accepted")
    COMPLETED = "completed", _("Completed")
    TERMINATED = "terminated", _("Terminated")


# An award after acceptance: its accepted_* columns are filled.
AWARD_ACCEPTED_STATES = (AwardState.ACCEPTED, AwardState.COMPLETED, AwardState.TERMINATED)
AWARD_ENDED_STATES = (AwardState.COMPLETED, AwardState.TERMINATED)
# Awards whose commitment is still live (the year-end close and the officer's release act on these).
AWARD_LIVE_STATES = (AwardState.OFFERED, AwardState.ACCEPTED)


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
    # The award's end (issue #22): completed by a program officer, or terminated by two board members
    # (the chair's proposal, a second member's confirmation: TerminationProposal).
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    end_note = models.TextField(_("why it ended"), blank=True)

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
                | Q(state__in=AWARD_ACCEPTED_STATES, accepted_at__isnull=False, accepted_by__isnull=False),
                name="award_accepted_matches_state",
            ),
            # An ended award says when, by whom and why; a live one has none of it.
            models.CheckConstraint(
                condition=(
                    Q(state__in=AWARD_ENDED_STATES, ended_at__isnull=False, ended_by__isnull=False) & ~Q(end_note="")
                )
                | Q(~Q(state__in=AWARD_ENDED_STATES), ended_at__isnull=True, ended_by__isnull=True),
                name="award_ended_matches_state",
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

    @property
    def is_active(self) -> bool:
        return self.state == AwardState.ACCEPTED

    @property
    def has_ended(self) -> bool:
        return self.state in AWARD_ENDED_STATES

    @transition(
        field=state,
        source=AwardState.ACCEPTED,
        target=AwardState.COMPLETED,
        permission=staff_may(AWARDS, "complete", _award_application),
    )
    def complete(self, *, by, at: dt.datetime, note: str):
        self.ended_by = by
        self.ended_at = at
        self.end_note = note

    @transition(
        field=state,
        source=AwardState.ACCEPTED,
        target=AwardState.TERMINATED,
        permission=staff_may(AWARDS, "terminate", _award_application),
    )
    def terminate(self, *, by, at: dt.datetime, reason: str):
        self.ended_by = by
        self.ended_at = at
        self.end_note = reason


class TerminationProposal(models.Model):
    """The board chair's proposal to terminate an award, with the reason; a second board member
    confirms it (the award is then terminated) or the proposer withdraws it.

    Two-person rule: the confirming member is never the proposer. The services refuse it, naming the
    rule; the database holds it too (`terminationproposal_confirmer_is_not_proposer`). One pending
    proposal per award at a time.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for a second board member")
        CONFIRMED = "confirmed", _("Confirmed: award terminated")
        WITHDRAWN = "withdrawn", _("Withdrawn by the proposer")

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="termination_proposals")
    reason = models.TextField(_("reason"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("termination proposal")
        verbose_name_plural = _("termination proposals")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "confirmed", "withdrawn"]), name="terminationproposal_state_valid"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="terminationproposal_has_reason"),
            models.UniqueConstraint(
                fields=["award"], condition=Q(state="pending"), name="terminationproposal_one_pending_per_award"
            ),
            models.CheckConstraint(
                condition=Q(state="pending", decided_at__isnull=True, decided_by__isnull=True)
                | Q(~Q(state="pending"), decided_at__isnull=False, decided_by__isnull=False),
                name="terminationproposal_decided_matches_state",
            ),
            # Two-person rule: the member who confirms is never the one who proposed.
            models.CheckConstraint(
                condition=~Q(state="confirmed") | ~Q(decided_by=F("proposed_by")),
                name="terminationproposal_confirmer_is_not_proposer",
            ),
        ]

    def __str__(self):
        return f"{self.award.sanction_number}: {self.get_state_display()}"
