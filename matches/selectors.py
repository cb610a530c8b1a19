"""Reads about matches that pages, gates and reports share. Imports no instrument app (finance asks
`matches.gates`, which reads through here), so it knows operators and matches only."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet

from integrity.models import OPEN_STATES as GRIEVANCE_OPEN_STATES

from .models import Match, MatchState
from .rules import RULE_BY_CODE, RULES, MatchKind

if TYPE_CHECKING:
    from accounts.models import User

S = MatchState


def holding_q() -> Q:
    """The matches that hold a case: a confirmed-kind match still open, or any match confirmed to the
    integrity office whose case is not resolved yet."""
    return Q(state=S.OPEN, kind=MatchKind.CONFIRMED) | (
        Q(state=S.CONFIRMED) & (Q(grievance__isnull=True) | Q(grievance__state__in=GRIEVANCE_OPEN_STATES))
    )


def _on_operators(operator_ids: Iterable[int]) -> Q:
    ids = sorted({int(pk) for pk in operator_ids if pk})
    return Q(left_operator_id__in=ids) | Q(right_operator_id__in=ids)


def matches_holding(operator_ids: Iterable[int]) -> QuerySet[Match]:
    """The matches that hold any of these operators' cases, oldest first (one indexed query)."""
    return (
        Match.objects.filter(_on_operators(operator_ids))
        .filter(holding_q())
        .select_related("left_operator", "right_operator", "grievance")
        .order_by("found_at", "id")
    )


def matches_on_case(operator_id: int) -> list[Match]:
    """What the officer's application page lists next to the eligibility checks: the open matches on
    the company (both kinds) and the confirmed ones still with the integrity office."""
    wanted = Q(state=S.OPEN) | holding_q()
    return list(
        Match.objects.filter(_on_operators([operator_id]))
        .filter(wanted)
        .select_related("left_operator", "right_operator", "grievance")
        .order_by("found_at", "id")
    )


def worklist(*, rule: str = "", state: str = S.OPEN, operator: str = "") -> QuerySet[Match]:
    """The integrity office's and the data stewards' list: by rule, oldest first."""
    qs = Match.objects.select_related("left_operator", "right_operator", "grievance", "decided_by")
    if state:
        qs = qs.filter(state=state)
    if rule:
        qs = qs.filter(rule=rule)
    if operator:
        qs = qs.filter(
            Q(left_operator__legal_name__icontains=operator) | Q(right_operator__legal_name__icontains=operator)
        )
    return qs.order_by("found_at", "id")


def counts_by_rule(state: str = S.OPEN) -> list[dict[str, Any]]:
    """Each rule with its number of matches in `state` (every rule listed, zero included)."""
    counted = dict(Match.objects.filter(state=state).values("rule").annotate(n=Count("id")).values_list("rule", "n"))
    return [{"rule": rule, "count": counted.get(rule.code, 0)} for rule in RULES]


def match_for(pk: int) -> Match | None:
    return (
        Match.objects.select_related("left_operator", "right_operator", "grievance", "decided_by").filter(pk=pk).first()
    )


def may_see_identifiers(user: User | Any) -> bool:
    return bool(getattr(user, "is_active", False)) and user.has_perm("spaces.view_sensitive_identifiers")


def shown_value(match: Match, user: User | Any) -> str:
    """The shared value as this person may read it: identifiers masked unless they may see them."""
    from spaces.validators import mask

    if RULE_BY_CODE[match.rule].sensitive and not may_see_identifiers(user):
        return mask(match.value)
    return match.value
