"""The quarterly integrity report (issue #15 D): an Excel workbook (this module) and a PDF summary
(reporting/integrity_pdf.py) for a fiscal quarter, from the published figures
(`integrity.selectors.figures.integrity_figures_between`): registered visits per department (by the
day of the visit) and grievances by category and by the department named (by the day filed).

Counts only: no official's or filer's name and no text of a grievance is in either file. Department
names are in English (report jobs are built by the worker in the site's language). Every text cell
passes core.spreadsheet.escape_cell (`safe_text`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from grants.fiscal import FiscalQuarter

from .excel import CellStyles, safe_text, set_widths, write_header

Progress = Callable[[int], None] | None
FMT_INT = "#,##0"
FMT_DAYS = "0.0"

SHEET_SUMMARY = "Summary"
SHEET_VISITS = "Visits"
SHEET_GRIEVANCES = "Grievances"
SHEETS = (SHEET_SUMMARY, SHEET_VISITS, SHEET_GRIEVANCES)

# (header, attribute of integrity.selectors.visits.DepartmentVisits)
VISIT_COLUMNS = [
    (gettext_lazy("Visits registered"), "registered"),
    (gettext_lazy("With notice"), "with_notice"),
    (gettext_lazy("Urgent"), "urgent"),
    (gettext_lazy("Joint"), "joint"),
    (gettext_lazy("Refused"), "refused"),
    (gettext_lazy("Nobody came"), "no_show"),
    (gettext_lazy("Outcome filed late"), "outcomes_late"),
    (gettext_lazy("Confirmed by the operator"), "confirmed"),
    (gettext_lazy("Asked for money"), "money_reports"),
]
# (header, attribute of integrity.selectors.figures.GrievanceFigures)
GRIEVANCE_COLUMNS = [
    (gettext_lazy("Grievances received"), "received"),
    (gettext_lazy("Acknowledged on time"), "acknowledged_on_time"),
    (gettext_lazy("Resolved"), "resolved"),
    (gettext_lazy("Resolved on time"), "resolved_on_time"),
    (gettext_lazy("Closed"), "closed"),
    (gettext_lazy("Open"), "open"),
    (gettext_lazy("Median days to resolve"), "median_days"),
]


def figures_for(quarter: FiscalQuarter) -> Any:
    from integrity.selectors.figures import integrity_figures_between

    return integrity_figures_between(quarter.start, quarter.end)


def title(quarter: FiscalQuarter) -> str:
    return _("Integrity: visits and grievances — %(quarter)s") % {"quarter": quarter.long_label}


def period_line(quarter: FiscalQuarter) -> str:
    return _("From %(start)s to %(end)s. Built %(when)s (Pakistan time).") % {
        "start": date_format(quarter.start, "j F Y"),
        "end": date_format(quarter.end, "j F Y"),
        "when": date_format(timezone.localtime(), "Y-m-d H:i"),
    }


def definitions() -> list[str]:
    return [
        _("Counts only: no names and no text of a grievance are in this report."),
        _(
            "Visits: registered visits whose day fell in the quarter, by department. Registered: asked for "
            "and not refused or cancelled. Urgent visits pass the notice and the caps but are counted here."
        ),
        _("Grievances: filed in the quarter, by what they are about and by the department they name."),
        _("On time: acknowledged and resolved within the clocks the program publishes."),
    ]


def visit_totals(visits: list[Any]) -> dict[str, int]:
    return {attribute: sum(getattr(row, attribute) for row in visits) for _h, attribute in VISIT_COLUMNS}


def _visits_sheet(wb: Workbook, figures: Any) -> None:
    ws = wb.create_sheet(SHEET_VISITS)
    styles = CellStyles(ws)
    set_widths(ws, [34, *([13] * len(VISIT_COLUMNS))])
    write_header(ws, styles, [_("Department"), *(str(h) for h, _a in VISIT_COLUMNS)])
    for row in figures.visits:
        ws.append([safe_text(row.department.name), *(styles.cell(getattr(row, a), FMT_INT) for _h, a in VISIT_COLUMNS)])
    totals = visit_totals(figures.visits)
    ws.append(
        [styles.cell(_("Total"), bold=True), *(styles.cell(totals[a], FMT_INT, bold=True) for _h, a in VISIT_COLUMNS)]
    )


def _grievance_rows(ws: Any, styles: CellStyles, heading: str, label: str, rows: list[Any], total: Any) -> None:
    ws.append([styles.cell(heading, bold=True)])
    write_header(ws, styles, [label, *(str(h) for h, _a in GRIEVANCE_COLUMNS)])
    for row in rows:
        ws.append(
            [
                safe_text(row.label),
                *(
                    styles.cell(getattr(row, a), FMT_DAYS if a == "median_days" else FMT_INT)
                    for _h, a in GRIEVANCE_COLUMNS
                ),
            ]
        )
    if total is not None:
        ws.append(
            [
                styles.cell(_("Total"), bold=True),
                *(
                    styles.cell(getattr(total, a), FMT_DAYS if a == "median_days" else FMT_INT, bold=True)
                    for _h, a in GRIEVANCE_COLUMNS
                ),
            ]
        )
    ws.append([])


def _grievances_sheet(wb: Workbook, figures: Any) -> None:
    ws = wb.create_sheet(SHEET_GRIEVANCES)
    styles = CellStyles(ws)
    set_widths(ws, [34, *([13] * len(GRIEVANCE_COLUMNS))])
    _grievance_rows(
        ws,
        styles,
        _("Grievances by category"),
        _("What it is about"),
        figures.grievances_by_category,
        figures.grievances,
    )
    _grievance_rows(ws, styles, _("Grievances by department"), _("Department"), figures.grievances_by_department, None)


def _summary(ws: Any, quarter: FiscalQuarter, figures: Any) -> None:
    styles = CellStyles(ws)
    set_widths(ws, [60, 14])
    ws.append([styles.cell(title(quarter), bold=True)])
    ws.append([period_line(quarter)])
    ws.append([])
    totals = visit_totals(figures.visits)
    for label, value in (
        (_("Visits registered"), totals["registered"]),
        (_("Urgent"), totals["urgent"]),
        (_("Joint"), totals["joint"]),
        (_("Asked for money"), totals["money_reports"]),
        (_("Grievances received"), figures.grievances.received),
        (_("Acknowledged on time"), figures.grievances.acknowledged_on_time),
        (_("Resolved on time"), figures.grievances.resolved_on_time),
    ):
        ws.append([label, styles.cell(value, FMT_INT)])
    ws.append([])
    ws.append([styles.cell(_("Definitions"), bold=True)])
    for text in definitions():
        ws.append([text])


def build_integrity_xlsx(quarter: FiscalQuarter, path: Path, progress: Progress = None, figures: Any = None) -> None:
    """Write the quarter's integrity workbook to `path`. `figures` defaults to the published figures
    for the quarter (a `PeriodFigures`; tests pass their own)."""
    figures = figures_for(quarter) if figures is None else figures
    if progress:
        progress(50)
    wb = Workbook(write_only=True)
    _summary(wb.create_sheet(SHEET_SUMMARY), quarter, figures)
    _visits_sheet(wb, figures)
    _grievances_sheet(wb, figures)
    if progress:
        progress(95)
    wb.save(path)
