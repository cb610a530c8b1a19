from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import roles
from .forms import EmailAuthenticationForm, ResendVerificationForm, SignInCodeForm, SignUpForm, TokenForm
from .models import User
from .services import (
    AccountError,
    EmailAlreadyVerified,
    user_sign_up,
    user_verification_resend,
    user_verify_email,
)
from .tokens import TokenExpired, TokenInvalid, verify_email_token_read
from .two_factor import (
    TwoFactorError,
    has_confirmed_authenticator,
    needs_verification,
    recovery_codes_left,
    step_up_required,
    totp_pending_device,
    totp_qr_svg,
    totp_secret_text,
    user_code_verify,
    user_recovery_codes_generate,
    user_totp_confirm,
    user_two_factor_remove,
)

# The officers' workbench is built in another package; until its page exists, officers land on the
# queue of companies waiting for verification.
WORKBENCH_PATH = "/workbench/"


def _page_exists(path: str) -> bool:
    """True when `path` is served by a Django view of ours, not Wagtail's catch-all page server."""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.url_name != "wagtail_serve"


def _landing_url(user) -> str | None:
    """Each role lands on its queue. A person with several roles lands on the first listed here."""
    if user.has_role(roles.PROGRAM_OFFICER):
        if _page_exists(WORKBENCH_PATH):
            return WORKBENCH_PATH
        return reverse("workbench_operators:list")
    if user.has_role(roles.FINANCE_MAKER) or user.has_role(roles.FINANCE_CHECKER):
        return reverse("finance:home")
    if user.has_role(roles.BOARD_CHAIR):
        return reverse("grants:workbench_board_agenda")
    if user.has_role(roles.BOARD_REVIEWER):
        return reverse("grants:workbench_reviews")
    if user.has_role(roles.MINISTRY_VIEWER):
        return reverse("reporting:dashboard")
    if user.has_role(roles.INTEGRITY_OFFICER) or user.has_role(roles.INTEGRITY_HEAD):
        return reverse("integrity:grievance_desk")
    if user.has_role(roles.DEPARTMENT_DESK):
        return reverse("onewindow:desk_queue")
    if user.has_role(roles.ONE_WINDOW_COORDINATOR):
        return reverse("onewindow:late_cases")
    if user.has_role(roles.INSPECTOR):
        return reverse("integrity:visit_mine")
    if user.has_role(roles.ASSOCIATION_LIAISON):
        return reverse("integrity:visit_queue")
    if user.has_role(roles.OPERATOR):
        return reverse("portal:dashboard")
    if user.has_role(roles.FREELANCER):
        return reverse("vouchers:home")
    return None


@login_required
def home(request):
    """Where everyone lands after signing in: the work that waits for each of their roles."""
    landing = _landing_url(request.user)
    if landing:
        return redirect(landing)
    role_list = [(code, label) for code, label in roles.ROLE_LABELS.items() if request.user.has_role(code)]
    return render(request, "accounts/home.html", {"roles": role_list})


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


@require_http_methods(["GET", "POST"])
def sign_up(request):
    if request.user.is_authenticated:
        return redirect("accounts:home")
    form = SignUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = user_sign_up(
            email=data["email"],
            full_name=data["full_name"],
            mobile=data["mobile"],
            password=data["password1"],
            language=get_language() or "en",
            signed_up_as=data["signed_up_as"],
        )
        # The same page for a new and a taken address (the owner of a taken one gets an email).
        request.session["signed_up_email"] = user.email if user else data["email"]
        return redirect("accounts:sign_up_done")
    return render(request, "accounts/sign_up.html", {"form": form})


def sign_up_done(request):
    return render(request, "accounts/sign_up_done.html", {"email": request.session.get("signed_up_email", "")})


@require_http_methods(["GET", "POST"])
def verify_email(request, token):
    """GET shows a button; POST confirms. A mail scanner that opens links therefore confirms nothing."""
    if request.method == "POST":
        try:
            user = user_verify_email(token=token)
        except EmailAlreadyVerified as error:
            messages.info(request, error.message)
            return redirect("accounts:login")
        except AccountError as error:
            return _verify_refused(request, error.message)
        login(request, user, backend="accounts.backends.PersonBackend")
        messages.success(request, _("Your email address is confirmed. Welcome to Sahulat."))
        return redirect("accounts:home")

    try:
        user_id, email = verify_email_token_read(token)
    except TokenExpired:
        return _verify_refused(request, _("This link has expired: links last three days. Ask for a new one."))
    except TokenInvalid:
        return _verify_refused(
            request, _("This link is not valid. Check that you copied all of it, or ask for a new one.")
        )
    user = User.objects.filter(pk=user_id, email__iexact=email, is_active=True).first()
    if user is None:
        return _verify_refused(
            request, _("This link is not valid. Check that you copied all of it, or ask for a new one.")
        )
    if user.email_verified_at is not None:
        messages.info(request, _("Your email address is already confirmed. Sign in to continue."))
        return redirect("accounts:login")
    return render(request, "accounts/verify_email.html", {"email": user.email})


def _verify_refused(request, reason):
    return render(request, "accounts/verify_email_refused.html", {"reason": reason}, status=400)


@require_http_methods(["GET", "POST"])
def resend_verification(request):
    form = ResendVerificationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user_verification_resend(email=form.cleaned_data["email"], language=get_language() or "en")
        # The same answer whether or not the address has an account waiting, so the page cannot be
        # used to find out who has signed up.
        messages.success(
            request,
            _(
                "If an account at that address is waiting for confirmation, we have sent it a new link. "
                "Check your inbox and spam folder."
            ),
        )
        return redirect("accounts:login")
    return render(request, "accounts/resend_verification.html", {"form": form})


# --- two-factor sign-in --------------------------------------------------------------------------


def _safe_next(request, default: str) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _show_recovery_codes(request, codes, *, first_time: bool):
    """The only time the codes are shown: they are stored hashed and cannot be shown again."""
    response = render(request, "accounts/recovery_codes.html", {"codes": codes, "first_time": first_time})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Set up an authenticator app (a person with none), or manage it (replace, recovery codes, remove).

    Managing asks for a fresh code first (step-up), so a password alone never reaches it."""
    if has_confirmed_authenticator(request.user):
        return _two_factor_manage(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _device, codes = user_totp_confirm(request=request, actor=request.user, token=form.cleaned_data["token"])
        except TwoFactorError as error:
            form.add_error("token", error.message)
        else:
            messages.success(request, _("Two-step sign-in is on. You will be asked for a code each time you sign in."))
            return _show_recovery_codes(request, codes, first_time=True)
    device = totp_pending_device(request.user)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "qr_svg": totp_qr_svg(device), "secret": totp_secret_text(device), "replacing": False},
    )


@step_up_required
def _two_factor_manage(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user_totp_confirm(request=request, actor=request.user, token=form.cleaned_data["token"])
        except TwoFactorError as error:
            form.add_error("token", error.message)
        else:
            messages.success(request, _("Your new authenticator app is in use. The old one no longer works."))
            return redirect("accounts:two_factor_setup")
    device = totp_pending_device(request.user)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": totp_qr_svg(device),
            "secret": totp_secret_text(device),
            "replacing": True,
            "codes_left": recovery_codes_left(request.user),
        },
    )


@login_required
@step_up_required
@require_POST
def two_factor_recovery_codes(request):
    try:
        codes = user_recovery_codes_generate(request=request, actor=request.user)
    except TwoFactorError as error:
        messages.error(request, error.message)
        return redirect("accounts:two_factor_setup")
    return _show_recovery_codes(request, codes, first_time=False)


@login_required
@step_up_required
@require_POST
def two_factor_remove(request):
    try:
        user_two_factor_remove(request=request, actor=request.user)
    except TwoFactorError as error:
        messages.error(request, error.message)
        return redirect("accounts:two_factor_setup")
    messages.success(request, _("Two-step sign-in is off. Your authenticator app and recovery codes no longer work."))
    return redirect("accounts:home")


def _code_page(request, *, step_up: bool):
    form = SignInCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user_code_verify(request=request, actor=request.user, code=form.cleaned_data["token"])
        except TwoFactorError as error:
            form.add_error("token", error.message)
        else:
            return redirect(_safe_next(request, reverse("accounts:home")))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _safe_next(request, ""), "step_up": step_up},
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    if not needs_verification(request.user):
        return redirect(_safe_next(request, reverse("accounts:home")))
    return _code_page(request, step_up=False)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_step_up(request):
    """A fresh code before a grave action (accounts.two_factor.step_up_required sends people here)."""
    if not has_confirmed_authenticator(request.user):
        return redirect(_safe_next(request, reverse("accounts:home")))
    return _code_page(request, step_up=True)
