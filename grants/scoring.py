"""Review arithmetic, exact: Decimal throughout, rounded once at the end, half up, to two places.

A reviewer scores each criterion of the program's rubric with a whole number from 1 (poor) to 5
(excellent). Their weighted score is Σ(score × weight) / Σ(weight): weights are relative, so they need
not add up to 100. An application's score is the plain mean of its reviewers' weighted scores (each
reviewer counts once, whatever their scores), rounded the same way.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")


def weighted_score(scores: Iterable[tuple[int, Decimal]]) -> Decimal:
    """Σ(score × weight) / Σ(weight) for (score, weight) pairs, rounded half up to 0.01."""
    total = Decimal(0)
    weights = Decimal(0)
    for score, weight in scores:
        weight = Decimal(weight)
        total += Decimal(score) * weight
        weights += weight
    if weights <= 0:
        raise ValueError("A weighted score needs at least one criterion with a positive weight.")
    return (total / weights).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def mean_score(values: Iterable[Decimal]) -> Decimal | None:
    """The mean of the reviewers' weighted scores, rounded half up to 0.01; None when there is none."""
    values = [Decimal(v) for v in values]
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
