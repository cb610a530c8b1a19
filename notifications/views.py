"""A person's notifications: the list (unread ones marked "new" and then read), opening one, marking
all read, and choosing how each kind reaches them (email, SMS; the portal always)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import translate_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, get_language_from_path, override
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .forms import PreferencesForm, field_name
from .kinds import KIND_HINTS, LEGAL_KINDS, Channel, Kind
from .selectors import notifications_for, preferences_for, unread_notifications_for
from .services import notification_mark_read, notification_preferences_set
from .sms import sms_number

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


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """One fieldset per kind of notification, with a box for email and one for SMS. SMS needs a mobile
    number that can receive it; without one the boxes are disabled and the page says why."""
    user = request.user
    sms_possible = sms_number(user.mobile) is not None
    form = PreferencesForm(request.POST or None, current=preferences_for(user), sms_possible=sms_possible)
    if request.method == "POST" and form.is_valid():
        notification_preferences_set(actor=user, choices=form.choices())
        messages.success(request, _("Your choices are saved."))
        return redirect("grants:notification_preferences")
    kinds = [
        {
            "kind": kind,
            "label": kind.label,
            "hint": KIND_HINTS[kind],
            "legal": kind in LEGAL_KINDS,
            "email": form[field_name(kind, Channel.EMAIL)],
            "sms": form[field_name(kind, Channel.SMS)],
        }
        for kind in Kind
    ]
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "kinds": kinds, "sms_possible": sms_possible, "has_mobile": bool(user.mobile.strip())},
    )
