"""Where the header's "N to do" is kept per person (notifications.needs_you counts it). Apart from
needs_you, which reads every concern's queues, so that notify (asked by finance, which may not reach
the instrument apps) and the middleware can forget a count without importing them."""

from collections.abc import Iterable

from django.core.cache import cache


def count_key(user_id: int) -> str:
    return f"needs-you-count:{user_id}"


def forget_needs_you_counts(user_ids: Iterable[int]) -> None:
    cache.delete_many([count_key(pk) for pk in user_ids])
