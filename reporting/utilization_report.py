"""The quarterly space-utilization report: an Excel workbook and a PDF summary.

Writers are plain functions from rows (reporting.selectors) to a file. The workbook is built in
openpyxl's write-only mode, so the detail sheet streams from the database cursor to the zip and memory
stays flat as rows grow. Every text cell passes through `safe_text`: a space named "=HYPERLINK(...)"
is shown as text, never evaluated.
"""

from collections.abc import Callable, Iterable
from pathlib import Path

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.utils import get_column_letter

from grants.fiscal import FiscalQuarter
from vouchers.selectors import AGE_BANDS, age_band, voucher_seats

from . import selectors
from .excel import CellStyles, excel_local, safe_text, set_widths, stream_cells_directly, write_header
from .selectors import Totals

Progress = Callable[[int], None] | None

FMT_INT = "#,##0"
FMT_PCT = "0.0%"
FMT_MONTH = "mmm yyyy"
FMT_DATETIME = "yyyy-mm-dd hh:mm"

# Columns of the totals tables: (header, attribute, number format, width).
TOTAL_COLUMNS = [
    (gettext_lazy("Returns"), "returns", FMT_INT, 10),
    (gettext_lazy("Spaces"), "spaces", FMT_INT, 9),
    (gettext_lazy("Seats offered"), "seats_offered", FMT_INT, 12),
    (gettext_lazy("Seats allotted"), "seats_allotted", FMT_INT, 12),
    (gettext_lazy("Occupancy"), "occupancy", FMT_PCT, 11),
    (gettext_lazy("Seat-days available"), "seat_days_available", FMT_INT, 14),
    (gettext_lazy("Seat-days used"), "seat_days_used", FMT_INT, 14),
    (gettext_lazy("Utilization"), "utilization", FMT_PCT, 11),
    (gettext_lazy("Members"), "members", FMT_INT, 10),
    (gettext_lazy("Women members"), "women_members", FMT_INT, 10),
    (gettext_lazy("Women share"), "women_share", FMT_PCT, 10),
    (gettext_lazy("Freelancers"), "freelancers", FMT_INT, 11),
    (gettext_lazy("Startups"), "startups", FMT_INT, 10),
    (gettext_lazy("Meeting-room hours available"), "meeting_room_hours_available", FMT_INT, 14),
    (gettext_lazy("Meeting-room hours booked"), "meeting_room_hours_booked", FMT_INT, 14),
]

# Detail sheet: (header, number format or None, width), in selectors.DETAIL_FIELDS order plus ratios.
DETAIL_COLUMNS = [
    (gettext_lazy("Month"), FMT_MONTH, 10),
    (gettext_lazy("Division"), None, 14),
    (gettext_lazy("District"), None, 16),
    (gettext_lazy("Space code"), None, 11),
    (gettext_lazy("Space"), None, 30),
    (gettext_lazy("Company"), None, 34),
    (gettext_lazy("Seats offered"), FMT_INT, 10),
    (gettext_lazy("Seats allotted"), FMT_INT, 10),
    (gettext_lazy("Occupancy"), FMT_PCT, 10),
    (gettext_lazy("Seat-days available"), FMT_INT, 12),
    (gettext_lazy("Seat-days used"), FMT_INT, 12),
    (gettext_lazy("Utilization"), FMT_PCT, 10),
    (gettext_lazy("Members"), FMT_INT, 9),
    (gettext_lazy("Women members"), FMT_INT, 9),
    (gettext_lazy("Freelancers"), FMT_INT, 10),
    (gettext_lazy("Startups"), FMT_INT, 9),
    (gettext_lazy("Meeting-room hours available"), FMT_INT, 12),
    (gettext_lazy("Meeting-room hours booked"), FMT_INT, 12),
    (gettext_lazy("Filed at"), FMT_DATETIME, 17),
]

SHEET_SUMMARY = "Summary"
SHEET_MONTHS = "Months by division"
SHEET_DISTRICTS = "Months by district"
SHEET_DETAIL = "Spaces by month"
SHEET_MISSING = "Did not file"
SHEET_VOUCHERS = "Voucher seats"
SHEETS = (SHEET_SUMMARY, SHEET_MONTHS, SHEET_DISTRICTS, SHEET_DETAIL, SHEET_MISSING, SHEET_VOUCHERS)

# Shared write-only helpers (reporting/excel.py), under the names this module has always used.
_Styles = CellStyles
_local = excel_local
_stream_cells_directly = stream_cells_directly
_header = write_header
_widths = set_widths


def _totals_row(styles: _Styles, labels: Iterable, totals: Totals, bold=False) -> list:
    row = [styles.cell(safe_text(str(label)), bold=bold) for label in labels]
    for _header_text, attribute, number_format, _width in TOTAL_COLUMNS:
        row.append(styles.cell(getattr(totals, attribute), number_format, bold=bold))
    return row


def detail_row(styles: _Styles, values: tuple) -> list:
    """One return as a detail-sheet row (values in selectors.DETAIL_FIELDS order)."""
    (month, division, district, code, name, company, offered, allotted, sd_available, sd_used, *rest) = values
    *counts, filed_at = rest
    return [
        styles.typed(month, FMT_MONTH, "d"),
        safe_text(division),
        safe_text(district),
        safe_text(code),
        safe_text(name),
        safe_text(company),
        offered,
        allotted,
        styles.typed(allotted / offered if offered else None, FMT_PCT, "n"),
        sd_available,
        sd_used,
        styles.typed(sd_used / sd_available if sd_available else None, FMT_PCT, "n"),
        *counts,
        styles.typed(_local(filed_at), FMT_DATETIME, "d"),
    ]


def write_detail_sheet(wb: Workbook, rows: Iterable[tuple], *, total: int = 0, progress: Progress = None) -> int:
    """The detail sheet, streamed: one row per return. Returns the number of rows written."""
    ws = wb.create_sheet(SHEET_DETAIL)
    _stream_cells_directly(ws)
    styles = _Styles(ws)
    _widths(ws, (width for _h, _f, width in DETAIL_COLUMNS))
    ws.freeze_panes = "E2"
    _header(ws, styles, (h for h, _f, _w in DETAIL_COLUMNS))
    count = 0
    step = max(total // 20, 1000)
    for values in rows:
        ws.append(detail_row(styles, values))
        count += 1
        if progress and total and count % step == 0:
            progress(count * 100 // total)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(DETAIL_COLUMNS))}{count + 1}"
    return count


def _summary_sheet(wb: Workbook, quarter: FiscalQuarter, start, end) -> None:
    ws = wb.create_sheet(SHEET_SUMMARY)
    ws.freeze_panes = "A6"  # write-only: the sheet view goes out with the first row, so it is set first
    styles = _Styles(ws)
    _widths(ws, [18, 18, *(width for *_rest, width in TOTAL_COLUMNS)])
    total = selectors.network_total(start, end)
    ws.append([styles.cell(_("Space utilization — %(quarter)s") % {"quarter": quarter.long_label}, bold=True)])
    ws.append(
        [
            _("Built %(when)s (Pakistan time) from %(returns)s returns of %(spaces)s spaces.")
            % {
                "when": date_format(timezone.localtime(), "Y-m-d H:i"),
                "returns": total.returns,
                "spaces": total.spaces,
            }
        ]
    )
    ws.append([_("Occupancy = seats allotted ÷ seats offered; utilization = seat-days used ÷ seat-days available.")])
    ws.append([])
    # Row 5: the division table; its rows feed the chart.
    header_row = 5
    _header(ws, styles, [_("Division"), "", *(h for h, *_rest in TOTAL_COLUMNS)])
    divisions = selectors.totals_by(start, end, "space__division")
    for totals in divisions:
        ws.append(_totals_row(styles, [totals.label[0], ""], totals))
    ws.append(_totals_row(styles, [_("Punjab"), _("All districts")], total, bold=True))
    last_division_row = header_row + len(divisions)
    ws.append([])
    ws.append([])
    _header(ws, styles, [_("Division"), _("District"), *(h for h, *_rest in TOTAL_COLUMNS)])
    for totals in selectors.totals_by(start, end, "space__division", "space__district"):
        ws.append(_totals_row(styles, totals.label, totals))
    ws.append(_totals_row(styles, [_("Punjab"), _("All districts")], total, bold=True))
    if divisions:
        chart = BarChart()
        chart.type = "col"
        chart.title = _("Occupancy and utilization by division")
        chart.y_axis.title = _("Share")
        chart.y_axis.numFmt = "0%"
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 1
        occupancy_col = 2 + [a for _h, a, *_r in TOTAL_COLUMNS].index("occupancy") + 1
        utilization_col = 2 + [a for _h, a, *_r in TOTAL_COLUMNS].index("utilization") + 1
        for col in (occupancy_col, utilization_col):
            chart.add_data(
                Reference(ws, min_col=col, min_row=header_row, max_row=last_division_row), titles_from_data=True
            )
        chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_division_row))
        chart.height, chart.width = 9, 18
        ws.add_chart(chart, f"{get_column_letter(len(TOTAL_COLUMNS) + 4)}2")


def _months_sheet(wb: Workbook, start, end) -> None:
    ws = wb.create_sheet(SHEET_MONTHS)
    styles = _Styles(ws)
    _widths(ws, [11, 16, *(width for *_rest, width in TOTAL_COLUMNS)])
    ws.freeze_panes = "C2"
    _header(ws, styles, [_("Month"), _("Division"), *(h for h, *_rest in TOTAL_COLUMNS)])
    rows = 1
    network = {t.label[0]: t for t in selectors.totals_by(start, end, "month")}
    for totals in selectors.totals_by(start, end, "month", "space__division"):
        ws.append([styles.cell(totals.label[0], FMT_MONTH), *_totals_row(styles, [totals.label[1]], totals)])
        rows += 1
    for month, totals in sorted(network.items()):
        ws.append([styles.cell(month, FMT_MONTH, bold=True), *_totals_row(styles, [_("Punjab")], totals, bold=True)])
        rows += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(2 + len(TOTAL_COLUMNS))}{rows}"
    if network:
        # A line of the network's utilization month by month, from the last rows.
        chart = LineChart()
        chart.title = _("Network utilization by month")
        chart.y_axis.numFmt = "0%"
        utilization_col = 2 + [a for _h, a, *_r in TOTAL_COLUMNS].index("utilization") + 1
        first = rows - len(network) + 1
        chart.add_data(Reference(ws, min_col=utilization_col, min_row=first, max_row=rows), titles_from_data=False)
        chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=rows))
        chart.legend = None
        ws.add_chart(chart, f"B{rows + 3}")


def _districts_sheet(wb: Workbook, start, end) -> None:
    ws = wb.create_sheet(SHEET_DISTRICTS)
    styles = _Styles(ws)
    _widths(ws, [11, 16, 18, *(width for *_rest, width in TOTAL_COLUMNS)])
    ws.freeze_panes = "D2"
    _header(ws, styles, [_("Month"), _("Division"), _("District"), *(h for h, *_rest in TOTAL_COLUMNS)])
    rows = 1
    for totals in selectors.totals_by(start, end, "month", "space__division", "space__district"):
        ws.append([styles.cell(totals.label[0], FMT_MONTH), *_totals_row(styles, totals.label[1:], totals)])
        rows += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(3 + len(TOTAL_COLUMNS))}{rows}"


def _missing_sheet(wb: Workbook, start, end) -> None:
    ws = wb.create_sheet(SHEET_MISSING)
    styles = _Styles(ws)
    _widths(ws, [11, 14, 16, 11, 30, 34, 30])
    ws.freeze_panes = "A2"
    headers = [_("Month"), _("Division"), _("District"), _("Space code"), _("Space"), _("Company"), _("Contact email")]
    _header(ws, styles, headers)
    rows = selectors.missing_rows(start, end)
    for month, *texts in rows:
        ws.append([styles.cell(month, FMT_MONTH), *(safe_text(t) for t in texts)])
    ws.auto_filter.ref = f"A1:G{len(rows) + 1}"


def _vouchers_sheet(wb: Workbook, start, end) -> None:
    """Seat-voucher seats subsidised for a day or more in the quarter (issue #18), by space with its
    division and district: seats, women and men, age bands (on each round's day) and the subsidy paid
    for the quarter's months. Counts only: no person is named."""
    ws = wb.create_sheet(SHEET_VOUCHERS)
    styles = _Styles(ws)
    bands = [age_band(low) for low, _high in AGE_BANDS]
    _widths(ws, [16, 18, 30, 9, 9, 9, 9, *(9 for _b in bands), 16])
    ws.freeze_panes = "D2"
    headers = [_("Division"), _("District"), _("Space"), _("Seats"), _("Women"), _("Men"), _("Other")]
    _header(ws, styles, [*headers, *(_("Ages %(band)s") % {"band": band} for band in bands), _("Subsidy paid (PKR)")])
    rows = voucher_seats(start, end)
    for row in rows:
        ws.append(
            [
                *(safe_text(text) for text in (row.division, row.district, row.space)),
                *(styles.cell(n, FMT_INT) for n in (row.seats, row.women, row.men, row.other)),
                *(styles.cell(row.by_age[band], FMT_INT) for band in bands),
                styles.cell(row.subsidy_paid, "#,##0.00"),
            ]
        )
    ws.auto_filter.ref = f"A1:{get_column_letter(8 + len(bands))}{len(rows) + 1}"


def build_utilization_xlsx(quarter: FiscalQuarter, path: Path, progress: Progress = None) -> None:
    """Write the quarter's utilization workbook to `path` (the caller renames it into place)."""
    start, end = quarter.start, quarter.end
    wb = Workbook(write_only=True)
    _summary_sheet(wb, quarter, start, end)
    _months_sheet(wb, start, end)
    _districts_sheet(wb, start, end)
    if progress:
        progress(10)
    total = selectors.detail_count(start, end)
    write_detail_sheet(
        wb,
        selectors.detail_rows(start, end),
        total=total,
        progress=(lambda pct: progress(10 + pct * 80 // 100)) if progress else None,
    )
    _missing_sheet(wb, start, end)
    _vouchers_sheet(wb, start, end)
    if progress:
        progress(95)
    wb.save(path)
