from django import template

from notifications.selectors import unread_notifications_for

register = template.Library()


@register.simple_tag
def unread_notification_count(user) -> int:
    """How many unread notifications `user` has (one COUNT query), for the navigation."""
    return unread_notifications_for(user).count()
