"""Utilization returns in the operator portal (/portal/utilization/) and the officers' list of spaces
that have not filed (/workbench/utilization/).

Spaces are looked up through the membership selector: another company's space is 404, the same answer
as an id that does not exist.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import roles

from .forms_utilization import MonthForm, UtilizationReturnForm, UtilizationUploadForm
from .models import UTILIZATION_FIGURES, UtilizationReturn
from .selectors import operators_for_user, spaces_for_user
from .utilization import (
    UtilizationAlreadyFiled,
    UtilizationError,
    last_closed_month,
    month_label,
    month_problem,
    parse_month,
    utilization_import_apply,
    utilization_return_file,
)
from .utilization_excel import read_upload, template_workbook
from .utilization_selectors import spaces_without_return
from .views import add_service_errors, portal_view

SESSION_KEY = "utilization_upload"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _operator_or_redirect(request):
    operator = operators_for_user(request.user).first()
    if operator is None:
        messages.info(request, _("Register your company first; then you can file its utilization returns."))
    return operator


def _chosen_month(request):
    form = MonthForm(request.GET or None)
    if form.is_valid():
        return form, form.cleaned_data["month"]
    return MonthForm(initial={"month": last_closed_month().strftime("%Y-%m")}), last_closed_month()


@portal_view
@require_GET
def overview(request):
    operator = _operator_or_redirect(request)
    if operator is None:
        return redirect("portal:dashboard")
    form, month = _chosen_month(request)
    spaces = list(operator.spaces.order_by("name"))
    filed = {
        r.space_id: r
        for r in UtilizationReturn.objects.filter(space__operator=operator, month=month).select_related("filed_by")
    }
    rows = [{"space": s, "filed": filed.get(s.pk), "problem": month_problem(s, month)} for s in spaces]
    return render(
        request,
        "spaces/portal/utilization_overview.html",
        {"operator": operator, "form": form, "month": month, "month_label": month_label(month), "rows": rows},
    )


@portal_view
@require_http_methods(["GET", "POST"])
def return_form(request, pk, year, month):
    space = get_object_or_404(spaces_for_user(request.user), pk=pk)
    month_date = parse_month(f"{year}-{month:02d}")
    if month_date is None:
        raise Http404
    problem = month_problem(space, month_date)
    existing = UtilizationReturn.objects.filter(space=space, month=month_date).select_related("filed_by").first()
    if problem:
        return render(
            request,
            "spaces/portal/utilization_form.html",
            {"space": space, "month": month_date, "month_label": month_label(month_date), "refusal": problem},
            status=400,
        )
    replacing = existing is not None and (request.method == "POST" or request.GET.get("replace") == "1")
    initial = (
        {name: getattr(existing, name) for name in UTILIZATION_FIGURES}
        if existing
        else {"seats_offered": space.seats_offered}
    )
    form = UtilizationReturnForm(
        request.POST if request.method == "POST" else None,
        month=month_date,
        existing=existing if replacing else None,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            utilization_return_file(
                actor=request.user, space=space, month=month_date, figures=form.figures(), replace=existing is not None
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except UtilizationError as error:
            form.add_error(None, error.message)
        else:
            if existing:
                text = _("The return of %(space)s for %(month)s is replaced.")
            else:
                text = _("The return of %(space)s for %(month)s is filed.")
            messages.success(request, text % {"space": space.name, "month": month_label(month_date)})
            return redirect(reverse("portal:utilization") + f"?month={month_date:%Y-%m}")
    return render(
        request,
        "spaces/portal/utilization_form.html",
        {
            "space": space,
            "month": month_date,
            "month_label": month_label(month_date),
            "existing": existing,
            "show_form": existing is None or replacing,
            "form": form,
            "figures": UTILIZATION_FIGURES,
        },
    )


@portal_view
@require_GET
def template_download(request):
    operator = _operator_or_redirect(request)
    if operator is None:
        return redirect("portal:dashboard")
    form = MonthForm(request.GET or None)
    if not form.is_valid():
        messages.error(request, _("Choose a month that has ended."))
        return redirect("portal:utilization")
    month = form.cleaned_data["month"]
    response = HttpResponse(template_workbook(operator, month), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="utilization-returns-{month:%Y-%m}.xlsx"'
    return response


@portal_view
@require_http_methods(["GET", "POST"])
def upload(request):
    operator = _operator_or_redirect(request)
    if operator is None:
        return redirect("portal:dashboard")
    if request.method == "POST":
        form = UtilizationUploadForm(request.POST, request.FILES)
    else:
        form = UtilizationUploadForm(initial={"month": request.GET.get("month") or f"{last_closed_month():%Y-%m}"})
    result = None
    if request.method == "POST" and form.is_valid():
        month = form.cleaned_data["month"]
        result = read_upload(form.cleaned_data["file"], operator=operator, month=month)
        if result.ok:
            request.session[SESSION_KEY] = {
                "operator": operator.pk,
                "month": f"{month:%Y-%m}",
                "rows": result.rows,
            }
        else:
            request.session.pop(SESSION_KEY, None)
    return render(
        request,
        "spaces/portal/utilization_upload.html",
        {
            "operator": operator,
            "form": form,
            "result": result,
            "figures": UTILIZATION_FIGURES,
            "month_label": month_label(result.month) if result else "",
        },
        status=200 if result is None or result.ok or result.nothing_to_file else 400,
    )


@portal_view
@require_POST
def upload_confirm(request):
    operator = _operator_or_redirect(request)
    pending = request.session.get(SESSION_KEY)
    if operator is None or not pending or pending.get("operator") != operator.pk:
        messages.error(request, _("Nothing is waiting to be filed: upload the template again."))
        return redirect("portal:utilization_upload")
    month = parse_month(pending["month"])
    try:
        filed = utilization_import_apply(
            actor=request.user,
            operator=operator,
            month=month,
            rows=pending["rows"],
            replace=request.POST.get("confirm_replace") == "yes",
        )
    except UtilizationAlreadyFiled as error:
        messages.error(request, error.message + " " + _("Tick the box to confirm replacing them."))
        return redirect("portal:utilization_upload")
    except (UtilizationError, ValidationError, PermissionDenied) as error:
        text = getattr(error, "message", None) or "; ".join(getattr(error, "messages", [str(error)]))
        messages.error(request, text)
        request.session.pop(SESSION_KEY, None)
        return redirect("portal:utilization_upload")
    request.session.pop(SESSION_KEY, None)
    messages.success(
        request,
        _("%(count)s returns for %(month)s are filed.") % {"count": len(filed), "month": month_label(month)},
    )
    return redirect(reverse("portal:utilization") + f"?month={month:%Y-%m}")


@login_required
@require_GET
def missing_returns(request):
    """Officers: the active spaces that have not filed for a month, with their last return."""
    if not (request.user.has_role(roles.PROGRAM_OFFICER) or request.user.has_role(roles.MINISTRY_VIEWER)):
        raise PermissionDenied
    form, month = _chosen_month(request)
    spaces = spaces_without_return(month).annotate(last_month=Max("utilization_returns__month"))
    return render(
        request,
        "spaces/workbench/utilization_missing.html",
        {"form": form, "month": month, "month_label": month_label(month), "spaces": spaces},
    )
