from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from .geography import DISTRICT_CHOICES, DIVISION_CHOICES, DIVISION_OF, district_in_division_q, place_label
from .permissions import REGISTRY_IMPORT_JOBS, SPACES
from .validators import (
    mask,
    normalize_cnic,
    normalize_iban,
    normalize_mobile,
    normalize_ntn,
    validate_cnic,
    validate_iban,
    validate_mobile,
    validate_ntn,
    validate_secp,
)

PSEB_VALIDATOR = RegexValidator(
    r"^[A-Z0-9][A-Z0-9\-/]{3,19}$",
    _("A PSEB registration number has 4 to 20 capital letters, digits, dashes or slashes."),
)

# A box around Punjab (with a margin): a coordinate outside it is a typing mistake.
PUNJAB_LAT = (Decimal("27.5"), Decimal("34.5"))
PUNJAB_LON = (Decimal("69.0"), Decimal("75.6"))


class Operator(models.Model):
    """A company that runs one or more coworking spaces in the network."""

    class LegalForm(models.TextChoices):
        SOLE_PROPRIETOR = "sole_proprietor", _("Sole proprietorship")
        PARTNERSHIP = "partnership", _("Partnership (AOP)")
        PRIVATE_LIMITED = "private_limited", _("Private limited company")
        SINGLE_MEMBER = "single_member", _("Single-member company (SMC)")
        PUBLIC_LIMITED = "public_limited", _("Public limited company")

    class Verification(models.TextChoices):
        PENDING = "pending", _("Pending verification")
        VERIFIED = "verified", _("Verified")
        SUSPENDED = "suspended", _("Suspended")

    legal_name = models.CharField(_("legal name"), max_length=200)
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices)
    ntn = models.CharField(
        _("NTN"), max_length=9, unique=True, validators=[validate_ntn], help_text=_("Written 1234567-8.")
    )
    secp_registration_number = models.CharField(
        _("SECP registration number"),
        max_length=20,
        blank=True,
        validators=[validate_secp],
        help_text=_("Companies only; sole proprietors and partnerships leave it empty."),
    )
    pseb_registration_number = models.CharField(
        _("PSEB registration number"), max_length=20, blank=True, validators=[PSEB_VALIDATOR]
    )
    principal_name = models.CharField(_("principal's name"), max_length=150)
    principal_cnic = models.CharField(
        _("principal's CNIC"), max_length=15, validators=[validate_cnic], help_text=_("Written 12345-1234567-1.")
    )
    contact_email = models.EmailField(_("contact email"))
    contact_mobile = models.CharField(
        _("contact mobile"), max_length=12, validators=[validate_mobile], help_text=_("Written 03XX-XXXXXXX.")
    )
    bank_account_title = models.CharField(_("bank account title"), max_length=200)
    iban = models.CharField(
        _("bank IBAN"), max_length=24, validators=[validate_iban], help_text=_("24 characters, starting PK.")
    )
    registered_address = models.CharField(_("registered address"), max_length=300)
    verification_status = models.CharField(
        _("verification status"), max_length=12, choices=Verification.choices, default=Verification.PENDING
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    # The IBAN the secretariat checked when it verified the company. Payments compare with this one,
    # not with the last edit: an edited IBAN is unchecked until the company is verified again.
    verified_iban = models.CharField(_("IBAN as verified"), max_length=24, blank=True, editable=False)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="operators",
        blank=True,
        verbose_name=_("staff with portal access"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("operator")
        verbose_name_plural = _("operators")
        ordering = ["legal_name"]
        permissions = [
            ("verify_operator", _("Can verify an operator's registration")),
            ("view_sensitive_identifiers", _("Can see full CNICs and IBANs")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(verification_status__in=["pending", "verified", "suspended"]),
                name="operator_verification_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(verified_at__isnull=True) | Q(verification_status="verified"),
                name="operator_verified_at_only_when_verified",
            ),
        ]

    def __str__(self):
        return self.legal_name

    def clean(self):
        # Store identifiers in one canonical form so that look-ups and uniqueness work.
        from django.core.exceptions import ValidationError

        errors = {}
        for field, normalize in (
            ("ntn", normalize_ntn),
            ("principal_cnic", normalize_cnic),
            ("iban", normalize_iban),
            ("contact_mobile", normalize_mobile),
        ):
            try:
                setattr(self, field, normalize(getattr(self, field)))
            except ValidationError as exc:
                errors[field] = exc.messages
        self.secp_registration_number = (self.secp_registration_number or "").strip().upper()
        self.pseb_registration_number = (self.pseb_registration_number or "").strip().upper()
        needs_secp = self.legal_form in {
            self.LegalForm.PRIVATE_LIMITED,
            self.LegalForm.SINGLE_MEMBER,
            self.LegalForm.PUBLIC_LIMITED,
        }
        if needs_secp and not self.secp_registration_number:
            errors["secp_registration_number"] = [_("A company must give its SECP registration number.")]
        if errors:
            raise ValidationError(errors)

    @property
    def masked_cnic(self) -> str:
        return mask(self.principal_cnic)

    @property
    def masked_iban(self) -> str:
        return mask(self.iban)

    @property
    def is_verified(self) -> bool:
        return self.verification_status == self.Verification.VERIFIED


class Space(models.Model):
    """One coworking space (a physical site) run by an operator."""

    class PowerBackup(models.TextChoices):
        NONE = "none", _("None")
        UPS = "ups", _("UPS only")
        GENERATOR = "generator", _("Generator")
        SOLAR = "solar", _("Solar with batteries")
        SOLAR_GENERATOR = "solar_generator", _("Solar and generator")

    class NetworkStatus(models.TextChoices):
        APPLICANT = "applicant", _("Applying to join")
        ACTIVE = "active", _("Active in the network")
        SUSPENDED = "suspended", _("Suspended")
        EXITED = "exited", _("Left the network")
        DECLINED = "declined", _("Not admitted")

    code = models.CharField(
        _("space code"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{3}-\d{3,4}$", _("A space code is written ABC-001."))],
        help_text=_("Three letters for the district and a number, e.g. LHR-001."),
    )
    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="spaces", verbose_name=_("operator"))
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    division = models.CharField(_("division"), max_length=30, choices=DIVISION_CHOICES)
    district = models.CharField(_("district"), max_length=30, choices=DISTRICT_CHOICES)
    postal_code = models.CharField(
        _("postal code"), max_length=5, blank=True, validators=[RegexValidator(r"^\d{5}$", _("Five digits."))]
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(PUNJAB_LAT[0]), MaxValueValidator(PUNJAB_LAT[1])],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(PUNJAB_LON[0]), MaxValueValidator(PUNJAB_LON[1])],
    )
    seats_offered = models.PositiveIntegerField(
        _("seats offered"), validators=[MinValueValidator(1), MaxValueValidator(5000)]
    )
    private_offices = models.PositiveIntegerField(_("private offices"), default=0)
    meeting_rooms = models.PositiveIntegerField(_("meeting rooms"), default=0)
    internet_bandwidth_mbps = models.PositiveIntegerField(
        _("internet bandwidth (Mbps)"), validators=[MinValueValidator(1), MaxValueValidator(100000)]
    )
    power_backup = models.CharField(_("power backup"), max_length=20, choices=PowerBackup.choices)
    opening_date = models.DateField(_("opening date"))
    # A state machine: admit / decline below (spaces.services.space_admit, space_decline). Not
    # protected: a data steward's registry import still brings in spaces admitted before the system
    # (spaces.services.space_create), but no edit moves a space into or out of "applying to join".
    network_status = FSMField(
        _("network status"), max_length=12, choices=NetworkStatus.choices, default=NetworkStatus.APPLICANT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        ordering = ["division", "district", "name"]
        indexes = [models.Index(fields=["division", "district"]), models.Index(fields=["network_status"])]
        constraints = [
            models.CheckConstraint(condition=district_in_division_q(), name="space_district_in_division"),
            models.CheckConstraint(
                condition=Q(seats_offered__gte=1) & Q(seats_offered__lte=5000), name="space_seats_in_range"
            ),
            models.CheckConstraint(
                condition=Q(latitude__gte=PUNJAB_LAT[0], latitude__lte=PUNJAB_LAT[1])
                & Q(longitude__gte=PUNJAB_LON[0], longitude__lte=PUNJAB_LON[1]),
                name="space_position_in_punjab",
            ),
            models.CheckConstraint(
                condition=Q(network_status__in=["applicant", "active", "suspended", "exited", "declined"]),
                name="space_network_status_valid",
            ),
            models.UniqueConstraint(fields=["operator", "name"], name="space_unique_name_per_operator"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_district_display()})"

    def clean(self):
        from django.core.exceptions import ValidationError

        # The division follows from the district; a mismatch is named rather than silently fixed.
        if self.district and self.district not in DIVISION_OF:
            raise ValidationError({"district": _("%(d)s is not a Punjab district.") % {"d": self.district}})
        if self.district and not self.division:
            self.division = DIVISION_OF[self.district]
        if self.district and self.division and DIVISION_OF[self.district] != self.division:
            raise ValidationError(
                {
                    "district": _("%(district)s is in %(right)s division, not %(given)s.")
                    % {
                        "district": place_label(self.district),
                        "right": place_label(DIVISION_OF[self.district]),
                        "given": place_label(self.division),
                    }
                }
            )

    @property
    def admission(self) -> "SpaceAdmission | None":
        """The latest admission decision (admitted or declined), if an officer took one."""
        return self.admissions.order_by("-decided_at", "-pk").first()

    # --- admission to the network (spaces.services.space_admit / space_decline are the only callers) -

    @transition(
        field=network_status,
        source=NetworkStatus.APPLICANT,
        target=NetworkStatus.ACTIVE,
        permission=SPACES.predicate("admit"),
    )
    def admit(self):
        """The officer checked the site against the admission checklist (a SpaceAdmission row)."""

    @transition(
        field=network_status,
        source=NetworkStatus.APPLICANT,
        target=NetworkStatus.DECLINED,
        permission=SPACES.predicate("decline"),
    )
    def decline(self):
        """The officer declined the space, with a reason the operator reads (a SpaceAdmission row)."""


class SpaceAdmission(models.Model):
    """An officer's admission decision on a space: the checklist as found, who decided and when.

    Admission needs the address verified, the seats counted and the internet checked (ADMISSION_REQUIRED);
    backup power and women's facilities are recorded as found. A decline states its reason.
    """

    class Decision(models.TextChoices):
        ADMITTED = "admitted", _("Admitted")
        DECLINED = "declined", _("Declined")

    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="admissions", verbose_name=_("space"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    address_verified = models.BooleanField(_("address verified on site"), default=False)
    seats_counted = models.BooleanField(_("seats counted"), default=False)
    seats_found = models.PositiveIntegerField(_("seats found"), null=True, blank=True)
    internet_checked = models.BooleanField(_("internet connection checked"), default=False)
    backup_power = models.BooleanField(_("backup power in place"), default=False)
    womens_facilities = models.BooleanField(_("women's facilities in place"), default=False)
    reason = models.TextField(_("reason or note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        verbose_name = _("space admission decision")
        verbose_name_plural = _("space admission decisions")
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=["admitted", "declined"]), name="spaceadmission_decision_valid"
            ),
            models.CheckConstraint(
                condition=~Q(decision="admitted") | Q(address_verified=True, seats_counted=True, internet_checked=True),
                name="spaceadmission_admitted_only_when_checked",
            ),
            models.CheckConstraint(
                condition=~Q(decision="declined") | ~Q(reason=""), name="spaceadmission_declined_says_why"
            ),
        ]

    def __str__(self):
        return f"{self.space.code}: {self.get_decision_display()}"


# What the admission checklist needs before an officer may admit a space (the other items are recorded).
ADMISSION_REQUIRED = ("address_verified", "seats_counted", "internet_checked")
ADMISSION_CHECKLIST = (*ADMISSION_REQUIRED, "backup_power", "womens_facilities")


# The figures of a utilization return, in the order the form, the Excel template and the reports use.
UTILIZATION_FIGURES = (
    "seats_offered",
    "seats_allotted",
    "seat_days_available",
    "seat_days_used",
    "members",
    "women_members",
    "freelancers",
    "startups",
    "meeting_room_hours_available",
    "meeting_room_hours_booked",
)
# (part, whole): the part may never exceed the whole.
UTILIZATION_BOUNDS = (
    ("seats_allotted", "seats_offered"),
    ("seat_days_used", "seat_days_available"),
    ("women_members", "members"),
    ("meeting_room_hours_booked", "meeting_room_hours_available"),
)


class UtilizationReturn(models.Model):
    """What one space reports for one calendar month: seats, their use, members, meeting rooms.

    `month` is the first day of the month. Occupancy = seats allotted / seats offered; utilization =
    seat-days used / seat-days available (the ministry's two headline ratios).
    """

    space = models.ForeignKey(
        Space, on_delete=models.PROTECT, related_name="utilization_returns", verbose_name=_("space")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month the return is for."))
    seats_offered = models.PositiveIntegerField(_("seats offered"))
    seats_allotted = models.PositiveIntegerField(
        _("seats allotted to subsidized members"), help_text=_("At most the seats offered.")
    )
    seat_days_available = models.PositiveIntegerField(
        _("seat-days available"), help_text=_("Seats offered times the days the space was open.")
    )
    seat_days_used = models.PositiveIntegerField(_("seat-days used"), help_text=_("At most the seat-days available."))
    members = models.PositiveIntegerField(_("members"))
    women_members = models.PositiveIntegerField(_("women members"), help_text=_("At most the members."))
    freelancers = models.PositiveIntegerField(_("freelancers"))
    startups = models.PositiveIntegerField(_("startups"))
    meeting_room_hours_available = models.PositiveIntegerField(_("meeting-room hours available"))
    meeting_room_hours_booked = models.PositiveIntegerField(
        _("meeting-room hours booked"), help_text=_("At most the meeting-room hours available.")
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filed by"),
    )
    filed_at = models.DateTimeField(_("filed at"))

    class Meta:
        verbose_name = _("utilization return")
        verbose_name_plural = _("utilization returns")
        ordering = ["-month", "space__name"]
        indexes = [models.Index(fields=["month", "space"], name="utilization_month_space")]
        constraints = [
            models.UniqueConstraint(fields=["space", "month"], name="utilization_one_return_per_space_month"),
            *[
                models.CheckConstraint(condition=Q(**{f"{name}__gte": 0}), name=f"utilization_{name}_gte_0")
                for name in UTILIZATION_FIGURES
            ],
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{part}__lte": models.F(whole)}), name=f"utilization_{part}_bounded"
                )
                for part, whole in UTILIZATION_BOUNDS
            ],
        ]

    def __str__(self):
        return f"{self.space.code} {self.month:%Y-%m}"

    @property
    def occupancy(self) -> float | None:
        return self.seats_allotted / self.seats_offered if self.seats_offered else None

    @property
    def utilization(self) -> float | None:
        return self.seat_days_used / self.seat_days_available if self.seat_days_available else None


class RegistryImportJob(models.Model):
    """A registry file over REGISTRY_IMPORT_BACKGROUND_ROWS rows, imported by the Celery worker.

    The steward previewed the file (a dry run) and confirmed it; the file waits under
    PRIVATE_MEDIA_ROOT (a generated name, never served) until the worker imports it through the same
    resource and services as a small file, in one transaction. Only spaces.import_jobs writes here.
    """

    class Kind(models.TextChoices):
        OPERATORS = "operators", _("Operators")
        SPACES = "spaces", _("Spaces")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported in full")
        FAILED = "failed", _("Failed")

    ACTIVE_STATES = (State.QUEUED, State.RUNNING)

    kind = models.CharField(_("registry"), max_length=10, choices=Kind.choices)
    state = FSMField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("imported by"),
        help_text=_("The data steward who confirmed the import; every row is written in their name."),
    )
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    file_name = models.CharField(_("file name"), max_length=200, help_text=_("As uploaded; display only."))
    file_format = models.CharField(_("file format"), max_length=10)
    stored_path = models.CharField(
        _("stored file"),
        max_length=200,
        blank=True,
        help_text=_("Relative to PRIVATE_MEDIA_ROOT; emptied when the job ends and the file is removed."),
    )
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    rows = models.PositiveIntegerField(_("rows"))
    new_count = models.PositiveIntegerField(_("new"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    skipped_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("registry import job")
        verbose_name_plural = _("registry import jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="registryimportjob_progress_at_most_100"),
            models.CheckConstraint(
                condition=Q(state__in=["queued", "running", "done", "failed"]), name="registryimportjob_state_valid"
            ),
            models.CheckConstraint(condition=Q(kind__in=["operators", "spaces"]), name="registryimportjob_kind_valid"),
            models.CheckConstraint(
                condition=~Q(state="done") | Q(progress=100, error_count=0), name="registryimportjob_done_is_whole"
            ),
            models.CheckConstraint(
                condition=~Q(state="failed") | ~Q(error=""), name="registryimportjob_failed_says_why"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.file_name} ({self.rows:,})"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES

    # --- the state machine (spaces/import_jobs.py is the only caller) ------------------------------
    # A redelivered task (a worker died mid-import; its transaction rolled back) starts a running job again.

    @transition(
        field=state,
        source=[State.QUEUED, State.RUNNING],
        target=State.RUNNING,
        permission=REGISTRY_IMPORT_JOBS.predicate("start"),
    )
    def start(self, *, at):
        self.started_at = at
        self.attempts += 1
        self.progress = 0

    @transition(
        field=state, source=State.RUNNING, target=State.DONE, permission=REGISTRY_IMPORT_JOBS.predicate("finish")
    )
    def finish(self, *, at, new: int, updated: int, skipped: int):
        self.progress = 100
        self.new_count, self.updated_count, self.skipped_count, self.error_count = new, updated, skipped, 0
        self.error = ""
        self.stored_path = ""
        self.finished_at = at

    @transition(
        field=state,
        source=[State.QUEUED, State.RUNNING],
        target=State.FAILED,
        permission=REGISTRY_IMPORT_JOBS.predicate("fail"),
    )
    def fail(self, *, at, error: str, error_count: int):
        self.error = error
        self.error_count = error_count
        self.new_count = self.updated_count = self.skipped_count = 0  # nothing was written
        self.stored_path = ""
        self.finished_at = at
