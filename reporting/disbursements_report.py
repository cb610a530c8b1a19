"""The quarterly disbursements report: an Excel workbook (this module) and a PDF summary
(reporting/disbursements_pdf.py).

Definitions (also written on the summary sheet; see reporting/disbursement_selectors.py):

- paid: a payment in state paid or reconciled, at its paid_at; a payment the bank returned (failed,
  retried) is not paid, whenever it was returned, and is listed on the "Returned by the bank" sheet;
- committed: the budget-commitment ledger's net (commitments less reversals) recorded up to the
  quarter's end, per application;
- paid in the quarter: paid payments with paid_at in the quarter (Pakistan time);
- paid to date: paid payments with paid_at before the quarter's end;
- outstanding = committed − paid to date, per application; payments that belong to no application
  are shown as "Unassigned" (never dropped) and have no commitment to reduce.

Sheets: Summary (by program, instrument, division and district, with a native chart), By space,
Payments (every payment paid in the quarter, streamed from the database cursor into openpyxl's
write-only mode, so memory stays flat), Returned by the bank. Every text cell passes through
`safe_text`; amounts are Decimals written as numbers with a PKR format; dates are dates.
"""

from collections.abc import Callable, Iterable
from pathlib import Path

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter

from finance.models import PaymentState
from grants.fiscal import FiscalQuarter
from grants.models import Program

from . import disbursement_selectors as selectors
from .disbursement_selectors import MoneyLine, MoneyTotals
from .excel import CellStyles, local_date, safe_text, set_widths, stream_cells_directly, write_header

Progress = Callable[[int], None] | None

FMT_PKR = "#,##0.00;[Red]-#,##0.00"
FMT_INT = "#,##0"
FMT_DATE = "yyyy-mm-dd"

# Figures of the totals tables: (header, attribute, number format, width).
MONEY_COLUMNS = [
    (gettext_lazy("Applications with a commitment"), "applications", FMT_INT, 13),
    (gettext_lazy("Committed (PKR)"), "committed", FMT_PKR, 18),
    (gettext_lazy("Paid in the quarter (PKR)"), "paid_in_quarter", FMT_PKR, 18),
    (gettext_lazy("Payments in the quarter"), "payments_in_quarter", FMT_INT, 12),
    (gettext_lazy("Paid to date (PKR)"), "paid_to_date", FMT_PKR, 18),
    (gettext_lazy("Outstanding (PKR)"), "outstanding", FMT_PKR, 18),
]

# The Payments sheet: (header, width), in selectors.DETAIL_FIELDS order.
DETAIL_COLUMNS = [
    (gettext_lazy("Payment reference"), 17),
    (gettext_lazy("Paid on"), 11),
    (gettext_lazy("Payee"), 32),
    (gettext_lazy("Space code"), 10),
    (gettext_lazy("Space"), 28),
    (gettext_lazy("District"), 15),
    (gettext_lazy("Division"), 14),
    (gettext_lazy("Program"), 26),
    (gettext_lazy("Instrument"), 14),
    (gettext_lazy("Application"), 15),
    (gettext_lazy("Sanction number"), 18),
    (gettext_lazy("Narration"), 40),
    (gettext_lazy("State"), 11),
    (gettext_lazy("Amount (PKR)"), 16),
]
RETURNED_COLUMNS = [
    (gettext_lazy("Payment reference"), 17),
    (gettext_lazy("Marked paid on"), 12),
    (gettext_lazy("Returned on"), 12),
    (gettext_lazy("Payee"), 32),
    (gettext_lazy("Space code"), 10),
    (gettext_lazy("Space"), 28),
    (gettext_lazy("Program"), 26),
    (gettext_lazy("Application"), 15),
    (gettext_lazy("Bank's reason"), 40),
    (gettext_lazy("Amount (PKR)"), 16),
]

SHEET_SUMMARY = "Summary"
SHEET_SPACES = "By space"
SHEET_PAYMENTS = "Payments"
SHEET_RETURNED = "Returned by the bank"
SHEETS = (SHEET_SUMMARY, SHEET_SPACES, SHEET_PAYMENTS, SHEET_RETURNED)


def definitions(*, pdf: bool = False) -> list[str]:
    """What each figure means, in the words the summary sheet prints; `pdf=True` gives the PDF's words,
    which name no sheet (the PDF has none) and use the plain "-" its Helvetica can draw."""
    if pdf:
        paid = _(
            "Paid: a payment in state paid or reconciled. A payment the bank returned is not paid, "
            "whenever it was returned; the returned payments are listed at the end of this summary."
        )
        outstanding = _(
            "Outstanding = committed - paid to date, per application. Payments that belong to no application "
            "are shown as “Unassigned” and have no commitment to reduce."
        )
        by_place = _(
            "By division and district: an application's figures sit with its space; a utility-subsidy "
            "enrolment covers several spaces and is one row, “Several spaces” (the Excel workbook of the "
            "quarter lists each of its payments with its space)."
        )
    else:
        paid = _(
            "Paid: a payment in state paid or reconciled. A payment the bank returned is not paid, "
            "whenever it was returned; the returned payments are listed on the sheet “Returned by the bank”."
        )
        outstanding = _(
            "Outstanding = committed − paid to date, per application. Payments that belong to no application "
            "are shown as “Unassigned” and have no commitment to reduce."
        )
        by_place = _(
            "By division, district and space: an application's figures sit with its space; a utility-subsidy "
            "enrolment covers several spaces and is one row, “Several spaces” (its payments, each with its "
            "space, are on the Payments sheet)."
        )
    return [
        paid,
        _("Committed: award commitments less reversals (the budget-commitment ledger) recorded by the quarter's end."),
        _("Paid in the quarter: payments paid between the quarter's first and last day (Pakistan time)."),
        _("Paid to date: payments paid by the quarter's end."),
        outstanding,
        by_place,
        returned_definition(),
    ]


def returned_definition() -> str:
    return _(
        "Returned by the bank: the payments the bank returned in the quarter, whatever quarter they were "
        "marked paid in, and the payments marked paid in the quarter that it returned later. None of them "
        "is counted as paid."
    )


def instrument_label(code: str) -> str:
    if not code:
        return _("Unassigned")
    return str(Program.Instrument(code).label) if code in Program.Instrument.values else code


def state_label(code: str) -> str:
    return str(PaymentState(code).label) if code in PaymentState.values else code


def title(quarter: FiscalQuarter) -> str:
    return _("Disbursements — %(quarter)s") % {"quarter": quarter.long_label}


def built_line(total: MoneyTotals) -> str:
    return _("Built %(when)s (Pakistan time): %(count)s payments paid in the quarter.") % {
        "when": date_format(timezone.localtime(), "Y-m-d H:i"),
        "count": f"{total.payments_in_quarter:,}",
    }


def trailing_labels() -> tuple[str, ...]:
    return (_("Unassigned"), _("Several spaces"))


def tables(lines: list[MoneyLine]) -> dict[str, list[MoneyTotals]]:
    """The summary's groupings, each ordered by its labels with Unassigned and Several spaces last."""
    last = trailing_labels()
    return {
        "program": selectors.group_totals(lines, lambda m: (m.program, instrument_label(m.instrument)), last),
        "instrument": selectors.group_totals(lines, lambda m: (instrument_label(m.instrument),), last),
        "division": selectors.group_totals(lines, lambda m: (m.division,), last),
        "district": selectors.group_totals(lines, lambda m: (m.division, m.district), last),
        "space": selectors.group_totals(lines, lambda m: (m.division, m.district, m.space_code, m.space_name), last),
    }


def _figures(styles: CellStyles, totals: MoneyTotals, bold=False) -> list:
    return [styles.cell(getattr(totals, attr), fmt, bold=bold) for _h, attr, fmt, _w in MONEY_COLUMNS]


class _Rows:
    """A write-only sheet that counts the rows appended (charts and filters need row numbers)."""

    def __init__(self, ws):
        self.ws = ws
        self.count = 0

    def append(self, row: list) -> int:
        self.ws.append(row)
        self.count += 1
        return self.count


def _table(
    rows: _Rows, styles: CellStyles, heading: str, labels: Iterable[str], groups, total: MoneyTotals, width: int
) -> tuple[int, int]:
    """A heading, a header row, one row per group and the total. Returns (header row, last group row)."""
    rows.append([styles.cell(safe_text(heading), bold=True)])
    labels = list(labels)
    header = rows.append(
        [styles.cell(safe_text(str(h)), header=True) for h in [*labels, *([""] * (width - len(labels)))]]
        + [styles.cell(str(h), header=True) for h, *_rest in MONEY_COLUMNS]
    )
    for totals in groups:
        texts = [safe_text(str(part)) for part in totals.label[:width]]
        rows.append([*texts, *([None] * (width - len(texts))), *_figures(styles, totals)])
    last = rows.count
    rows.append([styles.cell(_("Total"), bold=True), *([None] * (width - 1)), *_figures(styles, total, bold=True)])
    rows.append([])
    return header, last


def _summary_sheet(wb: Workbook, quarter: FiscalQuarter, grouped: dict, total: MoneyTotals) -> None:
    ws = wb.create_sheet(SHEET_SUMMARY)
    styles = CellStyles(ws)
    set_widths(ws, [28, 22, *(w for *_rest, w in MONEY_COLUMNS)])
    ws.freeze_panes = "A4"  # write-only: the sheet view is written with the first row, so set it first
    rows = _Rows(ws)
    rows.append([styles.cell(title(quarter), bold=True)])
    rows.append([built_line(total)])
    rows.append([])
    rows.append([styles.cell(_("Definitions"), bold=True)])
    for text in definitions():
        rows.append([text])
    rows.append([])
    _table(rows, styles, _("By program"), [_("Program"), _("Instrument")], grouped["program"], total, 2)
    _table(rows, styles, _("By instrument"), [_("Instrument")], grouped["instrument"], total, 2)
    division_header, division_last = _table(
        rows, styles, _("By division"), [_("Division")], grouped["division"], total, 2
    )
    _table(rows, styles, _("By district"), [_("Division"), _("District")], grouped["district"], total, 2)
    if grouped["division"]:
        chart = BarChart()
        chart.type = "bar"
        chart.grouping = "clustered"
        chart.title = _("Paid in the quarter and outstanding by division (PKR)")
        chart.x_axis.title = _("Division")
        chart.y_axis.numFmt = "#,##0"
        chart.y_axis.majorGridlines = None
        attributes = [a for _h, a, *_r in MONEY_COLUMNS]
        for attribute in ("paid_in_quarter", "outstanding"):
            col = 2 + attributes.index(attribute) + 1
            chart.add_data(
                Reference(ws, min_col=col, min_row=division_header, max_row=division_last), titles_from_data=True
            )
        chart.set_categories(Reference(ws, min_col=1, min_row=division_header + 1, max_row=division_last))
        chart.height, chart.width = 10, 20
        ws.add_chart(chart, f"{get_column_letter(2 + len(MONEY_COLUMNS) + 2)}4")


def _spaces_sheet(wb: Workbook, spaces: list[MoneyTotals], total: MoneyTotals) -> None:
    ws = wb.create_sheet(SHEET_SPACES)
    styles = CellStyles(ws)
    set_widths(ws, [14, 16, 12, 30, *(w for *_rest, w in MONEY_COLUMNS)])
    ws.freeze_panes = "E2"
    write_header(
        ws, styles, [_("Division"), _("District"), _("Space code"), _("Space"), *(h for h, *_r in MONEY_COLUMNS)]
    )
    count = 1
    for totals in spaces:
        ws.append([*(safe_text(str(part)) for part in totals.label), *_figures(styles, totals)])
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(4 + len(MONEY_COLUMNS))}{count}"
    # The total sits below the filtered range, so filtering never hides or counts it.
    ws.append([])
    ws.append([styles.cell(_("Total"), bold=True), None, None, None, *_figures(styles, total, bold=True)])


def payment_row(styles: CellStyles, values: tuple, instruments: dict, states: dict, unassigned: str) -> list:
    """One paid payment as a Payments-sheet row (values in selectors.DETAIL_FIELDS order)."""
    (reference, paid_at, payee, code, name, district, division, program, instrument, application, sanction, *rest) = (
        values
    )
    narration, state, amount = rest
    return [
        reference,
        styles.typed(local_date(paid_at), FMT_DATE, "d"),
        safe_text(payee),
        safe_text(code),
        safe_text(name),
        district,
        division,
        safe_text(program) if program is not None else unassigned,
        instruments.get(instrument, instrument),
        application,
        sanction,
        safe_text(narration),
        states.get(state, state),
        styles.typed(amount, FMT_PKR, "n"),
    ]


def write_payments_sheet(wb: Workbook, rows: Iterable[tuple], *, total: int = 0, progress: Progress = None) -> int:
    """The Payments sheet, streamed: one row per payment paid in the quarter. Returns the row count."""
    ws = wb.create_sheet(SHEET_PAYMENTS)
    stream_cells_directly(ws)
    styles = CellStyles(ws)
    set_widths(ws, (width for _h, width in DETAIL_COLUMNS))
    ws.freeze_panes = "B2"
    write_header(ws, styles, (h for h, _w in DETAIL_COLUMNS))
    # Labels are looked up once, not per row (a payment without an application has no instrument).
    instruments = {code: instrument_label(code) for code in [*Program.Instrument.values, "", None]}
    states = {code: state_label(code) for code in PaymentState.values}
    unassigned = _("Unassigned")
    count = 0
    step = max(total // 20, 1000)
    for values in rows:
        ws.append(payment_row(styles, values, instruments, states, unassigned))
        count += 1
        if progress and total and count % step == 0:
            progress(count * 100 // total)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(DETAIL_COLUMNS))}{count + 1}"
    return count


def _returned_sheet(wb: Workbook, rows: list[tuple]) -> None:
    ws = wb.create_sheet(SHEET_RETURNED)
    styles = CellStyles(ws)
    set_widths(ws, (width for _h, width in RETURNED_COLUMNS))
    ws.freeze_panes = "B2"
    write_header(ws, styles, (h for h, _w in RETURNED_COLUMNS))
    for reference, paid_at, failed_at, payee, code, name, program, application, reason, amount in rows:
        ws.append(
            [
                reference,
                styles.cell(local_date(paid_at), FMT_DATE) if paid_at else None,
                styles.cell(local_date(failed_at), FMT_DATE) if failed_at else None,
                safe_text(payee),
                safe_text(code),
                safe_text(name),
                safe_text(program),
                application,
                safe_text(reason),
                styles.cell(amount, FMT_PKR),
            ]
        )
    ws.auto_filter.ref = f"A1:{get_column_letter(len(RETURNED_COLUMNS))}{len(rows) + 1}"


def build_disbursements_xlsx(quarter: FiscalQuarter, path: Path, progress: Progress = None) -> None:
    """Write the quarter's disbursements workbook to `path` (the caller renames it into place)."""
    start, end = selectors.quarter_bounds(quarter)
    lines = selectors.money_lines(quarter)
    grouped = tables(lines)
    total = selectors.grand_total(lines)
    wb = Workbook(write_only=True)
    _summary_sheet(wb, quarter, grouped, total)
    _spaces_sheet(wb, grouped["space"], total)
    if progress:
        progress(10)
    write_payments_sheet(
        wb,
        selectors.detail_rows(start, end),
        total=total.payments_in_quarter,
        progress=(lambda pct: progress(10 + pct * 80 // 100)) if progress else None,
    )
    _returned_sheet(wb, selectors.returned_rows(start, end))
    if progress:
        progress(95)
    wb.save(path)
