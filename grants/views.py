"""The operator portal for applications (/portal/applications/) and the private document download.

Views parse input, call one service or selector, and render. Every URL that names an application or a
document looks it up through `grants.selectors.applications_visible_to`, so a person who may not see
it gets 404 — the same answer as for a reference that does not exist. Domain errors become messages:
ValidationFailed → errors on the form (with the error summary), InvalidTransition → a message and a
redirect to the application, PermissionDenied → 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from spaces.selectors import operators_for_user
from spaces.views import portal_view

from . import services
from .documents import DocumentType
from .errors import InvalidTransition, PermissionDenied, ValidationFailed
from .forms import (
    AnswerForm,
    BudgetLineFormSet,
    ConnectionFormSet,
    DocumentUploadForm,
    GrantDetailsForm,
    LoanDetailsForm,
    MilestoneFormSet,
    StartApplicationForm,
    WithdrawForm,
    filled_rows,
)
from .models import Application, ApplicationDocument, Award, Program
from .money import percent, pkr
from .sections import SECTIONS, _one_to_one, required_documents, section_statuses
from .selectors import (
    APPLICATION_RELATED,
    APPLICATION_SECTION_PREFETCH,
    application_detail,
    application_visible_to,
    applications_visible_to,
    document_for_download,
    open_calls,
    operator_applications,
    page_of,
)

EDITABLE = (Application.State.DRAFT, Application.State.INFO_REQUESTED)
# Section codes with their own form page; "documents" has the upload page.
FORM_SECTIONS = ("grant_details", "budget", "milestones", "loan_details", "connections")


# --- helpers ---------------------------------------------------------------------------------------


def show_refusal(form, error) -> None:
    """Put a service's refusal on a form: each message next to the field it names, the rest above."""
    placed = []
    for field, field_messages in error.field_errors.items():
        form.add_error(field if field in form.fields else None, list(field_messages))
        placed.extend(field_messages)
    for message in error.messages:
        if message not in placed:
            form.add_error(None, message)


def rows_refusal(formset, error, prefix: str) -> list[dict]:
    """A service's refusal of a list of rows: messages for `lines-3` go on the third filled row.
    Returns the error summary's entries ({text, anchor})."""
    rows = filled_rows(formset)
    summary = []
    for key, field_messages in error.field_errors.items():
        anchor = ""
        number = key.removeprefix(f"{prefix}-")
        if number.isdigit() and 0 < int(number) <= len(rows):
            row = rows[int(number) - 1]
            row.add_error(None, list(field_messages))
            anchor = f"row-{row.prefix}"
        summary += [{"text": message, "anchor": anchor} for message in field_messages]
    placed = {str(entry["text"]) for entry in summary}
    summary += [{"text": message, "anchor": ""} for message in error.messages if str(message) not in placed]
    return summary


def formset_summary(formset) -> list[dict]:
    """Shape errors of a formset (e.g. a date that is not a date) as error summary entries."""
    summary = [{"text": error, "anchor": ""} for error in formset.non_form_errors()]
    for form in formset.forms:
        for field, errors in form.errors.items():
            anchor = f"id_{form.prefix}-{field}" if field != "__all__" else f"row-{form.prefix}"
            summary += [{"text": error, "anchor": anchor} for error in errors]
    return summary


def _portal_application(request, reference: str) -> Application:
    """The operator's application with what the task list reads prefetched; 404 unless visible to them.
    The portal is for the applying company's staff, so an officer's wider visibility does not apply."""
    qs = (
        applications_visible_to(request.user)
        .filter(operator__members=request.user)
        .select_related(*APPLICATION_RELATED)
        .prefetch_related(*APPLICATION_SECTION_PREFETCH)
    )
    return get_object_or_404(qs, reference=reference)


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


# --- open calls and starting -----------------------------------------------------------------------


@portal_view
@require_GET
def calls(request):
    return render(request, "grants/portal/calls.html", {"calls": list(open_calls())})


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


# --- the task list and its sections ----------------------------------------------------------------


@portal_view
@require_GET
def application_tasks(request, reference):
    application = _portal_application(request, reference)
    if application.state not in EDITABLE:
        return redirect("grants:portal_application", reference=reference)
    tasks = task_list(application)
    return render(
        request,
        "grants/portal/tasks.html",
        {
            "application": application,
            "tasks": tasks,
            "completed": sum(1 for task in tasks if task["section"].is_complete),
            "required_documents": _documents_checklist(application),
        },
    )


def _documents_checklist(application) -> list[dict]:
    uploaded = {}
    for document in application.documents.all():
        uploaded.setdefault(document.document_type, []).append(document)
    return [{"type": doc, "documents": uploaded.get(doc.value, [])} for doc in required_documents(application)]


@portal_view
@require_http_methods(["GET", "POST"])
def application_section(request, reference, section):
    application = _portal_application(request, reference)
    codes = [s.code for s in SECTIONS[application.instrument]]
    if section not in codes or section not in FORM_SECTIONS:
        raise Http404
    if (response := _editable_or_redirect(request, application)) is not None:
        return response
    handler = {
        "grant_details": _grant_details,
        "budget": _budget,
        "milestones": _milestones,
        "loan_details": _loan_details,
        "connections": _connections,
    }[section]
    result = handler(request, application)
    if isinstance(result, dict):
        title = next(str(s.title) for s in SECTIONS[application.instrument] if s.code == section)
        result.update({"application": application, "section": section, "section_title": title})
        return render(request, f"grants/portal/section_{section}.html", result)
    return result


def _saved(request, application, text=None):
    messages.success(request, text or _("Your answers are saved."))
    return redirect("grants:portal_tasks", reference=application.reference)


def _grant_details(request, application):
    details = _one_to_one(application, "grant_details")
    initial = {}
    if details is not None:
        initial = {
            "purpose": details.purpose,
            "amount_requested": f"{application.amount_requested:.2f}".removesuffix(".00"),
            "own_contribution": f"{details.own_contribution:.2f}".removesuffix(".00"),
        }
    form = GrantDetailsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_save_grant_details(application=application, actor=request.user, **form.cleaned_data)
        except ValidationFailed as error:
            show_refusal(form, error)
        except (InvalidTransition, PermissionDenied) as error:
            return _after_transition_error(request, application, error)
        else:
            return _saved(request, application)
    program = application.call.program
    return {
        "form": form,
        "program": program,
        "contribution_percent": percent(program.own_contribution_percent),
    }


def _amount_text(value) -> str:
    return f"{value:.2f}".removesuffix(".00")


def _rows_page(request, application, *, formset_class, prefix, initial, build, save, extra_context=None, **form_kwargs):
    """A repeatable-rows section (budget lines, milestones, connections): GET shows the saved rows and
    blank ones; "Add another row" posts back with one more row; "Save" hands the filled rows to the
    service and maps its refusal onto the rows."""
    summary = []
    if request.method == "POST":
        data = request.POST.copy()
        if "add_row" in data:
            total_key = f"{prefix}-TOTAL_FORMS"
            try:
                data[total_key] = str(min(int(data.get(total_key, "0")) + 1, 50))
            except ValueError:
                data[total_key] = "1"
            formset = formset_class(data, prefix=prefix, form_kwargs=form_kwargs)
            formset.is_valid()
            for form in formset.forms:  # adding a row is not saving: show no errors yet
                form._errors = {}
            return {"formset": formset, "summary": [], **(extra_context or {})}
        formset = formset_class(data, prefix=prefix, form_kwargs=form_kwargs)
        if formset.is_valid():
            try:
                save([build(form.cleaned_data) for form in filled_rows(formset)])
            except ValidationFailed as error:
                summary = rows_refusal(formset, error, prefix)
            except (InvalidTransition, PermissionDenied) as error:
                return _after_transition_error(request, application, error)
            else:
                return _saved(request, application)
        else:
            summary = formset_summary(formset)
    else:
        formset = formset_class(initial=initial, prefix=prefix, form_kwargs=form_kwargs)
    return {"formset": formset, "summary": summary, **(extra_context or {})}


def _budget(request, application):
    details = _one_to_one(application, "grant_details")
    project = application.amount_requested + details.own_contribution if details else None
    lines = list(application.budget_lines.all())
    return _rows_page(
        request,
        application,
        formset_class=BudgetLineFormSet,
        prefix="lines",
        initial=[{"description": line.description, "amount": _amount_text(line.amount)} for line in lines],
        build=lambda data: {"description": data["description"], "amount": data["amount"]},
        save=lambda rows: services.application_save_budget_lines(
            application=application, actor=request.user, lines=rows
        ),
        extra_context={"project_total": project, "saved_total": sum(line.amount for line in lines) if lines else None},
    )


def _milestones(request, application):
    milestones = list(application.milestones.all())
    return _rows_page(
        request,
        application,
        formset_class=MilestoneFormSet,
        prefix="milestones",
        initial=[{"title": m.title, "amount": _amount_text(m.amount), "due_date": m.due_date} for m in milestones],
        build=lambda data: {"title": data["title"], "amount": data["amount"], "due_date": data["due_date"]},
        save=lambda rows: services.application_save_milestones(
            application=application, actor=request.user, milestones=rows
        ),
        extra_context={"grant_amount": application.amount_requested},
    )


def _connections(request, application):
    spaces = list(application.operator.spaces.order_by("code"))
    connections = list(application.connections.all())
    program = application.call.program
    return _rows_page(
        request,
        application,
        formset_class=ConnectionFormSet,
        prefix="connections",
        initial=[
            {
                "space": str(c.space_id),
                "disco": c.disco,
                "bill_reference": c.bill_reference,
                "average_monthly_bill": _amount_text(c.average_monthly_bill),
            }
            for c in connections
        ],
        build=lambda data: {
            "space": int(data["space"]) if str(data["space"]).isdigit() else None,
            "disco": data["disco"],
            "bill_reference": data["bill_reference"],
            "average_monthly_bill": data["average_monthly_bill"],
        },
        save=lambda rows: services.application_save_utility_connections(
            application=application, actor=request.user, connections=rows
        ),
        extra_context={
            "program": program,
            "share_percent": percent((program.subsidy_share or 0) * 100),
            "estimate": application.amount_requested if connections else None,
        },
        spaces=spaces,
    )


def _loan_details(request, application):
    details = _one_to_one(application, "loan_details")
    initial = {}
    if details is not None:
        initial = {
            "amount": _amount_text(details.amount),
            "tenure_months": details.tenure_months,
            "grace_months": details.grace_months,
            "grace_kind": details.grace_kind,
            "purpose": details.purpose,
            "equity_contribution": _amount_text(details.equity_contribution),
        }
    form = LoanDetailsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.application_save_loan_details(
                application=application, actor=request.user, **form.cleaned_data
            )
        except ValidationFailed as error:
            show_refusal(form, error)
        except (InvalidTransition, PermissionDenied) as error:
            return _after_transition_error(request, application, error)
        else:
            return _saved(
                request,
                application,
                _("Your loan terms are saved. A loan of %(amount)s falls in tier %(tier)s: markup %(markup)s%% a year.")
                % {
                    "amount": pkr(saved.amount),
                    "tier": saved.tier.number,
                    "markup": percent(saved.annual_markup_percent),
                },
            )
    program = application.call.program
    return {"form": form, "details": details, "tiers": list(program.loan_tiers.order_by("number"))}


# --- documents -------------------------------------------------------------------------------------


@portal_view
@require_http_methods(["GET", "POST"])
def application_documents(request, reference):
    application = _portal_application(request, reference)
    if (response := _editable_or_redirect(request, application)) is not None:
        return response
    required = required_documents(application)
    # The program's required documents first, then any other kind the operator wants to add.
    document_types = required + [doc for doc in DocumentType if doc not in required]
    form = DocumentUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial={"document_type": request.GET.get("type", "")},
        document_types=document_types,
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            document = services.application_upload_document(
                application=application,
                actor=request.user,
                document_type=form.cleaned_data["document_type"],
                file=upload,
            )
        except ValidationFailed as error:
            show_refusal(form, error)
        except (InvalidTransition, PermissionDenied) as error:
            return _after_transition_error(request, application, error)
        else:
            messages.success(
                request,
                _("“%(name)s” is uploaded as %(type)s.")
                % {"name": document.original_filename, "type": document.get_document_type_display()},
            )
            return redirect("grants:portal_documents", reference=reference)
    return render(
        request,
        "grants/portal/documents.html",
        {
            "application": application,
            "form": form,
            "checklist": _documents_checklist(application),
            "documents": list(application.documents.all()),
        },
    )


@portal_view
@require_POST
def document_remove(request, reference, pk):
    application = _portal_application(request, reference)
    document = get_object_or_404(ApplicationDocument, pk=pk, application=application)
    try:
        services.application_remove_document(document=document, actor=request.user)
    except (ValidationFailed, InvalidTransition, PermissionDenied) as error:
        return _after_transition_error(request, application, error)
    messages.success(request, _("“%(name)s” is removed.") % {"name": document.original_filename})
    return redirect("grants:portal_documents", reference=reference)


# --- check your answers, submit, confirmation ------------------------------------------------------


def _check_page(request, application, refusal=None):
    return render(
        request,
        "grants/portal/check.html",
        {
            "application": application,
            "tasks": task_list(application),
            "grant_details": _one_to_one(application, "grant_details"),
            "loan_details": _one_to_one(application, "loan_details"),
            "budget_lines": list(application.budget_lines.all()),
            "milestones": list(application.milestones.all()),
            "connections": list(application.connections.all()),
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


@portal_view
@require_POST
def application_submit(request, reference):
    application = _portal_application(request, reference)
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
    application = _portal_application(request, reference)
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
    from .views_payments import payments_context

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
