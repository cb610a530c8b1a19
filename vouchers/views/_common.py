"""What the voucher pages share: the one "valid form -> one service -> refusal back on the form" step and
the role checks (a person without the role learns nothing: 404 on the portal, 403 on the workbench)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpRequest, HttpResponse

from accounts import roles
from core.forms import show_domain_error

from ..errors import DomainError
from ..models import SeatClaim, Voucher
from ..selectors import claim_visible_to, voucher_visible_to


def visible_voucher(request: HttpRequest, reference: str) -> Voucher:
    voucher = voucher_visible_to(request.user, reference)
    if voucher is None:
        raise Http404
    return voucher


def visible_claim(request: HttpRequest, reference: str) -> SeatClaim:
    claim = claim_visible_to(request.user, reference)
    if claim is None:
        raise Http404
    return claim


def submit(
    request: HttpRequest,
    form: Any,
    action: Callable[[dict[str, Any]], Any],
    *,
    done: Callable[[Any], str] | str,
    page: Callable[[Any], HttpResponse],
    then: Callable[[Any], HttpResponse],
) -> HttpResponse:
    """A valid form runs one service with its cleaned data; a refusal goes back on the form (the page
    again, 400) and nothing else changes."""
    if form.is_valid():
        try:
            result = action(form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, done(result) if callable(done) else done)
            return then(result)
    return page(form)


def officer_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, with the program officer role; everyone else gets 403 (like the other workbench pages)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_role(roles.PROGRAM_OFFICER):
            raise Forbidden
        return view(request, *args, **kwargs)

    return wrapped


def operator_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, with the operator role; anyone else is not found here."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_role(roles.OPERATOR):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped
