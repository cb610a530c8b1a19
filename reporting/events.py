"""The audit events of report jobs: one catalogue."""

from django.db import models


class ReportEvent(models.TextChoices):
    REQUEST = "report.request"
    START = "report.start"
    BUILD = "report.build"
    FAIL = "report.fail"
