"""Pages of decision (issue 4): the officer's delegated approval, the board's agenda, meetings and decisions, the
award letter and its acceptance, and the public verification of a letter. Roles as in reviews.py."""

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import roles
from accounts.models import User
from accounts.two_factor import step_up_required

from .. import services
from ..errors import GrantsError, InvalidTransition, PermissionDenied, ValidationFailed
from ..forms import (
    BoardMeetingForm,
    DecisionForm,
    DelegatedApprovalForm,
)
from ..letters import award_letter_pdf
from ..models import Application, Award, BoardMeeting
from ..sections import _one_to_one
from ..selectors import (
    application_detail,
    award_by_verification_code,
    award_for_operator,
    board_agenda,
    board_meetings,
    meeting_detail,
    review_summary,
)
from ._common import (
    _officer_application,
    _refused,
    chair_view,
    officer_view,
    role_view,
    show_refusal,
)


@officer_view
@require_POST
def approve_delegated(request, reference):
    application = _officer_application(request, reference)
    form = DelegatedApprovalForm(request.POST)
    to = reverse("grants:workbench_application", args=[reference])
    if not form.is_valid():
        return _refused(request, ValidationFailed(*[e for errors in form.errors.values() for e in errors]), to)
    try:
        award = services.application_approve_delegated(
            application=application,
            actor=request.user,
            amount=form.cleaned_data["amount"] or None,
            conditions=form.cleaned_data["conditions"],
        )
    except GrantsError as error:
        return _refused(request, error, to)
    messages.success(
        request,
        _("%(ref)s is approved: award %(sanction)s, budget committed.")
        % {"ref": reference, "sanction": award.sanction_number},
    )
    return redirect(to)


@role_view(roles.BOARD_CHAIR, roles.PROGRAM_OFFICER)
@require_GET
def agenda(request):
    return render(
        request,
        "grants/board/agenda.html",
        {"agenda": board_agenda(), "meetings": list(board_meetings()[:10])},
    )


def _board_members():
    return list(
        User.objects.filter(groups__name__in=[roles.BOARD_REVIEWER, roles.BOARD_CHAIR], is_active=True)
        .distinct()
        .order_by("full_name")
    )


@chair_view
@require_http_methods(["GET", "POST"])
def meeting_new(request):
    members = [user for user in _board_members() if user.pk != request.user.pk]
    form = BoardMeetingForm(
        request.POST if request.method == "POST" else None,
        initial={"held_on": timezone.localdate()},
        members=members,
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.board_meeting_record(
                actor=request.user,
                held_on=form.cleaned_data["held_on"],
                members_present=form.chosen(),
                notes=form.cleaned_data["notes"],
            )
        except ValidationFailed as error:
            show_refusal(form, error)
        except PermissionDenied as error:
            raise Forbidden(error.message) from None
        else:
            messages.success(request, _("The meeting is recorded. Record a decision for each agenda item."))
            return redirect("grants:workbench_board_meeting", pk=meeting.pk)
    return render(request, "grants/board/meeting_new.html", {"form": form}, status=400 if form.errors else 200)


@role_view(roles.BOARD_CHAIR, roles.PROGRAM_OFFICER)
@require_GET
def meeting_page(request, pk):
    try:
        meeting = meeting_detail(pk)
    except BoardMeeting.DoesNotExist:
        raise Http404 from None
    members = list(meeting.members_present.all())
    return render(
        request,
        "grants/board/meeting.html",
        {"meeting": meeting, "members": members, "agenda": board_agenda(), "decisions": list(meeting.decisions.all())},
    )


@chair_view
@step_up_required
@require_http_methods(["GET", "POST"])
def decision_record(request, pk, reference):
    meeting = get_object_or_404(BoardMeeting, pk=pk)
    try:
        application = application_detail(user=request.user, reference=reference).application
    except Application.DoesNotExist:
        raise Http404 from None
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.board_decision_record(
                meeting=meeting,
                application=application,
                actor=request.user,
                outcome=data["outcome"],
                votes_for=data["votes_for"],
                votes_against=data["votes_against"],
                votes_abstain=data["votes_abstain"],
                amount=data["amount"] or None,
                conditions=data["conditions"],
                reasons=data["reasons"],
            )
        except ValidationFailed as error:
            show_refusal(form, error)
        except (InvalidTransition, PermissionDenied) as error:
            return _refused(request, error, reverse("grants:workbench_board_meeting", args=[pk]))
        else:
            messages.success(
                request,
                _("Decision on %(ref)s recorded: %(outcome)s.")
                % {"ref": reference, "outcome": decision.get_outcome_display().lower()},
            )
            return redirect("grants:workbench_board_meeting", pk=pk)
    summary = review_summary(application)
    return render(
        request,
        "grants/board/decision.html",
        {
            "meeting": meeting,
            "present": meeting.members_present.count(),
            "application": application,
            "summary": summary,
            "form": form,
            "grant_details": _one_to_one(application, "grant_details"),
            "loan_details": _one_to_one(application, "loan_details"),
        },
        status=400 if form.errors else 200,
    )


# --- the operator: award letter and acceptance -----------------------------------------------------


def _operator_award(request, reference) -> Award:
    try:
        return award_for_operator(user=request.user, reference=reference)
    except Award.DoesNotExist:
        raise Http404 from None


def verify_url(request, award) -> str:
    return request.build_absolute_uri(reverse("grants:verify_award", args=[award.verification_code]))


@login_required
@require_GET
def award_letter(request, reference):
    award = _operator_award(request, reference)
    started = time.perf_counter()
    pdf = award_letter_pdf(award, verify_url=verify_url(request, award))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="award-letter-{award.sanction_number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["Server-Timing"] = f"pdf;dur={(time.perf_counter() - started) * 1000:.0f}"
    return response


@login_required
@require_POST
def award_accept(request, reference):
    award = _operator_award(request, reference)
    to = reverse("grants:portal_application", args=[reference])
    try:
        award = services.award_accept(award=award, actor=request.user)
    except GrantsError as error:
        return _refused(request, error, to)
    messages.success(request, _("You accepted award %(sanction)s.") % {"sanction": award.sanction_number})
    return redirect(to)


# --- the public ------------------------------------------------------------------------------------


@require_GET
def verify_award(request, code):
    try:
        award = award_by_verification_code(code)
    except Award.DoesNotExist:
        raise Http404 from None
    response = render(request, "grants/verify_award.html", {"award": award, "application": award.application})
    response["X-Robots-Tag"] = "noindex"
    return response
