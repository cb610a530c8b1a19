"""The sections of an application: grant, loan and utility details, and its documents."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from core.files import StoredFile
from loans.schedules import Grace

from ..documents import DocumentType
from ..storage import application_document_path, private_document_storage
from .applications import Application
from .programs import MONEY, LoanTier


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
    """What the borrower pays during grace months (loans.schedules.Grace). The loan book
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
