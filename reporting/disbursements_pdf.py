"""The quarterly disbursements PDF summary (reportlab): headline figures, the definitions, a chart of
what was paid in the quarter and what is outstanding by division, and the tables by program,
instrument, division and district. Every payment is in the Excel workbook's Payments sheet."""

from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

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
from .disbursements_report import MONEY_COLUMNS, built_line, definitions, tables, title
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
    story += [Paragraph(escape(text), styles["BodyText"]) for text in definitions()]
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
    returned = selectors.returned_rows(start, end)
    story.append(
        Paragraph(
            escape(
                _(
                    "Payments marked paid in the quarter and returned by the bank since: %(n)s "
                    "(not counted as paid; listed in the Excel workbook)."
                )
                % {"n": len(returned)}
            ),
            styles["Normal"],
        )
    )
    build_landscape(path, story, title=_("Disbursements — %(quarter)s") % {"quarter": quarter.label})
    if progress:
        progress(95)
