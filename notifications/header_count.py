"""Where the header's "N to do" is kept per person (notifications.needs_you counts it). Apart from
needs_you, which reads every concern's queues, so that notify (asked by finance, which may not reach
the instrument apps) and the middleware can forget a count without importing them."""

from collections.abc import Iterable

from django.core.cache import cache


def count_key(user_id: int) -> str:
    return f"needs-you-count:{user_id}"


def leaves_what_is_owed(view):
    """Marks a view whose writes never change what the writer owes: filling in a draft application
    (starting it, its sections, its documents) and submitting it. ForgetNeedsYouOnWrite then keeps
    the writer's count, so the page they land on does not recount it (issue #23: ten queries after
    each of the journey's twelve writes). Every other write forgets it. What others owe because of the
    write (an application to screen) reaches them as a notice, which forgets their counts."""
    view.leaves_what_is_owed = True
    return view


def forget_needs_you_counts(user_ids: Iterable[int]) -> None:
    cache.delete_many([count_key(pk) for pk in user_ids])
