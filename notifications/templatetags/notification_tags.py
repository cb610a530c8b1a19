from django import template

from notifications.needs_you import needs_you_count_for_request
from notifications.selectors import unread_notifications_for

register = template.Library()


@register.simple_tag
def unread_notification_count(user) -> int:
    """How many unread notifications `user` has (one COUNT query)."""
    return unread_notifications_for(user).count()


@register.simple_tag(takes_context=True)
def needs_you_count(context) -> int:
    """How many things wait for the signed-in person's action (the header's figure): the same list as
    the inbox's "what needs you", counted at most once per request and kept for a few minutes
    (needs_you.needs_you_count_for_request says when it is forgotten)."""
    request = context.get("request")
    return needs_you_count_for_request(request) if request is not None else 0


@register.inclusion_tag("notifications/includes/reviews_not_submitted.html", takes_context=True)
def reviews_not_submitted(context):
    """For the board's page: the reviews not yet submitted before the next meeting, who is late and
    when they were reminded."""
    from notifications.reminders import reviews_not_submitted as rows

    return {"rows": rows(), "request": context.get("request")}
