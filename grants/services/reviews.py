"""Review (issue 4): the rubric, reviewer assignment, conflict declarations and submitted reviews.
The decision, the budget commitment and the award are in decisions.py.

Re-exported by grants/services/__init__.py, so callers write `services.review_submit(...)`. The conventions
are those of grants/services/__init__.py: keyword-only, `actor=`, one transaction, rows locked before their
state is read, an audit event in the same transaction, notifications on commit, and a
`grants.errors.GrantsError` (PermissionDenied / InvalidTransition / ValidationFailed) that changes
nothing on refusal.

Program officer:
    review_assign(*, application, actor, reviewers) -> list[Review]          in_review
        Refuses, each with the reason: the applicant, a member of the applying company, anyone with
        a declared conflict with that company, anyone not a board reviewer, anyone already assigned;
        and a choice that leaves fewer than `program.min_reviewers` reviewers.
    application_approve_delegated(*, application, actor, amount=None, conditions="")
        in_review | recommended -> approved: a utility-subsidy enrolment at or under the program's
        delegated limit, without the board. Commits budget and offers the award like the board's.
    budget_commitment_reverse(*, commitment, actor, reason) -> BudgetCommitment
        A reversing (negative) ledger row; the original row is never changed.

Board reviewer (only for their own assignment):
    review_declare(*, review, actor, conflict, reason="")   assigned -> declared | conflicted
        A conflict removes the reviewer, is registered against the company (ConflictOfInterest),
        and tells the officers.
    review_submit(*, review, actor, scores, recommendation, comments, conditions="")
        declared -> submitted, with a score 1–5 for every rubric criterion (grants/scoring.py). When
        the last assigned review is in, the application becomes `recommended` (board agenda).
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.db import transaction
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from core import workflow
from notifications.services import notify

from .. import messages
from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from ..events import GrantsEvent
from ..models import (
    SCORE_MAX,
    SCORE_MIN,
    Application,
    ApplicationState,
    ConflictOfInterest,
    CriterionScore,
    Program,
    Recommendation,
    Review,
    ReviewState,
    RubricCriterion,
    is_active_person,
    reviews_complete,
    staff_may,
)
from ..permissions import APPLICATIONS
from ..scoring import mean_score, weighted_score
from ..selectors.reviews import reviewer_refusal
from ._common import (
    _guard,
    _lock,
    _raise_if,
    _tell_officers,
    _text,
    retaliation_guard,
)

if TYPE_CHECKING:
    from accounts.models import User

S = ApplicationState

# The rubric a program gets when its officer first assigns reviewers and none was configured (the
# Django admin edits it per program). Weights are relative.
STANDARD_RUBRIC = [
    (
        "need",
        "Need",
        "ضرورت",
        "How much the space and its members need this support.",
        "اسپیس اور اس کے اراکین کو اس معاونت کی کتنی ضرورت ہے۔",
        Decimal("25"),
    ),
    (
        "feasibility",
        "Feasibility",
        "قابلِ عمل ہونا",
        "Whether the plan, budget and milestones can be delivered.",
        "کیا منصوبہ، بجٹ اور سنگِ میل پورے کیے جا سکتے ہیں۔",
        Decimal("25"),
    ),
    (
        "underserved_reach",
        "Reach in underserved districts",
        "پسماندہ اضلاع تک رسائی",
        "Seats and services outside the big cities, where coworking is scarce.",
        "بڑے شہروں سے باہر نشستیں اور خدمات، جہاں کوورکنگ کم ہے۔",
        Decimal("20"),
    ),
    (
        "womens_participation",
        "Women's participation",
        "خواتین کی شرکت",
        "Women members, women-only hours or spaces, childcare, safe transport.",
        "خواتین اراکین، خواتین کے لیے مخصوص اوقات یا جگہیں، بچوں کی نگہداشت، محفوظ آمد و رفت۔",
        Decimal("15"),
    ),
    (
        "value_for_money",
        "Value for money",
        "رقم کا بہتر استعمال",
        "Seats and jobs per rupee, and the operator's own stake.",
        "فی روپیہ نشستیں اور روزگار، اور آپریٹر کا اپنا حصہ۔",
        Decimal("15"),
    ),
]


# --- helpers ---------------------------------------------------------------------------------------


def _url(name: str, **kwargs: Any) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _users_with_role(role: str) -> "QuerySet[User]":
    from accounts.models import User

    return User.objects.filter(groups__name=role, is_active=True).distinct()


def _lock_review(review: Review) -> Review:
    try:
        return Review.objects.select_for_update().select_related("reviewer").get(pk=review.pk)
    except Review.DoesNotExist:
        raise InvalidTransition(_("This review no longer exists.")) from None


def rubric_ensure(program: Program) -> list[RubricCriterion]:
    """The program's rubric; the standard one is created if the program has none yet."""
    criteria = list(program.rubric.order_by("position"))
    if criteria:
        return criteria
    RubricCriterion.objects.bulk_create(
        [
            RubricCriterion(
                program=program,
                position=i,
                code=code,
                title=title,
                title_ur=title_ur,
                guidance=guidance,
                guidance_ur=guidance_ur,
                weight=weight,
            )
            for i, (code, title, title_ur, guidance, guidance_ur, weight) in enumerate(STANDARD_RUBRIC, start=1)
        ],
        ignore_conflicts=True,
    )
    return list(program.rubric.order_by("position"))


def _complete_review(application: Application, trigger: "User") -> None:
    """in_review -> recommended once every assigned review is in. `trigger` is the person whose
    step completed it; the event is recorded as the system's (the operator reads the timeline, and
    reviewers are not named to applicants), with the trigger's id in its data."""
    if application.state != S.IN_REVIEW or not reviews_complete(application):
        return
    # Submitted reviews are scored: weighted_score is set on submit.
    scores = cast(
        "list[Decimal]",
        list(application.reviews.filter(state=ReviewState.SUBMITTED).values_list("weighted_score", flat=True)),
    )
    score = mean_score(scores)
    at = timezone.now()
    # The system completes the review, on behalf of the person whose step completed it (`trigger`):
    # their right to do so is what _guard checks.
    workflow.transition(
        application,
        workflow.Step(
            "recommend",
            GrantsEvent.APPLICATION_RECOMMEND,
            kwargs={"at": at},
            data={"reference": application.reference, "score": str(score), "reviews": len(scores), "by": trigger.pk},
            at=at,
        ),
        actor=_("Sahulat: all reviews submitted"),
        table=None,
        guard=lambda obj, _who: _guard(obj, "recommend", trigger),
    )
    params = {"ref": application.reference, "n": len(scores), "score": score, "max": SCORE_MAX}
    subject, body = messages.ON_THE_AGENDA.render(**params)
    notify(
        recipients=_users_with_role(roles.BOARD_CHAIR),
        subject=subject,
        body=body,
        url=_url("grants:workbench_board_agenda"),
    )
    _tell_officers(application, messages.ON_THE_AGENDA, **params)


# --- reviewer assignment ---------------------------------------------------------------------------


def review_assign(*, application: Application, actor: "User", reviewers: "Iterable[User]") -> list[Review]:
    """Assign board reviewers to an application in review.

    Pre: actor is a program officer (not of the applying company); the application is in_review;
    every person chosen may review it (reviewer_refusal); after the assignment at least
    `program.min_reviewers` reviewers are assigned and not removed for a conflict.
    Post: one Review per person (assigned: their conflict declaration is due), an audit event
    `application.assign_reviewers`, each reviewer told. The program's rubric exists.
    """
    reviewers = list({user.pk: user for user in reviewers}.values())
    with transaction.atomic():
        application = _lock(application)
        if not staff_may(APPLICATIONS, "assign_reviewers")(application, actor):
            raise PermissionDenied(_("Only a program officer who does not work for the applicant assigns reviewers."))
        if application.state not in APPLICATIONS.rule("assign_reviewers").states:
            raise InvalidTransition(
                _("Application %(ref)s is %(state)s; reviewers are assigned while it is in review.")
                % {"ref": application.reference, "state": application.get_state_display().lower()}
            )
        if not reviewers:
            raise ValidationFailed(field_errors={"reviewers": [_("Choose at least one reviewer.")]})
        existing = {r.reviewer_id: r for r in application.reviews.all()}
        problems = []
        for user in reviewers:
            if user.pk in existing:
                problems.append(
                    _("%(name)s is already assigned to this application.")
                    % {"name": user.get_full_name() or user.email}
                )
                continue
            refusal = reviewer_refusal(application, user)
            if refusal:
                problems.append(refusal)
        if problems:
            raise ValidationFailed(field_errors={"reviewers": problems})
        active = sum(1 for r in existing.values() if r.state != ReviewState.CONFLICTED) + len(reviewers)
        needed = application.call.program.min_reviewers
        if active < needed:
            raise ValidationFailed(
                field_errors={
                    "reviewers": [
                        _(
                            "%(program)s needs at least %(needed)s reviewers per application; with your choice "
                            "it would have %(active)s. Choose %(more)s more."
                        )
                        % {
                            "program": application.call.program.name,
                            "needed": needed,
                            "active": active,
                            "more": needed - active,
                        }
                    ]
                }
            )
        rubric_ensure(application.call.program)
        now = timezone.now()
        created = Review.objects.bulk_create(
            [Review(application=application, reviewer=user, assigned_by=actor, assigned_at=now) for user in reviewers]
        )
        workflow.record(
            actor=actor,
            event=GrantsEvent.APPLICATION_ASSIGN_REVIEWERS,
            obj=application,
            from_state=application.state,
            to_state=application.state,
            data={"reference": application.reference, "reviewers": [user.pk for user in reviewers]},
            at=now,
        )
        program = application.call.program
        # The program's name as each reviewer reads it (a callable is rendered in their language).
        subject, body = messages.TO_REVIEWERS_ASSIGNED.render(
            ref=application.reference, program=lambda: program.display_name
        )
        notify(
            recipients=reviewers,
            subject=subject,
            body=body,
            url=_url("grants:workbench_review", reference=application.reference),
        )
    return created


# --- the reviewer ----------------------------------------------------------------------------------


def _require_own_review(review: Review, actor: "User") -> None:
    if not is_active_person(actor) or review.reviewer_id != actor.pk:
        raise PermissionDenied(_("Only the assigned reviewer may act on this review."))


def review_declare(*, review: Review, actor: "User", conflict: bool, reason: str = "") -> Review:
    """Declare, before seeing the application, whether the reviewer has a conflict of interest.

    No conflict: assigned -> declared (the application opens for scoring). Conflict (a reason is
    required): assigned -> conflicted, the reviewer is off the application and, through a
    ConflictOfInterest row, off every later application of the same company; the officers are told
    to assign someone else. Audit events are on the review (`review.declare_*`).
    """
    with transaction.atomic():
        application = _lock(review.application)
        review = _lock_review(review)
        _require_own_review(review, actor)
        if review.state != ReviewState.ASSIGNED:
            raise InvalidTransition(_("You have already declared your interests for this application."))
        if application.state != S.IN_REVIEW:
            raise InvalidTransition(_("Application %(ref)s is no longer in review.") % {"ref": application.reference})
        errors: dict = {}
        reason = _text(reason, _("the conflict of interest"), errors, "reason", required=conflict)
        _raise_if(errors)
        at = timezone.now()
        if conflict:
            ConflictOfInterest.objects.get_or_create(
                reviewer=actor,
                operator=application.operator,
                defaults={"reason": reason, "declared_at": at, "application": application},
            )
        name, event, kwargs = (
            ("declare_conflict", GrantsEvent.REVIEW_DECLARE_CONFLICT, {"reason": reason, "at": at})
            if conflict
            else ("declare_no_conflict", GrantsEvent.REVIEW_DECLARE_NO_CONFLICT, {"at": at})
        )
        workflow.transition(
            review,
            workflow.Step(
                name,
                event,
                kwargs=kwargs,
                reason=reason,
                data={"reference": application.reference, "operator": application.operator_id},
                at=at,
            ),
            actor=actor,
            table=None,  # the permission= predicate reads grants.permissions.REVIEWS
        )
        if conflict:
            name = actor.get_full_name() or actor.email
            _tell_officers(
                application,
                messages.TO_OFFICERS_REVIEWER_CONFLICT,
                name=name,
                operator=application.operator.legal_name,
                ref=application.reference,
                reason=reason,
            )
            _complete_review(application, actor)
    return review


def review_submit(
    *,
    review: Review,
    actor: "User",
    scores: Mapping,
    recommendation: str,
    comments: str,
    conditions: str = "",
) -> Review:
    """Submit the review: a whole-number score from 1 to 5 for every criterion of the program's rubric
    (`scores` maps criterion code -> score), a recommendation, comments, and conditions when the
    recommendation is to approve with conditions.

    Pre: declared (no conflict), application in review. Post: submitted with its weighted score
    (grants/scoring.py), one CriterionScore per criterion carrying the weight used; when it was the
    last review outstanding, the application is recommended (see _complete_review).
    """
    with transaction.atomic():
        application = _lock(review.application)
        review = _lock_review(review)
        _require_own_review(review, actor)
        if review.state == ReviewState.ASSIGNED:
            raise InvalidTransition(_("Declare whether you have a conflict of interest first."))
        if review.state == ReviewState.SUBMITTED:
            raise InvalidTransition(_("You have already submitted this review."))
        if review.state == ReviewState.CONFLICTED:
            raise InvalidTransition(_("You declared a conflict of interest, so you do not review this application."))
        if application.state != S.IN_REVIEW:
            raise InvalidTransition(_("Application %(ref)s is no longer in review.") % {"ref": application.reference})
        criteria = rubric_ensure(application.call.program)
        errors: dict = {}
        given = {}
        for criterion in criteria:
            value = scores.get(criterion.code) if isinstance(scores, Mapping) else None
            try:
                number = int(value) if not isinstance(value, bool) and value not in (None, "") else None
            except (TypeError, ValueError):
                number = None
            if number is None or not SCORE_MIN <= number <= SCORE_MAX or str(number) != str(value).strip():
                errors.setdefault(f"score_{criterion.code}", []).append(
                    _("Score “%(criterion)s” with a whole number from %(low)s to %(high)s.")
                    % {"criterion": criterion.display_title, "low": SCORE_MIN, "high": SCORE_MAX}
                )
            else:
                given[criterion.pk] = number
        if recommendation not in Recommendation.values:
            errors.setdefault("recommendation", []).append(_("Choose your recommendation."))
        comments = _text(comments, _("your comments"), errors, "comments")
        conditions = _text(
            conditions,
            _("the conditions"),
            errors,
            "conditions",
            required=recommendation == Recommendation.APPROVE_WITH_CONDITIONS,
        )
        _raise_if(errors)
        score = weighted_score((given[c.pk], c.weight) for c in criteria)
        CriterionScore.objects.bulk_create(
            [CriterionScore(review=review, criterion=c, score=given[c.pk], weight=c.weight) for c in criteria]
        )
        at = timezone.now()
        review.recommendation = recommendation
        review.comments = comments
        review.conditions = conditions if recommendation == Recommendation.APPROVE_WITH_CONDITIONS else ""
        review.weighted_score = score
        workflow.transition(
            review,
            workflow.Step(
                "submit",
                GrantsEvent.REVIEW_SUBMIT,
                kwargs={"at": at},
                data={
                    "reference": application.reference,
                    "scores": {c.code: given[c.pk] for c in criteria},
                    "weights": {c.code: str(c.weight) for c in criteria},
                    "weighted_score": str(score),
                    "recommendation": recommendation,
                },
                at=at,
            ),
            actor=actor,
            table=None,  # the permission= predicate reads grants.permissions.REVIEWS
            rules=retaliation_guard("submit", application),  # a reject recommendation (issue #15)
        )
        _complete_review(application, actor)
    return review
