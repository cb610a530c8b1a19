"""Decision (issue 4): board meetings and decisions, delegated approvals, the budget commitment ledger and
awards. Re-exported by grants/services/__init__.py; conventions as in reviews.py.

Program officer:
    application_approve_delegated(*, application, actor, amount=None, conditions="")
        in_review | recommended -> approved: a utility-subsidy enrolment at or under the program's
        delegated limit, without the board. Commits budget and offers the award like the board's.
    budget_commitment_reverse(*, commitment, actor, reason) -> BudgetCommitment
        A reversing (negative) ledger row; the original row is never changed.

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

import datetime as dt
import secrets
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from core import workflow
from core.dates import show_date
from core.messages import joined
from notifications.kinds import Kind

from .. import messages
from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from ..events import GrantsEvent
from ..fiscal import FiscalYear
from ..models import (
    APPROVING_OUTCOMES,
    Application,
    Award,
    AwardState,
    BoardMeeting,
    BudgetAllocation,
    BudgetCommitment,
    ConflictOfInterest,
    Decision,
    DecisionOutcome,
    Program,
    SanctionSequence,
    is_active_person,
    is_applicant,
    is_program_officer,
    staff_may,
)
from ..money import pkr, pkr_each
from ..permissions import APPLICATIONS
from ..selectors.awards import award_money
from ._common import (
    S,
    _guard,
    _lock,
    _raise_if,
    _tell_officers,
    _tell_operator,
    _text,
    _transition,
)
from .budget import commitment_row_write, room_refusal
from .payments import tranche_schedule_create

if TYPE_CHECKING:
    from accounts.models import User

# Verification codes: no 0/O, 1/I/L, so a code read aloud or typed from paper is not misread.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


# --- budget ----------------------------------------------------------------------------------------


def _commit_budget(*, application: Application, amount: Decimal, actor: "User", at: dt.datetime) -> BudgetCommitment:
    """Append a commitment of `amount` to the program's allocation for the fiscal year of `at`.

    Locks the allocation row first: concurrent approvals queue here, and each reads the running total
    its predecessor committed. Refused, saying by how much, when the remainder is too small. The row,
    its running total and its journal entry are written by budget.commitment_row_write.
    """
    program = application.call.program
    fiscal_year = FiscalYear.of(timezone.localtime(at).date())
    allocation = (
        BudgetAllocation.objects.select_for_update()
        .select_related("program")
        .filter(program=program, fiscal_year=fiscal_year.start_year)
        .first()
    )
    if allocation is None:
        raise ValidationFailed(
            _("%(program)s has no budget allocation for %(fy)s, so nothing can be committed.")
            % {"program": program.name, "fy": fiscal_year.label}
        )
    refusal = room_refusal(allocation, amount, _("approving"))
    if refusal is not None:
        raise refusal
    return commitment_row_write(
        allocation=allocation,
        application=application,
        amount=amount,
        cause=BudgetCommitment.Cause.APPROVAL,
        actor=actor,
        note=application.reference,
        at=at,
    )


def budget_commitment_reverse(*, commitment: BudgetCommitment, actor: "User", reason: str) -> BudgetCommitment:
    """Reverse a commitment with a new negative row (the original is never edited); the allocation's
    committed total falls by the same amount. Program officers only; a commitment is reversed once, and
    never below what the award has paid or has waiting for payment (release the remainder instead)."""
    with transaction.atomic():
        if not (is_active_person(actor) and actor.has_role(roles.PROGRAM_OFFICER)):
            raise PermissionDenied(_("Only a program officer reverses a budget commitment."))
        errors: dict = {}
        reason = _text(reason, _("the reason for the reversal"), errors, "reason")
        _raise_if(errors)
        allocation = (
            BudgetAllocation.objects.select_for_update().select_related("program").get(pk=commitment.allocation_id)
        )
        commitment = BudgetCommitment.objects.select_related("application").get(pk=commitment.pk)
        if commitment.kind != BudgetCommitment.Kind.COMMITMENT or hasattr(commitment, "reversed_by"):
            raise InvalidTransition(_("This commitment has already been reversed."))
        award = Award.objects.select_for_update().filter(application_id=commitment.application_id).first()
        if award is not None:
            money = award_money(award)
            if commitment.amount > money.releasable:
                raise ValidationFailed(
                    _(
                        "Commitment of %(amount)s cannot be reversed whole: award %(sanction)s has %(committed)s "
                        "committed, %(paid)s paid and %(pending)s waiting for payment, so %(releasable)s is "
                        "releasable. Release that instead."
                    )
                    % {
                        "amount": pkr(commitment.amount),
                        "sanction": award.sanction_number,
                        "committed": pkr(money.committed),
                        "paid": pkr(money.paid),
                        "pending": pkr(money.pending),
                        "releasable": pkr(money.releasable),
                    }
                )
        return commitment_row_write(
            allocation=allocation,
            application=commitment.application,
            amount=-commitment.amount,
            cause=BudgetCommitment.Cause.CORRECTION,
            actor=actor,
            note=reason,
            reverses=commitment,
        )


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


def _approve(application: Application, decision: Decision, actor: "User", transition: str) -> Award:
    """Commit the budget, offer the award and close the application as approved (one transaction)."""
    at = decision.decided_at
    # An approving decision carries the amount approved.
    amount = cast(Decimal, decision.amount)
    commitment = _commit_budget(application=application, amount=amount, actor=actor, at=at)
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
    subject, body = messages.TO_OPERATOR_APPROVED.render(
        ref=application.reference, sanction=award.sanction_number, amount=pkr_each(award.amount)
    )
    if award.conditions:
        body = joined(body, "\n\n", messages.AWARD_CONDITIONS, "\n", award.conditions)
    _tell_operator(application, subject, body, kind=Kind.DECISION)
    return award


def _amount(value: object, application: Application, errors: dict, *, limit: Decimal | None = None) -> Decimal | None:
    from ..money import parse_money

    if value in (None, ""):
        return application.amount_requested
    amount, problem = parse_money(value, _("the amount approved"))
    if problem:
        errors.setdefault("amount", []).append(problem)
        return None
    amount = cast(Decimal, amount)  # no problem: parse_money gave the amount
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


def application_approve_delegated(
    *, application: Application, actor: "User", amount: Decimal | str | None = None, conditions: str = ""
) -> Award:
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


def award_accept(*, award: Award, actor: "User") -> Award:
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
            # The tranche schedule comes with the accepted grant (grants/services/payments.py).
            tranche_schedule_create(award=award, actor=actor)
        _tell_officers(
            application,
            messages.TO_OFFICERS_AWARD_ACCEPTED,
            operator=str(application.operator),
            sanction=award.sanction_number,
            amount=pkr_each(award.amount),
            ref=application.reference,
        )
    return award


# --- the board -------------------------------------------------------------------------------------


def _is_chair(actor: "User") -> bool:
    return is_active_person(actor) and actor.has_role(roles.BOARD_CHAIR)


def _board_member(user: "User") -> bool:
    return is_active_person(user) and (user.has_role(roles.BOARD_REVIEWER) or user.has_role(roles.BOARD_CHAIR))


def board_meeting_record(
    *, actor: "User", held_on: dt.date, members_present: "Iterable[User]", notes: str = ""
) -> BoardMeeting:
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


def _whole(value: int | str, label: str, field: str, errors: dict) -> int:
    try:
        number = int(value)
        if isinstance(value, bool) or number < 0:
            raise ValueError
    except (TypeError, ValueError):
        errors.setdefault(field, []).append(_("%(label)s must be a whole number, 0 or more.") % {"label": label})
        return 0
    return number


# The row of grants.permissions.APPLICATIONS that says who records each outcome (the approvals: "approve").
_BOARD_ACTION: dict[str, str] = {DecisionOutcome.REJECT: "reject", DecisionOutcome.DEFER: "defer"}


def board_decision_record(
    *,
    meeting: BoardMeeting,
    application: Application,
    actor: "User",
    outcome: str,
    votes_for: int | str,
    votes_against: int | str,
    votes_abstain: int | str,
    amount: Decimal | str | None = None,
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
        if not staff_may(APPLICATIONS, _BOARD_ACTION.get(outcome, "approve"))(application, actor):
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
                    "date": show_date(meeting.held_on),
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
                application, *messages.TO_OPERATOR_REJECTED.render(ref=ref, reasons=reasons), kind=Kind.DECISION
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
            subject, body = messages.TO_OPERATOR_DEFERRED.render(ref=ref)
            if reasons:
                body = joined(body, "\n\n", reasons)
            _tell_operator(application, subject, body, kind=Kind.DECISION)
    return decision
