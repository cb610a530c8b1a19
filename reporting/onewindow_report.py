"""The quarterly one-window report (issue #16): an Excel workbook (this module) and a PDF summary
(reporting/onewindow_pdf.py) for a fiscal quarter, from the published figures
(`onewindow.selectors.requests.quarter_figures`, the same as /performance/): per department and per
service, the requests filed in the quarter (by the day submitted; drafts and withdrawn requests are not
counted), issued, refused, still open, the median working days from submission to the decision and
how many were decided within the promised time.

Counts only: no operator, no officer and no text of a request is in either file. Names are in English
(report jobs are built by the worker in the site's language). Every text cell passes
core.spreadsheet.escape_cell (`safe_text`).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
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
SHEET_DEPARTMENTS = "Departments"
SHEET_SERVICES = "Services"
SHEETS = (SHEET_SUMMARY, SHEET_DEPARTMENTS, SHEET_SERVICES)

# (header, attribute of onewindow.selectors.requests.ServiceFigures and of Tally, number format)
COLUMNS = [
    (gettext_lazy("Filed"), "filed", FMT_INT),
    (gettext_lazy("Issued"), "issued", FMT_INT),
    (gettext_lazy("Refused"), "refused", FMT_INT),
    (gettext_lazy("Still open"), "open", FMT_INT),
    (gettext_lazy("Median working days"), "median_working_days", FMT_DAYS),
    (gettext_lazy("Decided within the promise"), "within_promise", FMT_INT),
    (gettext_lazy("Share within the promise (%)"), "share_within_promise", FMT_INT),
]


@dataclass
class Tally:
    """The sum of several services' figures (a department's, or the whole quarter's)."""

    label: str
    filed: int = 0
    issued: int = 0
    refused: int = 0
    open: int = 0
    within_promise: int = 0
    working_days: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, label: str, rows: Iterable[Any]) -> Tally:
        tally = cls(label)
        for row in rows:
            tally.filed += row.filed
            tally.issued += row.issued
            tally.refused += row.refused
            tally.open += row.open
            tally.within_promise += row.within_promise
            tally.working_days.extend(row.working_days)
        return tally

    @property
    def median_working_days(self) -> float | None:
        return statistics.median(self.working_days) if self.working_days else None

    @property
    def share_within_promise(self) -> int | None:
        decided = len(self.working_days)
        return round(100 * self.within_promise / decided) if decided else None


def figures_for(quarter: FiscalQuarter) -> list[Any]:
    from onewindow.selectors.requests import quarter_figures

    return quarter_figures(quarter)


def services_by_department(figures: list[Any]) -> list[tuple[str, list[Any]]]:
    """(department name, its services' rows), in the figures' order (department, then service name;
    a department's name is unique)."""
    groups: dict[str, list[Any]] = {}
    for row in figures:
        groups.setdefault(row.service.department.name, []).append(row)
    return list(groups.items())


def by_department(figures: list[Any]) -> list[Tally]:
    """One tally per department, in the figures' order."""
    return [Tally.of(name, rows) for name, rows in services_by_department(figures)]


def title(quarter: FiscalQuarter) -> str:
    return _("One window: other departments' services — %(quarter)s") % {"quarter": quarter.long_label}


def period_line(quarter: FiscalQuarter) -> str:
    return _("From %(start)s to %(end)s. Built %(when)s (Pakistan time).") % {
        "start": date_format(quarter.start, "j F Y"),
        "end": date_format(quarter.end, "j F Y"),
        "when": date_format(timezone.localtime(), "Y-m-d H:i"),
    }


def definitions() -> list[str]:
    return [
        _("Counts only: no operator, no officer and no text of a request is in this report."),
        _(
            "Filed: requests submitted in the quarter (drafts and withdrawn requests are not counted). Issued, "
            "refused and still open: what has become of them since, up to the day this report was built."
        ),
        _(
            "Median working days: from submission to the decision (issued or refused), over the decided "
            "requests. Weekends and public holidays are not working days."
        ),
        _(
            "Within the promise: decided by the due date, which is the service's promised working days from "
            "submission, moved by the days the department waited for the operator's answer."
        ),
    ]


def _cells(styles: CellStyles, row: Any, *, bold: bool = False) -> list[Any]:
    return [styles.cell(getattr(row, attribute), fmt, bold=bold) for _h, attribute, fmt in COLUMNS]


def _departments_sheet(wb: Workbook, figures: list[Any]) -> None:
    ws = wb.create_sheet(SHEET_DEPARTMENTS)
    styles = CellStyles(ws)
    set_widths(ws, [34, *([13] * len(COLUMNS))])
    write_header(ws, styles, [_("Department"), *(str(h) for h, _a, _f in COLUMNS)])
    for tally in by_department(figures):
        ws.append([safe_text(tally.label), *_cells(styles, tally)])
    ws.append([styles.cell(_("Total"), bold=True), *_cells(styles, Tally.of("", figures), bold=True)])


def _services_sheet(wb: Workbook, figures: list[Any]) -> None:
    ws = wb.create_sheet(SHEET_SERVICES)
    styles = CellStyles(ws)
    set_widths(ws, [34, 40, 13, *([13] * len(COLUMNS))])
    write_header(
        ws,
        styles,
        [_("Department"), _("Service"), _("Promised (working days)"), *(str(h) for h, _a, _f in COLUMNS)],
    )
    for row in figures:
        ws.append(
            [
                safe_text(row.service.department.name),
                safe_text(row.service.name),
                styles.cell(row.service.promised_working_days, FMT_INT),
                *_cells(styles, row),
            ]
        )
    total = Tally.of("", figures)
    ws.append([styles.cell(_("Total"), bold=True), None, None, *_cells(styles, total, bold=True)])


def _summary(ws: Any, quarter: FiscalQuarter, figures: list[Any]) -> None:
    styles = CellStyles(ws)
    set_widths(ws, [60, 14])
    total = Tally.of("", figures)
    ws.append([styles.cell(title(quarter), bold=True)])
    ws.append([period_line(quarter)])
    ws.append([])
    for label, value, fmt in (
        (_("Requests filed"), total.filed, FMT_INT),
        (_("Issued"), total.issued, FMT_INT),
        (_("Refused"), total.refused, FMT_INT),
        (_("Still open"), total.open, FMT_INT),
        (_("Median working days to a decision"), total.median_working_days, FMT_DAYS),
        (_("Decided within the promised time"), total.within_promise, FMT_INT),
        (_("Departments"), len(by_department(figures)), FMT_INT),
        (_("Services asked for"), len(figures), FMT_INT),
    ):
        ws.append([label, styles.cell(value, fmt)])
    ws.append([])
    ws.append([styles.cell(_("Definitions"), bold=True)])
    for text in definitions():
        ws.append([text])


def build_onewindow_xlsx(quarter: FiscalQuarter, path: Path, progress: Progress = None, figures: Any = None) -> None:
    """Write the quarter's one-window workbook to `path`. `figures` defaults to the published figures
    for the quarter (a list of `ServiceFigures`; tests pass their own)."""
    figures = figures_for(quarter) if figures is None else figures
    if progress:
        progress(50)
    wb = Workbook(write_only=True)
    _summary(wb.create_sheet(SHEET_SUMMARY), quarter, figures)
    _departments_sheet(wb, figures)
    _services_sheet(wb, figures)
    if progress:
        progress(95)
    wb.save(path)
