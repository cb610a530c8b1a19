"""The quarterly loan-portfolio PDF summary (reportlab): headline figures and PAR30, a chart of the
outstanding principal by arrears bucket, and the tables by bucket, program, division and district.
Every loan is in the Excel workbook's Loans sheet."""

from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, Spacer

from grants.fiscal import FiscalQuarter

from .loans_report import BUCKETS, PORTFOLIO_COLUMNS, PortfolioTotals, as_of_line, definitions, portfolio_of, title
from .pdf import BRAND, build_landscape, figures_table

RISK = colors.HexColor("#B35900")


def pkr(value: Decimal) -> str:
    return f"{value:,.2f}"


def pct(value) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _figures(t: PortfolioTotals) -> list[str]:
    out = []
    for _h, attribute, _fmt, _w in PORTFOLIO_COLUMNS:
        value = t.figure(attribute)
        if attribute == "loans":
            out.append(f"{value:,}")
        elif attribute == "par30":
            out.append(pct(value))
        else:
            out.append(pkr(value))
    return out


def _chart(total: PortfolioTotals) -> Drawing:
    drawing = Drawing(24 * cm, 6.5 * cm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 50, 30, 16 * cm, 4.6 * cm
    # reportlab draws floats; every figure in the tables is an exact Decimal.
    chart.data = [[float(total.buckets[code]) / 1e6 for code, _label in BUCKETS]]
    chart.categoryAxis.categoryNames = [str(label) for _code, label in BUCKETS]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labelTextFormat = "%.1f"
    chart.bars[0].fillColor = BRAND
    for index in range(2, len(BUCKETS)):  # more than 30 days past due: at risk
        chart.bars[(0, index)].fillColor = RISK
    drawing.add(chart)
    drawing.add(String(50, 6.5 * cm - 12, _("Outstanding principal by arrears, PKR million"), fontSize=10))
    return drawing


def build_loans_pdf(quarter: FiscalQuarter, path: Path, progress=None, rows=None) -> None:
    styles = getSampleStyleSheet()
    portfolio = portfolio_of(quarter, rows)
    total = portfolio.total
    if progress:
        progress(50)
    story = [
        Paragraph(escape(title(quarter)), styles["Title"]),
        Paragraph(escape(as_of_line(portfolio)), styles["Normal"]),
        Spacer(1, 0.3 * cm),
        Paragraph(
            escape(
                _(
                    "Outstanding principal PKR %(outstanding)s · PAR30 %(par)s · Disbursed PKR %(disbursed)s "
                    "(in the quarter PKR %(quarter)s)"
                )
                % {
                    "outstanding": pkr(total.outstanding),
                    "par": pct(total.par30),
                    "disbursed": pkr(total.disbursed),
                    "quarter": pkr(total.disbursed_in_quarter),
                }
            ),
            styles["Heading2"],
        ),
        *(Paragraph(escape(text), styles["BodyText"]) for text in definitions()),
    ]
    if total.loans:
        story.append(_chart(total))
    bucket_rows = [
        [
            str(label),
            f"{total.bucket_loans[code]:,}",
            pkr(total.buckets[code]),
            pct(total.buckets[code] / total.outstanding if total.outstanding else None),
        ]
        for code, label in BUCKETS
    ]
    bucket_rows.append([_("PAR30"), "", pkr(total.at_risk), pct(total.par30)])
    story += [
        Paragraph(escape(_("Arrears by bucket")), styles["Heading2"]),
        figures_table(
            [_("Arrears"), _("Loans"), _("Outstanding principal (PKR)"), _("Share of outstanding")],
            bucket_rows,
            1,
            font_size=7,
        ),
    ]
    headers = [str(h) for h, *_rest in PORTFOLIO_COLUMNS]
    for heading, labels, name in (
        (_("By program"), [_("Program")], "program"),
        (_("By division"), [_("Division")], "division"),
        (_("By district"), [_("Division"), _("District")], "district"),
    ):
        rows_ = [[*(str(p) for p in t.label), *_figures(t)] for t in portfolio.table(name)]
        rows_.append([_("Total"), *([""] * (len(labels) - 1)), *_figures(total)])
        story += [
            Paragraph(escape(heading), styles["Heading2"]),
            figures_table([*labels, *headers], rows_, len(labels), font_size=7),
        ]
    build_landscape(
        path, story, title=_("Loan portfolio — %(quarter)s") % {"quarter": quarter.label}, side_margin=1.2 * cm
    )
    if progress:
        progress(95)
