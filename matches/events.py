"""The match concern's audit events."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MatchEvent(models.TextChoices):
    FOUND = "match.found", _("Match found")
    CLEARED = "match.cleared", _("Match cleared")
    CONFIRMED = "match.confirmed", _("Match confirmed and sent to the integrity office")
    SWEPT = "match.swept", _("Registry swept for duplicates")
