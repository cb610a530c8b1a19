"""Reads for review (issue 4): the reviewer's queue and assignment, review summaries, reviewer candidates."""

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts import roles

if TYPE_CHECKING:
    from accounts.models import User

    from ..models import Application, Review

# --- review and decision (issue 4) -----------------------------------------------------------------

REVIEW_RELATED = ("application__call__program", "application__operator", "application__space", "reviewer")


def reviewer_queue(*, user: "User") -> "QuerySet[Review]":
    """'My reviews': the reviewer's own assignments, those waiting for them first (oldest first),
    then the submitted ones, newest first. Only their own: nobody else's appear."""
    from django.db.models import Case, IntegerField, Value, When

    from ..models import Review

    return (
        Review.objects.filter(reviewer=user)
        .select_related(*REVIEW_RELATED)
        .annotate(
            waiting=Case(
                When(state__in=[Review.State.ASSIGNED, Review.State.DECLARED], then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("waiting", "assigned_at", "pk")
    )


def review_for_reviewer(*, user: "User", reference: str) -> "Review":
    """The reviewer's own review of the application `reference`; Review.DoesNotExist when they are
    not assigned to it (the view answers 404: an unassigned case does not exist for them)."""
    from ..models import Review

    return (
        Review.objects.select_related(*REVIEW_RELATED)
        .prefetch_related("scores__criterion")
        .get(reviewer=user, application__reference=reference)
    )


def reviews_shown_to_reviewer(review: "Review") -> "list[Review]":
    """Other reviewers' reviews a reviewer may read: none until their own is submitted, and then
    only the others' submitted ones (a review in progress is never shown to anyone else)."""
    from ..models import Review

    if review.state != Review.State.SUBMITTED:
        return []
    return list(
        Review.objects.filter(application_id=review.application_id, state=Review.State.SUBMITTED)
        .exclude(pk=review.pk)
        .select_related("reviewer")
        .prefetch_related("scores__criterion")
        .order_by("submitted_at")
    )


@dataclass
class ReviewSummary:
    reviews: "list[Review]"
    submitted: "list[Review]"
    score: Decimal | None  # the mean of the submitted weighted scores


def review_summary(application: "Application") -> ReviewSummary:
    """Every review of an application with its scores, for the officer and the board."""
    from ..models import Review
    from ..scoring import mean_score

    reviews = list(
        Review.objects.filter(application=application)
        .select_related("reviewer")
        .prefetch_related("scores__criterion")
        .order_by("assigned_at", "pk")
    )
    submitted = [r for r in reviews if r.state == Review.State.SUBMITTED]
    return ReviewSummary(reviews=reviews, submitted=submitted, score=mean_score(r.weighted_score for r in submitted))


def reviewer_refusal(
    application: "Application",
    user: "User",
    *,
    members: set[int] | None = None,
    conflicts: set[int] | None = None,
    is_reviewer: bool | None = None,
) -> str | None:
    """Why `user` may not review `application`, or None when they may. When listing many people,
    pass the ids of the operator's `members`, of those with a declared `conflicts` with it, and
    `is_reviewer` if known, to save queries per person. A read, so it lives with the selectors:
    review_assign (grants/services/reviews.py) refuses with it, reviewer_candidates lists with it."""
    from ..models import ConflictOfInterest, is_active_person

    name = user.get_full_name() or user.email
    if not is_active_person(user):
        return _("%(name)s's account is not active.") % {"name": name}
    if not (is_reviewer if is_reviewer is not None else user.has_role(roles.BOARD_REVIEWER)):
        return _("%(name)s is not a board reviewer.") % {"name": name}
    if user.pk == application.created_by_id:
        return _("%(name)s is the applicant.") % {"name": name}
    if members is None:
        members = set(application.operator.members.values_list("pk", flat=True))
    if user.pk in members:
        return _("%(name)s works for %(operator)s, the applying company.") % {
            "name": name,
            "operator": application.operator.legal_name,
        }
    if conflicts is None:
        conflicts = set(
            ConflictOfInterest.objects.filter(operator=application.operator_id).values_list("reviewer_id", flat=True)
        )
    if user.pk in conflicts:
        return _("%(name)s has declared a conflict of interest with the applying company (%(operator)s).") % {
            "name": name,
            "operator": application.operator.legal_name,
        }
    return None


@dataclass
class ReviewerCandidate:
    user: "User"
    load: int  # reviews assigned to them and not yet submitted, across all applications
    refusal: str | None


def reviewer_candidates(application: "Application") -> list[ReviewerCandidate]:
    """Every active board reviewer with their current load and, where they may not review this
    application, why. Those who may come first, lightest load first (the suggestion)."""
    from django.db.models import Count

    from accounts.models import User

    from ..models import ConflictOfInterest, Review

    assigned = set(Review.objects.filter(application=application).values_list("reviewer_id", flat=True))
    conflicts = set(
        ConflictOfInterest.objects.filter(operator=application.operator_id).values_list("reviewer_id", flat=True)
    )
    members = set(application.operator.members.values_list("pk", flat=True))
    people = (
        User.objects.filter(groups__name=roles.BOARD_REVIEWER, is_active=True)
        .annotate(
            load=Count(
                "reviews",
                filter=Q(reviews__state__in=[Review.State.ASSIGNED, Review.State.DECLARED]),
                distinct=True,
            )
        )
        .distinct()
        .order_by("full_name", "pk")
    )
    candidates = []
    for user in people:
        if user.pk in assigned:
            continue
        refusal = reviewer_refusal(application, user, members=members, conflicts=conflicts, is_reviewer=True)
        candidates.append(ReviewerCandidate(user=user, load=user.load, refusal=refusal))
    candidates.sort(key=lambda c: (c.refusal is not None, c.load, c.user.get_full_name()))
    return candidates
