"""Two-factor sign-in (TOTP, django-otp) for staff.

Staff decide on money and on other people's applications, so a stolen password must not be enough:
every staff account with a confirmed authenticator device must enter a six-digit code after the
password, and where `STAFF_2FA_REQUIRED` is on (production) a staff account without a device is sent
to set one up before it can do anything else. Operators may set one up too; if they do, it is asked
for the same way.

Writes go through the services below (each audited); `TwoFactorMiddleware` enforces the rule on every
request, so no view can forget it.
"""

import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import audit_record

from .roles import STAFF_ROLES

DEVICE_NAME = "Authenticator app"


class TwoFactorError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def is_staff_person(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or any(user.has_role(r) for r in STAFF_ROLES)))


def totp_pending_device(user) -> TOTPDevice:
    """The unconfirmed device being set up (made once, reused until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def totp_qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code (nothing leaves the server)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode("utf-8")


def totp_secret_text(device: TOTPDevice) -> str:
    """The secret as base32 in groups of four, for typing into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def user_totp_confirm(*, request, actor, token: str) -> TOTPDevice:
    """Confirm the pending device with a code from the app. After: the device is confirmed, any older
    device is removed, and this session counts as verified."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=False).order_by("-pk").first()
        if device is None:
            raise TwoFactorError(_("Start the set-up again: no authenticator is waiting to be confirmed."))
        if not device.verify_token((token or "").strip().replace(" ", "")):
            raise TwoFactorError(_("That code is not right. Check the time on your phone and enter the newest code."))
        TOTPDevice.objects.filter(user=actor, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save()
        audit_record(actor=actor, action="user.two_factor_enable", obj=actor, reason="authenticator app confirmed")
    otp_login(request, device)
    return device


def user_totp_verify(*, request, actor, token: str) -> TOTPDevice:
    """Check the sign-in code against the person's confirmed devices (throttled by django-otp)."""
    for device in devices_for_user(actor, confirmed=True):
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            raise TwoFactorError(_("Too many wrong codes. Wait a minute, then try the newest code."))
        if device.verify_token((token or "").strip().replace(" ", "")):
            otp_login(request, device)
            return device
    raise TwoFactorError(_("That code is not right. Enter the six digits your authenticator app shows now."))


def needs_verification(user) -> bool:
    return user.is_authenticated and user_has_device(user) and not user.is_verified()


def needs_enrolment(user) -> bool:
    return getattr(settings, "STAFF_2FA_REQUIRED", False) and is_staff_person(user) and not user_has_device(user)


class TwoFactorMiddleware:
    """Sends a signed-in person to the code page (or, for staff where required, to set-up) before any
    other page. Must come after django_otp's OTPMiddleware."""

    ALWAYS_ALLOWED = ("/static/", "/media/", "/i18n/", "/favicon.ico")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self._allowed(request.path_info):
            if needs_verification(user):
                return redirect(f"{reverse('accounts:two_factor_verify')}?next={request.get_full_path()}")
            if needs_enrolment(user):
                return redirect("accounts:two_factor_setup")
        return self.get_response(request)

    OWN_PAGES = frozenset({"accounts:two_factor_verify", "accounts:two_factor_setup", "accounts:logout"})

    def _allowed(self, path: str) -> bool:
        if path.startswith(self.ALWAYS_ALLOWED):
            return True
        try:
            return resolve(path).view_name in self.OWN_PAGES
        except Resolver404:
            return False
