"""The service catalogue: what each department does for an operator, what it needs, what it costs
(shown, never collected here), how long it promises to take, and what the operator receives.

Kept by data stewards in the Django admin (through onewindow.services.catalogue, audited) and shown to
everyone at /services/, so an operator knows before asking.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from grants.documents import DocumentType


class Service(models.Model):
    class Outcome(models.TextChoices):
        CERTIFICATE = "certificate", _("A certificate")
        LETTER = "letter", _("A letter")
        REGISTRATION = "registration", _("A registration number")

    department = models.ForeignKey(
        "integrity.Department", on_delete=models.PROTECT, related_name="services", verbose_name=_("department")
    )
    code = models.SlugField(_("short name"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=160)
    name_ur = models.CharField(_("name in Urdu"), max_length=160, blank=True)
    description = models.TextField(_("what it is"))
    description_ur = models.TextField(_("what it is, in Urdu"), blank=True)
    # Legal forms that may ask (spaces.Operator.LegalForm values); empty: every form.
    legal_forms = models.JSONField(_("open to legal forms"), default=list, blank=True)
    fee = models.CharField(
        _("fee as the department publishes it"),
        max_length=200,
        help_text=_("Shown to the operator; nothing is collected through Sahulat."),
    )
    fee_ur = models.CharField(_("fee, in Urdu"), max_length=200, blank=True)
    promised_working_days = models.PositiveSmallIntegerField(
        _("promised time (working days)"), validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    legal_basis = models.CharField(_("law or promise the time comes from"), max_length=250, blank=True)
    legal_basis_ur = models.CharField(_("law or promise, in Urdu"), max_length=250, blank=True)
    outcome = models.CharField(_("what the operator receives"), max_length=20, choices=Outcome.choices)
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"), null=True, blank=True, help_text=_("Empty when what is issued does not expire.")
    )
    is_active = models.BooleanField(_("open for requests"), default=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["department__name", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(promised_working_days__gte=1), name="service_promise_positive"),
            models.CheckConstraint(
                condition=Q(outcome__in=["certificate", "letter", "registration"]), name="service_outcome_valid"
            ),
        ]

    def __str__(self):
        return f"{self.department}: {self.name}"

    @property
    def local_name(self) -> str:
        return self.name_ur if get_language() == "ur" and self.name_ur else self.name

    @property
    def local_description(self) -> str:
        return self.description_ur if get_language() == "ur" and self.description_ur else self.description

    @property
    def local_fee(self) -> str:
        return self.fee_ur if get_language() == "ur" and self.fee_ur else self.fee

    @property
    def local_legal_basis(self) -> str:
        return self.legal_basis_ur if get_language() == "ur" and self.legal_basis_ur else self.legal_basis


class ServiceDocument(models.Model):
    """A document a service needs, of the same types as applications (so one filed once is reused)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="documents")
    document_type = models.CharField(_("document"), max_length=30, choices=DocumentType.choices)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("document a service needs")
        verbose_name_plural = _("documents services need")
        constraints = [
            models.UniqueConstraint(fields=["service", "document_type"], name="servicedocument_once"),
            models.CheckConstraint(
                condition=Q(document_type__in=DocumentType.values), name="servicedocument_type_valid"
            ),
        ]

    def __str__(self):
        return f"{self.service.code}: {self.document_type}"


class ServiceQuestion(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")
        YES_NO = "yes_no", _("Yes or no")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("question"), max_length=250)
    label_ur = models.CharField(_("question in Urdu"), max_length=250, blank=True)
    kind = models.CharField(_("kind of answer"), max_length=10, choices=Kind.choices)
    # For a choice: one option per line, "value|English|Urdu".
    choices = models.TextField(_("choices"), blank=True, help_text=_("One per line: value|English|Urdu."))
    required = models.BooleanField(_("required"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("service question")
        verbose_name_plural = _("service questions")
        ordering = ["service", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["service", "key"], name="servicequestion_key_once"),
            models.CheckConstraint(
                condition=Q(kind__in=["text", "number", "date", "choice", "yes_no"]), name="servicequestion_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.service.code}: {self.key}"

    @property
    def local_label(self) -> str:
        return self.label_ur if get_language() == "ur" and self.label_ur else self.label

    def options(self) -> list[tuple[str, str]]:
        """(value, label in the current language) for a choice question."""
        urdu = get_language() == "ur"
        options = []
        for line in self.choices.splitlines():
            parts = [part.strip() for part in line.split("|")]
            if not parts or not parts[0]:
                continue
            english = parts[1] if len(parts) > 1 and parts[1] else parts[0]
            label = parts[2] if urdu and len(parts) > 2 and parts[2] else english
            options.append((parts[0], label))
        return options


class Bundle(models.Model):
    """Several services asked for in one go (e.g. "open a new space"), each its own case."""

    code = models.SlugField(_("short name"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=160)
    name_ur = models.CharField(_("name in Urdu"), max_length=160, blank=True)
    services = models.ManyToManyField(Service, related_name="bundles", verbose_name=_("services"))

    class Meta:
        verbose_name = _("bundle of services")
        verbose_name_plural = _("bundles of services")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def local_name(self) -> str:
        return self.name_ur if get_language() == "ur" and self.name_ur else self.name
