"""The operator's task list and its sections (/portal/applications/<ref>/sections/...), and the documents page.
Conventions as in applications.py."""

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from notifications.header_count import leaves_what_is_owed
from spaces.views import portal_view

from .. import services
from ..documents import DocumentType
from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from ..forms import (
    BudgetLineFormSet,
    ConnectionFormSet,
    DocumentUploadForm,
    GrantDetailsForm,
    LoanDetailsForm,
    MilestoneFormSet,
    filled_rows,
)
from ..models import ApplicationDocument
from ..money import percent, pkr
from ..sections import SECTIONS, _one_to_one, required_documents
from ..selectors import DOCUMENTS_PREFETCH
from ._common import (
    formset_summary,
    rows_refusal,
    show_refusal,
)
from .applications import (
    EDITABLE,
    FORM_SECTIONS,
    _after_transition_error,
    _editable_or_redirect,
    _portal_application,
    task_list,
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


@leaves_what_is_owed
@portal_view
@require_http_methods(["GET", "POST"])
def application_section(request, reference, section):
    # A section sent reads no other section unless its form comes back with errors (issue #23).
    application = _portal_application(request, reference, prefetch=() if request.method == "POST" else None)
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
    # The saved answers fill an empty form; a sent form is bound to what was sent.
    details = _one_to_one(application, "grant_details") if request.method == "GET" else None
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


@leaves_what_is_owed
@portal_view
@require_http_methods(["GET", "POST"])
def application_documents(request, reference):
    # An upload reads the documents again under the service's lock; the page after it lists them.
    prefetch = () if request.method == "POST" else DOCUMENTS_PREFETCH
    application = _portal_application(request, reference, prefetch=prefetch)
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
            # The type just uploaded stays chosen: people upload several files of one type in a row.
            url = reverse("grants:portal_documents", kwargs={"reference": reference})
            return redirect(f"{url}?{urlencode({'type': document.document_type})}")
    prefetch_related_objects([application], *DOCUMENTS_PREFETCH)  # read already unless an upload failed
    return render(
        request,
        "grants/portal/documents.html",
        {
            "application": application,
            "form": form,
            "checklist": _documents_checklist(application),
            "documents": list(application.documents.all()),
            "reusable": services.documents_to_reuse(application),
        },
    )


@leaves_what_is_owed
@portal_view
@require_POST
def application_reuse_document(request, reference):
    """Once only: attach a document filed before instead of uploading it again."""
    application = _portal_application(request, reference, prefetch=DOCUMENTS_PREFETCH)
    if (response := _editable_or_redirect(request, application)) is not None:
        return response
    try:
        document = services.application_reuse_document(
            application=application, actor=request.user, key=request.POST.get("reuse", "")
        )
    except ValidationFailed as error:
        messages.error(request, error.message)
    except (InvalidTransition, PermissionDenied) as error:
        return _after_transition_error(request, application, error)
    else:
        messages.success(
            request,
            _("“%(name)s” is attached as %(type)s, as filed before.")
            % {"name": document.original_filename, "type": document.get_document_type_display()},
        )
    return redirect("grants:portal_documents", reference=reference)


@leaves_what_is_owed
@portal_view
@require_POST
def document_remove(request, reference, pk):
    application = _portal_application(request, reference, prefetch=DOCUMENTS_PREFETCH)
    document = get_object_or_404(ApplicationDocument, pk=pk, application=application)
    try:
        services.application_remove_document(document=document, actor=request.user)
    except (ValidationFailed, InvalidTransition, PermissionDenied) as error:
        return _after_transition_error(request, application, error)
    messages.success(request, _("“%(name)s” is removed.") % {"name": document.original_filename})
    return redirect("grants:portal_documents", reference=reference)
