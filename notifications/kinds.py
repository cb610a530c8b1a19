"""The catalogue of notification kinds and channels: declared once, here.

A notice is written with `notify(..., kind=Kind.X)`. The kind decides which channels a person may
choose (NotificationPreference) and what they get when they have chosen nothing. The portal is
always on. Legal notices (decisions on an application or award, and the program officer's requests
for information, whose clock runs against the operator) are always emailed too, whatever the person
chose: the program must be able to show it told them in writing.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    DECISION = "decision", _("Decisions")
    INFORMATION_REQUEST = "information_request", _("Questions from the program officer")
    PAYMENT = "payment", _("Payments")
    REMINDER = "reminder", _("Reminders of deadlines")
    VISIT = "visit", _("Inspection visits")
    GENERAL = "general", _("Other messages")


class Channel(models.TextChoices):
    EMAIL = "email", _("By email")
    SMS = "sms", _("By SMS")


# What each kind is about, shown under its name on the preferences page.
KIND_HINTS = {
    Kind.DECISION: _("Screening, board decisions and awards on your applications."),
    Kind.INFORMATION_REQUEST: _("A question on your application; its clock is paused until you answer."),
    Kind.PAYMENT: _("Tranches, claims and loan instalments paid or returned."),
    Kind.REMINDER: _("A return, an instalment, an answer or an award acceptance that is due soon or late."),
    Kind.VISIT: _("Visits to your spaces and their outcome."),
    Kind.GENERAL: _("Everything else."),
}

# Always emailed, whatever the preference (award decisions, refusals, information requests).
LEGAL_KINDS = frozenset({Kind.DECISION, Kind.INFORMATION_REQUEST})

# Sent by SMS (to a person with a mobile number) unless they turn it off; other kinds only when asked.
SMS_BY_DEFAULT = frozenset({Kind.DECISION, Kind.INFORMATION_REQUEST, Kind.REMINDER})


def default_enabled(kind: str, channel: str) -> bool:
    """What a person gets on `channel` for `kind` when they have not chosen."""
    if channel == Channel.EMAIL:
        return True  # today's behaviour: every notification is emailed
    return kind in SMS_BY_DEFAULT


def always_on(kind: str, channel: str) -> bool:
    """A channel the person cannot turn off for this kind."""
    return channel == Channel.EMAIL and kind in LEGAL_KINDS
