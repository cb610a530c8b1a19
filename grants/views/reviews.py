"""Pages of review (issue 4): board reviewers' "My reviews" (/workbench/reviews/) and the officer's reviewer
assignment. The decision, the board and the award are in decisions.py.

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

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import services
from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from ..forms import (
    AssignReviewersForm,
    DeclarationForm,
    DelegatedApprovalForm,
    ReviewForm,
)
from ..models import Application, Review, may_approve_delegated
from ..sections import _one_to_one
from ..selectors import (
    application_detail,
    review_for_reviewer,
    review_summary,
    reviewer_candidates,
    reviewer_queue,
    reviews_shown_to_reviewer,
)
from ..services import rubric_ensure
from ._common import (
    _officer_application,
    _refused,
    officer_view,
    reviewer_view,
    show_refusal,
)


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


def review_panel_context(application, user) -> dict:
    """What the officer's application page shows about review and decision."""
    return {
        "review_summary": review_summary(application),
        "may_approve_delegated": may_approve_delegated(application, user)
        and application.state in (Application.State.IN_REVIEW, Application.State.RECOMMENDED),
        "delegated_form": DelegatedApprovalForm(),
        "award": getattr(application, "award", None) if application.state == Application.State.APPROVED else None,
    }
