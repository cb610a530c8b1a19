"""Review (issue 4): reviewer assignments with their conflict declarations and criterion scores, and
conflicts of interest declared against an operator. Every write is a service in grants/services/reviews.py."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from ..permissions import REVIEWS
from .applications import Application, staff_may
from .programs import SCORE_MAX, SCORE_MIN, RubricCriterion


class ReviewState(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned: conflict declaration due")
    DECLARED = "declared", _("No conflict: scoring")
    SUBMITTED = "submitted", _("Submitted")
    CONFLICTED = "conflicted", _("Removed: conflict of interest")


class Recommendation(models.TextChoices):
    APPROVE = "approve", _("Approve")
    APPROVE_WITH_CONDITIONS = "approve_with_conditions", _("Approve with conditions")
    REJECT = "reject", _("Reject")


def _review_application(review):
    return review.application


class Review(ConcurrentTransitionMixin, models.Model):
    """A board reviewer's assignment to one application and, once submitted, their review.

    assigned -> declared (no conflict) -> submitted; assigned -> conflicted (the reviewer is removed).
    `weighted_score` is fixed at submission from the criterion scores and the weights they carry.
    """

    State = ReviewState

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("reviewer")
    )
    state = FSMField(
        _("state"), max_length=20, choices=ReviewState.choices, default=ReviewState.ASSIGNED, protected=True
    )
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(_("assigned"))
    declared_at = models.DateTimeField(_("conflict declared"), null=True, blank=True)
    conflict_reason = models.TextField(_("conflict of interest"), blank=True)
    recommendation = models.CharField(_("recommendation"), max_length=30, choices=Recommendation.choices, blank=True)
    comments = models.TextField(_("comments"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    weighted_score = models.DecimalField(_("weighted score"), max_digits=4, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["application", "assigned_at", "pk"]
        indexes = [models.Index(fields=["reviewer", "state"], name="review_reviewer_state_idx")]
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="review_one_per_reviewer"),
            models.CheckConstraint(condition=Q(state__in=ReviewState.values), name="review_state_valid"),
            models.CheckConstraint(
                condition=Q(recommendation="") | Q(recommendation__in=Recommendation.values),
                name="review_recommendation_valid",
            ),
            models.CheckConstraint(
                condition=Q(state=ReviewState.ASSIGNED, declared_at__isnull=True)
                | (~Q(state=ReviewState.ASSIGNED) & Q(declared_at__isnull=False)),
                name="review_declared_at_matches_state",
            ),
            models.CheckConstraint(
                condition=~Q(state=ReviewState.CONFLICTED) | ~Q(conflict_reason=""),
                name="review_conflict_has_reason",
            ),
            # A submitted review has its score, recommendation and time; nothing else has them.
            models.CheckConstraint(
                condition=(
                    Q(state=ReviewState.SUBMITTED)
                    & Q(submitted_at__isnull=False, weighted_score__isnull=False)
                    & ~Q(recommendation="")
                )
                | (~Q(state=ReviewState.SUBMITTED) & Q(submitted_at__isnull=True, weighted_score__isnull=True)),
                name="review_submitted_complete",
            ),
            models.CheckConstraint(
                condition=Q(weighted_score__isnull=True)
                | Q(weighted_score__gte=SCORE_MIN, weighted_score__lte=SCORE_MAX),
                name="review_weighted_score_range",
            ),
        ]

    def __str__(self):
        return f"{self.application} / {self.reviewer}"

    @transition(
        field=state,
        source=ReviewState.ASSIGNED,
        target=ReviewState.DECLARED,
        permission=staff_may(REVIEWS, "declare_no_conflict", _review_application),
    )
    def declare_no_conflict(self, *, at: dt.datetime):
        self.declared_at = at

    @transition(
        field=state,
        source=ReviewState.ASSIGNED,
        target=ReviewState.CONFLICTED,
        permission=staff_may(REVIEWS, "declare_conflict", _review_application),
    )
    def declare_conflict(self, *, reason: str, at: dt.datetime):
        self.declared_at = at
        self.conflict_reason = reason

    @transition(
        field=state,
        source=ReviewState.DECLARED,
        target=ReviewState.SUBMITTED,
        permission=staff_may(REVIEWS, "submit", _review_application),
    )
    def submit(self, *, at: dt.datetime):
        self.submitted_at = at


class CriterionScore(models.Model):
    """One criterion's score in a submitted review, with the weight the criterion had then (a later
    change of the rubric does not change a submitted score)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        ordering = ["review", "criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="criterionscore_one_per_criterion"),
            models.CheckConstraint(
                condition=Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX), name="criterionscore_score_range"
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterionscore_weight_positive"),
        ]

    def __str__(self):
        return f"{self.criterion.code}: {self.score}"


class ConflictOfInterest(models.Model):
    """A board member's declared conflict with an operator (a company). Declared once, it keeps them
    off every application of that company: the officer cannot assign them again."""

    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conflicts")
    operator = models.ForeignKey("spaces.Operator", on_delete=models.PROTECT, related_name="conflicts")
    reason = models.TextField(_("reason"))
    declared_at = models.DateTimeField(_("declared"))
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+", null=True, blank=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "operator"], name="conflict_one_per_operator"),
            models.CheckConstraint(condition=~Q(reason=""), name="conflict_has_reason"),
        ]

    def __str__(self):
        return f"{self.reviewer} / {self.operator}"
