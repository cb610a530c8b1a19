"""The operator portal for applications (/portal/applications/): starting, checking, submitting, answering,
withdrawing, the list and the application page; and the private document download. The section and
document pages are in application_sections.py.

Views parse input, call one service or selector, and render. Every URL that names an application or a
document looks it up through `grants.selectors.applications_visible_to`, so a person who may not see
it gets 404 — the same answer as for a reference that does not exist. Domain errors become messages:
ValidationFailed → errors on the form (with the error summary), InvalidTransition → a message and a
redirect to the application, PermissionDenied → 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from notifications.header_count import leaves_what_is_owed
from spaces.selectors import operators_for_user
from spaces.views import portal_view

from .. import services
from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from ..forms import (
    AnswerForm,
    StartApplicationForm,
    WithdrawForm,
)
from ..models import Application, ApplicationDocument, Award, Program
from ..sections import SECTIONS, _one_to_one, section_statuses
from ..selectors import (
    SECTION_PREFETCH,
    application_detail,
    application_visible_to,
    document_for_download,
    on_applicant_staff_q,
    open_calls,
    operator_applications,
    page_of,
)
from ._common import show_refusal
from .payments import payments_context

EDITABLE = (Application.State.DRAFT, Application.State.INFO_REQUESTED)
# Section codes with their own form page; "documents" has the upload page.
FORM_SECTIONS = ("grant_details", "budget", "milestones", "loan_details", "connections")


def _portal_application(request, reference: str, *, prefetch: tuple | None = None) -> Application:
    """The operator's application, 404 unless the person is on the staff of the applying company (the
    portal is for that staff, so an officer's wider visibility does not apply), with the sections of
    its instrument read (what the task list reads), or only `prefetch` when given.

    Issue #23: this lookup ran on every page of the journey as a twelve-table join (membership joined
    twice, and every one-to-one section), which PostgreSQL planned with its genetic optimiser in about
    20 ms. Membership is now one EXISTS, and the sections are read one query each, those of the
    application's own instrument only."""
    application = get_object_or_404(
        Application.objects.filter(reference=reference)
        .filter(on_applicant_staff_q(request.user))
        .select_related("call__program", "operator", "space")
        .prefetch_related(*(prefetch or ()))
    )
    if prefetch is None:
        prefetch_related_objects([application], *SECTION_PREFETCH[application.instrument])
    return application


def _editable_or_redirect(request, application):
    if application.state in EDITABLE:
        return None
    messages.info(
        request,
        _("Application %(ref)s is %(state)s, so it can no longer be changed.")
        % {"ref": application.reference, "state": application.get_state_display().lower()},
    )
    return redirect("grants:portal_application", reference=application.reference)


def _after_transition_error(request, application, error):
    if isinstance(error, PermissionDenied):
        raise Forbidden(error.message)
    for message in error.messages:
        messages.error(request, message)
    return redirect("grants:portal_application", reference=application.reference)


def section_url(application, code: str) -> str:
    if code == "documents":
        return reverse("grants:portal_documents", kwargs={"reference": application.reference})
    return reverse("grants:portal_section", kwargs={"reference": application.reference, "section": code})


def task_list(application) -> list[dict]:
    return [
        {"section": status, "url": section_url(application, status.code)} for status in section_statuses(application)
    ]


def missing_with_links(application, problems) -> list[dict]:
    """The submit refusal, each item linking to the section that holds it."""
    where = {}
    for status in section_statuses(application):
        for item in status.missing:
            where.setdefault(str(item), section_url(application, status.code))
    return [{"text": problem, "url": where.get(str(problem), "")} for problem in problems]


def next_step(application) -> dict:
    """What the operator needs to do next for one application (dashboard and detail page)."""
    ref = application.reference
    state = application.state
    if state == Application.State.DRAFT:
        missing = [item for status in section_statuses(application) for item in status.missing]
        if missing:
            return {
                "text": _("Complete the application (%(n)s items missing)") % {"n": len(missing)},
                "url": reverse("grants:portal_tasks", kwargs={"reference": ref}),
            }
        return {
            "text": _("Check your answers and submit"),
            "url": reverse("grants:portal_check", kwargs={"reference": ref}),
        }
    if state == Application.State.INFO_REQUESTED:
        return {
            "text": _("Answer the program officer's question"),
            "url": reverse("grants:portal_application", kwargs={"reference": ref}) + "#answer",
        }
    if state == Application.State.APPROVED:
        award = _one_to_one(application, "award")  # joined by the selectors: no query per row
        if award is not None and award.state == Award.State.OFFERED:
            return {
                "text": _("Download your award letter and accept the award"),
                "url": reverse("grants:portal_application", kwargs={"reference": ref}) + "#award",
            }
        # No query here (the dashboard lists many rows): the application page shows what is due.
        if award is not None and application.instrument == Program.Instrument.GRANT:
            return {
                "text": _("Ask for each tranche when its milestone is reached"),
                "url": reverse("grants:portal_application", kwargs={"reference": ref}) + "#tranches",
            }
        if award is not None and application.instrument == Program.Instrument.UTILITY_SUBSIDY:
            return {
                "text": _("Claim each month's electricity bill"),
                "url": reverse("grants:portal_application", kwargs={"reference": ref}) + "#claims",
            }
    if application.is_open:
        return {"text": _("Nothing: the secretariat is working on it")}
    return {"text": _("Nothing: this application is closed")}


@leaves_what_is_owed
@portal_view
@require_http_methods(["GET", "POST"])
def application_start(request):
    operator = operators_for_user(request.user).first()
    if operator is None:
        messages.info(request, _("Register your company first; then you can apply."))
        return redirect("portal:operator_register")
    available_calls = list(open_calls())
    spaces = list(operator.spaces.order_by("code"))
    initial = {"call": request.GET.get("call", "")}
    form = StartApplicationForm(
        request.POST if request.method == "POST" else None, initial=initial, calls=available_calls, spaces=spaces
    )
    if request.method == "POST" and form.is_valid():
        call = form.cleaned_data["call_obj"]
        space = (
            form.cleaned_data["space_obj"] if call.program.instrument != Program.Instrument.UTILITY_SUBSIDY else None
        )
        try:
            application = services.application_create(actor=request.user, call=call, operator=operator, space=space)
        except (ValidationFailed, PermissionDenied) as error:
            show_refusal(form, error)
        else:
            messages.success(
                request,
                _("Application %(ref)s is started. Fill in each section; your answers are saved as you go.")
                % {"ref": application.reference},
            )
            return redirect("grants:portal_tasks", reference=application.reference)
    return render(
        request,
        "grants/portal/start.html",
        {"form": form, "calls": available_calls, "spaces": spaces, "operator": operator},
    )


# --- check your answers, submit, confirmation ------------------------------------------------------


def _check_page(request, application, refusal=None):
    # Only the sections of the application's instrument: another instrument's are empty by design.
    has = {section.code for section in SECTIONS[application.instrument]}
    return render(
        request,
        "grants/portal/check.html",
        {
            "application": application,
            "tasks": task_list(application),
            "grant_details": _one_to_one(application, "grant_details") if "grant_details" in has else None,
            "loan_details": _one_to_one(application, "loan_details") if "loan_details" in has else None,
            "budget_lines": list(application.budget_lines.all()) if "budget" in has else [],
            "milestones": list(application.milestones.all()) if "milestones" in has else [],
            "connections": list(application.connections.all()) if "connections" in has else [],
            "documents": list(application.documents.all()),
            "refusal": refusal,
        },
    )


@portal_view
@require_GET
def application_check(request, reference):
    application = _portal_application(request, reference)
    if application.state != Application.State.DRAFT:
        return redirect("grants:portal_application", reference=reference)
    return _check_page(request, application)


@leaves_what_is_owed  # nothing the operator owes changes; the officers told are recounted (notify)
@portal_view
@require_POST
def application_submit(request, reference):
    # The service reads the sections again under its lock; a refusal's page reads them as it needs.
    application = _portal_application(request, reference, prefetch=())
    try:
        services.application_submit(application=application, actor=request.user)
    except ValidationFailed as error:
        return _check_page(request, application, refusal=missing_with_links(application, error.messages))
    except (InvalidTransition, PermissionDenied) as error:
        return _after_transition_error(request, application, error)
    return redirect("grants:portal_confirmation", reference=reference)


@portal_view
@require_GET
def application_confirmation(request, reference):
    application = _portal_application(request, reference, prefetch=())  # the reference and the date only
    if application.submitted_at is None:
        return redirect("grants:portal_tasks", reference=reference)
    return render(request, "grants/portal/confirmation.html", {"application": application})


# --- the application page, answering and withdrawing -----------------------------------------------


def _detail_page(request, reference, *, answer_form=None, status=200):
    try:
        detail = application_detail(user=request.user, reference=reference)
    except Application.DoesNotExist:
        raise Http404 from None
    application = detail.application
    if not application.operator.members.filter(pk=request.user.pk).exists():
        raise Http404

    award = _one_to_one(application, "award")
    return render(
        request,
        "grants/portal/application.html",
        {
            "detail": detail,
            "application": application,
            "tasks": task_list(application) if application.state in EDITABLE else [],
            "next_step": next_step(application),
            "answer_form": answer_form or AnswerForm(),
            "award": award,
            **payments_context(application, award),
        },
        status=status,
    )


@portal_view
@require_GET
def application_page(request, reference):
    return _detail_page(request, reference)


@portal_view
@require_POST
def application_answer(request, reference):
    application = _portal_application(request, reference)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.application_answer_information(
                application=application, actor=request.user, answer=form.cleaned_data["answer"]
            )
        except ValidationFailed as error:
            show_refusal(form, error)
        except (InvalidTransition, PermissionDenied) as error:
            return _after_transition_error(request, application, error)
        else:
            messages.success(request, _("Your answer is sent. Screening continues and the clock runs again."))
            return redirect("grants:portal_application", reference=reference)
    return _detail_page(request, reference, answer_form=form)


@portal_view
@require_http_methods(["GET", "POST"])
def application_withdraw(request, reference):
    application = _portal_application(request, reference)
    if not application.is_open:
        messages.info(request, _("Application %(ref)s is already closed.") % {"ref": reference})
        return redirect("grants:portal_application", reference=reference)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_withdraw(
                application=application, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationFailed as error:
            show_refusal(form, error)
        except (InvalidTransition, PermissionDenied) as error:
            return _after_transition_error(request, application, error)
        else:
            messages.success(request, _("Application %(ref)s is withdrawn.") % {"ref": reference})
            return redirect("grants:portal_application", reference=reference)
    return render(request, "grants/portal/withdraw.html", {"application": application, "form": form})


def application_rows(applications) -> list[dict]:
    """Rows for the operator's tables: each application with its clock and what is needed next."""
    return [
        {"application": application, "clock": application.clock(), "next": next_step(application)}
        for application in applications
    ]


APPLICATIONS_PAGE_SIZE = 50


@portal_view
@require_GET
def applications(request):
    """All the operator's applications, a page at a time, newest first."""
    page = page_of(
        operator_applications(user=request.user), page_number=request.GET.get("page"), per_page=APPLICATIONS_PAGE_SIZE
    )
    return render(
        request,
        "grants/portal/applications.html",
        {"rows": application_rows(page.object_list), "page_obj": page, "calls": list(open_calls())},
    )


# --- documents, for everyone who may see the application -------------------------------------------


@login_required
@require_GET
def document_download(request, reference, pk):
    """Stream a private document as an attachment, only to people who may see its application.

    The content type is the one detected from the bytes at upload, never the name's; `nosniff` stops a
    browser from guessing otherwise, and `attachment` stops it from rendering the file in our origin.
    """
    try:
        document = document_for_download(user=request.user, document_id=pk)
    except ApplicationDocument.DoesNotExist:
        raise Http404 from None
    if document.application.reference != reference or not application_visible_to(request.user, document.application):
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_filename, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
