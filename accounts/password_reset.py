"""The project's own password reset for operators and staff (Django's views, our templates and rules).

- The same answer whether or not an account has the address, so the page tells nobody who has one.
- Throttled: at most PASSWORD_RESET_LIMIT_PER_HOUR requests an hour from one client address (told
  plainly, as it reveals nothing about accounts) and for one email address (silently: the answer stays
  the same, no more mail is sent), so the page can be used neither to probe nor to flood a mailbox.
- A completed reset is audited and the owner told by email. Two-step sign-in is untouched: a new
  password alone still leads to the code prompt.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.db import transaction
from django.shortcuts import render
from django.urls import reverse_lazy

from accounts.events import AccountEvent
from core import workflow

from .axes import client_ip_address
from .services import queue_security_email

THROTTLE_SECONDS = 60 * 60


def _limit() -> int:
    return int(getattr(settings, "PASSWORD_RESET_LIMIT_PER_HOUR", 5))


def _take(key: str) -> bool:
    """Count one request against `key`; False once the hour's allowance is spent."""
    cache.add(key, 0, THROTTLE_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, THROTTLE_SECONDS)
        count = 1
    return count <= _limit()


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        address = client_ip_address(self.request) or "unknown"
        if not _take(f"accounts:password-reset:ip:{address}"):
            return render(self.request, "accounts/password_reset_throttled.html", status=429)
        email = form.cleaned_data["email"].strip().lower()
        if not _take(f"accounts:password-reset:email:{email}"):
            return super(auth_views.PasswordResetView, self).form_valid(form)  # the same answer, no mail
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            workflow.record(actor=form.user, event=AccountEvent.PASSWORD_RESET, obj=form.user, reason="reset link used")
            queue_security_email(form.user, "password_reset_done")
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
