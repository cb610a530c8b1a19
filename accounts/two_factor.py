"""Two-step sign-in (TOTP, django-otp) and recovery codes.

Staff decide on money and on other people's applications, so a stolen password must not be enough:
every account with a confirmed authenticator device must enter a six-digit code after the password,
and where `STAFF_2FA_REQUIRED` is on (production) a staff account without a device is sent to set one
up before it can do anything else. Operators may set one up too; if they do, it is asked for the same
way.

The rules that keep a password alone from reaching the second step (security issue #14):

- Setting up is open only to a person with no confirmed device. A half-signed-in person (password
  right, code not yet given) reaches nothing but the code page and sign-out.
- Replacing the authenticator, removing two-step sign-in and making new recovery codes need a session
  verified with the current device or a recovery code, and a code given in the last
  `STEP_UP_SECONDS`. The new authenticator replaces the old one only once a code from it is confirmed.
- Recovery codes: ten one-time codes (django-otp's static device), shown once, stored only as a keyed
  hash (`recovery_code_hash`); each may be typed at the code prompt instead of a six-digit code.
- Every change (set up, replaced, removed, recovery codes made or used) writes an audit event in its
  transaction and emails the person, in their language, after commit.
- Step-up (`step_up_required`): the gravest actions (approving a payment, confirming a bank statement,
  recording a board decision, writing a loan off) ask again for a code when the last one was given
  more than `STEP_UP_SECONDS` ago. It applies to everyone with a confirmed device; where
  `STAFF_2FA_REQUIRED` is on every staff member has one (the middleware sees to it). People without a
  device (the demo, where the rule is off) act with their password alone, as before.

`TwoFactorMiddleware` enforces the sign-in rule on every request, so no view can forget it.
"""

import base64
import io
import secrets
import time
from functools import wraps
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.crypto import salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import device_classes, devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.events import AccountEvent
from core import workflow

from .roles import STAFF_ROLES
from .services import queue_security_email

DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10
# The time of the last code this session gave (a Unix timestamp): step-up compares it with STEP_UP_SECONDS.
CODE_AT_SESSION_KEY = "accounts_otp_code_at"


class TwoFactorError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Action:
    """The audit events of device changes (from accounts.events)."""

    ENABLE = AccountEvent.TWO_FACTOR_ENABLE
    REPLACE = AccountEvent.TWO_FACTOR_REPLACE
    REMOVE = AccountEvent.TWO_FACTOR_REMOVE
    RECOVERY_CODES_GENERATE = AccountEvent.RECOVERY_CODES_GENERATE
    RECOVERY_CODE_USE = AccountEvent.RECOVERY_CODE_USE


def is_staff_person(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or any(user.has_role(r) for r in STAFF_ROLES)))


def has_confirmed_authenticator(user) -> bool:
    return bool(user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def step_up_seconds() -> int:
    return int(getattr(settings, "STEP_UP_SECONDS", 900))


def code_is_fresh(request) -> bool:
    """True when this session is verified and gave a code within STEP_UP_SECONDS."""
    if not (request.user.is_authenticated and request.user.is_verified()):
        return False
    given_at = request.session.get(CODE_AT_SESSION_KEY)
    return isinstance(given_at, int | float) and time.time() - given_at <= step_up_seconds()


def _mark_code_given(request, device) -> None:
    otp_login(request, device)
    request.session[CODE_AT_SESSION_KEY] = time.time()


# --- the authenticator app ----------------------------------------------------------------------


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


def _lock_user(actor):
    # One device change at a time per person: two set-ups racing must not both confirm.
    return get_user_model().objects.select_for_update().get(pk=actor.pk)


def user_totp_confirm(*, request, actor, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending authenticator with a code from it.

    Before: a pending device exists. A first set-up needs nothing more; replacing a confirmed device
    needs this session verified and a code given within STEP_UP_SECONDS. After: the new device is
    confirmed, any older authenticator removed, the session verified; on a first set-up ten recovery
    codes are made and returned (to be shown once); one audit event and one email.
    """
    with transaction.atomic():
        _lock_user(actor)
        replacing = TOTPDevice.objects.filter(user=actor, confirmed=True).exists()
        if replacing and not code_is_fresh(request):
            raise TwoFactorError(_("Enter a code from your current authenticator app first."))
        device = TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=False).order_by("-pk").first()
        if device is None:
            raise TwoFactorError(_("Start the set-up again: no authenticator is waiting to be confirmed."))
        if not device.verify_token((token or "").strip().replace(" ", "")):
            raise TwoFactorError(_("That code is not right. Check the time on your phone and enter the newest code."))
        TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save()
        codes: list[str] = []
        if replacing:
            workflow.record(actor=actor, event=Action.REPLACE, obj=actor, reason="authenticator app replaced")
            queue_security_email(actor, "two_factor_replace")
        else:
            workflow.record(actor=actor, event=Action.ENABLE, obj=actor, reason="authenticator app confirmed")
            codes = _recovery_codes_replace(actor)
            queue_security_email(actor, "two_factor_enable")
    _mark_code_given(request, device)
    return device, codes


def user_two_factor_remove(*, request, actor) -> None:
    """Turn two-step sign-in off: remove the authenticator and the recovery codes.

    Before: this session verified, a code given within STEP_UP_SECONDS. After: no device; one audit
    event and one email.
    """
    with transaction.atomic():
        _lock_user(actor)
        if not code_is_fresh(request):
            raise TwoFactorError(_("Enter a code from your current authenticator app first."))
        TOTPDevice.objects.filter(user=actor).delete()
        StaticDevice.objects.filter(user=actor).delete()
        workflow.record(actor=actor, event=Action.REMOVE, obj=actor, reason="two-step sign-in turned off")
        queue_security_email(actor, "two_factor_remove")
    request.session.pop(CODE_AT_SESSION_KEY, None)


# --- recovery codes -----------------------------------------------------------------------------


def recovery_code_normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def recovery_code_hash(code: str) -> str:
    """What is stored for a recovery code: a keyed hash (HMAC with SECRET_KEY), 16 base32 letters to
    fit django-otp's StaticToken. A copy of the database alone gives no usable code."""
    digest = salted_hmac("accounts.recovery-code", recovery_code_normalise(code), algorithm="sha256").digest()
    return base64.b32encode(digest[:10]).decode("ascii").lower()


def _recovery_code_make() -> str:
    while True:
        letters = base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()[:10]
        if not letters.isdigit():  # digits alone would be read as an authenticator code
            return f"{letters[:5]}-{letters[5:]}"


def _recovery_codes_replace(actor) -> list[str]:
    """Replace the person's recovery codes with ten new ones (inside the caller's transaction). The
    device is kept, so a session verified with a recovery code stays verified."""
    device, _created = StaticDevice.objects.get_or_create(
        user=actor, defaults={"name": RECOVERY_DEVICE_NAME, "confirmed": True}
    )
    StaticDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    codes = [_recovery_code_make() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=recovery_code_hash(code)) for code in codes)
    workflow.record(actor=actor, event=Action.RECOVERY_CODES_GENERATE, obj=actor, data={"count": RECOVERY_CODE_COUNT})
    return codes


def user_recovery_codes_generate(*, request, actor) -> list[str]:
    """Make ten new recovery codes; the old ones stop working.

    Before: an authenticator is confirmed, this session verified with a code within STEP_UP_SECONDS.
    After: ten new codes (returned once, stored hashed), an audit event, an email.
    """
    with transaction.atomic():
        _lock_user(actor)
        if not TOTPDevice.objects.filter(user=actor, confirmed=True).exists():
            raise TwoFactorError(_("Set up an authenticator app first."))
        if not code_is_fresh(request):
            raise TwoFactorError(_("Enter a code from your current authenticator app first."))
        codes = _recovery_codes_replace(actor)
        queue_security_email(actor, "recovery_codes_generate")
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- the code prompt ----------------------------------------------------------------------------


def user_code_verify(*, request, actor, code: str):
    """Check a code typed at the prompt: six digits from the authenticator, or a recovery code (used
    up once accepted, audited and emailed). Throttled by django-otp after wrong codes."""
    code = (code or "").strip().replace(" ", "")
    if code.isdigit():
        devices = [d for d in devices_for_user(actor, confirmed=True) if isinstance(d, TOTPDevice)]
        candidate = code
    else:
        devices = list(StaticDevice.objects.filter(user=actor, confirmed=True))
        candidate = recovery_code_hash(code)
    for device in devices:
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            raise TwoFactorError(_("Too many wrong codes. Wait a minute, then try the newest code."))
        if not device.verify_token(candidate):
            continue
        if isinstance(device, StaticDevice):
            with transaction.atomic():
                left = device.token_set.count()
                workflow.record(actor=actor, event=Action.RECOVERY_CODE_USE, obj=actor, data={"codes_left": left})
                queue_security_email(actor, "recovery_code_use", {"left": left})
        _mark_code_given(request, device)
        return device
    if code.isdigit():
        raise TwoFactorError(_("That code is not right. Enter the six digits your authenticator app shows now."))
    raise TwoFactorError(_("That recovery code is not right, or it has been used already."))


def has_confirmed_device(user) -> bool:
    """django_otp's user_has_device in one query (it asks each kind of device in turn): this is asked
    on every page of a signed-in person who has not given a code (issue #23)."""
    querysets = [model.objects.devices_for_user(user, confirmed=True).values("pk") for model in device_classes()]
    if not querysets:
        return False
    first, *rest = querysets
    return bool(list(first.union(*rest)[:1]) if rest else first.exists())


def needs_verification(user, *, has_device: bool | None = None) -> bool:
    """`has_device`: has_confirmed_device(user) when the caller already knows it."""
    if not user.is_authenticated or user.is_verified():
        return False
    return has_confirmed_device(user) if has_device is None else has_device


def needs_enrolment(user, *, has_device: bool | None = None) -> bool:
    if not (getattr(settings, "STAFF_2FA_REQUIRED", False) and is_staff_person(user)):
        return False
    return not (has_confirmed_device(user) if has_device is None else has_device)


# --- step-up ------------------------------------------------------------------------------------


def _back_to(request) -> str:
    """Where to return after a step-up code. A GET comes back to itself; a POST (its data cannot be
    replayed safely) comes back to the page whose form was sent, to press the button again."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.META.get("HTTP_REFERER", "")
    if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return referer
    return reverse("accounts:home")


def step_up_required(view):
    """Ask for a fresh code before a grave action (see the module docstring for who is asked).

    Place it under the view's role decorator, so a person without the role is refused first."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if user.is_authenticated:
            if needs_enrolment(user):
                return redirect("accounts:two_factor_setup")
            if has_confirmed_authenticator(user) and not code_is_fresh(request):
                if request.method not in ("GET", "HEAD"):
                    messages.info(request, _("Enter a code from your authenticator app, then press the button again."))
                query = urlencode({"next": _back_to(request)})
                return redirect(f"{reverse('accounts:two_factor_step_up')}?{query}")
        return view(request, *args, **kwargs)

    return wrapped


class TwoFactorMiddleware:
    """Sends a signed-in person to the code page (or, for staff where required, to set-up) before any
    other page. Must come after django_otp's OTPMiddleware.

    A person who still owes a code reaches only the code page and sign-out: never the set-up page,
    which would otherwise let a password alone replace their authenticator."""

    ALWAYS_ALLOWED = ("/static/", "/media/", "/i18n/", "/favicon.ico")
    VERIFY_PAGES = frozenset({"accounts:two_factor_verify", "accounts:logout"})
    ENROL_PAGES = frozenset({"accounts:two_factor_setup", "accounts:logout"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path_info.startswith(self.ALWAYS_ALLOWED):
            # Read with the person (accounts.backends.PersonBackend), before any view could change it.
            # The path is resolved only for someone who owes a code or a set-up (issue #23).
            has_device = getattr(user, "confirmed_device_on_arrival", None)
            if needs_verification(user, has_device=has_device):
                if self._view_name(request.path_info) not in self.VERIFY_PAGES:
                    query = urlencode({"next": request.get_full_path()})
                    return redirect(f"{reverse('accounts:two_factor_verify')}?{query}")
            elif (
                needs_enrolment(user, has_device=has_device)
                and self._view_name(request.path_info) not in self.ENROL_PAGES
            ):
                return redirect("accounts:two_factor_setup")
        return self.get_response(request)

    @staticmethod
    def _view_name(path: str) -> str:
        try:
            return resolve(path).view_name
        except Resolver404:
            return ""
