"""Forget the signed-in person's cached header count after they write anything (a form sent, a
document uploaded, an application submitted), so the page they land on counts afresh
(notifications.needs_you.needs_you_count_for_request)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .header_count import forget_needs_you_counts

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ForgetNeedsYouOnWrite:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.method not in SAFE_METHODS and user is not None and user.is_authenticated:
            forget_needs_you_counts([user.pk])
        return response
