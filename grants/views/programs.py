"""Pages about programs: the open calls (operators) and the budget per program and fiscal year (staff)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts import roles
from spaces.views import portal_view

from ..fiscal import FiscalYear
from ..selectors import (
    budget_overview,
    open_calls,
)
from ._common import (
    role_view,
)

# --- open calls and starting -----------------------------------------------------------------------


@portal_view
@require_GET
def calls(request):
    return render(request, "grants/portal/calls.html", {"calls": list(open_calls())})


@role_view(roles.PROGRAM_OFFICER, roles.MINISTRY_VIEWER, roles.BOARD_CHAIR)
@require_GET
def budget(request):
    fiscal_year = None
    if request.GET.get("fy"):
        try:
            fiscal_year = FiscalYear.parse(request.GET["fy"])
        except ValueError:
            fiscal_year = None
    rows = budget_overview(fiscal_year=fiscal_year)
    years = sorted({row.fiscal_year for row in budget_overview()})
    return render(
        request,
        "grants/budget.html",
        {
            "rows": rows,
            "years": years,
            "selected": fiscal_year,
            "current": FiscalYear.current(),
            "may_see_awards": request.user.has_role(roles.PROGRAM_OFFICER) or request.user.has_role(roles.BOARD_CHAIR),
        },
    )


# --- the board chair -------------------------------------------------------------------------------
