"""Paying awards (issue 5): grant tranches and their evidence, and utility claims. Every write is a service
in grants/services/payments.py or grants/services/utility_claims.py; finance pays them
(finance.services.payment_request) and tells them through the hooks registered in grants/apps.py."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from ..permissions import AWARDS, CLAIMS, TRANCHES
from ..storage import private_document_storage
from .application_sections import Disco, Milestone, StoredFile, UtilityConnection
from .applications import holder_may, is_applicant, staff_may
from .decisions import Award
from .programs import MONEY


def payment_document_path(instance, filename: str) -> str:
    """payments/<kind>/<owner id>/<random>.<extension from the detected content type>."""
    import secrets

    from ..storage import EXTENSION_FOR_CONTENT_TYPE

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
    # The award ended (completed early or terminated) before this tranche was with finance (issue #22): never paid.
    CANCELLED = "cancelled", _("Cancelled: award ended")


# States in which the operator's request stands (the request columns are filled).
TRANCHE_REQUESTED_STATES = (TrancheState.REQUESTED, TrancheState.VERIFIED, TrancheState.PAID)
TRANCHE_VERIFIED_STATES = (TrancheState.VERIFIED, TrancheState.PAID)


def _tranche_application(tranche):
    return tranche.award.application


def _may_end_award(tranche, user) -> bool:
    """A tranche is cancelled only by its award's end (issue #22): whoever may complete or terminate
    the award (grants.permissions.AWARDS), never staff of the company."""
    return (AWARDS.role_allows(user, "complete") or AWARDS.role_allows(user, "terminate")) and not is_applicant(
        _tranche_application(tranche), user
    )


class Tranche(ConcurrentTransitionMixin, models.Model):
    """One instalment of a grant award, made from one milestone of the application when the award is
    accepted (grants.services.payments.tranche_schedule_create). The tranches of an award add up to
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

    @transition(
        field=state,
        source=[TrancheState.SCHEDULED, TrancheState.RETURNED, TrancheState.REQUESTED],
        target=TrancheState.CANCELLED,
        permission=_may_end_award,
    )
    def cancel(self):
        """The award is terminated: a tranche not yet with finance is never paid. A cancelled request
        keeps its request columns (who asked, when) as the record of what was asked."""


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
    the paisa (grants.services.utility_claims.utility_subsidy_for). The same bill (DISCO, reference
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
