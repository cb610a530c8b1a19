"""Program officers' pages for the registry: the queue of companies waiting for verification."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .forms import OperatorVerifyForm
from .models import Operator
from .selectors import can_see_identifiers, operators_pending_verification
from .services import RegistryError, operator_verify

officer_view = permission_required("spaces.verify_operator", raise_exception=True)


@login_required
@officer_view
def operator_queue(request):
    return render(request, "spaces/workbench/operator_queue.html", {"operators": operators_pending_verification()})


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
