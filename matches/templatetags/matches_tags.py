"""The matches on a company's case, for the officer's application page (next to the eligibility checks):
{% load matches_tags %}{% case_matches application.operator_id %}."""

from typing import Any

from django import template

from ..permissions import MATCHES
from ..selectors import matches_on_case, shown_value

register = template.Library()


@register.inclusion_tag("matches/includes/case_matches.html", takes_context=True)
def case_matches(context: dict[str, Any], operator_id: int) -> dict[str, Any]:
    user = context["request"].user
    if not MATCHES.allows(user, "view"):
        return {"visible": False}
    rows = []
    for match in matches_on_case(operator_id):
        other = match.right_operator if match.left_operator_id == operator_id else match.left_operator
        rows.append(
            {
                "match": match,
                "other": other if other.pk != operator_id else None,
                "value": shown_value(match, user),
            }
        )
    return {"visible": True, "rows": rows}
