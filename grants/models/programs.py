"""Programs, their calls, budget allocations, loan tiers and review rubric."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.bilingual import in_active_language, shown_in_english

from ..documents import DocumentType
from ..fiscal import FiscalYear

MONEY = {"max_digits": 14, "decimal_places": 2}


class Program(models.Model):
    """A funding program: one instrument, its rules, and its budget per fiscal year."""

    class Instrument(models.TextChoices):
        GRANT = "grant", _("Grant")
        SOFT_LOAN = "soft_loan", _("Soft loan")
        UTILITY_SUBSIDY = "utility_subsidy", _("Utility subsidy")
        # Paid per freelancer's seat through the vouchers app's rounds, never through a Call.
        SEAT_VOUCHER = "seat_voucher", _("Seat voucher")

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_ur = models.CharField(
        _("name (Urdu)"), max_length=200, blank=True, help_text=_("Shown on Urdu pages; empty shows the English name.")
    )
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

    # One window (issue #16): a certificate another department issued through Sahulat, checked from
    # its record (onewindow.selectors.requests.valid_certificate) instead of asking for it again.
    # At the fiscal year's end (grants.services.year_end): what is committed but unpaid on an award either
    # lapses (released; the award's remaining payments need a new commitment) or is carried forward into
    # the new year's allocation.
    class YearEndPolicy(models.TextChoices):
        LAPSE = "lapse", _("Lapses at year end")
        CARRY_FORWARD = "carry_forward", _("Carried forward into the new year")

    year_end_policy = models.CharField(
        _("unpaid commitments at year end"),
        max_length=16,
        choices=YearEndPolicy.choices,
        default=YearEndPolicy.LAPSE,
        help_text=_(
            "Lapse: the unpaid part of each award is released on 1 July and re-committed against the new "
            "year's budget before it is paid. Carry forward: it moves into the new year's allocation."
        ),
    )
    required_certificate = models.ForeignKey(
        "onewindow.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("certificate required"),
        help_text=_("A one-window service whose certificate the operator must hold, valid, to be eligible."),
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
                condition=Q(instrument__in=["grant", "soft_loan", "utility_subsidy", "seat_voucher"]),
                name="program_instrument_valid",
            ),
            models.CheckConstraint(condition=Q(min_reviewers__gte=1), name="program_min_reviewers_positive"),
            models.CheckConstraint(condition=Q(board_quorum__gte=1), name="program_board_quorum_positive"),
            models.CheckConstraint(
                condition=Q(year_end_policy__in=["lapse", "carry_forward"]), name="program_year_end_policy_valid"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the active language: the Urdu one on an Urdu page when it is filled in."""
        return in_active_language(self.name, self.name_ur)

    @property
    def name_is_english_on_urdu_page(self) -> bool:
        return shown_in_english(self.name_ur)

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
    # The running total of the commitment ledger (BudgetCommitment), kept by grants/services/decisions.py
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


class BudgetAllocationChange(models.Model):
    """One change of an allocation's amount (append-only): from what, to what, by whom and why. Written
    only by grants.services.budget.budget_allocation_set, which posts the change to the general ledger
    (Dr budget allocation / Cr budget available) in the same transaction; the journal entry's source
    is this row."""

    allocation = models.ForeignKey(BudgetAllocation, on_delete=models.PROTECT, related_name="changes")
    previous_amount = models.DecimalField(_("allocated before (PKR)"), **MONEY)
    amount = models.DecimalField(_("allocated after (PKR)"), **MONEY)
    reason = models.TextField(_("reason"))
    # Empty when a data load (fixtures) set it.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    changed_at = models.DateTimeField(_("changed"))

    class Meta:
        verbose_name = _("budget allocation change")
        verbose_name_plural = _("budget allocation changes")
        ordering = ["allocation", "changed_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=F("previous_amount")), name="allocationchange_changes"),
            models.CheckConstraint(
                condition=Q(amount__gte=0, previous_amount__gte=0), name="allocationchange_nonnegative"
            ),
        ]

    def __str__(self):
        return f"{self.allocation}: {self.previous_amount} -> {self.amount}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Allocation changes are append-only.")
        super().save(*args, **kwargs)

    @property
    def delta(self) -> Decimal:
        return self.amount - self.previous_amount


class FiscalYearClose(models.Model):
    """The close of one fiscal year (grants.services.year_end.fiscal_year_close): once per year, so a
    second run (the scheduler's retry, a steward's command) finds it and does nothing. `summary` holds
    what was lapsed and carried forward, per award, as the report said."""

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year closed (starting year)"), unique=True)
    closed_at = models.DateTimeField(_("closed"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    lapsed = models.DecimalField(_("lapsed (PKR)"), default=Decimal("0"), **MONEY)
    carried_forward = models.DecimalField(_("carried forward (PKR)"), default=Decimal("0"), **MONEY)
    summary = models.JSONField(_("summary"), default=list, blank=True)

    class Meta:
        verbose_name = _("fiscal year close")
        verbose_name_plural = _("fiscal year closes")
        ordering = ["-fiscal_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lapsed__gte=0, carried_forward__gte=0), name="fiscalyearclose_amounts_nonnegative"
            ),
        ]

    def __str__(self):
        return FiscalYear(self.fiscal_year).label

    @property
    def fiscal_year_label(self) -> str:
        return FiscalYear(self.fiscal_year).label


class Call(models.Model):
    """A call for applications to a program, open between two moments, with a quota of awards."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="calls")
    title = models.CharField(_("title"), max_length=200)
    title_ur = models.CharField(
        _("title (Urdu)"),
        max_length=200,
        blank=True,
        help_text=_("Shown on Urdu pages; empty shows the English title."),
    )
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

    @property
    def display_title(self) -> str:
        """The title in the active language: the Urdu one on an Urdu page when it is filled in."""
        return in_active_language(self.title, self.title_ur)

    @property
    def title_is_english_on_urdu_page(self) -> bool:
        return shown_in_english(self.title_ur)

    def clean(self):
        if self.program_id and self.program.instrument == Program.Instrument.SEAT_VOUCHER:
            raise ValidationError(
                {"program": _("A seat-voucher program opens voucher rounds (Vouchers in the admin), not calls.")}
            )

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.opens_at <= at < self.closes_at


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
    title_ur = models.CharField(_("criterion in Urdu"), max_length=120, blank=True)
    guidance = models.TextField(_("what reviewers look for"), blank=True)
    guidance_ur = models.TextField(_("what reviewers look for, in Urdu"), blank=True)
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

    @property
    def display_title(self) -> str:
        """The criterion in the active language: the Urdu one on an Urdu page when it is filled in."""
        return in_active_language(self.title, self.title_ur)

    @property
    def display_guidance(self) -> str:
        return in_active_language(self.guidance, self.guidance_ur)
