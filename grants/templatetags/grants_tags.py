"""Template helpers for application pages: money, clocks, state tags, timeline labels, and the
operator dashboard's applications panel (the dashboard view belongs to spaces/, so the panel loads
its own rows through the selector)."""

import datetime as dt

from django import template
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

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

EVENT_LABELS = {
    "application.create": _("Application started"),
    "application.save_grant_details": _("Grant details saved"),
    "application.save_budget_lines": _("Budget saved"),
    "application.save_milestones": _("Milestones saved"),
    "application.save_loan_details": _("Loan terms saved"),
    "application.save_utility_connections": _("Connections saved"),
    "application.upload_document": _("Document uploaded"),
    "application.remove_document": _("Document removed"),
    "application.submit": _("Submitted"),
    "application.start_screening": _("Screening started"),
    "application.request_information": _("Information requested"),
    "application.answer_information": _("Information given"),
    "application.screen_out": _("Screened out"),
    "application.send_to_review": _("Sent to review"),
    "application.assign_reviewers": _("Reviewers assigned"),
    "application.recommend": _("All reviews in: recommended to the board"),
    "application.approve": _("Approved by the board"),
    "application.approve_delegated": _("Approved by the program officer (delegated limit)"),
    "application.reject": _("Not approved by the board"),
    "application.defer": _("Board decision deferred"),
    "award.offer": _("Award offered"),
    "award.accept": _("Award accepted"),
    "application.withdraw": _("Withdrawn"),
    "tranche.schedule": _("Tranche schedule made"),
    "tranche.request": _("Tranche requested"),
    "tranche.return": _("Tranche evidence returned"),
    "tranche.verify": _("Tranche verified: payment requested"),
    "tranche.paid": _("Tranche paid"),
    "tranche.pay_again": _("Tranche payment asked for again"),
    "tranche.payment_returned": _("Tranche payment returned by the bank"),
    "claim.submit": _("Utility claim filed"),
    "claim.verify": _("Utility claim verified"),
    "claim.approve": _("Utility claim approved: payment requested"),
    "claim.reject": _("Utility claim rejected"),
    "claim.paid": _("Utility claim paid"),
    "claim.pay_again": _("Utility claim payment asked for again"),
    "claim.payment_returned": _("Utility claim payment returned by the bank"),
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
def state_label(state: str) -> str:
    from grants.models import AwardState

    if state in S.values:
        return str(S(state).label)
    from grants.models import TrancheState, UtilityClaimState

    for states in (AwardState, TrancheState, UtilityClaimState):
        if state in states.values:
            return str(states(state).label)
    return state


@register.filter
def event_label(action: str) -> str:
    return str(EVENT_LABELS.get(action, action))


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
