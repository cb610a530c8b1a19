"""Visit pages.

Inspectors (/visits/mine/, /visits/new/): ask for a visit and file its outcome. Schedulers
(/visits/queue/): the association's liaison, or a program officer for operators in no association,
schedule, join or refuse. Operators (/portal/visits/): their spaces' visits with codes and outcomes,
the answer to each, "nobody came", and "an official came without a registered visit". The public
(/verify/visit/): check a code. The integrity office (/integrity/desk/visits/): urgent visits, late
outcomes and money reports. A visit a person may not see is not found (404).
"""

from __future__ import annotations

import base64
import io
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import roles
from audit.selectors import audit_events_for
from core.files import private_file_response
from core.forms import show_domain_error
from grants.fiscal import FiscalYear
from spaces.models import Space

from ..errors import DomainError
from ..forms_visits import (
    AnswerForm,
    OutcomeForm,
    ReasonForm,
    ScheduleForm,
    UnregisteredVisitForm,
    VerifyForm,
    VisitRequestForm,
)
from ..models import Grievance, InspectionVisit, VisitNotice
from ..permissions import VISITS
from ..selectors import visits as selectors
from ..services import visits as services

V = InspectionVisit.State


def _visit(request: HttpRequest, reference: str) -> InspectionVisit:
    visit = selectors.visit_for(request.user, reference)
    if visit is None:
        raise Http404
    return visit


def _require_role(request: HttpRequest, *names: str) -> None:
    if not any(request.user.has_role(name) for name in names):
        raise Http404


def verify_url(request: HttpRequest, visit: InspectionVisit) -> str:
    return request.build_absolute_uri(reverse("integrity:verify_visit", kwargs={"code": visit.code}))


def qr_data_uri(text: str) -> str:
    """An SVG QR code as a data: URI (the CSP allows data: images), so the page needs no other request."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# --- inspectors -------------------------------------------------------------------------------------


@login_required
@require_GET
def visit_mine(request: HttpRequest) -> HttpResponse:
    _require_role(request, roles.INSPECTOR)
    visits = selectors.visits_of_inspector(request.user).order_by("-window_date", "-window_start")
    return render(request, "integrity/visits/mine.html", {"visits": visits})


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest) -> HttpResponse:
    _require_role(request, roles.INSPECTOR)
    purposes = services.department_purposes(request.user)
    form = VisitRequestForm(request.POST or None, purposes=purposes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.visit_request(
                actor=request.user,
                space=data["space"],
                purpose=data["purpose"],
                window=services.Window(data["window_date"], data["window_start"], data["window_end"]),
                urgent=data["urgent"],
                urgent_reason=data["urgent_reason"],
                joins=data["joins"],
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Visit %(reference)s is asked for. You will be told when it is scheduled or refused.")
                % {"reference": visit.reference},
            )
            return redirect("integrity:visit_detail", reference=visit.reference)
    return render(
        request,
        "integrity/visits/new.html",
        {"form": form, "official": services.official_of(request.user), "has_purposes": purposes.exists()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_outcome(request: HttpRequest, reference: str) -> HttpResponse:
    visit = _visit(request, reference)
    if visit.inspector_id != request.user.pk:
        raise Http404
    form = OutcomeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_file_outcome(
                actor=request.user,
                visit=visit,
                findings=form.cleaned_data["findings"],
                notice=form.cleaned_data["notice"],
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            if visit.findings_void:
                messages.warning(
                    request,
                    _("The outcome is filed after its deadline: the findings are void and the delay is counted."),
                )
            else:
                messages.success(request, _("The outcome is filed. The operator is asked to answer."))
            return redirect("integrity:visit_detail", reference=visit.reference)
    return render(
        request,
        "integrity/visits/outcome.html",
        {"visit": visit, "form": form, "outcome_due": services.outcome_due(visit)},
    )


# --- schedulers -------------------------------------------------------------------------------------


@login_required
@require_GET
def visit_queue(request: HttpRequest) -> HttpResponse:
    _require_role(request, roles.ASSOCIATION_LIAISON, roles.PROGRAM_OFFICER)
    visits = selectors.visits_to_schedule(request.user)
    return render(
        request,
        "integrity/visits/queue.html",
        {
            "waiting": visits.filter(state=V.REQUESTED).order_by("window_date", "requested_at"),
            "upcoming": visits.filter(state=V.SCHEDULED, window_date__gte=timezone.localdate()).order_by(
                "window_date", "window_start"
            ),
        },
    )


def _act(request: HttpRequest, visit: InspectionVisit, form: Any, action: Any, done: str) -> HttpResponse | None:
    """Run one service for a bound, valid form; a refusal goes back on the form."""
    if not form.is_valid():
        return None
    try:
        action(form.cleaned_data)
    except DomainError as error:
        show_domain_error(form, error)
        return None
    messages.success(request, done)
    return redirect("integrity:visit_detail", reference=visit.reference)


@login_required
@require_POST
def visit_schedule(request: HttpRequest, reference: str) -> HttpResponse:
    visit = _visit(request, reference)
    form = ScheduleForm(request.POST, joinable=selectors.joinable_visits(visit))

    def run(data: dict) -> None:
        services.visit_schedule(
            actor=request.user,
            visit=visit,
            window=services.Window(data["window_date"], data["window_start"], data["window_end"]),
            joint_with=data["joint_with"],
        )

    return _act(request, visit, form, run, _("The visit is scheduled and the operator is told.")) or _detail(
        request, visit, schedule_form=form
    )


@login_required
@require_POST
def visit_refuse(request: HttpRequest, reference: str) -> HttpResponse:
    visit = _visit(request, reference)
    form = ReasonForm(request.POST, prefix="refuse")

    def run(data: dict) -> None:
        services.visit_refuse(actor=request.user, visit=visit, reason=data["reason"])

    return _act(request, visit, form, run, _("The request is refused; the inspector reads your reason.")) or _detail(
        request, visit, refuse_form=form
    )


@login_required
@require_POST
def visit_cancel(request: HttpRequest, reference: str) -> HttpResponse:
    visit = _visit(request, reference)
    form = ReasonForm(request.POST, prefix="cancel")

    def run(data: dict) -> None:
        services.visit_cancel(actor=request.user, visit=visit, reason=data["reason"])

    return _act(request, visit, form, run, _("The visit is cancelled and everyone concerned is told.")) or _detail(
        request, visit, cancel_form=form
    )


@login_required
@require_POST
def visit_no_show(request: HttpRequest, reference: str) -> HttpResponse:
    visit = _visit(request, reference)
    try:
        services.visit_mark_no_show(actor=request.user, visit=visit)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Recorded: nobody came for this visit."))
    return redirect("integrity:visit_detail", reference=visit.reference)


# --- a visit's page ---------------------------------------------------------------------------------


def _detail(request: HttpRequest, visit: InspectionVisit, **forms: Any) -> HttpResponse:
    user = request.user
    scheduler = services.is_scheduler_for(user, visit)
    member = services.is_operator_member(user, visit)
    inspector = visit.inspector_id == user.pk
    state = visit.state
    context = {
        "visit": visit,
        "official": services.official_of(visit.inspector),
        "partners": selectors.joint_partners(visit),
        "notices": list(visit.notices.all()),
        "may_schedule": scheduler and VISITS.allows(user, "schedule", state) and state == V.REQUESTED,
        "may_cancel": (scheduler or inspector) and state in (V.REQUESTED, V.SCHEDULED),
        "may_file_outcome": inspector and state == V.SCHEDULED,
        "may_answer": member and visit.answered_at is None and state in (V.SCHEDULED, V.COMPLETED, V.NO_SHOW),
        "may_mark_no_show": (member or scheduler) and state == V.SCHEDULED,
        "is_member": member,
        # The operator's answer is not shown to the inspector it is about.
        "show_answer": member or scheduler or _integrity(user),
        "outcome_due": services.outcome_due(visit),
        "answer_due": services.answer_due(visit),
        "events": audit_events_for(visit) if (scheduler or inspector or member or _integrity(user)) else [],
        "qr": qr_data_uri(verify_url(request, visit)) if visit.code and state == V.SCHEDULED else "",
        "verify_link": verify_url(request, visit) if visit.code else "",
    }
    if context["may_schedule"]:
        context["schedule_form"] = forms.get("schedule_form") or ScheduleForm(
            initial={
                "window_date": visit.window_date,
                "window_start": visit.window_start,
                "window_end": visit.window_end,
                "joint_with": visit.joint_with_id,
            },
            joinable=selectors.joinable_visits(visit),
        )
        context["refuse_form"] = forms.get("refuse_form") or ReasonForm(prefix="refuse")
    if context["may_cancel"]:
        context["cancel_form"] = forms.get("cancel_form") or ReasonForm(prefix="cancel")
    return render(request, "integrity/visits/detail.html", context, status=400 if forms else 200)


def _integrity(user: Any) -> bool:
    return user.has_role(roles.INTEGRITY_OFFICER) or user.has_role(roles.INTEGRITY_HEAD)


@login_required
@require_GET
def visit_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _detail(request, _visit(request, reference))


@login_required
@require_GET
def visit_notice_download(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    visit = _visit(request, reference)
    try:
        notice = visit.notices.get(pk=pk)
    except VisitNotice.DoesNotExist:
        raise Http404 from None
    return private_file_response(notice)


# --- operators --------------------------------------------------------------------------------------


@login_required
@require_GET
def portal_visits(request: HttpRequest) -> HttpResponse:
    _require_role(request, roles.OPERATOR)
    visits = selectors.visits_of_operator(request.user).exclude(state=V.REQUESTED)
    today = timezone.localdate()
    spaces = list(Space.objects.filter(operator__members=request.user).order_by("name"))
    fiscal_year = FiscalYear.current()
    burdens = selectors.burden_of_spaces([space.pk for space in spaces], fiscal_year.start_year)
    return render(
        request,
        "integrity/visits/portal.html",
        {
            "upcoming": visits.filter(state=V.SCHEDULED, window_date__gte=today).order_by(
                "window_date", "window_start"
            ),
            "past": visits.exclude(state=V.SCHEDULED, window_date__gte=today).order_by("-window_date")[:100],
            "burdens": [(space, burdens[space.pk]) for space in spaces],
            "fiscal_year": fiscal_year,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def portal_visit_answer(request: HttpRequest, reference: str) -> HttpResponse:
    visit = _visit(request, reference)
    if not services.is_operator_member(request.user, visit):
        raise Http404
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grievance = services.visit_answer(
                actor=request.user,
                visit=visit,
                answer=services.Answer(
                    happened_as_registered=data["happened_as_registered"],
                    asked_for_money=data["asked_for_money"],
                    treatment=data["treatment"],
                    comment=data["comment"],
                ),
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            if grievance is not None:
                messages.success(
                    request,
                    _(
                        "Thank you. Your report is grievance %(reference)s with the integrity office, outside the "
                        "approval chain; the official does not see it."
                    )
                    % {"reference": grievance.reference},
                )
            else:
                messages.success(request, _("Thank you: your answer is recorded."))
            return redirect("integrity:portal_visits")
    return render(
        request,
        "integrity/visits/answer.html",
        {"visit": visit, "form": form, "answer_due": services.answer_due(visit)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def portal_unregistered_visit(request: HttpRequest) -> HttpResponse:
    """An official came without a registered visit: a grievance, filed from the portal."""
    from ..services.grievances import grievance_file

    _require_role(request, roles.OPERATOR)
    spaces = Space.objects.filter(operator__members=request.user).select_related("operator").order_by("name")
    form = UnregisteredVisitForm(request.POST or None, spaces=spaces)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        text = _(
            "An official came to %(space)s on %(date)s without a registered visit. Department given: %(department)s. "
            "Official: %(official)s.\n\n%(what)s"
        ) % {
            "space": data["space"].name,
            "date": data["visited_on"].isoformat(),
            "department": data["department"] or "—",
            "official": data["official_name"] or "—",
            "what": data["what_happened"],
        }
        try:
            grievance = grievance_file(
                category=Grievance.Category.UNREGISTERED_VISIT,
                what_happened=text,
                filed_by=request.user,
                operator=data["space"].operator,
                channel=Grievance.Channel.PORTAL,
            ).grievance
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Your report is grievance %(reference)s with the integrity office.")
                % {"reference": grievance.reference},
            )
            return redirect("integrity:portal_visits")
    return render(request, "integrity/visits/unregistered.html", {"form": form})


# --- the public -------------------------------------------------------------------------------------


@require_GET
def verify_visit_form(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.GET or None)
    if request.GET and form.is_valid():
        code = services.normalise_code(form.cleaned_data["code"])
        return redirect("integrity:verify_visit", code=code or "-")
    return render(request, "integrity/visits/verify_form.html", {"form": form})


@require_GET
def verify_visit(request: HttpRequest, code: str) -> HttpResponse:
    """Public: is this a registered visit, today? Shows who, for which department, where and when,
    and never the CNIC. Anything else says plainly that it is not a registered visit for today."""
    visit = selectors.visit_by_code(services.normalise_code(code))
    today = timezone.localdate()
    registered_today = visit is not None and visit.state == V.SCHEDULED and visit.window_date == today
    context = {
        "visit": visit,
        "code": code,
        "registered_today": registered_today,
        "official": services.official_of(visit.inspector) if visit else None,
        "partners": selectors.joint_partners(visit) if visit else [],
        "form": VerifyForm(),
    }
    return render(request, "integrity/visits/verify.html", context, status=200 if visit else 404)


# --- the integrity office ---------------------------------------------------------------------------


@login_required
@require_GET
def visit_watch(request: HttpRequest) -> HttpResponse:
    if not _integrity(request.user):
        raise Http404
    return render(request, "integrity/visits/watch.html", selectors.integrity_watch())
