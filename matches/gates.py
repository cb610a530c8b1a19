"""The gates: send to review, verify a company, verify a tranche or a claim, and prepare a payment are
refused while a match holds the case (selectors.holding_q). Each refusal names the match and says what
to do next. Called by grants, spaces and finance services; imports no instrument app."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

from . import messages
from .errors import InvalidTransition
from .models import MatchState
from .rules import RULE_BY_CODE
from .selectors import matches_holding


def _url(pk: int) -> str:
    try:
        return reverse("matches:match", kwargs={"pk": pk})
    except NoReverseMatch:  # pragma: no cover - the URLs are always installed
        return f"/workbench/matches/{pk}/"


def refusal(operator_ids: Iterable[int], *, action: str | Promise) -> str | None:
    """The refusal for `action` on a case of these operators, or None when no match holds it."""
    ids = [int(pk) for pk in operator_ids if pk]
    holding = list(matches_holding(ids)[:50])
    if not holding:
        return None
    first = holding[0]
    own = first.left_operator if first.left_operator_id in ids else first.right_operator
    other = first.right_operator if own is first.left_operator else first.left_operator
    params: dict[str, Any] = {
        "ref": first.reference,
        "rule": RULE_BY_CODE[first.rule].label,
        "other": other.legal_name if other.pk != own.pk else own.legal_name,
        "action": action,
        "url": _url(first.pk),
    }
    if first.state == MatchState.CONFIRMED:
        params["grievance"] = first.grievance.reference if first.grievance else "—"
        text = str(messages.CONFIRMED_MATCH_REFUSAL) % params
    else:
        text = str(messages.OPEN_MATCH_REFUSAL) % params
    if len(holding) > 1:
        text += " " + str(messages.MORE_MATCHES) % {"count": len(holding) - 1}
    return text


def refuse_while_matched(operator_ids: Iterable[int], *, action: str | Promise) -> None:
    """Raise InvalidTransition (core.errors) naming the match that holds the case, if any."""
    text = refusal(operator_ids, action=action)
    if text is not None:
        raise InvalidTransition(text)
