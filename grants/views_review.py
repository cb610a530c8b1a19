"""Pages of review and decision (issue 4).

- Board reviewers, /workbench/reviews/: "My reviews" — only their own assignments. An application
  they are not assigned to answers 404. Before any detail they declare their interests; then they
  score; others' reviews are shown only after their own is submitted.
- Program officers: assign reviewers (/workbench/applications/<ref>/reviewers/) and approve a
  utility enrolment within the delegated limit; the budget page (also ministry viewers).
- The board chair, /workbench/board/: the agenda, meetings (members present), one decision page per
  agenda item.
- Operators: download the award letter and accept the award from their application page.
- Anyone: /verify/award/<code>/ confirms a letter's key facts.
"""

import time
from functools import wraps

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

from . import services
from .errors import GrantsError, InvalidTransition, PermissionDenied, ValidationFailed
from .fiscal import FiscalYear
from .forms import (
    AssignReviewersForm,
    BoardMeetingForm,
    DecisionForm,
    DeclarationForm,
    DelegatedApprovalForm,
    ReviewForm,
)
from .letters import award_letter_pdf
from .models import Application, Award, BoardMeeting, Review, may_approve_delegated
from .sections import _one_to_one
from .selectors import (
    application_detail,
    award_by_verification_code,
    award_for_operator,
    board_agenda,
    board_meetings,
    budget_overview,
    meeting_detail,
    review_for_reviewer,
    review_summary,
    reviewer_candidates,
    reviewer_queue,
    reviews_shown_to_reviewer,
)
from .services import rubric_ensure
from .views import show_refusal


def role_view(*allowed):
    """Signed in with one of the roles; everyone else gets 403."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(request.user.has_role(role) for role in allowed):
                raise Forbidden
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


reviewer_view = role_view(roles.BOARD_REVIEWER)
chair_view = role_view(roles.BOARD_CHAIR)
officer_view = role_view(roles.PROGRAM_OFFICER)


def _refused(request, error, to):
    if isinstance(error, PermissionDenied):
        raise Forbidden(error.message)
    for message in error.messages:
        messages.error(request, message)
    return redirect(to)


# --- the reviewer ----------------------------------------------------------------------------------


@reviewer_view
@require_GET
def review_queue(request):
    return render(request, "grants/review/queue.html", {"reviews": list(reviewer_queue(user=request.user))})


def _own_review(request, reference) -> Review:
    try:
        return review_for_reviewer(user=request.user, reference=reference)
    except Review.DoesNotExist:
        raise Http404 from None


def _review_page(request, review, *, declaration_form=None, review_form=None, status=200):
    context = {"review": review, "application": review.application}
    if review.state == Review.State.ASSIGNED:
        # Only what is needed to judge a conflict: the company, its principal, the space.
        context["declaration_form"] = declaration_form or DeclarationForm()
        return render(request, "grants/review/declare.html", context, status=status)
    if review.state == Review.State.CONFLICTED:
        return render(request, "grants/review/conflicted.html", context, status=status)
    detail = application_detail(user=request.user, reference=review.application.reference)
    application = detail.application
    criteria = rubric_ensure(application.call.program)
    context.update(
        {
            "detail": detail,
            "application": application,
            "grant_details": _one_to_one(application, "grant_details"),
            "loan_details": _one_to_one(application, "loan_details"),
            "criteria": criteria,
            "own_scores": list(review.scores.all()),
            "others": reviews_shown_to_reviewer(review),
        }
    )
    if review.state == Review.State.DECLARED:
        context["form"] = review_form or ReviewForm(criteria=criteria)
    return render(request, "grants/review/review.html", context, status=status)


@reviewer_view
@require_GET
def review_page(request, reference):
    return _review_page(request, _own_review(request, reference))


@reviewer_view
@require_POST
def review_declare(request, reference):
    review = _own_review(request, reference)
    form = DeclarationForm(request.POST)
    if form.is_valid():
        conflict = form.cleaned_data["conflict"] == "yes"
        try:
            review = services.review_declare(
                review=review, actor=request.user, conflict=conflict, reason=form.cleaned_data["reason"]
            )
        except ValidationFailed as error:
            show_refusal(form, error)
        except (InvalidTransition, PermissionDenied) as error:
            return _refused(request, error, reverse("grants:workbench_review", args=[reference]))
        else:
            if conflict:
                messages.success(
                    request, _("Thank you. You are removed from %(ref)s and the officer is told.") % {"ref": reference}
                )
                return redirect("grants:workbench_reviews")
            messages.success(
                request, _("You declared no conflict. You can now read and score %(ref)s.") % {"ref": reference}
            )
            return redirect("grants:workbench_review", reference=reference)
    return _review_page(request, review, declaration_form=form, status=400)


@reviewer_view
@require_POST
def review_submit(request, reference):
    review = _own_review(request, reference)
    if review.state != Review.State.DECLARED:
        return redirect("grants:workbench_review", reference=reference)
    criteria = rubric_ensure(review.application.call.program)
    form = ReviewForm(request.POST, criteria=criteria)
    if form.is_valid():
        try:
            review = services.review_submit(
                review=review,
                actor=request.user,
                scores=form.scores(),
                recommendation=form.cleaned_data["recommendation"],
                comments=form.cleaned_data["comments"],
                conditions=form.cleaned_data["conditions"],
            )
        except ValidationFailed as error:
            show_refusal(form, error)
        except (InvalidTransition, PermissionDenied) as error:
            return _refused(request, error, reverse("grants:workbench_review", args=[reference]))
        else:
            messages.success(
                request,
                _("Your review of %(ref)s is submitted: weighted score %(score)s.")
                % {"ref": reference, "score": review.weighted_score},
            )
            return redirect("grants:workbench_review", reference=reference)
    return _review_page(request, review, review_form=form, status=400)


# --- the program officer ---------------------------------------------------------------------------


def _officer_application(request, reference) -> Application:
    try:
        return application_detail(user=request.user, reference=reference).application
    except Application.DoesNotExist:
        raise Http404 from None


@officer_view
@require_http_methods(["GET", "POST"])
def assign_reviewers(request, reference):
    application = _officer_application(request, reference)
    candidates = reviewer_candidates(application)
    form = AssignReviewersForm(request.POST if request.method == "POST" else None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_assign(application=application, actor=request.user, reviewers=form.chosen())
        except ValidationFailed as error:
            show_refusal(form, error)
        except (InvalidTransition, PermissionDenied) as error:
            return _refused(request, error, reverse("grants:workbench_application", args=[reference]))
        else:
            messages.success(request, _("Reviewers are assigned to %(ref)s and told.") % {"ref": reference})
            return redirect("grants:workbench_application", reference=reference)
    return render(
        request,
        "grants/workbench/assign_reviewers.html",
        {
            "application": application,
            "form": form,
            "summary": review_summary(application),
            "refused": [c for c in candidates if c.refusal],
        },
        status=400 if form.errors else 200,
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


def review_panel_context(application, user) -> dict:
    """What the officer's application page shows about review and decision."""
    return {
        "review_summary": review_summary(application),
        "may_approve_delegated": may_approve_delegated(application, user)
        and application.state in (Application.State.IN_REVIEW, Application.State.RECOMMENDED),
        "delegated_form": DelegatedApprovalForm(),
        "award": getattr(application, "award", None) if application.state == Application.State.APPROVED else None,
    }


@role_view(roles.PROGRAM_OFFICER, roles.MINISTRY_VIEWER, roles.BOARD_CHAIR)
@require_GET
def budget(request):
    fiscal_year = None
    if request.GET.get("fy"):
        try:
            fiscal_year = FiscalYear.parse(request.GET["fy"])
        except ValueError:
            fiscal_year = None
    rows = budget_overview(fiscal_year=fiscal_year)
    years = sorted({row.fiscal_year for row in budget_overview()})
    return render(
        request,
        "grants/budget.html",
        {"rows": rows, "years": years, "selected": fiscal_year, "current": FiscalYear.current()},
    )


# --- the board chair -------------------------------------------------------------------------------


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
