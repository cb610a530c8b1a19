"""Who visits and who coordinates visits: departments (with the purposes they may name and the law
they cite), the operators' associations, and the officials of both."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.bilingual import in_active_language
from spaces.validators import mask, normalize_cnic, validate_cnic


class Department(models.Model):
    """A government body whose officials inspect premises or serve operators (one-window)."""

    class Level(models.TextChoices):
        FEDERAL = "federal", _("Federal")
        PROVINCIAL = "provincial", _("Provincial (Punjab)")
        DISTRICT = "district", _("District")
        PROGRAM = "program", _("The program itself")
        UTILITY = "utility", _("Utility company")

    code = models.SlugField(_("short name"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=160, unique=True)
    name_ur = models.CharField(_("name in Urdu"), max_length=160, blank=True)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=["federal", "provincial", "district", "program", "utility"]),
                name="department_level_valid",
            )
        ]

    def __str__(self):
        return self.local_name

    @property
    def local_name(self) -> str:
        """The Urdu name on an Urdu page when it is kept, else the English one (forms' choices, pages)."""
        return in_active_language(self.name, self.name_ur)


class VisitPurpose(models.Model):
    """A reason a department may give for visiting a space, with the law that allows it. An inspector
    can only ask for a visit under one of their department's purposes."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="purposes")
    name = models.CharField(_("purpose"), max_length=160)
    name_ur = models.CharField(_("purpose in Urdu"), max_length=160, blank=True)
    legal_basis = models.CharField(
        _("legal basis"),
        max_length=250,
        help_text=_("The law and section that allow the visit, as the department cites it."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("visit purpose")
        verbose_name_plural = _("visit purposes")
        ordering = ["department", "name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="visitpurpose_unique_per_department")
        ]

    def __str__(self):
        return f"{self.department}: {self.local_name}"

    @property
    def local_name(self) -> str:
        return in_active_language(self.name, self.name_ur)


class Association(models.Model):
    """An industry body spaces are registered with (P@SHA, PSEB, a chamber). Visits to its members'
    spaces are coordinated through its liaisons, as the operators asked."""

    code = models.SlugField(_("short name"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=160, unique=True)
    name_ur = models.CharField(_("name in Urdu"), max_length=160, blank=True)

    class Meta:
        verbose_name = _("association")
        verbose_name_plural = _("associations")
        ordering = ["name"]

    def __str__(self):
        return self.local_name

    @property
    def local_name(self) -> str:
        return in_active_language(self.name, self.name_ur)


class AssociationMembership(models.Model):
    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="memberships")
    operator = models.ForeignKey("spaces.Operator", on_delete=models.CASCADE, related_name="association_memberships")
    member_number = models.CharField(_("member number"), max_length=40, blank=True)
    since = models.DateField(_("member since"), null=True, blank=True)

    class Meta:
        verbose_name = _("association membership")
        verbose_name_plural = _("association memberships")
        ordering = ["association", "operator"]
        constraints = [
            models.UniqueConstraint(fields=["association", "operator"], name="membership_once_per_association")
        ]

    def __str__(self):
        return f"{self.operator} ∈ {self.association}"


class Official(models.Model):
    """A person outside the program secretariat who acts in Sahulat: an inspector or desk officer of
    one department, or a liaison of one association. Their role (accounts/roles.py) says what they
    may do; this says for whom they act. The CNIC is shown masked everywhere, as for operators."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="official")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="officials"
    )
    association = models.ForeignKey(
        Association, on_delete=models.PROTECT, null=True, blank=True, related_name="liaisons"
    )
    designation = models.CharField(_("designation"), max_length=120)
    service_number = models.CharField(_("service number"), max_length=40, blank=True)
    office = models.CharField(_("office"), max_length=200, blank=True)
    cnic = models.CharField(
        _("CNIC"), max_length=15, blank=True, validators=[validate_cnic], help_text=_("Written 12345-1234567-1.")
    )

    class Meta:
        verbose_name = _("official")
        verbose_name_plural = _("officials")
        ordering = ["user__full_name"]
        constraints = [
            # One body each: a department's official or an association's liaison, never both or neither.
            models.CheckConstraint(
                condition=(Q(department__isnull=False) & Q(association__isnull=True))
                | (Q(department__isnull=True) & Q(association__isnull=False)),
                name="official_of_one_body",
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.designation}, {self.department or self.association})"

    def clean(self):
        self.cnic = normalize_cnic(self.cnic) if self.cnic else ""

    @property
    def masked_cnic(self) -> str:
        return mask(self.cnic) if self.cnic else ""
