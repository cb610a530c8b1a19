"""Report jobs: one request to build one report (kind, fiscal quarter, format) in the background."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from grants.fiscal import FiscalYear

from .permissions import REPORT_JOBS


class ReportJob(models.Model):
    class Kind(models.TextChoices):
        UTILIZATION = "utilization", _("Space utilization")
        DISBURSEMENTS = "disbursements", _("Disbursements")
        LOANS = "loans", _("Loan portfolio")
        INTEGRITY = "integrity", _("Integrity: visits and grievances")
        ONE_WINDOW = "onewindow", _("One window: other departments' services")

    class Format(models.TextChoices):
        XLSX = "xlsx", _("Excel workbook")
        PDF = "pdf", _("PDF summary")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    ACTIVE_STATES = (State.QUEUED, State.RUNNING)

    kind = models.CharField(_("report"), max_length=20, choices=Kind.choices)
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), help_text=_("The year it starts: 2025 is FY2025-26.")
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    state = FSMField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
        help_text=_("Empty for the scheduled build at the quarter's end."),
    )
    scheduled = models.BooleanField(_("scheduled"), default=False)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    file_path = models.CharField(_("file"), max_length=300, blank=True, help_text=_("Relative to REPORTS_ROOT."))
    size = models.BigIntegerField(_("size (bytes)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="reportjob_quarter_1_to_4"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="reportjob_progress_at_most_100"),
            models.CheckConstraint(
                condition=Q(state__in=["queued", "running", "done", "failed"]), name="reportjob_state_valid"
            ),
            models.CheckConstraint(condition=Q(format__in=["xlsx", "pdf"]), name="reportjob_format_valid"),
            models.CheckConstraint(condition=~Q(state="done") | ~Q(file_path=""), name="reportjob_done_has_file"),
            # The same report is never built twice at once: a second request joins the running build.
            models.UniqueConstraint(
                fields=["kind", "fiscal_year", "quarter", "format"],
                condition=Q(state__in=["queued", "running"]),
                name="reportjob_one_active_build",
            ),
            # The quarter's-end build runs once per report and quarter, however often beat fires.
            models.UniqueConstraint(
                fields=["kind", "fiscal_year", "quarter", "format"],
                condition=Q(scheduled=True),
                name="reportjob_one_scheduled_build",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.quarter_label} ({self.format})"

    @property
    def fiscal_quarter(self):
        return FiscalYear(self.fiscal_year).quarter(self.quarter)

    @property
    def quarter_label(self) -> str:
        return self.fiscal_quarter.label

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES

    # --- the state machine (reporting/services.py is the only caller) ------------------------------
    # A redelivered task starts a running job again (its attempt counter rises).

    @transition(
        field=state,
        source=[State.QUEUED, State.RUNNING],
        target=State.RUNNING,
        permission=REPORT_JOBS.predicate("start"),
    )
    def start(self, *, at):
        self.started_at = at
        self.attempts += 1
        self.progress = 0

    @transition(
        field=state,
        source=[State.QUEUED, State.RUNNING, State.FAILED],
        target=State.DONE,
        permission=REPORT_JOBS.predicate("finish"),
    )
    def finish(self, *, at, file_path: str, size: int):
        self.progress = 100
        self.file_path = file_path
        self.size = size
        self.error = ""
        self.finished_at = at

    @transition(field=state, source=State.RUNNING, target=State.FAILED, permission=REPORT_JOBS.predicate("fail"))
    def fail(self, *, at, error: str):
        self.error = error
        self.finished_at = at

    @property
    def download_name(self) -> str:
        return f"{self.kind}-{self.fiscal_quarter.label.replace(' ', '-')}.{self.format}"
