"""Program officers' pages for the registry: the queue of companies waiting for verification, and the
spaces applying to join the network (admitted with the checklist, or declined with a reason)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError

from .forms import OperatorVerifyForm, SpaceAdmissionForm
from .models import ADMISSION_CHECKLIST, Operator, Space
from .permissions import SPACES
from .selectors import can_see_identifiers, operators_pending_verification, spaces_applying
from .services import RegistryError, operator_verify, space_admit, space_decline

officer_view = permission_required("spaces.verify_operator", raise_exception=True)


@login_required
@officer_view
def operator_queue(request):
    return render(
        request,
        "spaces/workbench/operator_queue.html",
        {"operators": operators_pending_verification(), "applying": spaces_applying().count()},
    )


@login_required
@officer_view
@require_http_methods(["GET", "POST"])
def operator_verify_view(request, pk):
    operator = get_object_or_404(Operator.objects.prefetch_related("members", "spaces"), pk=pk)
    form = OperatorVerifyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            operator_verify(actor=request.user, operator=operator, note=form.cleaned_data["note"])
        except RegistryError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(name)s is verified.") % {"name": operator.legal_name})
        return redirect("workbench_operators:list")
    return render(
        request,
        "spaces/workbench/operator_verify.html",
        {
            "operator": operator,
            "form": form,
            "show_identifiers": can_see_identifiers(request.user, operator),
            "is_member": operator.members.filter(pk=request.user.pk).exists(),
        },
    )


@login_required
@officer_view
def space_queue(request):
    return render(request, "spaces/workbench/space_queue.html", {"spaces": spaces_applying()})


@login_required
@officer_view
@require_http_methods(["GET", "POST"])
def space_admission_view(request, pk):
    space = get_object_or_404(Space.objects.select_related("operator"), pk=pk)
    form = SpaceAdmissionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        checklist = {item: data[item] for item in ADMISSION_CHECKLIST} | {"seats_found": data["seats_found"]}
        try:
            if data["decision"] == "admit":
                space_admit(actor=request.user, space=space, checklist=checklist, note=data["reason"])
                done = _("%(space)s is admitted to the network.")
            else:
                space_decline(actor=request.user, space=space, checklist=checklist, reason=data["reason"])
                done = _("%(space)s is declined; the company is told why.")
        except DomainError as error:
            for field, errors in error.field_errors.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
            if not error.field_errors:
                form.add_error(None, error.message)
        else:
            messages.success(request, done % {"space": space.name})
            return redirect("workbench_operators:spaces")
    return render(
        request,
        "spaces/workbench/space_admission.html",
        {
            "space": space,
            "operator": space.operator,
            "form": form,
            "may_decide": SPACES.allows(request.user, "admit")
            and space.network_status == Space.NetworkStatus.APPLICANT,
            "is_member": space.operator.members.filter(pk=request.user.pk).exists(),
            "admissions": space.admissions.select_related("decided_by"),
        },
    )
