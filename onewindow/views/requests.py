"""One-window pages.

Public (/services/): the catalogue, so an operator knows before asking. Operators (/portal/one-window/):
every request of their company with its clock, a new request or a bundle ("open a new space"), and on
the request's page the answers, documents (new or filed before), questions to answer and what was
issued. Department desks (/desk/one-window/): their department's requests, oldest first with the
clock, and on the request's page: take it up, ask, issue, refuse, correct. The coordinator
(/one-window/late/): every department's late cases. A request a person may not see is not found (404).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import roles
from audit.selectors import audit_events_for
from core.files import private_file_response
from core.forms import show_domain_error
from spaces.models import Operator, Space

from ..errors import DomainError
from ..forms import AnswersForm, AttachForm, BundleForm, CorrectForm, IssueForm, RefuseForm, TextForm
from ..models import Bundle, RequestState, Service, ServiceRequest
from ..selectors import requests as selectors
from ..services import requests as services

S = RequestState


# --- the public catalogue ---------------------------------------------------------------------------


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    services_ = list(selectors.catalogue())
    departments: dict[str, list[Service]] = {}
    for service in services_:
        departments.setdefault(service.department.local_name, []).append(service)
    return render(
        request,
        "onewindow/catalogue.html",
        {"departments": departments.items(), "bundles": Bundle.objects.prefetch_related("services")},
    )


@require_GET
def service_detail(request: HttpRequest, code: str) -> HttpResponse:
    service = get_object_or_404(selectors.catalogue(), code=code)
    return render(request, "onewindow/service.html", {"service": service})


# --- the operator -----------------------------------------------------------------------------------


def _operator_of(request: HttpRequest) -> Operator:
    operator = Operator.objects.filter(members=request.user).order_by("pk").first()
    if operator is None or not request.user.has_role(roles.OPERATOR):
        raise Http404
    return operator


@login_required
@require_GET
def portal_requests(request: HttpRequest) -> HttpResponse:
    operator = _operator_of(request)
    requests_ = selectors.requests_of_operator(request.user).order_by("-created_at")
    return render(
        request,
        "onewindow/portal.html",
        {
            "operator": operator,
            "requests": requests_,
            "today": timezone.localdate(),
            "bundles": Bundle.objects.prefetch_related("services"),
            "bundle_form": BundleForm(spaces=Space.objects.filter(operator=operator).order_by("name")),
        },
    )


@login_required
@require_POST
def request_new(request: HttpRequest, code: str) -> HttpResponse:
    operator = _operator_of(request)
    service = get_object_or_404(Service, code=code)
    try:
        draft = services.request_draft(actor=request.user, service=service, operator=operator)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("onewindow:service_detail", code=code)
    return redirect("onewindow:request_detail", reference=draft.reference)


@login_required
@require_POST
def bundle_start(request: HttpRequest, code: str) -> HttpResponse:
    operator = _operator_of(request)
    bundle = get_object_or_404(Bundle, code=code)
    form = BundleForm(request.POST, spaces=Space.objects.filter(operator=operator))
    if not form.is_valid():
        messages.error(request, _("Choose one of your spaces."))
        return redirect("onewindow:portal_requests")
    try:
        drafts = services.request_bundle(
            actor=request.user, bundle=bundle, operator=operator, space=form.cleaned_data["space"]
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(n)s drafts are ready, one per department: complete and submit each.") % {"n": len(drafts)},
        )
    return redirect("onewindow:portal_requests")


# --- a request's page -------------------------------------------------------------------------------


def _request(request: HttpRequest, reference: str) -> ServiceRequest:
    found = selectors.request_for(request.user, reference)
    if found is None:
        raise Http404
    return found


def _page(request: HttpRequest, case: ServiceRequest, *, status: int = 200, **forms: Any) -> HttpResponse:
    user = request.user
    member = services.is_operator_member(user, case.operator)
    desk = selectors.desk_department_id(user) == case.service.department_id
    state = case.state
    context: dict[str, Any] = {
        "case": case,
        "member": member,
        "desk": desk,
        "documents": list(case.documents.all()),
        "needed": list(case.service.documents.all()),
        "questions": list(case.service.questions.all()),
        "thread": list(case.messages.select_related("written_by")),
        "certificates": list(case.certificates.select_related("supersedes").order_by("-issued_at")),
        "current_certificate": selectors.current_certificate(case),
        "events": audit_events_for(case),
        "late": bool(case.due_on and case.is_open and state != S.INFO_REQUESTED and case.due_on < timezone.localdate()),
    }
    if member and state == S.DRAFT:
        context["answers_form"] = forms.get("answers_form") or AnswersForm(
            service=case.service, initial_answers=case.answers
        )
    if member and state in (S.DRAFT, S.INFO_REQUESTED):
        context["attach_form"] = forms.get("attach_form") or AttachForm(
            reusable=selectors.reusable_documents(case.operator),
            document_types=[needed.document_type for needed in context["needed"]] or None,
        )
    if member and state == S.INFO_REQUESTED:
        context["answer_form"] = forms.get("answer_form") or TextForm(label=_("Your answer"))
    if desk and state == S.IN_PROCESS:
        context["ask_form"] = forms.get("ask_form") or TextForm(label=_("Your question to the operator"))
        context["issue_form"] = forms.get("issue_form") or IssueForm(initial={"issued_on": timezone.localdate()})
    if desk and state in (S.SUBMITTED, S.IN_PROCESS):
        context["refuse_form"] = forms.get("refuse_form") or RefuseForm()
    if desk and state == S.ISSUED and context["current_certificate"]:
        context["correct_form"] = forms.get("correct_form") or CorrectForm(initial={"issued_on": timezone.localdate()})
    return render(request, "onewindow/request.html", context, status=status)


@login_required
@require_GET
def request_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _page(request, _request(request, reference))


def _done(request: HttpRequest, case: ServiceRequest, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("onewindow:request_detail", reference=case.reference)


def _submit(
    request: HttpRequest, case: ServiceRequest, form: Any, form_name: str, action: Any, done: str
) -> HttpResponse:
    """Every form of a request's page: a valid form runs one service with its cleaned data; a refusal
    goes back on the form (the page again, 400), nothing else changes."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            return _done(request, case, done)
    return _page(request, case, status=400, **{form_name: form})


@login_required
@require_POST
def request_answers(request: HttpRequest, reference: str) -> HttpResponse:
    case = _request(request, reference)
    form = AnswersForm(request.POST, service=case.service)
    return _submit(
        request,
        case,
        form,
        "answers_form",
        lambda data: services.request_save_answers(actor=request.user, request=case, answers=form.answers()),
        _("Your answers are kept."),
    )


@login_required
@require_POST
def request_attach(request: HttpRequest, reference: str) -> HttpResponse:
    case = _request(request, reference)
    form = AttachForm(request.POST, request.FILES, reusable=selectors.reusable_documents(case.operator))
    return _submit(
        request,
        case,
        form,
        "attach_form",
        lambda data: services.request_attach(
            actor=request.user,
            request=case,
            document_type=data["document_type"],
            upload=data["upload"],
            reuse=data["reuse"],
            valid_until=data["valid_until"],
        ),
        _("The document is added."),
    )


def _simple(request: HttpRequest, reference: str, action: Any, done: str) -> HttpResponse:
    case = _request(request, reference)
    try:
        action(case)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("onewindow:request_detail", reference=case.reference)
    return _done(request, case, done)


@login_required
@require_POST
def request_submit(request: HttpRequest, reference: str) -> HttpResponse:
    return _simple(
        request,
        reference,
        lambda case: services.request_submit(actor=request.user, request=case),
        _("The request is with the department. Its clock has started."),
    )


@login_required
@require_POST
def request_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    return _simple(
        request,
        reference,
        lambda case: services.request_withdraw(actor=request.user, request=case),
        _("The request is withdrawn."),
    )


@login_required
@require_POST
def request_start(request: HttpRequest, reference: str) -> HttpResponse:
    return _simple(
        request,
        reference,
        lambda case: services.request_start(actor=request.user, request=case),
        _("You have taken up the request."),
    )


def _text_action(
    request: HttpRequest, reference: str, form_name: str, label: str, action: Any, done: str
) -> HttpResponse:
    case = _request(request, reference)
    form = TextForm(request.POST, label=label)
    return _submit(request, case, form, form_name, lambda data: action(case, data["text"]), done)


@login_required
@require_POST
def request_ask(request: HttpRequest, reference: str) -> HttpResponse:
    return _text_action(
        request,
        reference,
        "ask_form",
        _("Your question to the operator"),
        lambda case, text: services.request_ask(actor=request.user, request=case, question=text),
        _("Your question is sent; the clock is stopped until the operator answers."),
    )


@login_required
@require_POST
def request_answer(request: HttpRequest, reference: str) -> HttpResponse:
    return _text_action(
        request,
        reference,
        "answer_form",
        _("Your answer"),
        lambda case, text: services.request_answer(actor=request.user, request=case, answer=text),
        _("Your answer is sent; the department's clock runs again."),
    )


@login_required
@require_POST
def request_issue(request: HttpRequest, reference: str) -> HttpResponse:
    case = _request(request, reference)
    form = IssueForm(request.POST, request.FILES)
    return _submit(
        request,
        case,
        form,
        "issue_form",
        lambda data: services.request_issue(actor=request.user, request=case, **data),
        _("Issued: the operator is told and can download it."),
    )


@login_required
@require_POST
def request_refuse(request: HttpRequest, reference: str) -> HttpResponse:
    case = _request(request, reference)
    form = RefuseForm(request.POST)
    return _submit(
        request,
        case,
        form,
        "refuse_form",
        lambda data: services.request_refuse(actor=request.user, request=case, **data),
        _("The request is refused; the operator reads the reason and the rule."),
    )


@login_required
@require_POST
def certificate_correct(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _request(request, reference)
    certificate = get_object_or_404(case.certificates, pk=pk)
    form = CorrectForm(request.POST, request.FILES)
    return _submit(
        request,
        case,
        form,
        "correct_form",
        lambda data: services.certificate_correct(actor=request.user, certificate=certificate, **data),
        _("The correction is issued; the earlier certificate is kept."),
    )


@login_required
@require_GET
def document_download(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _request(request, reference)
    return private_file_response(get_object_or_404(case.documents, pk=pk))


@login_required
@require_GET
def certificate_download(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _request(request, reference)
    return private_file_response(get_object_or_404(case.certificates, pk=pk))


# --- desks and the coordinator ----------------------------------------------------------------------


@login_required
@require_GET
def desk_queue(request: HttpRequest) -> HttpResponse:
    if selectors.desk_department_id(request.user) is None:
        raise Http404
    requests_ = selectors.requests_for_desk(request.user)
    return render(
        request,
        "onewindow/desk.html",
        {
            "open": requests_.filter(state__in=[S.SUBMITTED, S.IN_PROCESS, S.INFO_REQUESTED]),
            "closed": requests_.filter(state__in=[S.ISSUED, S.REFUSED, S.WITHDRAWN]).order_by("-closed_at")[:50],
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET"])
def late_cases(request: HttpRequest) -> HttpResponse:
    if not selectors.is_coordinator(request.user):
        raise Http404
    return render(
        request,
        "onewindow/late.html",
        {"late": selectors.late_requests(), "today": timezone.localdate()},
    )
