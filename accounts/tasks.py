"""Background work for accounts. Tasks take ids, never objects, and are safe to run twice."""

import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .tokens import VERIFY_EMAIL_MAX_AGE, verify_email_token_make


def _site_url() -> str:
    # The public address of the site; SITE_URL when a deployment sets it, else Wagtail's base URL.
    return (getattr(settings, "SITE_URL", "") or settings.WAGTAILADMIN_BASE_URL).rstrip("/")


@shared_task(autoretry_for=(smtplib.SMTPException, ConnectionError), retry_backoff=True, max_retries=5)
def send_verification_email(user_id: int, language: str = "en") -> str:
    """Email a fresh verification link. Does nothing for an account that is gone or already verified."""
    from .models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.email_verified_at is not None:
        return "skipped"
    with translation.override(language):
        token = verify_email_token_make(user_id=user.pk, email=user.email)
        link = _site_url() + reverse("accounts:verify_email", kwargs={"token": token})
        context = {"user": user, "link": link, "days": VERIFY_EMAIL_MAX_AGE.days}
        subject = render_to_string("accounts/email/verify_email_subject.txt", context).strip()
        body = render_to_string("accounts/email/verify_email.txt", context)
    send_mail(subject, body, None, [user.email])
    return "sent"


@shared_task(autoretry_for=(smtplib.SMTPException, ConnectionError), retry_backoff=True, max_retries=5)
def send_security_email(user_id: int, kind: str, data: dict | None = None) -> str:
    """Tell a person, in their language, about a change to their account's security (a device set up,
    replaced or removed, recovery codes made or used, a password reset) or a sign-up with their address."""
    from .messages import SECURITY_SUBJECTS, SECURITY_TEXTS
    from .models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or kind not in SECURITY_SUBJECTS:
        return "skipped"
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "kind": kind,
            "text": str(SECURITY_TEXTS[kind]),
            "data": data or {},
            "sign_in_link": _site_url() + reverse("accounts:login"),
            "reset_link": _site_url() + reverse("accounts:password_reset"),
            "two_factor_link": _site_url() + reverse("accounts:two_factor_setup"),
        }
        subject = str(SECURITY_SUBJECTS[kind])
        body = render_to_string("accounts/email/security.txt", context)
    send_mail(subject, body, None, [user.email])
    return "sent"
