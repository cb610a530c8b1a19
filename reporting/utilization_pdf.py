"""The quarterly space-utilization PDF summary (reportlab): headline figures, a chart of occupancy and
utilization month by month, and the tables by division and district."""

from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, Spacer

from grants.fiscal import FiscalQuarter
from vouchers.selectors import voucher_seats

from . import selectors
from .pdf import BRAND, build_landscape, figures_table
from .selectors import Totals

SECOND = colors.HexColor("#E69F00")


def _pct(value) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _int(value) -> str:
    return f"{value:,}"


def _figures(t: Totals) -> list[str]:
    return [
        _int(t.returns),
        _int(t.seats_offered),
        _int(t.seats_allotted),
        _pct(t.occupancy),
        _int(t.seat_days_available),
        _int(t.seat_days_used),
        _pct(t.utilization),
        _int(t.members),
        _pct(t.women_share),
    ]


FIGURE_HEADERS = [
    gettext_lazy("Returns"),
    gettext_lazy("Seats offered"),
    gettext_lazy("Seats allotted"),
    gettext_lazy("Occupancy"),
    gettext_lazy("Seat-days available"),
    gettext_lazy("Seat-days used"),
    gettext_lazy("Utilization"),
    gettext_lazy("Members"),
    gettext_lazy("Women"),
]


def _chart(months: list[Totals]) -> Drawing:
    drawing = Drawing(24 * cm, 7 * cm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 30, 15 * cm, 5.2 * cm
    chart.data = [
        [round((t.occupancy or 0) * 100, 1) for t in months],
        [round((t.utilization or 0) * 100, 1) for t in months],
    ]
    chart.categoryAxis.categoryNames = [date_format(t.label[0], "M Y") for t in months]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.bars[0].fillColor = BRAND
    chart.bars[1].fillColor = SECOND
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 17 * cm, 5.5 * cm
    legend.colorNamePairs = [(BRAND, _("Occupancy")), (SECOND, _("Utilization"))]
    drawing.add(legend)
    drawing.add(String(40, 7 * cm - 12, _("Network occupancy and utilization by month"), fontSize=10))
    return drawing


def build_utilization_pdf(quarter: FiscalQuarter, path: Path, progress=None) -> None:
    start, end = quarter.start, quarter.end
    styles = getSampleStyleSheet()
    total = selectors.network_total(start, end)
    story = [
        Paragraph(escape(_("Space utilization — %(quarter)s") % {"quarter": quarter.long_label}), styles["Title"]),
        Paragraph(
            escape(
                _("Built %(when)s (Pakistan time) from %(returns)s returns of %(spaces)s spaces.")
                % {
                    "when": date_format(timezone.localtime(), "Y-m-d H:i"),
                    "returns": total.returns,
                    "spaces": total.spaces,
                }
            ),
            styles["Normal"],
        ),
        Spacer(1, 0.3 * cm),
        Paragraph(
            escape(
                _("Occupancy %(occ)s · Utilization %(util)s · Members %(members)s (women %(women)s)")
                % {
                    "occ": _pct(total.occupancy),
                    "util": _pct(total.utilization),
                    "members": _int(total.members),
                    "women": _pct(total.women_share),
                }
            ),
            styles["Heading2"],
        ),
    ]
    if progress:
        progress(20)
    months = [
        next((t for t in selectors.totals_by(start, end, "month") if t.label[0] == m), None)
        for m in selectors.months_between(start, end)
    ]
    story.append(_chart([t for t in months if t is not None] or [total]))
    headers = [str(h) for h in FIGURE_HEADERS]
    divisions = selectors.totals_by(start, end, "space__division")
    story += [
        Paragraph(escape(_("By division")), styles["Heading2"]),
        figures_table(
            [_("Division"), *headers],
            [[t.label[0], *_figures(t)] for t in divisions] + [[_("Punjab"), *_figures(total)]],
            1,
        ),
    ]
    if progress:
        progress(60)
    districts = selectors.totals_by(start, end, "space__division", "space__district")
    story += [
        Paragraph(escape(_("By district")), styles["Heading2"]),
        figures_table(
            [_("Division"), _("District"), *headers],
            [[t.label[0], t.label[1], *_figures(t)] for t in districts] + [[_("Punjab"), "", *_figures(total)]],
            2,
        ),
    ]
    missing = selectors.missing_rows(start, end)
    story.append(
        Paragraph(
            escape(
                _("Returns not filed in the quarter: %(n)s (listed in the Excel workbook's “Did not file” sheet).")
                % {"n": len(missing)}
            ),
            styles["Normal"],
        )
    )
    seats = voucher_seats(start, end)
    if seats:
        divisions_seats: dict[str, list[int]] = {}
        for row in seats:
            figures = divisions_seats.setdefault(row.division, [0, 0, 0])
            figures[0] += row.seats
            figures[1] += row.women
            figures[2] += row.men
        story += [
            Paragraph(escape(_("Seat-voucher seats by division")), styles["Heading2"]),
            figures_table(
                [_("Division"), _("Seats"), _("Women"), _("Men")],
                [[division, *(_int(n) for n in figures)] for division, figures in sorted(divisions_seats.items())],
                1,
            ),
            Paragraph(
                escape(_("Spaces, districts and age bands are in the Excel workbook's “Voucher seats” sheet.")),
                styles["Normal"],
            ),
        ]
    build_landscape(path, story, title=_("Space utilization — %(quarter)s") % {"quarter": quarter.label})
    if progress:
        progress(95)
