"""The audit events of report jobs: one catalogue."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportEvent(models.TextChoices):
    REQUEST = "report.request", _("Report requested")
    START = "report.start", _("Report started")
    BUILD = "report.build", _("Report built")
    FAIL = "report.fail", _("Report failed")
