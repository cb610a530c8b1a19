"""The award's end (issue #22): completion by a program officer, termination by two board members.
Re-exported by grants/services/__init__.py; conventions as in grants/services/__init__.py.

    award_accepted (the active award) -> completed | terminated

Program officer:
    award_complete(*, award, actor, note="") -> Award
        The award's work is done. Refused while a payment is with finance (it must be paid or
        cancelled first), while a tranche request or a utility claim waits for the officer, and, when
        less than the award was paid, without a note saying why it is closed early (the figures are
        named). Unpaid tranches are cancelled; the unpaid remainder is released (ledger rows, cause
        "completion"); the operator is told.
Board chair:
    award_termination_propose(*, award, actor, reason) -> TerminationProposal
    award_termination_withdraw(*, proposal, actor) -> TerminationProposal        (the proposer only)
Board chair or board reviewer, never the proposer (two-person rule):
    award_termination_confirm(*, proposal, actor) -> Award
        The award is terminated with the proposal's reason; tranches not yet with finance (scheduled,
        returned, requested) are cancelled; payments already in finance's pipeline (verified tranches,
        approved claims, a requested loan disbursement) are left to finance: paid or in a batch they
        go ahead and stay committed, and no new payment can be asked for (grants.services.budget.
        award_payment_refusal). The releasable remainder is released (cause "termination"); the
        operator is told and reads the reason on the award's page.
"""

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from core import workflow
from notifications.kinds import Kind
from notifications.services import notify

from .. import messages
from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from ..events import GrantsEvent
from ..models import (
    Award,
    AwardState,
    BudgetCommitment,
    TerminationProposal,
    Tranche,
    TrancheState,
    UtilityClaim,
    UtilityClaimState,
    is_active_person,
    is_applicant,
)
from ..money import pkr, pkr_each
from ..permissions import AWARDS
from ..selectors.awards import award_money
from ._common import _raise_if, _tell_officers, _tell_operator, _text, application_url
from .budget import lock_award_and_allocations, release_remainder

if TYPE_CHECKING:
    from accounts.models import User

Cause = BudgetCommitment.Cause


def _not_of_the_company(award: Award, actor: "User") -> None:
    if is_applicant(award.application, actor):
        raise PermissionDenied(
            _("You are on the staff of %(operator)s, so you may not act on its award.")
            % {"operator": award.application.operator}
        )


def _require_active(award: Award) -> None:
    if award.state != AwardState.ACCEPTED:
        raise InvalidTransition(
            _("Award %(sanction)s is %(state)s; only an active (accepted) award can be completed or terminated.")
            % {"sanction": award.sanction_number, "state": award.get_state_display().lower()}
        )


def _end(award: Award, name: str, event: GrantsEvent, actor: "User", note: str, data: dict) -> None:
    at = timezone.now()
    workflow.transition(
        award,
        workflow.Step(
            name,
            event,
            kwargs={"by": actor, "at": at, ("note" if name == "complete" else "reason"): note},
            reason=note,
            data={"reference": award.application.reference, "sanction_number": award.sanction_number, **data},
            at=at,
        ),
        actor=actor,
        table=AWARDS,
        audit_obj=award.application,
        raced=_("Someone else changed award %(sanction)s at the same moment. Reload it and try again.")
        % {"sanction": award.sanction_number},
    )


def _cancel_unpaid_tranches(award: Award, actor: "User") -> list[int]:
    """Tranches not yet with finance are never paid once the award has ended."""
    cancelled = []
    for tranche in Tranche.objects.select_for_update().filter(
        award=award, state__in=[TrancheState.SCHEDULED, TrancheState.RETURNED, TrancheState.REQUESTED]
    ):
        tranche.award = award
        workflow.transition(
            tranche,
            workflow.Step(
                "cancel",
                GrantsEvent.TRANCHE_CANCEL,
                data={"reference": award.application.reference, "tranche": tranche.position},
            ),
            actor=actor,
            table=None,
            audit_obj=award.application,
        )
        cancelled.append(tranche.position)
    return cancelled


def award_complete(*, award: Award, actor: "User", note: str = "") -> Award:
    """A program officer marks an active award completed (see the module docstring for the rule)."""
    with transaction.atomic():
        award, allocations = lock_award_and_allocations(award)
        AWARDS.require(actor, "complete")
        _not_of_the_company(award, actor)
        _require_active(award)
        errors: dict = {}
        note = _text(note, _("a note"), errors, "note", required=False)
        _raise_if(errors)
        money = award_money(award)
        if money.pending:
            raise InvalidTransition(
                _(
                    "Award %(sanction)s has %(pending)s waiting for payment with finance; complete it once that is "
                    "paid or cancelled (%(paid)s of %(amount)s paid so far)."
                )
                % {
                    "sanction": award.sanction_number,
                    "pending": pkr(money.pending),
                    "paid": pkr(money.paid),
                    "amount": pkr(award.amount),
                }
            )
        waiting = Tranche.objects.filter(award=award, state=TrancheState.REQUESTED).order_by("position").first()
        if waiting is not None:
            raise InvalidTransition(
                _("Tranche %(n)s of award %(sanction)s is requested and waits for you: verify or return it first.")
                % {"n": waiting.position, "sanction": award.sanction_number}
            )
        open_claims = UtilityClaim.objects.filter(
            connection__application_id=award.application_id,
            state__in=[UtilityClaimState.SUBMITTED, UtilityClaimState.VERIFIED],
        ).count()
        if open_claims:
            raise InvalidTransition(
                _("Award %(sanction)s has %(n)s utility claims waiting for a decision: decide them first.")
                % {"sanction": award.sanction_number, "n": open_claims}
            )
        unpaid = award.amount - money.paid
        if unpaid > 0 and not note:
            raise ValidationFailed(
                field_errors={
                    "note": [
                        _(
                            "Award %(sanction)s has %(paid)s paid of %(amount)s; %(unpaid)s is unpaid. To complete it "
                            "before everything is paid, write a note saying why."
                        )
                        % {
                            "sanction": award.sanction_number,
                            "paid": pkr(money.paid),
                            "amount": pkr(award.amount),
                            "unpaid": pkr(unpaid),
                        }
                    ]
                }
            )
        note = note or _("All of the award is paid.")
        releasable = money.releasable
        _end(
            award,
            "complete",
            GrantsEvent.AWARD_COMPLETE,
            actor,
            note,
            {"paid": str(money.paid), "released": str(releasable)},
        )
        _cancel_unpaid_tranches(award, actor)
        if releasable:
            release_remainder(
                award=award,
                money=money,
                allocations=allocations,
                amount=releasable,
                cause=Cause.COMPLETION,
                actor=actor,
                note=_("Award %(sanction)s completed: %(note)s") % {"sanction": award.sanction_number, "note": note},
            )
        _tell_operator(
            award.application,
            *messages.TO_OPERATOR_AWARD_COMPLETED.render(sanction=award.sanction_number, amount=pkr_each(money.paid)),
            kind=Kind.DECISION,
        )
    return award


# --- termination: two board members ------------------------------------------------------------------


def _board_members():
    from accounts.models import User

    return User.objects.filter(groups__name__in=[roles.BOARD_CHAIR, roles.BOARD_REVIEWER], is_active=True).distinct()


def award_termination_propose(*, award: Award, actor: "User", reason: str) -> TerminationProposal:
    """The board chair proposes to terminate an active award, with the reason. One pending proposal
    per award; the other board members are asked to confirm."""
    with transaction.atomic():
        try:
            award = (
                Award.objects.select_for_update(of=("self",)).select_related("application__operator").get(pk=award.pk)
            )
        except Award.DoesNotExist:
            raise InvalidTransition(_("This award no longer exists.")) from None
        AWARDS.require(actor, "propose_termination")
        _not_of_the_company(award, actor)
        _require_active(award)
        errors: dict = {}
        reason = _text(reason, _("the reason for terminating the award"), errors, "reason")
        _raise_if(errors)
        pending = TerminationProposal.objects.filter(award=award, state=TerminationProposal.State.PENDING).first()
        if pending is not None:
            raise InvalidTransition(
                _("A termination of award %(sanction)s proposed by %(name)s is already waiting for confirmation.")
                % {"sanction": award.sanction_number, "name": pending.proposed_by.get_full_name()}
            )
        at = timezone.now()
        proposal = TerminationProposal.objects.create(award=award, reason=reason, proposed_by=actor, proposed_at=at)
        workflow.record(
            actor=actor,
            event=GrantsEvent.AWARD_TERMINATION_PROPOSE,
            obj=award.application,
            from_state=award.state,
            to_state=award.state,
            reason=reason,
            data={
                "reference": award.application.reference,
                "sanction_number": award.sanction_number,
                "proposal": proposal.pk,
            },
            at=at,
        )
        subject, body = messages.TO_BOARD_TERMINATION_PROPOSED.render(
            sanction=award.sanction_number, operator=str(award.application.operator), reason=reason
        )
        notify(
            recipients=_board_members().exclude(pk=actor.pk),
            subject=subject,
            body=body,
            url=application_url(award.application, staff=True),
        )
    return proposal


def _lock_proposal(proposal: TerminationProposal) -> TerminationProposal:
    try:
        return (
            TerminationProposal.objects.select_for_update(of=("self",))
            .select_related("proposed_by")
            .get(pk=proposal.pk)
        )
    except TerminationProposal.DoesNotExist:
        raise InvalidTransition(_("This proposal no longer exists.")) from None


def _require_pending(proposal: TerminationProposal) -> None:
    if proposal.state != TerminationProposal.State.PENDING:
        raise InvalidTransition(
            _("This termination proposal is already %(state)s.") % {"state": proposal.get_state_display().lower()}
        )


def award_termination_withdraw(*, proposal: TerminationProposal, actor: "User") -> TerminationProposal:
    """The proposer withdraws a pending termination proposal; the award stays active."""
    with transaction.atomic():
        proposal = _lock_proposal(proposal)
        AWARDS.require(actor, "withdraw_termination")
        if proposal.proposed_by_id != actor.pk:
            raise PermissionDenied(_("Only the board chair who proposed the termination may withdraw it."))
        _require_pending(proposal)
        at = timezone.now()
        proposal.state = TerminationProposal.State.WITHDRAWN
        proposal.decided_by = actor
        proposal.decided_at = at
        proposal.save(update_fields=["state", "decided_by", "decided_at"])
        award = Award.objects.select_related("application").get(pk=proposal.award_id)
        workflow.record(
            actor=actor,
            event=GrantsEvent.AWARD_TERMINATION_WITHDRAW,
            obj=award.application,
            from_state=award.state,
            to_state=award.state,
            data={
                "reference": award.application.reference,
                "sanction_number": award.sanction_number,
                "proposal": proposal.pk,
            },
            at=at,
        )
    return proposal


def award_termination_confirm(*, proposal: TerminationProposal, actor: "User") -> Award:
    """A second board member confirms a pending termination: the award is terminated (see the module
    docstring). Two-person rule: the proposer can never confirm their own proposal."""
    with transaction.atomic():
        proposal = _lock_proposal(proposal)
        if not is_active_person(actor) or not AWARDS.role_allows(actor, "terminate"):
            raise PermissionDenied(AWARDS.rule("terminate").refusal)
        if proposal.proposed_by_id == actor.pk:
            raise PermissionDenied(
                _(
                    "Two-person rule: the board member who proposed a termination cannot confirm it. Another board "
                    "chair or a board reviewer confirms it, or you withdraw it."
                )
            )
        _require_pending(proposal)
        award, allocations = lock_award_and_allocations(
            Award.objects.only("pk", "application_id").get(pk=proposal.award_id)
        )
        _not_of_the_company(award, actor)
        _require_active(award)
        money = award_money(award)
        releasable = money.releasable
        _end(
            award,
            "terminate",
            GrantsEvent.AWARD_TERMINATE,
            actor,
            proposal.reason,
            {
                "proposal": proposal.pk,
                "proposed_by": proposal.proposed_by_id,
                "paid": str(money.paid),
                "pending": str(money.pending),
                "released": str(releasable),
            },
        )
        cancelled = _cancel_unpaid_tranches(award, actor)
        if releasable:
            release_remainder(
                award=award,
                money=money,
                allocations=allocations,
                amount=releasable,
                cause=Cause.TERMINATION,
                actor=actor,
                note=_("Award %(sanction)s terminated: %(reason)s")
                % {"sanction": award.sanction_number, "reason": proposal.reason},
            )
        proposal.state = TerminationProposal.State.CONFIRMED
        proposal.decided_by = actor
        proposal.decided_at = award.ended_at
        proposal.save(update_fields=["state", "decided_by", "decided_at"])
        _tell_operator(
            award.application,
            *messages.TO_OPERATOR_AWARD_TERMINATED.render(sanction=award.sanction_number, reason=proposal.reason),
            kind=Kind.DECISION,
        )
        _tell_officers(
            award.application,
            messages.TO_OFFICERS_AWARD_TERMINATED,
            sanction=award.sanction_number,
            operator=str(award.application.operator),
            amount=pkr_each(releasable),
            reason=proposal.reason,
        )
        award._cancelled_tranches = cancelled  # for the view's message
    return award


__all__ = [
    "award_complete",
    "award_termination_confirm",
    "award_termination_propose",
    "award_termination_withdraw",
]
