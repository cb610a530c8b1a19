"""Template helpers for application pages: money, clocks, state tags, timeline labels, and the
operator dashboard's applications panel (the dashboard view belongs to spaces/, so the panel loads
its own rows through the selector)."""

import datetime as dt

from django import template
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core import labels
from grants import money
from grants.models import ApplicationState

register = template.Library()

S = ApplicationState
STATE_TAG = {
    S.DRAFT: "",
    S.SUBMITTED: "tag--warn",
    S.SCREENING: "tag--warn",
    S.INFO_REQUESTED: "tag--bad",
    S.IN_REVIEW: "tag--warn",
    S.RECOMMENDED: "tag--ok",
    S.APPROVED: "tag--ok",
    S.SCREENED_OUT: "tag--bad",
    S.REJECTED: "tag--bad",
    S.WITHDRAWN: "",
}


@register.filter
def has_role(user, role: str) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(role))


@register.filter
def pkr(amount) -> str:
    return money.pkr(amount)


@register.filter
def duration(value) -> str:
    """A timedelta in words: '3 days', '5 hours', '12 minutes', 'less than a minute'."""
    if value is None:
        return ""
    if not isinstance(value, dt.timedelta):
        return str(value)
    seconds = max(int(value.total_seconds()), 0)
    days, hours, minutes = seconds // 86400, seconds // 3600, seconds // 60
    if days:
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if hours:
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    if minutes:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    return str(_("less than a minute"))


@register.filter
def state_tag(state: str) -> str:
    return STATE_TAG.get(state, "")


@register.filter
def state_label(state: str, object_type: str = "") -> str:
    return labels.state_label(state, object_type)


@register.filter
def event_label(action: str) -> str:
    return labels.event_label(action)


@register.simple_tag
def clock_of(application):
    return application.clock()


@register.simple_tag
def operator_application_rows(user, limit: int = 10) -> list[dict]:
    """The operator dashboard's rows: the `limit` most recent applications, each with its clock and
    what is needed next. A fixed number of queries whatever the number of applications."""
    from grants.selectors import operator_applications, page_of
    from grants.views.applications import application_rows

    if not getattr(user, "is_authenticated", False):
        return []
    return application_rows(page_of(operator_applications(user=user), page_number=1, per_page=limit).object_list)


@register.filter
def claim_column(column: str) -> str:
    """A claims sheet's column, as the page calls it ("Units", "Bill file")."""
    from ..claim_upload import column_label

    return column_label(column)
