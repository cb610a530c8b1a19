"""What a call page says about its call: open, closing in N days, opens on a date, or closed.

Read from the Call's own dates (Call.is_open is the rule the portal enforces), never stored on the page.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# A call that closes within this many days is shown as "closing in N days".
CLOSING_SOON_DAYS = 14


@dataclass(frozen=True)
class CallStatus:
    code: str  # "upcoming", "open", "closing" or "closed"
    label: str
    is_open: bool
    days_left: int | None = None


def call_status(call, now: dt.datetime | None = None) -> CallStatus:
    now = now or timezone.now()
    if now < call.opens_at:
        opens = date_format(timezone.localtime(call.opens_at), "j F Y")
        return CallStatus("upcoming", _("Opens on %(date)s") % {"date": opens}, is_open=False)
    if not call.is_open(now):
        return CallStatus("closed", _("Closed"), is_open=False)
    # Days are counted in Pakistan time: a call closing tonight at 23:59 "closes today".
    days = (timezone.localdate(call.closes_at) - timezone.localdate(now)).days
    if days <= 0:
        return CallStatus("closing", _("Closes today"), is_open=True, days_left=0)
    if days <= CLOSING_SOON_DAYS:
        label = ngettext("Closing in %(days)d day", "Closing in %(days)d days", days) % {"days": days}
        return CallStatus("closing", label, is_open=True, days_left=days)
    return CallStatus("open", _("Open"), is_open=True, days_left=days)
