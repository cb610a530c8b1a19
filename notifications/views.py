"""A person's notifications: the list (unread ones marked "new" and then read), opening one, and
marking all read."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import translate_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, get_language_from_path, override
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .selectors import notifications_for, unread_notifications_for
from .services import notification_mark_read

PAGE_SIZE = 50


@login_required
@require_GET
def notification_list(request):
    """The newest notifications. Those unread until now are shown as new, then marked read: seeing
    the list is reading them (each is short; the full text is on the page)."""
    notifications = list(notifications_for(request.user)[:PAGE_SIZE])
    new_ids = {n.pk for n in notifications if not n.is_read}
    for notification in notifications:
        if notification.pk in new_ids:
            notification_mark_read(notification=notification, actor=request.user)
    return render(
        request,
        "notifications/list.html",
        {"notifications": notifications, "new_ids": new_ids, "page_size": PAGE_SIZE},
    )


@login_required
@require_GET
def notification_open(request, pk):
    """Open one notification's link (only one's own; 404 otherwise), marking it read."""
    notification = get_object_or_404(notifications_for(request.user), pk=pk)
    reading = get_language()
    notification_mark_read(notification=notification, actor=request.user)
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        # The link was written in the recipient's language then; open it in the language being read now
        # (translate_url resolves the path in the language it names).
        with override(get_language_from_path(notification.url) or settings.LANGUAGE_CODE):
            link = translate_url(notification.url, reading)
        return redirect(link)
    return redirect("grants:notification_list")


@login_required
@require_POST
def mark_all_read(request):
    unread = list(unread_notifications_for(request.user))
    for notification in unread:
        notification_mark_read(notification=notification, actor=request.user)
    messages.success(request, _("All your notifications are marked read."))
    return redirect("grants:notification_list")
