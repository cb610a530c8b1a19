"""The quarterly disbursements PDF summary (reportlab): headline figures, the definitions, a chart of
what was paid in the quarter and what is outstanding by division, and the tables by program,
instrument, division and district, and the payments the bank returned (in the quarter, or marked paid
in it and returned later). The workbook of the same quarter lists every payment; the PDF names none of
its sheets, and writes a plain "-" (Helvetica, a standard PDF font, has no "−" U+2212)."""

from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, Spacer

from grants.fiscal import FiscalQuarter

from . import disbursement_selectors as selectors
from .disbursement_selectors import MoneyTotals
from .disbursements_report import MONEY_COLUMNS, RETURNED_COLUMNS, built_line, definitions, tables, title
from .pdf import BRAND, build_landscape, figures_table

SECOND = colors.HexColor("#E69F00")


def pkr(value: Decimal) -> str:
    return f"{value:,.2f}"


def _figures(t: MoneyTotals) -> list[str]:
    return [
        f"{t.applications:,}",
        pkr(t.committed),
        pkr(t.paid_in_quarter),
        f"{t.payments_in_quarter:,}",
        pkr(t.paid_to_date),
        pkr(t.outstanding),
    ]


def _chart(divisions: list[MoneyTotals]) -> Drawing:
    height = max(6 * cm, (1.2 + 0.55 * len(divisions)) * cm)
    drawing = Drawing(25 * cm, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 4 * cm, 0.8 * cm
    chart.width, chart.height = 15 * cm, height - 2 * cm
    # reportlab draws floats; the figures in the tables stay exact Decimals.
    chart.data = [
        [float(t.paid_in_quarter) / 1e6 for t in divisions],
        [float(t.outstanding) / 1e6 for t in divisions],
    ]
    chart.categoryAxis.categoryNames = [str(t.label[0]) for t in divisions]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labelTextFormat = "%.1f"
    chart.bars[0].fillColor = BRAND
    chart.bars[1].fillColor = SECOND
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 19.8 * cm, height - 1.5 * cm
    legend.colorNamePairs = [(BRAND, _("Paid in the quarter")), (SECOND, _("Outstanding"))]
    drawing.add(legend)
    drawing.add(String(4 * cm, height - 12, _("By division, PKR million"), fontSize=10))
    return drawing


def _day(moment) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""


def _returned_section(rows: list[tuple], styles) -> list:
    """The payments the bank returned that this quarter's report lists, one row each (not counted as paid)."""
    story = [Paragraph(escape(_("Returned by the bank")), styles["Heading2"])]
    if not rows:
        return [*story, Paragraph(escape(_("No payment was returned by the bank.")), styles["Normal"])]
    # Reference, marked paid on, returned on, payee, application, the bank's reason, amount.
    keep = (0, 1, 2, 3, 7, 8, 9)
    header = [str(RETURNED_COLUMNS[i][0]) for i in keep]
    body = [
        [reference, _day(paid_at), _day(failed_at), payee, application or "", reason, pkr(amount)]
        for reference, paid_at, failed_at, payee, _code, _name, _program, application, reason, amount in rows
    ]
    body.append([_("Total"), "", "", "", "", "", pkr(sum((row[-1] for row in rows), Decimal("0.00")))])
    return [*story, figures_table(header, body, len(header) - 1)]


def build_disbursements_pdf(quarter: FiscalQuarter, path: Path, progress=None) -> None:
    styles = getSampleStyleSheet()
    lines = selectors.money_lines(quarter)
    grouped = tables(lines)
    total = selectors.grand_total(lines)
    if progress:
        progress(30)
    headers = [str(h) for h, *_rest in MONEY_COLUMNS]
    story = [
        Paragraph(escape(title(quarter)), styles["Title"]),
        Paragraph(escape(built_line(total)), styles["Normal"]),
        Spacer(1, 0.3 * cm),
        Paragraph(
            escape(
                _("Paid in the quarter PKR %(paid)s · Committed PKR %(committed)s · Outstanding PKR %(outstanding)s")
                % {
                    "paid": pkr(total.paid_in_quarter),
                    "committed": pkr(total.committed),
                    "outstanding": pkr(total.outstanding),
                }
            ),
            styles["Heading2"],
        ),
    ]
    story += [Paragraph(escape(text), styles["BodyText"]) for text in definitions(pdf=True)]
    if grouped["division"]:
        story.append(_chart(grouped["division"]))
    sections = [
        (_("By program"), [_("Program"), _("Instrument")], "program"),
        (_("By instrument"), [_("Instrument")], "instrument"),
        (_("By division"), [_("Division")], "division"),
        (_("By district"), [_("Division"), _("District")], "district"),
    ]
    for heading, labels, key in sections:
        rows = [[*(str(part) for part in t.label), *_figures(t)] for t in grouped[key]]
        rows.append([_("Total"), *([""] * (len(labels) - 1)), *_figures(total)])
        story += [Paragraph(escape(heading), styles["Heading2"]), figures_table([*labels, *headers], rows, len(labels))]
    start, end = selectors.quarter_bounds(quarter)
    story += _returned_section(selectors.returned_rows(start, end), styles)
    build_landscape(path, story, title=_("Disbursements — %(quarter)s") % {"quarter": quarter.label})
    if progress:
        progress(95)
