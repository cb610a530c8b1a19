"""A person's decision on an open match, through core.workflow (lock -> who may act -> state ->
transition -> save -> audit): clear it with a reason, or confirm it, which opens a case at the
integrity office (integrity.services.grievances.grievance_file, typed in by the confirming integrity
officer) and holds payments to both companies until that case is resolved (matches.gates)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import workflow
from integrity.models import Grievance
from integrity.services.grievances import grievance_file
from spaces.models import Operator

from .. import messages
from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from ..events import MatchEvent
from ..models import Match
from ..permissions import MATCHES
from ..selectors import shown_value

if TYPE_CHECKING:
    from accounts.models import User

MAX_REASON = 2000


def _reason(value: object, refusal: Any) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        raise ValidationFailed(field_errors={"reason": [refusal]})
    return text[:MAX_REASON]


def _not_their_company(match: Match, actor: Any) -> None:
    """No one decides a match on a company they act for."""
    if Operator.members.through.objects.filter(
        user_id=int(getattr(actor, "pk", 0) or 0), operator_id__in=[match.left_operator_id, match.right_operator_id]
    ).exists():
        raise PermissionDenied(messages.OWN_COMPANY)


def _decide(match: Match, name: str, event: str, actor: User, reason: str, **kwargs: Any) -> Match:
    at = timezone.now()
    workflow.transition(
        match,
        workflow.Step(
            name,
            event,
            kwargs={"by": actor, "at": at, "reason": reason, **kwargs},
            reason=reason,
            data={"rule": match.rule, "operators": [match.left_operator_id, match.right_operator_id]},
            at=at,
        ),
        actor=actor,
        table=MATCHES,
        guard=_not_their_company,
        wrong_state=str(messages.NOT_OPEN) % {"ref": match.reference, "state": match.get_state_display().lower()},
        raced=str(messages.RACED) % {"ref": match.reference},
    )
    return match


def match_clear(*, match: Match, actor: User, reason: str) -> Match:
    """open -> cleared. Pre: the actor may clear (MATCHES) and acts for neither company; a reason is
    given. Post: the reason, who and when on the match; the event `match.cleared` with the reason; the
    match holds nothing any more."""
    reason = _reason(reason, messages.CLEAR_NEEDS_REASON)
    with transaction.atomic():
        match = workflow.lock(Match, match.pk, gone=messages.GONE)
        return _decide(match, "clear", MatchEvent.CLEARED, actor, reason)


def match_confirm(*, match: Match, actor: User, reason: str) -> Match:
    """open -> confirmed. Pre: the actor is of the integrity office (MATCHES "confirm") and acts for
    neither company; a reason is given. Post: a grievance (category "other", typed in by the actor,
    on the first company, naming both) is filed in the same transaction and linked; the event
    `match.confirmed`; both companies' cases are held (matches.gates) until the grievance is resolved
    or closed."""
    reason = _reason(reason, messages.CONFIRM_NEEDS_REASON)
    MATCHES.require(actor, "confirm")
    with transaction.atomic():
        match = workflow.lock(Match, match.pk, gone=messages.GONE)
        _not_their_company(match, actor)
        if match.state != Match.State.OPEN:  # before a grievance is filed for nothing
            raise InvalidTransition(
                str(messages.NOT_OPEN) % {"ref": match.reference, "state": match.get_state_display().lower()}
            )
        rule = match.rule_entry
        text = str(messages.CONFIRMED_GRIEVANCE) % {
            "ref": match.reference,
            "who": str(actor),
            "rule": rule.label,
            "left": match.left_operator.legal_name,
            "right": match.right_operator.legal_name,
            "compares": rule.compares,
            "value": shown_value(match, actor) or "—",
            "reason": reason,
        }
        filed = grievance_file(
            category=Grievance.Category.OTHER,
            what_happened=text,
            channel=Grievance.Channel.HELPLINE,
            entered_by=actor,
            operator=match.left_operator,
            stage=_("Duplicate check %(ref)s") % {"ref": match.reference},
        )
        return _decide(match, "confirm", MatchEvent.CONFIRMED, actor, reason, grievance=filed.grievance)
