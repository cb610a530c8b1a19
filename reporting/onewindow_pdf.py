"""The quarterly one-window PDF summary (reportlab): the headline counts, then per department its
totals and each service's figures, for one fiscal quarter. Counts only, as the workbook
(reporting/onewindow_report.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, Spacer

from grants.fiscal import FiscalQuarter

from .onewindow_report import (
    COLUMNS,
    Tally,
    by_department,
    definitions,
    figures_for,
    period_line,
    services_by_department,
    title,
)
from .pdf import build_landscape, figures_table


def _count(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}"
    return f"{value:,}"


def _numbers(row: Any) -> list[str]:
    return [_count(getattr(row, attribute)) for _h, attribute, _f in COLUMNS]


def build_onewindow_pdf(quarter: FiscalQuarter, path: Path, progress: Any = None, figures: Any = None) -> None:
    styles = getSampleStyleSheet()
    figures = figures_for(quarter) if figures is None else figures
    if progress:
        progress(50)
    total = Tally.of("", figures)
    headline = _(
        "%(filed)s requests filed · %(issued)s issued, %(refused)s refused, %(open)s still open · "
        "%(within)s decided within the promised time"
    ) % {
        "filed": f"{total.filed:,}",
        "issued": f"{total.issued:,}",
        "refused": f"{total.refused:,}",
        "open": f"{total.open:,}",
        "within": f"{total.within_promise:,}",
    }
    headers = [str(h) for h, _a, _f in COLUMNS]
    department_rows = [[tally.label, *_numbers(tally)] for tally in by_department(figures)]
    department_rows.append([_("Total"), *_numbers(total)])
    story = [
        Paragraph(escape(title(quarter)), styles["Title"]),
        Paragraph(escape(period_line(quarter)), styles["Normal"]),
        Spacer(1, 0.3 * cm),
        Paragraph(escape(headline), styles["Heading2"]),
        *(Paragraph(escape(text), styles["BodyText"]) for text in definitions()),
        Paragraph(escape(_("Requests by department")), styles["Heading2"]),
        figures_table([_("Department"), *headers], department_rows, 1, font_size=8),
        Paragraph(escape(_("Requests by service")), styles["Heading2"]),
    ]
    for department, rows in services_by_department(figures):
        body = [[str(row.service.name), _count(row.service.promised_working_days), *_numbers(row)] for row in rows]
        body.append(["", "", *([""] * len(COLUMNS))])  # figures_table bolds the last row: keep it empty
        story += [
            Paragraph(escape(department), styles["Heading3"]),
            figures_table([_("Service"), _("Promised (working days)"), *headers], body, 1, font_size=7),
        ]
    if not figures:
        story.append(Paragraph(escape(_("No request was filed in this quarter.")), styles["BodyText"]))
    build_landscape(path, story, title=title(quarter))
    if progress:
        progress(95)
