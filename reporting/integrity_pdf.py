"""The quarterly integrity PDF summary (reportlab): the headline counts, registered visits per
department and grievances by category and by department, for one fiscal quarter. Counts only, as the
workbook (reporting/integrity_report.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, Spacer

from grants.fiscal import FiscalQuarter

from .integrity_report import (
    GRIEVANCE_COLUMNS,
    VISIT_COLUMNS,
    definitions,
    figures_for,
    period_line,
    title,
    visit_totals,
)
from .pdf import build_landscape, figures_table


def _count(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}"
    return f"{value:,}"


def _grievance_table(label: str, rows: list[Any], total: Any) -> Any:
    body = [[str(row.label), *(_count(getattr(row, a)) for _h, a in GRIEVANCE_COLUMNS)] for row in rows]
    if total is not None:
        body.append([_("Total"), *(_count(getattr(total, a)) for _h, a in GRIEVANCE_COLUMNS)])
    else:
        body.append(["", *([""] * len(GRIEVANCE_COLUMNS))])  # figures_table bolds the last row: keep it empty
    return figures_table([label, *(str(h) for h, _a in GRIEVANCE_COLUMNS)], body, 1, font_size=8)


def build_integrity_pdf(quarter: FiscalQuarter, path: Path, progress: Any = None, figures: Any = None) -> None:
    styles = getSampleStyleSheet()
    figures = figures_for(quarter) if figures is None else figures
    if progress:
        progress(50)
    totals = visit_totals(figures.visits)
    headline = _(
        "%(visits)s visits registered (%(urgent)s urgent, %(joint)s joint, %(money)s asked for money) · "
        "%(grievances)s grievances received, %(ack)s acknowledged on time, %(resolved)s resolved on time"
    ) % {
        "visits": f"{totals['registered']:,}",
        "urgent": f"{totals['urgent']:,}",
        "joint": f"{totals['joint']:,}",
        "money": f"{totals['money_reports']:,}",
        "grievances": f"{figures.grievances.received:,}",
        "ack": f"{figures.grievances.acknowledged_on_time:,}",
        "resolved": f"{figures.grievances.resolved_on_time:,}",
    }
    visit_rows = [
        [str(row.department.name), *(_count(getattr(row, a)) for _h, a in VISIT_COLUMNS)] for row in figures.visits
    ]
    visit_rows.append([_("Total"), *(_count(totals[a]) for _h, a in VISIT_COLUMNS)])
    story = [
        Paragraph(escape(title(quarter)), styles["Title"]),
        Paragraph(escape(period_line(quarter)), styles["Normal"]),
        Spacer(1, 0.3 * cm),
        Paragraph(escape(headline), styles["Heading2"]),
        *(Paragraph(escape(text), styles["BodyText"]) for text in definitions()),
        Paragraph(escape(_("Registered visits by department")), styles["Heading2"]),
        figures_table([_("Department"), *(str(h) for h, _a in VISIT_COLUMNS)], visit_rows, 1, font_size=7),
        Paragraph(escape(_("Grievances by category")), styles["Heading2"]),
        _grievance_table(_("What it is about"), figures.grievances_by_category, figures.grievances),
        Paragraph(escape(_("Grievances by department")), styles["Heading2"]),
        _grievance_table(_("Department"), figures.grievances_by_department, None),
    ]
    build_landscape(path, story, title=title(quarter))
    if progress:
        progress(95)
