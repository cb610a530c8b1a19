"""The program officer's workbench for applications (/workbench/).

The landing page is the screening queue, oldest submission first, with each application's clock. The
application page shows every section read-only, the documents, the program's eligibility checks
evaluated, the timeline, and the officer's actions as forms. Only program officers come here (others
get 403); an application is looked up through the visibility selector (404 when not visible).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import services
from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from ..forms import RequestInformationForm, ScreeningQueueFilter, ScreenOutForm
from ..models import Application, is_applicant
from ..sections import _one_to_one
from ..selectors import application_detail, page_of, screening_queue
from ._common import (
    show_refusal,
    workbench_view,
)
from .payments import payments_context
from .reviews import review_panel_context

QUEUE_PAGE_SIZE = 50


@workbench_view
@require_GET
def queue(request):
    form = ScreeningQueueFilter(request.GET or None).form
    rows = screening_queue(user=request.user, filters=request.GET)
    # A page at a time: the queue may hold thousands, and an officer works from the oldest.
    page = page_of(rows, page_number=request.GET.get("page"), per_page=QUEUE_PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "grants/workbench/queue.html",
        {"form": form, "applications": page.object_list, "page_obj": page, "query": query.urlencode()},
    )


def _application_page(request, reference, *, question_form=None, reason_form=None, errors=None, status=200):
    try:
        detail = application_detail(user=request.user, reference=reference)
    except Application.DoesNotExist:
        raise Http404 from None
    application = detail.application
    return render(
        request,
        "grants/workbench/application.html",
        {
            "detail": detail,
            "application": application,
            "grant_details": _one_to_one(application, "grant_details"),
            "loan_details": _one_to_one(application, "loan_details"),
            "own_company": is_applicant(application, request.user),
            "question_form": question_form or RequestInformationForm(),
            "reason_form": reason_form or ScreenOutForm(),
            "action_errors": errors or [],
            "eligible": all(check.passed for check in detail.eligibility),
            **review_panel_context(application, request.user),
            **payments_context(application, _one_to_one(application, "award")),
        },
        status=status,
    )


@workbench_view
@require_GET
def application_page(request, reference):
    return _application_page(request, reference)


def _load(request, reference) -> Application:
    try:
        return application_detail(user=request.user, reference=reference).application
    except Application.DoesNotExist:
        raise Http404 from None


def _refused(request, reference, error):
    if isinstance(error, PermissionDenied):
        raise Forbidden(error.message)
    for message in error.messages:
        messages.error(request, message)
    return redirect("grants:workbench_application", reference=reference)


@workbench_view
@require_POST
def start_screening(request, reference):
    application = _load(request, reference)
    try:
        services.application_start_screening(application=application, actor=request.user)
    except (InvalidTransition, PermissionDenied, ValidationFailed) as error:
        return _refused(request, reference, error)
    messages.success(request, _("You are screening %(ref)s.") % {"ref": reference})
    return redirect("grants:workbench_application", reference=reference)


@workbench_view
@require_POST
def request_information(request, reference):
    application = _load(request, reference)
    form = RequestInformationForm(request.POST)
    if form.is_valid():
        try:
            services.application_request_information(
                application=application, actor=request.user, question=form.cleaned_data["question"]
            )
        except ValidationFailed as error:
            show_refusal(form, error)
        except (InvalidTransition, PermissionDenied) as error:
            return _refused(request, reference, error)
        else:
            messages.success(
                request, _("Your question is sent to the operator; the clock is paused until they answer.")
            )
            return redirect("grants:workbench_application", reference=reference)
    return _application_page(request, reference, question_form=form)


@workbench_view
@require_POST
def screen_out(request, reference):
    application = _load(request, reference)
    form = ScreenOutForm(request.POST)
    if form.is_valid():
        try:
            services.application_screen_out(
                application=application, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationFailed as error:
            show_refusal(form, error)
        except (InvalidTransition, PermissionDenied) as error:
            return _refused(request, reference, error)
        else:
            messages.success(request, _("%(ref)s is screened out; the operator is told why.") % {"ref": reference})
            return redirect("grants:workbench_application", reference=reference)
    return _application_page(request, reference, reason_form=form)


@workbench_view
@require_POST
def send_to_review(request, reference):
    application = _load(request, reference)
    try:
        services.application_send_to_review(application=application, actor=request.user)
    except ValidationFailed as error:
        return _application_page(request, reference, errors=error.messages)
    except (InvalidTransition, PermissionDenied) as error:
        return _refused(request, reference, error)
    messages.success(request, _("%(ref)s is sent to review.") % {"ref": reference})
    return redirect("grants:workbench_application", reference=reference)
