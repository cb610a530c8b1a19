"""The public integrity figures: /integrity/ (English and Urdu) and its CSV. Counts per department and
fiscal year of visits and grievances; never a name or the text of a grievance."""

from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.spreadsheet import escape_cell
from grants.fiscal import FiscalYear

from ..selectors.figures import IntegrityFigures, integrity_figures
from ..selectors.visits import fiscal_years_with_visits


def _fiscal_year(request: HttpRequest) -> FiscalYear:
    try:
        return FiscalYear.parse(request.GET.get("fy", ""))
    except ValueError:
        return FiscalYear.current()


@require_GET
def integrity_public(request: HttpRequest) -> HttpResponse:
    fiscal_year = _fiscal_year(request)
    years = sorted({*fiscal_years_with_visits(), FiscalYear.current().start_year}, reverse=True)
    return render(
        request,
        "integrity/public/figures.html",
        {
            "figures": integrity_figures(fiscal_year.start_year),
            "years": [FiscalYear(year) for year in years],
            "fiscal_year": fiscal_year,
        },
    )


def figure_rows(figures: IntegrityFigures) -> list[list]:
    """The CSV's rows (also the report's): one per department for visits, then grievances."""
    rows: list[list] = [
        [
            _("Fiscal year"),
            _("Table"),
            _("Department or category"),
            _("Visits registered"),
            _("With notice"),
            _("Urgent"),
            _("Joint"),
            _("Refused"),
            _("Nobody came"),
            _("Outcome filed late"),
            _("Confirmed by the operator"),
            _("Asked for money"),
            _("Grievances received"),
            _("Acknowledged on time"),
            _("Resolved"),
            _("Resolved on time"),
            _("Median days to resolve"),
        ]
    ]
    label = figures.fiscal_year.label
    for row in figures.visits:
        rows.append(
            [label, _("Visits"), row.department.name, row.registered, row.with_notice, row.urgent, row.joint]
            + [row.refused, row.no_show, row.outcomes_late, row.confirmed, row.money_reports, "", "", "", "", ""]
        )
    for table, grievance_rows in (
        (_("Grievances by category"), figures.grievances_by_category),
        (_("Grievances by department"), figures.grievances_by_department),
    ):
        for g in grievance_rows:
            rows.append(
                [label, table, g.label]
                + [""] * 9
                + [g.received, g.acknowledged_on_time, g.resolved, g.resolved_on_time, g.median_days or ""]
            )
    return rows


@require_GET
def integrity_public_csv(request: HttpRequest) -> HttpResponse:
    fiscal_year = _fiscal_year(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sahulat-integrity-{fiscal_year.label}.csv"'
    response.write("\ufeff")  # so Excel reads the Urdu department names as UTF-8
    writer = csv.writer(response)
    for row in figure_rows(integrity_figures(fiscal_year.start_year)):
        writer.writerow([escape_cell(value) for value in row])
    return response
