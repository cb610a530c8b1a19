"""Review and decision (issue 4): every write from reviewer assignment to the accepted award.

Re-exported by grants/services.py, so callers write `services.review_submit(...)`. The conventions
are those of grants/services.py: keyword-only, `actor=`, one transaction, rows locked before their
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

Board chair:
    board_meeting_record(*, actor, held_on, members_present, notes="") -> BoardMeeting
    board_decision_record(*, meeting, application, actor, outcome, votes_for, votes_against,
                          votes_abstain, amount=None, conditions="", reasons="") -> Decision
        recommended -> approved (commits budget, offers the award) | rejected (the operator is told
        the reasons) | stays recommended (deferred). Refused without quorum, saying how many are
        missing; refused when the budget left is too small, saying by how much.

Operator:
    award_accept(*, award, actor) -> Award                      award_offered -> award_accepted

The budget invariant (committed ≤ allocated, per program and fiscal year) is held by
`_commit_budget`: it locks the BudgetAllocation row (select_for_update), checks what remains,
appends the ledger row and raises the allocation's running total, all in the caller's transaction;
the database refuses a total over the allocation (BudgetAllocation's CheckConstraint), so even a
path that forgot the lock could not over-commit. See BudgetCommitment's docstring.
"""

import secrets
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from core import workflow
from notifications.services import notify

from . import messages
from .errors import InvalidTransition, PermissionDenied, ValidationFailed
from .events import GrantsEvent
from .fiscal import FiscalYear
from .models import (
    APPROVING_OUTCOMES,
    SCORE_MAX,
    SCORE_MIN,
    Application,
    ApplicationState,
    Award,
    AwardState,
    BoardMeeting,
    BudgetAllocation,
    BudgetCommitment,
    ConflictOfInterest,
    CriterionScore,
    Decision,
    DecisionOutcome,
    Program,
    Recommendation,
    Review,
    ReviewState,
    RubricCriterion,
    SanctionSequence,
    is_active_person,
    is_applicant,
    is_program_officer,
    reviews_complete,
    staff_may,
)
from .money import pkr
from .permissions import APPLICATIONS
from .scoring import mean_score, weighted_score
from .services import (
    _guard,
    _lock,
    _raise_if,
    _tell_officers,
    _tell_operator,
    _text,
    _transition,
)

S = ApplicationState

# The rubric a program gets when its officer first assigns reviewers and none was configured (the
# Django admin edits it per program). Weights are relative.
STANDARD_RUBRIC = [
    ("need", "Need", "How much the space and its members need this support.", Decimal("25")),
    ("feasibility", "Feasibility", "Whether the plan, budget and milestones can be delivered.", Decimal("25")),
    (
        "underserved_reach",
        "Reach in underserved districts",
        "Seats and services outside the big cities, where coworking is scarce.",
        Decimal("20"),
    ),
    (
        "womens_participation",
        "Women's participation",
        "Women members, women-only hours or spaces, childcare, safe transport.",
        Decimal("15"),
    ),
    ("value_for_money", "Value for money", "Seats and jobs per rupee, and the operator's own stake.", Decimal("15")),
]

# Verification codes: no 0/O, 1/I/L, so a code read aloud or typed from paper is not misread.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


# --- helpers ---------------------------------------------------------------------------------------


def _url(name: str, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _users_with_role(role: str):
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
            RubricCriterion(program=program, position=i, code=code, title=title, guidance=guidance, weight=weight)
            for i, (code, title, guidance, weight) in enumerate(STANDARD_RUBRIC, start=1)
        ],
        ignore_conflicts=True,
    )
    return list(program.rubric.order_by("position"))


def reviewer_refusal(
    application: Application,
    user,
    *,
    members: set[int] | None = None,
    conflicts: set[int] | None = None,
    is_reviewer: bool | None = None,
) -> str | None:
    """Why `user` may not review `application`, or None when they may. When listing many people,
    pass the ids of the operator's `members`, of those with a declared `conflicts` with it, and
    `is_reviewer` if known, to save queries per person."""
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


def _complete_review(application: Application, trigger) -> None:
    """in_review -> recommended once every assigned review is in. `trigger` is the person whose
    step completed it; the event is recorded as the system's (the operator reads the timeline, and
    reviewers are not named to applicants), with the trigger's id in its data."""
    if application.state != S.IN_REVIEW or not reviews_complete(application):
        return
    scores = list(application.reviews.filter(state=ReviewState.SUBMITTED).values_list("weighted_score", flat=True))
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


def review_assign(*, application: Application, actor, reviewers: Iterable) -> list[Review]:
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
        if not is_program_officer(application, actor):
            raise PermissionDenied(_("Only a program officer who does not work for the applicant assigns reviewers."))
        if application.state != S.IN_REVIEW:
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
        notify(
            recipients=reviewers,
            subject=_("Please review application %(ref)s") % {"ref": application.reference},
            body=_(
                "You are asked to review %(ref)s (%(program)s). First declare whether you have a conflict of "
                "interest with the applicant; then score it against the program's rubric."
            )
            % {"ref": application.reference, "program": application.call.program.name},
            url=_url("grants:workbench_review", reference=application.reference),
        )
    return created


# --- the reviewer ----------------------------------------------------------------------------------


def _require_own_review(review: Review, actor) -> None:
    if not is_active_person(actor) or review.reviewer_id != actor.pk:
        raise PermissionDenied(_("Only the assigned reviewer may act on this review."))


def review_declare(*, review: Review, actor, conflict: bool, reason: str = "") -> Review:
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
    actor,
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
                    % {"criterion": criterion.title, "low": SCORE_MIN, "high": SCORE_MAX}
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
        )
        _complete_review(application, actor)
    return review


# --- budget ----------------------------------------------------------------------------------------


def _commit_budget(*, application: Application, amount: Decimal, actor, at) -> BudgetCommitment:
    """Append a commitment of `amount` to the program's allocation for the fiscal year of `at`.

    Locks the allocation row first: concurrent approvals queue here, and each reads the running total
    its predecessor committed. Refused, saying by how much, when the remainder is too small.
    """
    program = application.call.program
    fiscal_year = FiscalYear.of(timezone.localtime(at).date())
    allocation = (
        BudgetAllocation.objects.select_for_update().filter(program=program, fiscal_year=fiscal_year.start_year).first()
    )
    if allocation is None:
        raise ValidationFailed(
            _("%(program)s has no budget allocation for %(fy)s, so nothing can be committed.")
            % {"program": program.name, "fy": fiscal_year.label}
        )
    remaining = allocation.amount - allocation.committed
    if amount > remaining:
        raise ValidationFailed(
            field_errors={
                "amount": [
                    _(
                        "Not enough budget: %(program)s has %(remaining)s left of %(allocated)s for %(fy)s; "
                        "approving %(amount)s needs %(shortfall)s more."
                    )
                    % {
                        "program": program.name,
                        "remaining": pkr(remaining),
                        "allocated": pkr(allocation.amount),
                        "fy": fiscal_year.label,
                        "amount": pkr(amount),
                        "shortfall": pkr(amount - remaining),
                    }
                ]
            }
        )
    commitment = BudgetCommitment.objects.create(
        allocation=allocation,
        application=application,
        kind=BudgetCommitment.Kind.COMMITMENT,
        amount=amount,
        created_by=actor,
        created_at=at,
        note=application.reference,
    )
    allocation.committed = allocation.committed + amount
    allocation.save(update_fields=["committed"])
    workflow.record(
        actor=actor,
        event=GrantsEvent.BUDGET_COMMIT,
        obj=allocation,
        data={
            "reference": application.reference,
            "commitment": commitment.pk,
            "amount": str(amount),
            "committed": str(allocation.committed),
            "allocated": str(allocation.amount),
        },
        at=at,
    )
    return commitment


def budget_commitment_reverse(*, commitment: BudgetCommitment, actor, reason: str) -> BudgetCommitment:
    """Reverse a commitment with a new negative row (the original is never edited); the allocation's
    committed total falls by the same amount. Program officers only; a commitment is reversed once."""
    with transaction.atomic():
        if not (is_active_person(actor) and actor.has_role(roles.PROGRAM_OFFICER)):
            raise PermissionDenied(_("Only a program officer reverses a budget commitment."))
        errors: dict = {}
        reason = _text(reason, _("the reason for the reversal"), errors, "reason")
        _raise_if(errors)
        allocation = BudgetAllocation.objects.select_for_update().get(pk=commitment.allocation_id)
        commitment = BudgetCommitment.objects.select_related("application").get(pk=commitment.pk)
        if commitment.kind != BudgetCommitment.Kind.COMMITMENT or hasattr(commitment, "reversed_by"):
            raise InvalidTransition(_("This commitment has already been reversed."))
        at = timezone.now()
        reversal = BudgetCommitment.objects.create(
            allocation=allocation,
            application=commitment.application,
            kind=BudgetCommitment.Kind.REVERSAL,
            amount=-commitment.amount,
            reverses=commitment,
            note=reason,
            created_by=actor,
            created_at=at,
        )
        allocation.committed = allocation.committed - commitment.amount
        allocation.save(update_fields=["committed"])
        workflow.record(
            actor=actor,
            event=GrantsEvent.BUDGET_REVERSE,
            obj=allocation,
            reason=reason,
            data={
                "reference": commitment.application.reference,
                "reverses": commitment.pk,
                "amount": str(reversal.amount),
                "committed": str(allocation.committed),
            },
            at=at,
        )
    return reversal


# --- awards ----------------------------------------------------------------------------------------


def _sanction_number(program: Program, year: int) -> str:
    SanctionSequence.objects.bulk_create([SanctionSequence(program=program, year=year)], ignore_conflicts=True)
    sequence = SanctionSequence.objects.select_for_update().get(program=program, year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"SAN-{program.code}-{year}-{sequence.last_number:05d}"


def _verification_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _i in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _approve(application: Application, decision: Decision, actor, transition: str) -> Award:
    """Commit the budget, offer the award and close the application as approved (one transaction)."""
    at = decision.decided_at
    commitment = _commit_budget(application=application, amount=decision.amount, actor=actor, at=at)
    award = Award.objects.create(
        application=application,
        decision=decision,
        commitment=commitment,
        sanction_number=_sanction_number(application.call.program, timezone.localtime(at).year),
        amount=decision.amount,
        conditions=decision.conditions,
        fiscal_year=commitment.allocation.fiscal_year,
        verification_code=_verification_code(),
        offered_at=at,
    )
    _transition(
        application,
        transition,
        actor,
        data={
            "decision": decision.pk,
            "outcome": decision.outcome,
            "amount": str(decision.amount),
            "sanction_number": award.sanction_number,
            "votes": [decision.votes_for, decision.votes_against, decision.votes_abstain],
            "delegated": decision.delegated,
        },
    )
    workflow.record(
        actor=actor,
        event=GrantsEvent.AWARD_OFFER,
        obj=application,
        from_state="",
        to_state=AwardState.OFFERED,
        data={"reference": application.reference, "sanction_number": award.sanction_number, "award": award.pk},
        at=at,
    )

    def text():
        words = _(
            "Application %(ref)s is approved: award %(sanction)s for %(amount)s. Download the award letter and "
            "accept the award in the portal."
        ) % {"ref": application.reference, "sanction": award.sanction_number, "amount": pkr(award.amount)}
        if award.conditions:
            words += "\n\n" + _("Conditions:") + "\n" + award.conditions
        return words

    _tell_operator(application, lambda: _("Application %(ref)s approved") % {"ref": application.reference}, text)
    return award


def _amount(value, application: Application, errors: dict, *, limit: Decimal | None = None) -> Decimal | None:
    from .money import parse_money

    if value in (None, ""):
        return application.amount_requested
    amount, problem = parse_money(value, _("the amount approved"))
    if problem:
        errors.setdefault("amount", []).append(problem)
        return None
    if amount <= 0:
        errors.setdefault("amount", []).append(_("The amount approved must be more than zero."))
        return None
    if amount > application.amount_requested:
        errors.setdefault("amount", []).append(
            _("The amount approved can be at most the amount asked for, %(asked)s.")
            % {"asked": pkr(application.amount_requested)}
        )
        return None
    if limit is not None and amount > limit:
        errors.setdefault("amount", []).append(
            _("%(amount)s is over the officer's delegated limit of %(limit)s; the board decides.")
            % {"amount": pkr(amount), "limit": pkr(limit)}
        )
        return None
    return amount


def application_approve_delegated(*, application: Application, actor, amount=None, conditions: str = "") -> Award:
    """A program officer approves a utility-subsidy enrolment at or under the program's delegated
    limit, without the board (in review or recommended). Commits budget and offers the award."""
    with transaction.atomic():
        application = _lock(application)
        program = application.call.program
        if (
            is_program_officer(application, actor)
            and application.instrument == Program.Instrument.UTILITY_SUBSIDY
            and application.amount_requested > program.delegated_limit
        ):
            raise PermissionDenied(
                _("%(amount)s is over the officer's delegated limit of %(limit)s; the board decides.")
                % {"amount": pkr(application.amount_requested), "limit": pkr(program.delegated_limit)}
            )
        _guard(application, "approve_delegated", actor)
        errors: dict = {}
        amount = _amount(amount, application, errors, limit=program.delegated_limit)
        conditions = _text(conditions, _("the conditions"), errors, "conditions", required=False)
        _raise_if(errors)
        decision = Decision.objects.create(
            application=application,
            delegated=True,
            outcome=DecisionOutcome.APPROVE_WITH_CONDITIONS if conditions else DecisionOutcome.APPROVE,
            amount=amount,
            conditions=conditions,
            decided_by=actor,
            decided_at=timezone.now(),
        )
        return _approve(application, decision, actor, "approve_delegated")


def award_accept(*, award: Award, actor) -> Award:
    """The operator accepts the award offered (award_offered -> award_accepted); officers are told."""
    with transaction.atomic():
        try:
            award = Award.objects.select_for_update().get(pk=award.pk)
        except Award.DoesNotExist:
            raise InvalidTransition(_("This award no longer exists.")) from None
        application = Application.objects.select_related("operator").get(pk=award.application_id)
        award.application = application
        if not is_applicant(application, actor):
            raise PermissionDenied(
                _("Only staff of %(operator)s may accept this award.") % {"operator": application.operator}
            )
        if award.state != AwardState.OFFERED:
            raise InvalidTransition(_("Award %(sanction)s is already accepted.") % {"sanction": award.sanction_number})
        at = timezone.now()
        workflow.transition(
            award,
            workflow.Step(
                "accept",
                GrantsEvent.AWARD_ACCEPT,
                kwargs={"by": actor, "at": at},
                data={"reference": application.reference, "sanction_number": award.sanction_number, "award": award.pk},
                at=at,
            ),
            actor=actor,
            table=None,  # the permission= predicate reads grants.permissions.AWARDS
            audit_obj=application,
        )
        if application.instrument == Program.Instrument.GRANT:
            # The tranche schedule comes with the accepted grant (grants/services_payments.py).
            from .services_payments import tranche_schedule_create

            tranche_schedule_create(award=award, actor=actor)
        _tell_officers(
            application,
            messages.TO_OFFICERS_AWARD_ACCEPTED,
            operator=str(application.operator),
            sanction=award.sanction_number,
            amount=pkr(award.amount),
            ref=application.reference,
        )
    return award


# --- the board -------------------------------------------------------------------------------------


def _is_chair(actor) -> bool:
    return is_active_person(actor) and actor.has_role(roles.BOARD_CHAIR)


def _board_member(user) -> bool:
    return is_active_person(user) and (user.has_role(roles.BOARD_REVIEWER) or user.has_role(roles.BOARD_CHAIR))


def board_meeting_record(*, actor, held_on, members_present: Iterable, notes: str = "") -> BoardMeeting:
    """The chair records a meeting: its date (today or earlier) and the board members present (the
    chair counts as present). Audit event `board_meeting.record`."""
    if not _is_chair(actor):
        raise PermissionDenied(_("Only the board chair records board meetings."))
    members = list({user.pk: user for user in [*members_present, actor]}.values())
    errors: dict = {}
    if held_on is None:
        errors["held_on"] = [_("Enter the date of the meeting.")]
    elif held_on > timezone.localdate():
        errors["held_on"] = [_("A meeting is recorded once it has been held: the date cannot be in the future.")]
    strangers = [user.get_full_name() or user.email for user in members if not _board_member(user)]
    if strangers:
        errors["members_present"] = [_("Not a board member: %(names)s.") % {"names": ", ".join(sorted(strangers))}]
    notes = _text(notes, _("the notes"), errors, "notes", required=False)
    _raise_if(errors)
    with transaction.atomic():
        meeting = BoardMeeting.objects.create(held_on=held_on, chair=actor, notes=notes, recorded_at=timezone.now())
        meeting.members_present.set(members)
        workflow.record(
            actor=actor,
            event=GrantsEvent.BOARD_MEETING_RECORD,
            obj=meeting,
            data={"held_on": held_on.isoformat(), "members_present": sorted(user.pk for user in members)},
        )
    return meeting


def _whole(value, label: str, field: str, errors: dict) -> int:
    try:
        number = int(value)
        if isinstance(value, bool) or number < 0:
            raise ValueError
    except (TypeError, ValueError):
        errors.setdefault(field, []).append(_("%(label)s must be a whole number, 0 or more.") % {"label": label})
        return 0
    return number


def board_decision_record(
    *,
    meeting: BoardMeeting,
    application: Application,
    actor,
    outcome: str,
    votes_for,
    votes_against,
    votes_abstain,
    amount=None,
    conditions: str = "",
    reasons: str = "",
) -> Decision:
    """The board chair records the board's decision on a recommended application.

    Quorum: at least `program.board_quorum` members present who have no declared conflict with the
    applying company (a conflicted member neither counts nor votes); refused otherwise, saying how
    many are missing. Votes for + against + abstentions ≤ those members. Approve (with conditions):
    more votes for than against, an amount up to the amount asked (default: the amount asked) and
    budget left for it in the program's allocation for the fiscal year of the decision. Reject:
    reasons, which the operator reads. Defer: the application stays on the agenda.
    """
    with transaction.atomic():
        application = _lock(application)
        if not (_is_chair(actor) and staff_may(APPLICATIONS, "approve")(application, actor)):
            raise PermissionDenied(_("Only the board chair records board decisions."))
        if application.state != S.RECOMMENDED:
            raise InvalidTransition(
                _("Application %(ref)s is %(state)s; the board decides recommended applications.")
                % {"ref": application.reference, "state": application.get_state_display().lower()}
            )
        program = application.call.program
        conflicted = set(
            ConflictOfInterest.objects.filter(operator=application.operator_id).values_list("reviewer_id", flat=True)
        )
        present = [pk for pk in meeting.members_present.values_list("pk", flat=True) if pk not in conflicted]
        if len(present) < program.board_quorum:
            missing = program.board_quorum - len(present)
            raise ValidationFailed(
                _(
                    "No quorum: %(program)s needs %(quorum)s board members present without a conflict of interest; "
                    "the meeting of %(date)s had %(present)s, so %(missing)s more are needed."
                )
                % {
                    "program": program.name,
                    "quorum": program.board_quorum,
                    "date": meeting.held_on.strftime("%d %b %Y"),
                    "present": len(present),
                    "missing": missing,
                }
            )
        errors: dict = {}
        if outcome not in DecisionOutcome.values:
            errors.setdefault("outcome", []).append(_("Choose the board's decision."))
        votes = [
            _whole(votes_for, _("Votes for"), "votes_for", errors),
            _whole(votes_against, _("Votes against"), "votes_against", errors),
            _whole(votes_abstain, _("Abstentions"), "votes_abstain", errors),
        ]
        if not errors and sum(votes) > len(present):
            errors.setdefault("votes_for", []).append(
                _("%(votes)s votes were recorded but only %(present)s members could vote.")
                % {"votes": sum(votes), "present": len(present)}
            )
        if not errors and sum(votes) == 0:
            errors.setdefault("votes_for", []).append(_("Record the votes."))
        approving = outcome in APPROVING_OUTCOMES
        if approving and not errors and votes[0] <= votes[1]:
            errors.setdefault("outcome", []).append(
                _("An approval needs more votes for than against (%(for)s for, %(against)s against).")
                % {"for": votes[0], "against": votes[1]}
            )
        if outcome == DecisionOutcome.REJECT and not errors and votes[0] > votes[1]:
            errors.setdefault("outcome", []).append(
                _("A majority voted for (%(for)s for, %(against)s against): record an approval or a deferral.")
                % {"for": votes[0], "against": votes[1]}
            )
        approved_amount = _amount(amount, application, errors) if approving else None
        conditions = _text(
            conditions,
            _("the conditions"),
            errors,
            "conditions",
            required=outcome == DecisionOutcome.APPROVE_WITH_CONDITIONS,
        )
        reasons = _text(reasons, _("the reasons"), errors, "reasons", required=outcome == DecisionOutcome.REJECT)
        _raise_if(errors)
        decision = Decision.objects.create(
            application=application,
            meeting=meeting,
            outcome=outcome,
            members_present=len(present),
            quorum=program.board_quorum,
            votes_for=votes[0],
            votes_against=votes[1],
            votes_abstain=votes[2],
            amount=approved_amount,
            conditions=conditions if outcome == DecisionOutcome.APPROVE_WITH_CONDITIONS else "",
            reasons=reasons,
            decided_by=actor,
            decided_at=timezone.now(),
        )
        data = {
            "decision": decision.pk,
            "meeting": meeting.pk,
            "outcome": outcome,
            "votes": votes,
            "members_present": len(present),
            "quorum": program.board_quorum,
        }
        ref = application.reference
        if approving:
            _approve(application, decision, actor, "approve")
        elif outcome == DecisionOutcome.REJECT:
            _transition(application, "reject", actor, reason=reasons, data=data)
            _tell_operator(
                application,
                lambda: _("Decision on application %(ref)s") % {"ref": ref},
                lambda: (
                    _("The approval board did not approve application %(ref)s. Its reasons:\n\n%(reasons)s")
                    % {"ref": ref, "reasons": reasons}
                ),
            )
        else:
            workflow.record(
                actor=actor,
                event=GrantsEvent.APPLICATION_DEFER,
                obj=application,
                from_state=application.state,
                to_state=application.state,
                reason=reasons,
                data={"reference": ref, **data},
                at=decision.decided_at,
            )
            _tell_operator(
                application,
                lambda: _("Application %(ref)s deferred") % {"ref": ref},
                lambda: (
                    _("The approval board deferred its decision on %(ref)s to a later meeting.") % {"ref": ref}
                    + (f"\n\n{reasons}" if reasons else "")
                ),
            )
    return decision


__all__ = [
    "STANDARD_RUBRIC",
    "application_approve_delegated",
    "award_accept",
    "board_decision_record",
    "board_meeting_record",
    "budget_commitment_reverse",
    "review_assign",
    "review_declare",
    "review_submit",
    "reviewer_refusal",
    "rubric_ensure",
]
