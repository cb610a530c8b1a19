"""The one-window concern's audit events."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OneWindowEvent(models.TextChoices):
    REQUEST_DRAFTED = "onewindow.drafted", _("Request drafted")
    REQUEST_SUBMITTED = "onewindow.submitted", _("Request submitted")
    REQUEST_WITHDRAWN = "onewindow.withdrawn", _("Request withdrawn")
    REQUEST_STARTED = "onewindow.started", _("Work on the request started")
    REQUEST_INFO_REQUESTED = "onewindow.info_requested", _("Information requested")
    REQUEST_ANSWERED = "onewindow.answered", _("Information given")
    REQUEST_ISSUED = "onewindow.issued", _("Certificate issued")
    REQUEST_REFUSED = "onewindow.refused", _("Request refused")
    CERTIFICATE_CORRECTED = "onewindow.certificate_corrected", _("Certificate corrected")
    REQUEST_DOCUMENT_ADDED = "onewindow.document_added", _("Document added")
    REQUEST_ESCALATED = "onewindow.escalated", _("Request escalated to the coordinator")
    CERTIFICATE_EXPIRY_REMINDED = "onewindow.expiry_reminded", _("Certificate expiry reminder sent")
    # The catalogue, kept by data stewards (onewindow.services.catalogue): one event per kind of row.
    SERVICE_SAVED = "onewindow.service_saved", _("Service saved")
    SERVICE_DOCUMENT_SAVED = "onewindow.service_document_saved", _("Service document saved")
    SERVICE_QUESTION_SAVED = "onewindow.service_question_saved", _("Service question saved")
    BUNDLE_SAVED = "onewindow.bundle_saved", _("Service bundle saved")
