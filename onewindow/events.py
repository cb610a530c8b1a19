"""The one-window concern's audit events."""

from django.db import models


class OneWindowEvent(models.TextChoices):
    REQUEST_DRAFTED = "onewindow.drafted"
    REQUEST_SUBMITTED = "onewindow.submitted"
    REQUEST_WITHDRAWN = "onewindow.withdrawn"
    REQUEST_STARTED = "onewindow.started"
    REQUEST_INFO_REQUESTED = "onewindow.info_requested"
    REQUEST_ANSWERED = "onewindow.answered"
    REQUEST_ISSUED = "onewindow.issued"
    REQUEST_REFUSED = "onewindow.refused"
    CERTIFICATE_CORRECTED = "onewindow.certificate_corrected"
    REQUEST_DOCUMENT_ADDED = "onewindow.document_added"
    REQUEST_ESCALATED = "onewindow.escalated"
    CERTIFICATE_EXPIRY_REMINDED = "onewindow.expiry_reminded"
    # The catalogue, kept by data stewards (onewindow.services.catalogue): one event per kind of row.
    SERVICE_SAVED = "onewindow.service_saved"
    SERVICE_DOCUMENT_SAVED = "onewindow.service_document_saved"
    SERVICE_QUESTION_SAVED = "onewindow.service_question_saved"
    BUNDLE_SAVED = "onewindow.bundle_saved"
