"""A person's notifications: the inbox (what needs them, then the notifications grouped by case),
opening one, marking all (or a case's) read, and choosing how each kind reaches them (email, SMS; the
portal always; staff and an operator's people: each email or a daily digest)."""

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
from .needs_you import needs_you_for_request
from .selectors import cases_of, notifications_for, preferences_for
from .services import (
    digest_audience,
    email_delivery_of,
    email_delivery_set,
    notification_mark_read,
    notification_preferences_set,
    notifications_mark_read,
)
from .sms import sms_number

PAGE_SIZE = 200


@login_required
@require_GET
def notification_list(request):
    """The inbox: "what needs you" first (actions with their deadline, from the same selector as the
    dashboard), then the newest notifications grouped by case, each case with its unread count. A
    notification is read when it is opened, or with "mark all read" (for one case or all)."""
    notifications = list(notifications_for(request.user)[:PAGE_SIZE])
    return render(
        request,
        "notifications/list.html",
        {
            "needs": needs_you_for_request(request),
            "cases": cases_of(notifications),
            "unread": sum(1 for n in notifications if not n.is_read),
            "shown": len(notifications),
            "page_size": PAGE_SIZE,
        },
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
    """Mark read every unread notification of the person, or only those of one case (`case`)."""
    case = request.POST.get("case", "")
    marked = notifications_mark_read(actor=request.user, case=case or None)
    if case:
        messages.success(request, _("The notifications of this case are marked read (%(n)s).") % {"n": marked})
    else:
        messages.success(request, _("All your notifications are marked read."))
    return redirect("grants:notification_list")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """One fieldset per kind of notification, with a box for email and one for SMS. SMS needs a mobile
    number that can receive it; without one the boxes are disabled and the page says why."""
    user = request.user
    sms_possible = sms_number(user.mobile) is not None
    audience = digest_audience(user)
    delivery = email_delivery_of(user) if audience else None
    form = PreferencesForm(
        request.POST or None, current=preferences_for(user), sms_possible=sms_possible, delivery=delivery
    )
    if request.method == "POST" and form.is_valid():
        notification_preferences_set(actor=user, choices=form.choices())
        if delivery is not None:
            email_delivery_set(actor=user, mode=form.cleaned_data["email_delivery"])
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
        {
            "form": form,
            "kinds": kinds,
            "sms_possible": sms_possible,
            "has_mobile": bool(user.mobile.strip()),
            "delivery": form["email_delivery"] if delivery is not None else None,
            "digest_audience": audience,
        },
    )
