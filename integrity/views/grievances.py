"""Grievance pages.

Anyone (/grievances/new/, /grievances/track/): file without an account, throttled per client address
with a plain message (never dropped silently); the tracking number and the follow-up key are shown
once; the track page takes both and shows the state and the replies, never the internal notes nor who
handles it. Operators (/portal/grievances/): file, and read their own grievances. The integrity office
(/integrity/desk/grievances/): the list with its clocks, a grievance with its actions, helpline entry,
the cases flagged for retaliation, and for the head of integrity the escalations and appeals.

Every desk page answers 404 to everyone but the integrity officers and the head, and to an officer
named in the grievance: nobody else learns that a grievance exists.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import roles
from accounts.axes import client_ip_address
from core.files import private_file_response
from core.forms import show_domain_error

from ..errors import DomainError, PermissionDenied
from ..forms_grievances import (
    AppealDecisionForm,
    AssignForm,
    CloseForm,
    GrievanceDeskFilter,
    GrievanceForm,
    HelplineGrievanceForm,
    PublicGrievanceForm,
    RateForm,
    ReopenForm,
    ResolveForm,
    TrackForm,
    WriteForm,
)
from ..models import Grievance, GrievanceEvidence, GrievanceMessage
from ..permissions import GRIEVANCES
from ..selectors import grievances as selectors
from ..services import grievances as services

S = Grievance.State
THROTTLE_SECONDS = 60 * 60
TRACK_LIMIT_PER_HOUR = 30
SESSION_FILED = "integrity:grievance_filed"
SESSION_TRACKED = "integrity:grievances_tracked"


# --- helpers -----------------------------------------------------------------------------------------


def _take(key: str, limit: int) -> bool:
    """Count one request against `key` for the hour; False once the allowance is spent (the same
    counter as the password reset's, in the cache)."""
    cache.add(key, 0, THROTTLE_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, THROTTLE_SECONDS)
        count = 1
    return count <= limit


def public_limit() -> int:
    return int(getattr(settings, "GRIEVANCE_PUBLIC_LIMIT_PER_HOUR", 5))


def desk_view(view):
    """Integrity officers and the head only; everyone else, signed in or not, is told nothing exists."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not selectors.may_view(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def operator_view(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.has_role(roles.OPERATOR):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _desk_grievance(request: HttpRequest, reference: str) -> Grievance:
    grievance = (
        Grievance.objects.select_related(
            "operator", "department", "official", "visit__inspector", "visit__space", "assigned_to", "filed_by"
        )
        .filter(reference=reference)
        .first()
    )
    if grievance is None or not selectors.may_view(request.user, grievance):
        raise Http404
    return grievance


def _own_grievance(request: HttpRequest, reference: str) -> Grievance:
    grievance = selectors.grievances_filed_by(request.user).filter(reference=reference).first()
    if grievance is None:
        raise Http404
    return grievance


def _evidence(form: Any, request: HttpRequest) -> list[Any]:
    return list(form.cleaned_data.get("evidence") or [])


def _application(form: Any, operator: Any) -> Any:
    """The application named by reference, only among the filer's company's (a public filer's is
    kept as text in the stage)."""
    reference = (form.cleaned_data.get("application_reference") or "").strip().upper()
    if not reference or operator is None:
        return None
    from grants.models import Application

    return Application.objects.filter(operator=operator, reference=reference).first()


def _stage(form: Any, with_application_text: bool) -> str:
    stage = form.cleaned_data.get("stage") or ""
    reference = (form.cleaned_data.get("application_reference") or "").strip()
    if with_application_text and reference:
        stage = f"{reference} {stage}".strip()
    return stage


# --- anyone: file without an account, and follow up ----------------------------------------------------


@require_http_methods(["GET", "POST"])
def public_new(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.user.has_role(roles.OPERATOR):
        return redirect("integrity:portal_grievance_new")
    form = PublicGrievanceForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        address = client_ip_address(request) or "unknown"
        if not _take(f"integrity:grievance-public:{address}", public_limit()):
            # Told plainly, and the text stays on the page: nothing is dropped silently.
            form.add_error(
                None,
                _(
                    "Too many grievances were sent from this connection in the last hour (at most %(limit)s). "
                    "Your text is still below: send it again in an hour, or call the helpline and an integrity "
                    "officer will type it in for you."
                )
                % {"limit": public_limit()},
            )
            status = 429
        else:
            data = form.cleaned_data
            try:
                filed = services.grievance_file(
                    channel=Grievance.Channel.PUBLIC,
                    category=data["category"],
                    what_happened=data["what_happened"],
                    department=data.get("department"),
                    official_name_text=data.get("official_name_text", ""),
                    stage=_stage(form, with_application_text=True),
                    contact_name=data.get("contact_name", ""),
                    contact_phone=data.get("contact_phone", ""),
                    contact_email=data.get("contact_email", ""),
                    evidence=_evidence(form, request),
                )
            except DomainError as error:
                show_domain_error(form, error)
            else:
                request.session[SESSION_FILED] = {
                    "reference": filed.grievance.reference,
                    "key": filed.follow_up_key,
                    "ack_due": filed.grievance.ack_due_on.isoformat(),
                }
                _remember_tracked(request, filed.grievance)
                return redirect("integrity:grievance_filed")
    return render(request, "integrity/grievances/public_new.html", {"form": form}, status=status)


@require_GET
def public_filed(request: HttpRequest) -> HttpResponse:
    """The tracking number and the follow-up key, shown once: a reload shows them no more."""
    filed = request.session.pop(SESSION_FILED, None)
    if not filed:
        return redirect("integrity:grievance_track")
    response = render(request, "integrity/grievances/public_filed.html", {"filed": filed})
    response["Cache-Control"] = "private, no-store"
    return response


def _remember_tracked(request: HttpRequest, grievance: Grievance) -> None:
    tracked = [pk for pk in request.session.get(SESSION_TRACKED, []) if pk != grievance.pk]
    request.session[SESSION_TRACKED] = [*tracked[-9:], grievance.pk]


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        address = client_ip_address(request) or "unknown"
        if not _take(f"integrity:grievance-track:{address}", TRACK_LIMIT_PER_HOUR):
            form.add_error(None, _("Too many attempts from this connection in the last hour. Try again later."))
            status = 429
        else:
            grievance = selectors.grievance_for_tracking(form.cleaned_data["reference"], form.cleaned_data["key"])
            if grievance is None:
                form.add_error(None, _("No grievance matches this tracking number and key. Check both and try again."))
            else:
                _remember_tracked(request, grievance)
                return redirect("integrity:grievance_tracked", reference=grievance.reference)
    return render(request, "integrity/grievances/track.html", {"form": form}, status=status)


def _tracked(request: HttpRequest, reference: str) -> Grievance:
    grievance = Grievance.objects.filter(reference=reference, pk__in=request.session.get(SESSION_TRACKED, [])).first()
    if grievance is None or grievance.filed_by_id is not None:
        raise Http404
    return grievance


@require_http_methods(["GET", "POST"])
def tracked(request: HttpRequest, reference: str) -> HttpResponse:
    """One grievance for a filer without an account who gave its key in this session."""
    grievance = _tracked(request, reference)
    return _filer_page(request, grievance, actor=None, template="integrity/grievances/tracked.html")


def _filer_page(request: HttpRequest, grievance: Grievance, *, actor: Any, template: str) -> HttpResponse:
    """The filer's page: state, replies, and reopen or rate where allowed (POST `action`)."""
    reopen_form = ReopenForm(prefix="reopen")
    rate_form = RateForm(prefix="rate")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "reopen":
                reopen_form = ReopenForm(request.POST, prefix="reopen")
                if reopen_form.is_valid():
                    services.grievance_reopen(
                        grievance=grievance, actor=actor, reason=reopen_form.cleaned_data["reason"]
                    )
                    messages.success(request, _("Your grievance is reopened."))
                    return redirect(request.path)
            elif action == "rate":
                rate_form = RateForm(request.POST, prefix="rate")
                if rate_form.is_valid():
                    rated = services.grievance_rate(
                        grievance=grievance,
                        actor=actor,
                        rating=rate_form.cleaned_data["rating"],
                        comment=rate_form.cleaned_data["comment"],
                    )
                    if rated.state == S.UNDER_APPEAL:
                        messages.success(request, _("Thank you. Your rating opens an appeal to the head of integrity."))
                    else:
                        messages.success(request, _("Thank you for rating the handling of your grievance."))
                    return redirect(request.path)
        except DomainError as error:
            show_domain_error(rate_form if action == "rate" else reopen_form, error)
        grievance.refresh_from_db()
    context = {
        "grievance": grievance,
        "replies": selectors.replies_for_filer(grievance),
        "may_reopen": services.may_reopen(grievance),
        "may_rate": grievance.state == S.RESOLVED and grievance.rating is None,
        "reopen_form": reopen_form,
        "rate_form": rate_form,
        "reopen_days": services.reopen_days(),
    }
    response = render(request, template, context)
    response["Cache-Control"] = "private, no-store"
    return response


# --- operators ----------------------------------------------------------------------------------------


@operator_view
@require_GET
def portal_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "integrity/grievances/portal_list.html", {"grievances": selectors.grievances_filed_by(request.user)}
    )


@operator_view
@require_http_methods(["GET", "POST"])
def portal_new(request: HttpRequest) -> HttpResponse:
    form = GrievanceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        companies = list(request.user.operators.all())
        operator = companies[0] if len(companies) == 1 else None
        try:
            grievance = services.grievance_file(
                channel=Grievance.Channel.PORTAL,
                filed_by=request.user,
                operator=operator,
                category=data["category"],
                what_happened=data["what_happened"],
                department=data.get("department"),
                official_name_text=data.get("official_name_text", ""),
                application=_application(form, operator),
                stage=_stage(form, with_application_text=_application(form, operator) is None),
                evidence=_evidence(form, request),
            ).grievance
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Grievance %(reference)s is filed. Only the integrity officers read it.")
                % {"reference": grievance.reference},
            )
            return redirect("integrity:portal_grievance", reference=grievance.reference)
    return render(request, "integrity/grievances/portal_new.html", {"form": form})


@operator_view
@require_http_methods(["GET", "POST"])
def portal_detail(request: HttpRequest, reference: str) -> HttpResponse:
    grievance = _own_grievance(request, reference)
    return _filer_page(request, grievance, actor=request.user, template="integrity/grievances/portal_detail.html")


# --- the integrity desk ---------------------------------------------------------------------------------


@desk_view
@require_GET
def desk_list(request: HttpRequest) -> HttpResponse:
    filters = GrievanceDeskFilter(
        request.GET or None, queryset=selectors.grievances_for_desk(request.user), request=request
    )
    today = timezone.localdate()
    rows = [(grievance, selectors.is_overdue(grievance, today)) for grievance in filters.qs[:500]]
    return render(
        request,
        "integrity/grievances/desk_list.html",
        {"filter": filters, "rows": rows, "today": today, "is_head": request.user.has_role(roles.INTEGRITY_HEAD)},
    )


@desk_view
@require_GET
def desk_flagged(request: HttpRequest) -> HttpResponse:
    cases = selectors.flagged_cases_with_acts(request.user)
    return render(request, "integrity/grievances/desk_flagged.html", {"cases": cases})


@desk_view
@require_GET
def desk_head(request: HttpRequest) -> HttpResponse:
    lists = selectors.escalations_and_appeals()
    visible = selectors.grievances_for_desk(request.user)
    return render(
        request,
        "integrity/grievances/desk_head.html",
        {
            "escalated": lists["escalated"].filter(pk__in=visible),
            "appeals": lists["appeals"].filter(pk__in=visible),
            "today": timezone.localdate(),
        },
    )


@desk_view
@require_http_methods(["GET", "POST"])
def desk_helpline(request: HttpRequest) -> HttpResponse:
    form = HelplineGrievanceForm(request.POST or None, request.FILES or None)
    filed = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            filed = services.grievance_file(
                channel=Grievance.Channel.HELPLINE,
                entered_by=request.user,
                category=data["category"],
                what_happened=data["what_happened"],
                department=data.get("department"),
                official_name_text=data.get("official_name_text", ""),
                stage=_stage(form, with_application_text=True),
                contact_name=data.get("contact_name", ""),
                contact_phone=data.get("contact_phone", ""),
                contact_email=data.get("contact_email", ""),
                evidence=_evidence(form, request),
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            form = HelplineGrievanceForm()
    response = render(request, "integrity/grievances/desk_helpline.html", {"form": form, "filed": filed})
    response["Cache-Control"] = "private, no-store"
    return response


def _detail_context(request: HttpRequest, grievance: Grievance, **forms: Any) -> dict[str, Any]:
    user = request.user
    state = grievance.state
    officers = selectors.assignable_officers(grievance)
    context = {
        "grievance": grievance,
        "thread": grievance.messages.select_related("written_by").order_by("written_at", "id"),
        "evidence": grievance.evidence.all(),
        "overdue": selectors.is_overdue(grievance),
        "conflicted": services.assignment_conflict(grievance, user),
        "flagged": bool(grievance.official_id and grievance.operator_id and grievance.is_open),
        "can": {
            "assign": state in (S.FILED, S.ACKNOWLEDGED, S.INVESTIGATING, S.UNDER_APPEAL),
            "acknowledge": GRIEVANCES.allows(user, "acknowledge") and state == S.FILED,
            "investigate": state in (S.FILED, S.ACKNOWLEDGED),
            "write": True,
            "resolve": state == S.INVESTIGATING,
            "close": state in (S.FILED, S.ACKNOWLEDGED, S.INVESTIGATING),
            "decide_appeal": GRIEVANCES.allows(user, "decide_appeal") and state == S.UNDER_APPEAL,
        },
        "assign_form": AssignForm(officers=officers, prefix="assign"),
        "reply_form": WriteForm(prefix="reply"),
        "note_form": WriteForm(prefix="note"),
        "resolve_form": ResolveForm(prefix="resolve"),
        "close_form": CloseForm(prefix="close"),
        "appeal_form": AppealDecisionForm(prefix="appeal"),
    }
    context.update(forms)
    return context


@desk_view
@require_GET
def desk_detail(request: HttpRequest, reference: str) -> HttpResponse:
    grievance = _desk_grievance(request, reference)
    response = render(request, "integrity/grievances/desk_detail.html", _detail_context(request, grievance))
    response["Cache-Control"] = "private, no-store"
    return response


ACTIONS = {
    # action: (the form it takes, the name of that form in the page's context; its prefix is the name
    # without "_form")
    "assign": (AssignForm, "assign_form"),
    "acknowledge": (None, None),
    "investigate": (None, None),
    "reply": (WriteForm, "reply_form"),
    "note": (WriteForm, "note_form"),
    "resolve": (ResolveForm, "resolve_form"),
    "close": (CloseForm, "close_form"),
    "decide_appeal": (AppealDecisionForm, "appeal_form"),
}
DONE = {
    "assign": gettext_lazy("The grievance is assigned."),
    "acknowledge": gettext_lazy("The grievance is acknowledged; the filer is told."),
    "investigate": gettext_lazy("The investigation has started."),
    "reply": gettext_lazy("Your reply is sent to the filer."),
    "note": gettext_lazy("The note is kept (the filer never sees it)."),
    "resolve": gettext_lazy("The grievance is resolved; the filer is told."),
    "close": gettext_lazy("The grievance is closed; the filer is told."),
    "decide_appeal": gettext_lazy("The appeal is decided; the filer is told."),
}


def _run(action: str, grievance: Grievance, actor: Any, data: dict[str, Any]) -> None:
    if action == "assign":
        from accounts.models import User

        officer = User.objects.filter(pk=data["officer"]).first()
        if officer is None:
            raise PermissionDenied(_("Choose an integrity officer."))
        services.grievance_assign(grievance=grievance, actor=actor, officer=officer)
    elif action == "acknowledge":
        services.grievance_acknowledge(grievance=grievance, actor=actor)
    elif action == "investigate":
        services.grievance_investigate(grievance=grievance, actor=actor)
    elif action in ("reply", "note"):
        kind = GrievanceMessage.Kind.REPLY if action == "reply" else GrievanceMessage.Kind.NOTE
        services.grievance_write(grievance=grievance, actor=actor, kind=kind, text=data["text"])
    elif action == "resolve":
        services.grievance_resolve(
            grievance=grievance, actor=actor, outcome=data["outcome"], action_taken=data["action_taken"]
        )
    elif action == "close":
        services.grievance_close(grievance=grievance, actor=actor, kind=data["kind"], reason=data["reason"])
    elif action == "decide_appeal":
        services.grievance_decide_appeal(
            grievance=grievance, actor=actor, outcome=data["outcome"], reason=data["reason"]
        )


@desk_view
@require_POST
def desk_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    grievance = _desk_grievance(request, reference)
    if action not in ACTIONS:
        raise Http404
    form_class, context_name = ACTIONS[action]
    form = None
    data: dict[str, Any] = {}
    if form_class is not None:
        kwargs: dict[str, Any] = {"prefix": context_name.removesuffix("_form")}
        if form_class is AssignForm:
            # Every integrity officer is accepted here, so one who may not handle it is refused by the
            # service with the reason, not by the form with a bare "not one of the choices".
            kwargs["officers"] = _integrity_people()
        form = form_class(request.POST, **kwargs)
        if not form.is_valid():
            return _detail_again(request, grievance, context_name, form)
        data = form.cleaned_data
    try:
        _run(action, grievance, request.user, data)
    except DomainError as error:
        if form is None:
            for message in error.messages:
                messages.error(request, message)
            return redirect("integrity:grievance_detail", reference=grievance.reference)
        show_domain_error(form, error)
        return _detail_again(request, grievance, context_name, form)
    messages.success(request, DONE[action])
    return redirect("integrity:grievance_detail", reference=grievance.reference)


def _integrity_people() -> list[Any]:
    from accounts.models import User

    return list(
        User.objects.filter(is_active=True, groups__name__in=[roles.INTEGRITY_OFFICER, roles.INTEGRITY_HEAD]).distinct()
    )


def _detail_again(request: HttpRequest, grievance: Grievance, context_name: str, form: Any) -> HttpResponse:
    grievance.refresh_from_db()
    context = _detail_context(request, grievance, **{context_name: form})
    return render(request, "integrity/grievances/desk_detail.html", context, status=400)


@desk_view
@require_GET
def desk_evidence(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    grievance = _desk_grievance(request, reference)
    evidence = GrievanceEvidence.objects.filter(grievance=grievance, pk=pk).first()
    if evidence is None:
        raise Http404
    try:
        services.grievance_evidence_for_download(evidence=evidence, actor=request.user)
    except DomainError:
        raise Http404 from None
    return private_file_response(evidence)
