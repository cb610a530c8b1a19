"""The API's audit events (core.workflow.record): one catalogue, never a formatted string."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiEvent(models.TextChoices):
    CLIENT_REGISTER = "api.client_register", _("API client registered")
    CLIENT_NEW_SECRET = "api.client_new_secret", _("API client given a new secret")
    CLIENT_REVOKE = "api.client_revoke", _("API client revoked")
