"""Seat vouchers (issue #18): a share of a freelancer's seat at a coworking space of the network, paid to
the operator month by month for a round's months.

    Freelancer        the person (one profile per account, one per CNIC; the CNIC is kept only as a
                      keyed digest, for the one-voucher rule, and masked, for display)
    VoucherRound      a round of a seat-voucher program: every term is data (share, months, cap, ages,
                      domicile, seat types, documents, dates), never a constant in code
    RoundSpace        a space taking part in a round: its seat fees and the voucher seats it offers
    DivisionQuota     how many vouchers a round gives in a division
    Voucher           one person's voucher at one space (state machine below)
    VoucherDocument   the CNIC, a student card or a registration, stored privately
    SeatConfirmation  the freelancer's "I used this seat in <month>" (yes / no), once per month
    SeatClaim(+Line)  an operator's claim for one space and month: one line per voucher seat

Voucher: applied → approved → active → completed | ended | lapsed; applied → waitlisted → approved
(offered in order when a place frees); applied | waitlisted → refused; applied | waitlisted |
approved → withdrawn. A person holds at most one voucher in applied, waitlisted, approved or active,
across the whole network (a partial unique constraint on the CNIC digest).

Seat claim: submitted → verified → approved → paid, submitted | verified → rejected; a paid claim
whose payment the bank returns goes back to approved. Every write is a service in vouchers/services/.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.files import StoredFile, private_document_storage
from spaces.geography import DISTRICT_CHOICES, DIVISION_CHOICES

from .permissions import SEAT_CLAIMS, VOUCHERS

MONEY = {"max_digits": 14, "decimal_places": 2}
UPLOAD_CONTENT_TYPES = ["application/pdf", "image/jpeg", "image/png"]


class SeatType(models.TextChoices):
    HOT_DESK = "hot_desk", _("Hot desk")
    DEDICATED_DESK = "dedicated_desk", _("Dedicated desk")


class Province(models.TextChoices):
    PUNJAB = "punjab", _("Punjab")
    SINDH = "sindh", _("Sindh")
    KP = "kp", _("Khyber Pakhtunkhwa")
    BALOCHISTAN = "balochistan", _("Balochistan")
    ISLAMABAD = "islamabad", _("Islamabad Capital Territory")
    GB = "gb", _("Gilgit-Baltistan")
    AJK = "ajk", _("Azad Jammu and Kashmir")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    OTHER = "other", _("Other or prefer not to say")


class Freelancer(models.Model):
    """A freelancer's profile. The CNIC is validated when typed, then kept as an HMAC digest (to hold
    one voucher per person across the network) and a masked form (to show); the card's image is the
    evidence officers check."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="freelancer", verbose_name=_("account")
    )
    cnic_digest = models.CharField(_("CNIC (keyed digest)"), max_length=64, unique=True, editable=False)
    cnic_masked = models.CharField(_("CNIC"), max_length=15, editable=False)
    date_of_birth = models.DateField(_("date of birth"))
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    domicile = models.CharField(_("domicile"), max_length=12, choices=Province.choices)
    district = models.CharField(
        _("district of residence"),
        max_length=30,
        choices=DISTRICT_CHOICES,
        blank=True,
        help_text=_("In Punjab; leave empty if you live elsewhere."),
    )
    skills = models.CharField(_("skills"), max_length=300, help_text=_("For example: web development, design."))
    marketplace_url = models.URLField(
        _("marketplace profile"), blank=True, help_text=_("A link to your profile on Upwork, Fiverr or similar.")
    )
    registration_number = models.CharField(_("PSEB or PAFLA registration number"), max_length=40, blank=True)
    is_student = models.BooleanField(_("I am a student"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("freelancer")
        verbose_name_plural = _("freelancers")
        constraints = [
            models.CheckConstraint(condition=Q(gender__in=Gender.values), name="freelancer_gender_valid"),
            models.CheckConstraint(condition=Q(domicile__in=Province.values), name="freelancer_domicile_valid"),
        ]

    def __str__(self):
        return self.user.full_name or self.user.email

    def age_on(self, day: dt.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class VoucherRound(models.Model):
    """One round of a seat-voucher program. Terms change between rounds (e-Earn 2021: 60% for four
    months, ages 18–36; 2023: 70% for six months, ages 18–40), so each is a field here."""

    program = models.ForeignKey(
        "grants.Program",
        on_delete=models.PROTECT,
        related_name="voucher_rounds",
        limit_choices_to={"instrument": "seat_voucher"},
        verbose_name=_("program"),
    )
    reference = models.SlugField(_("reference"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    opens_at = models.DateTimeField(_("applications open"))
    closes_at = models.DateTimeField(_("applications close"))
    last_start_date = models.DateField(_("last start date"), help_text=_("No voucher seat may start after this day."))
    age_on = models.DateField(_("age counted on"), help_text=_("Applicants' ages are worked out on this day."))
    min_age = models.PositiveSmallIntegerField(_("youngest age"), validators=[MinValueValidator(16)])
    max_age = models.PositiveSmallIntegerField(_("oldest age"), validators=[MaxValueValidator(100)])
    domiciles = models.JSONField(_("domiciles accepted"), default=list, help_text=_('Province codes, e.g. ["punjab"].'))
    subsidy_share = models.DecimalField(
        _("subsidy share"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("The share of the seat fee the government pays, e.g. 0.7000 for 70%."),
    )
    months = models.PositiveSmallIntegerField(_("months"), validators=[MinValueValidator(1), MaxValueValidator(24)])
    monthly_cap = models.DecimalField(
        _("monthly cap (PKR)"), help_text=_("The most the government pays for one seat in one month."), **MONEY
    )
    seat_types = models.JSONField(_("seat types covered"), default=list)
    students_allowed = models.BooleanField(_("students may apply"), default=True)
    start_within_working_days = models.PositiveSmallIntegerField(
        _("working days to start"),
        default=10,
        help_text=_("An approved voucher whose seat has not started after this many working days lapses."),
    )

    class Meta:
        verbose_name = _("voucher round")
        verbose_name_plural = _("voucher rounds")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="voucherround_closes_after_opening"),
            models.CheckConstraint(condition=Q(max_age__gte=F("min_age")), name="voucherround_ages_ordered"),
            models.CheckConstraint(
                condition=Q(subsidy_share__gt=0, subsidy_share__lte=1), name="voucherround_share_fraction"
            ),
            models.CheckConstraint(condition=Q(monthly_cap__gt=0), name="voucherround_cap_positive"),
            models.CheckConstraint(condition=Q(months__gte=1), name="voucherround_months_positive"),
        ]

    def __str__(self):
        return self.title

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.opens_at <= at < self.closes_at

    def subsidy_share_percent(self) -> Decimal:
        return (self.subsidy_share * 100).normalize()


class RoundSpace(models.Model):
    """A space taking part in a round: the seats it offers to voucher holders and its monthly fees."""

    round = models.ForeignKey(VoucherRound, on_delete=models.PROTECT, related_name="spaces")
    space = models.ForeignKey("spaces.Space", on_delete=models.PROTECT, related_name="voucher_rounds")
    seats = models.PositiveIntegerField(_("voucher seats"), validators=[MinValueValidator(1)])
    hot_desk_fee = models.DecimalField(_("hot desk fee a month (PKR)"), null=True, blank=True, **MONEY)
    dedicated_desk_fee = models.DecimalField(_("dedicated desk fee a month (PKR)"), null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = _("space in a round")
        verbose_name_plural = _("spaces in a round")
        ordering = ["round", "space__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "space"], name="roundspace_once_per_round"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="roundspace_seats_positive"),
            models.CheckConstraint(
                condition=Q(hot_desk_fee__isnull=True) | Q(hot_desk_fee__gt=0), name="roundspace_hot_fee_positive"
            ),
            models.CheckConstraint(
                condition=Q(dedicated_desk_fee__isnull=True) | Q(dedicated_desk_fee__gt=0),
                name="roundspace_dedicated_fee_positive",
            ),
        ]

    def __str__(self):
        return f"{self.space} ({self.round})"

    def fee_for(self, seat_type: str) -> Decimal | None:
        return self.hot_desk_fee if seat_type == SeatType.HOT_DESK else self.dedicated_desk_fee


class DivisionQuota(models.Model):
    """How many vouchers a round gives in one division (approved, active, completed and ended count;
    a lapsed, refused or withdrawn one frees its place)."""

    round = models.ForeignKey(VoucherRound, on_delete=models.PROTECT, related_name="quotas")
    division = models.CharField(_("division"), max_length=30, choices=DIVISION_CHOICES)
    vouchers = models.PositiveIntegerField(_("vouchers"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("division quota")
        verbose_name_plural = _("division quotas")
        ordering = ["round", "division"]
        constraints = [
            models.UniqueConstraint(fields=["round", "division"], name="divisionquota_once_per_round"),
            models.CheckConstraint(condition=Q(vouchers__gte=1), name="divisionquota_positive"),
        ]

    def __str__(self):
        return f"{self.round}: {self.division} ({self.vouchers})"


class VoucherState(models.TextChoices):
    APPLIED = "applied", _("Applied: waiting for the officer")
    WAITLISTED = "waitlisted", _("On the waiting list")
    APPROVED = "approved", _("Approved: waiting for the seat to start")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    ENDED = "ended", _("Ended early")
    LAPSED = "lapsed", _("Lapsed")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


V = VoucherState
# A person holds at most one voucher in these states, anywhere in the network.
HOLDING_STATES = (V.APPLIED, V.WAITLISTED, V.APPROVED, V.ACTIVE)
# These use a place of the round's quota and a seat of the space.
PLACE_STATES = (V.APPROVED, V.ACTIVE, V.COMPLETED, V.ENDED)
# A seat in these states is (or was) occupied and may be claimed for.
SEAT_STATES = (V.ACTIVE, V.COMPLETED, V.ENDED)


class EndReason(models.TextChoices):
    LEFT = "left", _("Left the space")
    CONDUCT = "conduct", _("Asked to leave (conduct)")
    OTHER = "other", _("Other")


class Voucher(ConcurrentTransitionMixin, models.Model):
    """One freelancer's voucher for a seat at one space in one round. See the module docstring."""

    State = VoucherState

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    round = models.ForeignKey(VoucherRound, on_delete=models.PROTECT, related_name="vouchers", verbose_name=_("round"))
    freelancer = models.ForeignKey(
        Freelancer, on_delete=models.PROTECT, related_name="vouchers", verbose_name=_("freelancer")
    )
    offer = models.ForeignKey(RoundSpace, on_delete=models.PROTECT, related_name="vouchers", verbose_name=_("space"))
    space = models.ForeignKey("spaces.Space", on_delete=models.PROTECT, related_name="vouchers", editable=False)
    division = models.CharField(_("division"), max_length=30, choices=DIVISION_CHOICES, editable=False)
    seat_type = models.CharField(_("seat type"), max_length=20, choices=SeatType.choices)
    monthly_fee = models.DecimalField(_("seat fee a month (PKR)"), **MONEY)
    cnic_digest = models.CharField(max_length=64, editable=False)
    state = FSMField(_("state"), max_length=12, choices=VoucherState.choices, default=V.APPLIED, protected=True)
    applied_at = models.DateTimeField(_("applied"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refusal_reason = models.TextField(_("why it was refused"), blank=True)
    waitlisted_at = models.DateTimeField(_("put on the waiting list"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    start_by = models.DateField(_("start by"), null=True, blank=True)
    start_date = models.DateField(_("seat started"), null=True, blank=True)
    planned_end = models.DateField(_("last day covered"), null=True, blank=True)
    ended_on = models.DateField(_("seat ended"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=10, choices=EndReason.choices, blank=True)
    end_note = models.TextField(_("note"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    flagged_at = models.DateTimeField(_("flagged to the officer"), null=True, blank=True)

    class Meta:
        verbose_name = _("seat voucher")
        verbose_name_plural = _("seat vouchers")
        ordering = ["applied_at", "id"]
        indexes = [
            models.Index(fields=["round", "state", "applied_at"], name="voucher_queue_idx"),
            models.Index(fields=["space", "state"], name="voucher_space_idx"),
        ]
        constraints = [
            # One voucher per person across the whole network, held by the database.
            models.UniqueConstraint(
                fields=["cnic_digest"],
                condition=Q(state__in=["applied", "waitlisted", "approved", "active"]),
                name="voucher_one_per_person",
            ),
            models.CheckConstraint(condition=Q(state__in=VoucherState.values), name="voucher_state_valid"),
            models.CheckConstraint(condition=Q(seat_type__in=SeatType.values), name="voucher_seat_type_valid"),
            models.CheckConstraint(condition=Q(monthly_fee__gt=0), name="voucher_fee_positive"),
            models.CheckConstraint(
                condition=Q(state__in=["applied", "waitlisted", "refused", "withdrawn"]) | Q(approved_at__isnull=False),
                name="voucher_approved_has_date",
            ),
            models.CheckConstraint(
                condition=Q(
                    state__in=["active", "completed", "ended"], start_date__isnull=False, planned_end__isnull=False
                )
                | ~Q(state__in=["active", "completed", "ended"]),
                name="voucher_seat_has_dates",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(planned_end__gte=F("start_date")),
                name="voucher_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("start_date")),
                name="voucher_ended_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(state="refused") | ~Q(refusal_reason=""), name="voucher_refusal_has_reason"
            ),
        ]

    def __str__(self):
        return self.reference

    # --- transitions: state and the fields derived from it only ------------------------------------

    @transition(field=state, source=V.APPLIED, target=V.APPROVED, permission=VOUCHERS.predicate("approve"))
    def approve(self, *, at, start_by, by):
        self.approved_at = at
        self.decided_at = at
        self.decided_by = by
        self.start_by = start_by

    @transition(field=state, source=V.APPLIED, target=V.WAITLISTED, permission=VOUCHERS.predicate("waitlist"))
    def waitlist(self, *, at, by):
        self.waitlisted_at = at
        self.decided_at = at
        self.decided_by = by

    @transition(field=state, source=V.WAITLISTED, target=V.APPROVED, permission=VOUCHERS.predicate("offer_place"))
    def offer_place(self, *, at, start_by):
        self.approved_at = at
        self.decided_at = at
        self.start_by = start_by

    @transition(
        field=state, source=[V.APPLIED, V.WAITLISTED], target=V.REFUSED, permission=VOUCHERS.predicate("refuse")
    )
    def refuse(self, *, at, reason, by):
        self.decided_at = at
        self.decided_by = by
        self.refusal_reason = reason
        self.closed_at = at

    @transition(
        field=state,
        source=[V.APPLIED, V.WAITLISTED, V.APPROVED],
        target=V.WITHDRAWN,
        permission=VOUCHERS.predicate("withdraw"),
    )
    def withdraw(self, *, at):
        self.closed_at = at

    @transition(field=state, source=V.APPROVED, target=V.ACTIVE, permission=VOUCHERS.predicate("start"))
    def start(self, *, start_date, planned_end):
        self.start_date = start_date
        self.planned_end = planned_end

    @transition(field=state, source=V.ACTIVE, target=V.ENDED, permission=VOUCHERS.predicate("end"))
    def end(self, *, ended_on, reason, note, at):
        self.ended_on = ended_on
        self.end_reason = reason
        self.end_note = note
        self.closed_at = at

    @transition(field=state, source=V.APPROVED, target=V.LAPSED, permission=VOUCHERS.predicate("lapse"))
    def lapse(self, *, note, at):
        self.end_note = note
        self.closed_at = at

    @transition(field=state, source=V.ACTIVE, target=V.COMPLETED, permission=VOUCHERS.predicate("complete"))
    def complete(self, *, at):
        self.closed_at = at

    # --- derived -------------------------------------------------------------------------------

    @property
    def last_day_covered(self) -> dt.date | None:
        """The last day the seat is (or was) subsidised: the planned end, or the day it ended."""
        if self.start_date is None:
            return None
        if self.ended_on is not None:
            return min(self.ended_on, self.planned_end or self.ended_on)
        return self.planned_end


def voucher_document_path(instance, filename: str) -> str:
    import secrets

    from grants.storage import EXTENSION_FOR_CONTENT_TYPE

    extension = EXTENSION_FOR_CONTENT_TYPE.get(instance.content_type, "bin")
    return f"vouchers/{instance.freelancer_id}/{secrets.token_hex(16)}.{extension}"


class VoucherDocument(StoredFile):
    """A freelancer's document (the CNIC, a student card, a freelancing registration), stored privately
    and shown only through a permission-checked view."""

    class Kind(models.TextChoices):
        CNIC = "cnic", _("CNIC (both sides)")
        STUDENT_CARD = "student_card", _("Student card")
        REGISTRATION = "registration", _("PSEB or PAFLA registration")

    freelancer = models.ForeignKey(Freelancer, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("document"), max_length=20, choices=Kind.choices)
    file = models.FileField(
        _("file"), storage=private_document_storage, upload_to=voucher_document_path, max_length=200
    )
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        verbose_name = _("freelancer's document")
        verbose_name_plural = _("freelancers' documents")
        ordering = ["freelancer", "kind", "-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["cnic", "student_card", "registration"]), name="voucherdoc_kind_valid"
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="voucherdoc_not_empty"),
            models.CheckConstraint(condition=Q(content_type__in=UPLOAD_CONTENT_TYPES), name="voucherdoc_type_allowed"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.original_filename}"


class SeatConfirmation(models.Model):
    """The freelancer's answer for one month: did they use the seat? Two "no" answers flag the seat."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="confirmations")
    month = models.DateField(_("month"))
    used = models.BooleanField(_("used the seat"))
    answered_at = models.DateTimeField(_("answered"))

    class Meta:
        verbose_name = _("month of use")
        verbose_name_plural = _("months of use")
        ordering = ["voucher", "month"]
        constraints = [
            models.UniqueConstraint(fields=["voucher", "month"], name="seatconfirmation_once_a_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="seatconfirmation_month_first_day"),
        ]

    def __str__(self):
        return f"{self.voucher_id} {self.month:%Y-%m}: {'yes' if self.used else 'no'}"


class SeatClaimState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted: waiting for the officer")
    VERIFIED = "verified", _("Verified")
    APPROVED = "approved", _("Approved: with finance for payment")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")


class SeatClaim(ConcurrentTransitionMixin, models.Model):
    """One space's claim for one month of one round: a line per voucher seat active in the month."""

    State = SeatClaimState

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    round = models.ForeignKey(VoucherRound, on_delete=models.PROTECT, related_name="claims", verbose_name=_("round"))
    space = models.ForeignKey(
        "spaces.Space", on_delete=models.PROTECT, related_name="seat_claims", verbose_name=_("space")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month claimed."))
    total = models.DecimalField(_("subsidy claimed (PKR)"), **MONEY)
    state = FSMField(
        _("state"), max_length=10, choices=SeatClaimState.choices, default=SeatClaimState.SUBMITTED, protected=True
    )
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("rejected"), null=True, blank=True)
    rejection_reason = models.TextField(_("why the claim was rejected"), blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        verbose_name = _("seat claim")
        verbose_name_plural = _("seat claims")
        ordering = ["-month", "-submitted_at"]
        indexes = [models.Index(fields=["state", "submitted_at"], name="seatclaim_queue_idx")]
        constraints = [
            # One claim per space and month of a round; a rejected one frees the month.
            models.UniqueConstraint(
                fields=["round", "space", "month"], condition=~Q(state="rejected"), name="seatclaim_one_per_month"
            ),
            models.CheckConstraint(condition=Q(state__in=SeatClaimState.values), name="seatclaim_state_valid"),
            models.CheckConstraint(condition=Q(month__day=1), name="seatclaim_month_first_day"),
            models.CheckConstraint(condition=Q(total__gt=0), name="seatclaim_total_positive"),
            models.CheckConstraint(
                condition=~Q(state="rejected") | ~Q(rejection_reason=""), name="seatclaim_rejection_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["approved", "paid"]) | Q(approved_at__isnull=False),
                name="seatclaim_approved_has_date",
            ),
        ]

    def __str__(self):
        return self.reference

    @transition(
        field=state,
        source=SeatClaimState.SUBMITTED,
        target=SeatClaimState.VERIFIED,
        permission=SEAT_CLAIMS.predicate("verify"),
    )
    def verify(self, *, by, at):
        self.verified_by = by
        self.verified_at = at

    @transition(
        field=state,
        source=SeatClaimState.VERIFIED,
        target=SeatClaimState.APPROVED,
        permission=SEAT_CLAIMS.predicate("approve"),
    )
    def approve(self, *, by, at):
        self.approved_by = by
        self.approved_at = at

    @transition(
        field=state,
        source=[SeatClaimState.SUBMITTED, SeatClaimState.VERIFIED],
        target=SeatClaimState.REJECTED,
        permission=SEAT_CLAIMS.predicate("reject"),
    )
    def reject(self, *, reason, at):
        self.rejection_reason = reason
        self.rejected_at = at

    @transition(
        field=state,
        source=SeatClaimState.APPROVED,
        target=SeatClaimState.PAID,
        permission=SEAT_CLAIMS.predicate("mark_paid"),
    )
    def mark_paid(self, *, at):
        self.paid_at = at

    @transition(
        field=state,
        source=SeatClaimState.PAID,
        target=SeatClaimState.APPROVED,
        permission=SEAT_CLAIMS.predicate("payment_returned"),
    )
    def payment_returned(self):
        self.paid_at = None


class SeatClaimLine(models.Model):
    """One voucher seat in a month's claim: the fee the operator charged, the days covered and the
    subsidy, min(share × fee, cap) × days covered ÷ days in the month, half-up to the paisa."""

    claim = models.ForeignKey(SeatClaim, on_delete=models.PROTECT, related_name="lines")
    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="claim_lines")
    month = models.DateField(_("month"))
    # False once the claim is rejected: the month of the seat may then be claimed again.
    live = models.BooleanField(default=True)
    fee_charged = models.DecimalField(_("fee charged (PKR)"), **MONEY)
    days_covered = models.PositiveSmallIntegerField(_("days covered"))
    days_in_month = models.PositiveSmallIntegerField(_("days in the month"))
    subsidy = models.DecimalField(_("subsidy (PKR)"), **MONEY)
    freelancer_share = models.DecimalField(_("the freelancer pays (PKR)"), **MONEY)

    class Meta:
        verbose_name = _("seat claim line")
        verbose_name_plural = _("seat claim lines")
        ordering = ["claim", "voucher__reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["voucher", "month"], condition=Q(live=True), name="seatclaimline_once_a_month"
            ),
            models.CheckConstraint(condition=Q(fee_charged__gt=0), name="seatclaimline_fee_positive"),
            models.CheckConstraint(
                condition=Q(days_covered__gte=1, days_covered__lte=F("days_in_month")),
                name="seatclaimline_days_within_month",
            ),
            models.CheckConstraint(
                condition=Q(subsidy__gt=0, subsidy__lte=F("fee_charged")), name="seatclaimline_subsidy_within_fee"
            ),
        ]

    def __str__(self):
        return f"{self.claim_id}/{self.voucher_id}: {self.subsidy}"


class VoucherSequence(models.Model):
    """The last number used for voucher (SV) or seat-claim (SC) references in a year."""

    prefix = models.CharField(max_length=2)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="vouchersequence_one_per_year")]

    def __str__(self):
        return f"{self.prefix}-{self.year}: {self.last}"
