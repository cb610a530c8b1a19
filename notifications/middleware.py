"""Forget the signed-in person's cached header count after they write anything (a form sent, an
answer given, a return filed), so the page they land on counts afresh
(notifications.needs_you.needs_you_count_for_request). A view marked with
header_count.leaves_what_is_owed (filling in and submitting a draft application) keeps it."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .header_count import forget_needs_you_counts

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ForgetNeedsYouOnWrite:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method in SAFE_METHODS or getattr(request, "_leaves_what_is_owed", False):
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            forget_needs_you_counts([user.pk])
        return response

    def process_view(self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict) -> None:
        request._leaves_what_is_owed = getattr(view_func, "leaves_what_is_owed", False)  # type: ignore[attr-defined]
