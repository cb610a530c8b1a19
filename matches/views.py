"""The duplicate-check workbench (/workbench/matches/): the worklist of the integrity office and the
data stewards (open matches by rule, oldest first, with counts; CSV export), and a match's page with
clear (a reason) and confirm (sends it to the integrity office). Program officers reach a match's page
from the application page. Anyone else: 403, like the other workbench pages. Operators never see a
match."""

from __future__ import annotations

import csv
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit.selectors import audit_events_for
from core.forms import show_domain_error
from core.spreadsheet import escape_cell

from . import selectors
from .errors import DomainError
from .events import MatchEvent
from .forms import DecisionForm, WorklistFilterForm
from .models import Match, MatchState
from .permissions import MATCHES
from .records import describe
from .services import decisions


def allowed(action: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not MATCHES.allows(request.user, action):
                raise Forbidden
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _filters(request: HttpRequest) -> tuple[WorklistFilterForm, dict[str, str]]:
    form = WorklistFilterForm(request.GET or None)
    chosen = {"rule": "", "state": MatchState.OPEN, "operator": ""}
    if form.is_valid():
        chosen.update({key: value for key, value in form.cleaned_data.items() if value})
    return form, chosen


def _without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@allowed("worklist")
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    form, chosen = _filters(request)
    page = Paginator(selectors.worklist(**chosen), 50).get_page(request.GET.get("page"))
    rows = [{"match": match, "value": selectors.shown_value(match, request.user)} for match in page]
    return render(
        request,
        "matches/worklist.html",
        {
            "form": form,
            "page_obj": page,
            "rows": rows,
            "counts": selectors.counts_by_rule(chosen["state"]),
            "state_label": MatchState(chosen["state"]).label,
            "query": _without_page(request),
        },
    )


CSV_HEADER = (
    "reference",
    "rule",
    "kind",
    "state",
    "found_at",
    "found_by",
    "first_company",
    "second_company",
    "shared_value",
    "decided_by",
    "decided_at",
    "reason",
)


@allowed("export")
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """Every match the filters select, one row each; every cell passes core.spreadsheet.escape_cell
    (a company name like "=HYPERLINK(...)" stays text)."""
    _form, chosen = _filters(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="matches-{stamp}.csv"'
    response.write("\ufeff")  # so spreadsheet programs read the UTF-8 (Urdu names) correctly
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for match in selectors.worklist(**chosen).iterator(chunk_size=2000):
        cells = (
            match.reference,
            match.get_rule_display(),
            match.kind,
            match.state,
            timezone.localtime(match.found_at).strftime("%Y-%m-%d %H:%M"),
            match.found_by,
            match.left_operator.legal_name,
            match.right_operator.legal_name,
            selectors.shown_value(match, request.user),
            str(match.decided_by or ""),
            timezone.localtime(match.decided_at).strftime("%Y-%m-%d %H:%M") if match.decided_at else "",
            match.reason,
        )
        writer.writerow([escape_cell(cell) for cell in cells])
    return response


def _event_label(action: str) -> str:
    try:
        return str(MatchEvent(action).label)
    except ValueError:
        return action


def _visible(pk: int) -> Match:
    match = selectors.match_for(pk)
    if match is None:
        raise Http404
    return match


def _page(request: HttpRequest, match: Match, *, form: DecisionForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    return render(
        request,
        "matches/match.html",
        {
            "match": match,
            "rule": match.rule_entry,
            "value": selectors.shown_value(match, user),
            "left": describe(match.left),
            "right": describe(match.right),
            "form": form or DecisionForm(),
            "can_clear": match.state == MatchState.OPEN and MATCHES.allows(user, "clear"),
            "can_confirm": match.state == MatchState.OPEN and MATCHES.allows(user, "confirm"),
            "can_worklist": MATCHES.allows(user, "worklist"),
            "timeline": [(event, _event_label(event.action)) for event in audit_events_for(match)],
        },
        status=status,
    )


@allowed("view")
@require_GET
def match(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _visible(pk))


def _decide(request: HttpRequest, pk: int, service: Callable[..., Match], done: str) -> HttpResponse:
    found = _visible(pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            service(match=found, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, done % {"ref": found.reference})
            return redirect("matches:match", pk=found.pk)
    return _page(request, _visible(pk), form=form, status=400)


@allowed("clear")
@require_POST
def clear(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, decisions.match_clear, _("Match %(ref)s cleared; the reason is kept with it."))


@allowed("confirm")
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        decisions.match_confirm,
        _("Match %(ref)s confirmed and sent to the integrity office; payments to both companies are held."),
    )
