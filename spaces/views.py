"""The operator portal: a company's staff register it and its spaces and see what they need to do next.

Every URL that names a company or a space looks it up through a selector filtered by membership, so a
person who does not act for that company gets 404 — the same answer as for an id that does not exist.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import select_template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import roles
from audit.selectors import audit_events_for

from .forms import OperatorForm, SpaceForm
from .models import Operator
from .needed_next import operator_owed_actions
from .selectors import can_see_identifiers, operator_for_member, operator_spaces, operators_for_user, spaces_for_user
from .services import (
    OPERATOR_EDITABLE_FIELDS,
    RegistryError,
    operator_register,
    operator_update,
    space_create,
    space_update,
)

# The applications engineer adds the first template; until then the dashboard shows a placeholder.
APPLICATIONS_PANEL_TEMPLATES = ["grants/portal/dashboard_applications.html", "spaces/portal/_applications.html"]


def portal_view(view):
    """Signed in, with the operator role. Other roles get 403: the portal is not their place."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.has_role(roles.OPERATOR):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field it names, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def next_steps(operator: Operator | None, spaces) -> list[dict]:
    """What the company's staff need to do next, in order, as far as the registry can tell."""
    steps = []
    if operator is None:
        steps.append({"text": _("Register your company"), "url": reverse("portal:operator_register")})
        return steps
    if operator.verification_status == Operator.Verification.PENDING:
        steps.append(
            {
                "text": _("Your company is waiting for the secretariat to verify it. You can add spaces meanwhile."),
                "tag": _("Waiting for verification"),
                "tag_class": "tag--warn",
            }
        )
    elif operator.verification_status == Operator.Verification.SUSPENDED:
        steps.append(
            {
                "text": _("Your company is suspended. Contact the program secretariat."),
                "tag": _("Suspended"),
                "tag_class": "tag--bad",
            }
        )
    if not spaces and operator.verification_status != Operator.Verification.SUSPENDED:
        steps.append({"text": _("Add your first space"), "url": reverse("portal:space_create", args=[operator.pk])})
    return steps


@portal_view
def dashboard(request):
    operator = operators_for_user(request.user).first()
    spaces = list(operator_spaces(operator)) if operator else []
    return render(
        request,
        "spaces/portal/dashboard.html",
        {
            "operator": operator,
            "spaces": spaces,
            "next_steps": next_steps(operator, spaces),
            "owed_actions": operator_owed_actions(operator),
            "applications_panel": select_template(APPLICATIONS_PANEL_TEMPLATES),
        },
    )


@portal_view
@require_http_methods(["GET", "POST"])
def operator_register_view(request):
    if operators_for_user(request.user).exists():
        messages.info(request, _("You already act for a company. One account acts for one company."))
        return redirect("portal:dashboard")
    form = OperatorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        details = {name: form.cleaned_data[name] for name in OPERATOR_EDITABLE_FIELDS}
        try:
            operator = operator_register(actor=request.user, details=details)
        except ValidationError as error:
            add_service_errors(form, error)
        except RegistryError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(name)s is registered. The secretariat will verify it; you can add its spaces now.")
                % {"name": operator.legal_name},
            )
            return redirect("portal:dashboard")
    return render(request, "spaces/portal/operator_form.html", {"form": form, "operator": None})


@portal_view
def operator_detail(request, pk):
    operator = get_object_or_404(operator_for_member(request.user, pk))
    return render(
        request,
        "spaces/portal/operator_detail.html",
        {
            "operator": operator,
            "spaces": operator_spaces(operator),
            "show_identifiers": can_see_identifiers(request.user, operator),
            "events": audit_events_for(operator),
        },
    )


@portal_view
@require_http_methods(["GET", "POST"])
def operator_update_view(request, pk):
    operator = get_object_or_404(operator_for_member(request.user, pk))
    form = OperatorForm(request.POST if request.method == "POST" else None, instance=operator)
    if request.method == "POST" and form.is_valid():
        details = {name: form.cleaned_data[name] for name in OPERATOR_EDITABLE_FIELDS}
        was_verified = operator.verification_status
        try:
            updated = operator_update(actor=request.user, operator=operator, details=details)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if was_verified == Operator.Verification.VERIFIED and not updated.is_verified:
                messages.warning(
                    request,
                    _("You changed details the secretariat had verified, so it will verify your company again."),
                )
            else:
                messages.success(request, _("The company's details are saved."))
            return redirect("portal:operator_detail", pk=updated.pk)
    return render(request, "spaces/portal/operator_form.html", {"form": form, "operator": operator})


@portal_view
@require_http_methods(["GET", "POST"])
def space_create_view(request, pk):
    operator = get_object_or_404(operator_for_member(request.user, pk))
    form = SpaceForm(request.POST if request.method == "POST" else None, operator=operator)
    if request.method == "POST" and form.is_valid():
        try:
            space = space_create(actor=request.user, operator=operator, details=form.details())
        except ValidationError as error:
            add_service_errors(form, error)
        except RegistryError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(name)s is added.") % {"name": space.name})
            return redirect("portal:space_detail", pk=space.pk)
    return render(request, "spaces/portal/space_form.html", {"form": form, "operator": operator, "space": None})


@portal_view
def space_detail(request, pk):
    space = get_object_or_404(spaces_for_user(request.user), pk=pk)
    return render(request, "spaces/portal/space_detail.html", {"space": space, "operator": space.operator})


@portal_view
@require_http_methods(["GET", "POST"])
def space_update_view(request, pk):
    space = get_object_or_404(spaces_for_user(request.user), pk=pk)
    form = SpaceForm(request.POST if request.method == "POST" else None, instance=space, operator=space.operator)
    if request.method == "POST" and form.is_valid():
        try:
            space = space_update(actor=request.user, space=space, details=form.details())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The space's details are saved."))
            return redirect("portal:space_detail", pk=space.pk)
    return render(request, "spaces/portal/space_form.html", {"form": form, "operator": space.operator, "space": space})
