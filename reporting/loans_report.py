"""The quarterly loan-portfolio report: an Excel workbook (this module) and a PDF summary
(reporting/loans_pdf.py), as at the quarter's end (or today, for the quarter under way).

Rows come from `loans.selectors.portfolio_rows(as_of)`, one per loan disbursed by then, with the
position the loan book itself computes (loans.positions). The writer only needs these attributes of a
row (the "portfolio row protocol"), so it is tested on its own with plain rows too:

    sanction_number, program_name, operator, space_code, space_name, district, division,
    disbursed_amount, disbursed_on (date), principal_repaid, interest_repaid, outstanding_principal,
    days_past_due, bucket ("current", "1_30", "31_60", "61_90", "90_plus"), state

Definitions (also on the summary sheet):

- disbursed: the principal paid out on loans disbursed by the date;
- principal repaid, interest repaid: repayments received by the date, reversals netted;
- outstanding principal: what the borrowers still owe on principal on the date (nil for a loan closed
  or written off by then);
- arrears buckets: the outstanding principal of loans by days past due on the date (current, 1–30,
  31–60, 61–90, over 90);
- PAR30 (portfolio at risk) = outstanding principal of loans more than 30 days past due ÷ all
  outstanding principal.

Rows are read once: the Loans sheet streams them (write-only) while the totals add up, and the summary
sheet (first in the workbook) is written after. Money is Decimal throughout.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter

from grants.fiscal import FiscalQuarter

from .excel import CellStyles, safe_text, set_widths, stream_cells_directly, write_header

Progress = Callable[[int], None] | None

ZERO = Decimal("0.00")
FMT_PKR = "#,##0.00;[Red]-#,##0.00"
FMT_INT = "#,##0"
FMT_PCT = "0.0%"
FMT_DATE = "yyyy-mm-dd"

BUCKETS = (
    ("current", gettext_lazy("Current")),
    ("1_30", gettext_lazy("1–30 days past due")),
    ("31_60", gettext_lazy("31–60 days past due")),
    ("61_90", gettext_lazy("61–90 days past due")),
    ("90_plus", gettext_lazy("Over 90 days past due")),
)
BUCKET_CODES = tuple(code for code, _label in BUCKETS)
AT_RISK_DAYS = 30

SHEET_SUMMARY = "Summary"
SHEET_LOANS = "Loans"
SHEETS = (SHEET_SUMMARY, SHEET_LOANS)

# Figures of the group tables: (header, attribute, number format, width).
PORTFOLIO_COLUMNS = [
    (gettext_lazy("Loans"), "loans", FMT_INT, 8),
    (gettext_lazy("Disbursed (PKR)"), "disbursed", FMT_PKR, 17),
    (gettext_lazy("Principal repaid (PKR)"), "principal_repaid", FMT_PKR, 17),
    (gettext_lazy("Interest repaid (PKR)"), "interest_repaid", FMT_PKR, 15),
    (gettext_lazy("Outstanding principal (PKR)"), "outstanding", FMT_PKR, 17),
    *((label, f"bucket:{code}", FMT_PKR, 15) for code, label in BUCKETS),
    (gettext_lazy("PAR30"), "par30", FMT_PCT, 9),
]

DETAIL_COLUMNS = [
    (gettext_lazy("Sanction number"), 18),
    (gettext_lazy("Program"), 24),
    (gettext_lazy("Borrower"), 32),
    (gettext_lazy("Space code"), 10),
    (gettext_lazy("Space"), 26),
    (gettext_lazy("District"), 15),
    (gettext_lazy("Division"), 14),
    (gettext_lazy("Disbursed on"), 12),
    (gettext_lazy("Disbursed (PKR)"), 16),
    (gettext_lazy("Principal repaid (PKR)"), 16),
    (gettext_lazy("Interest repaid (PKR)"), 15),
    (gettext_lazy("Outstanding principal (PKR)"), 16),
    (gettext_lazy("Days past due"), 9),
    (gettext_lazy("Arrears"), 20),
    (gettext_lazy("State"), 13),
]


@dataclass
class PortfolioTotals:
    label: tuple
    loans: int = 0
    disbursed: Decimal = ZERO
    disbursed_in_quarter: Decimal = ZERO
    principal_repaid: Decimal = ZERO
    interest_repaid: Decimal = ZERO
    outstanding: Decimal = ZERO
    written_off: Decimal = ZERO  # principal written off (issue #22)
    at_risk: Decimal = ZERO  # outstanding principal of loans more than 30 days past due
    buckets: dict = field(default_factory=lambda: dict.fromkeys(BUCKET_CODES, ZERO))
    bucket_loans: dict = field(default_factory=lambda: dict.fromkeys(BUCKET_CODES, 0))

    def add(self, row, quarter_start: dt.date | None = None) -> None:
        self.loans += 1
        self.disbursed += row.disbursed_amount
        if quarter_start and row.disbursed_on and row.disbursed_on >= quarter_start:
            self.disbursed_in_quarter += row.disbursed_amount
        self.principal_repaid += row.principal_repaid
        self.interest_repaid += row.interest_repaid
        self.outstanding += row.outstanding_principal
        self.written_off += row.written_off
        self.buckets[row.bucket] += row.outstanding_principal
        self.bucket_loans[row.bucket] += 1
        if row.days_past_due > AT_RISK_DAYS:
            self.at_risk += row.outstanding_principal

    @property
    def par30(self) -> Decimal | None:
        """Portfolio at risk, 30 days: a share (0..1), or None when nothing is outstanding."""
        return self.at_risk / self.outstanding if self.outstanding else None

    def figure(self, attribute: str):
        if attribute.startswith("bucket:"):
            return self.buckets[attribute.removeprefix("bucket:")]
        return getattr(self, attribute)


@dataclass
class Portfolio:
    """Everything the summary shows, added up from the rows in one pass."""

    as_of: dt.date
    total: PortfolioTotals = field(default_factory=lambda: PortfolioTotals(label=()))
    groups: dict = field(default_factory=lambda: defaultdict(dict))

    KEYS = {
        "program": lambda row: (row.program_name,),
        "division": lambda row: (row.division or _("No space"),),
        "district": lambda row: (row.division or _("No space"), row.district or _("No space")),
    }

    def add(self, row, quarter_start: dt.date) -> None:
        self.total.add(row, quarter_start)
        for name, key in self.KEYS.items():
            label = key(row)
            totals = self.groups[name].get(label)
            if totals is None:
                totals = self.groups[name][label] = PortfolioTotals(label=label)
            totals.add(row, quarter_start)

    def table(self, name: str) -> list[PortfolioTotals]:
        groups = self.groups.get(name, {})
        return [groups[label] for label in sorted(groups, key=lambda parts: tuple(str(p) for p in parts))]


def as_of_for(quarter: FiscalQuarter) -> dt.date:
    """The quarter's last day, or today while the quarter is under way (positions are never guessed)."""
    return min(quarter.end, timezone.localdate())


def default_rows(as_of: dt.date) -> Iterable:
    from loans.selectors import portfolio_rows

    return portfolio_rows(as_of)


def bucket_label(code: str) -> str:
    return str(dict(BUCKETS).get(code, code))


def state_label(code: str) -> str:
    try:
        from loans.models import LoanState
    except ImportError:  # pragma: no cover - the loans app is installed wherever this report is offered
        return code
    return str(LoanState(code).label) if code in LoanState.values else code


def title(quarter: FiscalQuarter) -> str:
    return _("Loan portfolio — %(quarter)s") % {"quarter": quarter.long_label}


def as_of_line(portfolio: Portfolio) -> str:
    return _("As at %(date)s. Built %(when)s (Pakistan time) from %(loans)s loans.") % {
        "date": date_format(portfolio.as_of, "j F Y"),
        "when": date_format(timezone.localtime(), "Y-m-d H:i"),
        "loans": f"{portfolio.total.loans:,}",
    }


def definitions() -> list[str]:
    return [
        _("Disbursed: principal paid out on loans disbursed by the date."),
        _("Principal repaid, interest repaid: repayments received by the date, reversals netted."),
        _("Outstanding principal: what borrowers still owe on principal (nil for a loan closed or written off)."),
        _("Arrears: outstanding principal by days past due on the date: current, 1–30, 31–60, 61–90, over 90."),
        _(
            "PAR30 (portfolio at risk) = outstanding principal of loans more than 30 days past due "
            "÷ all outstanding principal."
        ),
    ]


def _figures(styles: CellStyles, totals: PortfolioTotals, bold=False) -> list:
    return [styles.cell(totals.figure(attr), fmt, bold=bold) for _h, attr, fmt, _w in PORTFOLIO_COLUMNS]


def loan_row(styles: CellStyles, row, states: dict, buckets: dict) -> list:
    return [
        safe_text(row.sanction_number),
        safe_text(row.program_name),
        safe_text(row.operator),
        safe_text(row.space_code),
        safe_text(row.space_name),
        row.district,
        row.division,
        styles.typed(row.disbursed_on, FMT_DATE, "d"),
        styles.typed(row.disbursed_amount, FMT_PKR, "n"),
        styles.typed(row.principal_repaid, FMT_PKR, "n"),
        styles.typed(row.interest_repaid, FMT_PKR, "n"),
        styles.typed(row.outstanding_principal, FMT_PKR, "n"),
        row.days_past_due,
        buckets.get(row.bucket, row.bucket),
        states.get(row.state, row.state),
    ]


def write_loans_sheet(wb: Workbook, rows: Iterable, portfolio: Portfolio, quarter_start: dt.date) -> int:
    """The Loans sheet, streamed, adding every row to `portfolio` on the way. Returns the row count."""
    ws = wb.create_sheet(SHEET_LOANS)
    stream_cells_directly(ws)
    styles = CellStyles(ws)
    set_widths(ws, (width for _h, width in DETAIL_COLUMNS))
    ws.freeze_panes = "B2"
    write_header(ws, styles, (h for h, _w in DETAIL_COLUMNS))
    states, buckets = {}, {code: bucket_label(code) for code in BUCKET_CODES}
    count = 0
    for row in rows:
        if row.state not in states:
            states[row.state] = state_label(row.state)
        ws.append(loan_row(styles, row, states, buckets))
        portfolio.add(row, quarter_start)
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(DETAIL_COLUMNS))}{count + 1}"
    return count


def _summary(ws, quarter: FiscalQuarter, portfolio: Portfolio) -> None:
    styles = CellStyles(ws)
    set_widths(ws, [26, 18, *(w for *_r, w in PORTFOLIO_COLUMNS)])
    rows = 0

    def append(row):
        nonlocal rows
        ws.append(row)
        rows += 1
        return rows

    total = portfolio.total
    append([styles.cell(title(quarter), bold=True)])
    append([as_of_line(portfolio)])
    append([])
    append([styles.cell(_("Definitions"), bold=True)])
    for text in definitions():
        append([text])
    append([])
    append([styles.cell(_("Arrears by bucket"), bold=True)])
    bucket_header = append(
        [
            styles.cell(h, header=True)
            for h in (_("Arrears"), _("Loans"), _("Outstanding principal (PKR)"), _("Share of outstanding"))
        ]
    )
    for code, label in BUCKETS:
        amount = total.buckets[code]
        append(
            [
                str(label),
                styles.cell(total.bucket_loans[code], FMT_INT),
                styles.cell(amount, FMT_PKR),
                styles.cell(amount / total.outstanding if total.outstanding else None, FMT_PCT),
            ]
        )
    bucket_last = rows
    append(
        [
            styles.cell(_("Total"), bold=True),
            styles.cell(total.loans, FMT_INT, bold=True),
            styles.cell(total.outstanding, FMT_PKR, bold=True),
            styles.cell(1 if total.outstanding else None, FMT_PCT, bold=True),
        ]
    )
    append(
        [
            styles.cell(_("PAR30"), bold=True),
            None,
            styles.cell(total.at_risk, FMT_PKR, bold=True),
            styles.cell(total.par30, FMT_PCT, bold=True),
        ]
    )
    append([_("Disbursed in the quarter (PKR)"), None, styles.cell(total.disbursed_in_quarter, FMT_PKR)])
    append([])
    for heading, labels, name in (
        (_("By program"), [_("Program")], "program"),
        (_("By division"), [_("Division")], "division"),
        (_("By district"), [_("Division"), _("District")], "district"),
    ):
        append([styles.cell(heading, bold=True)])
        append(
            [styles.cell(str(h), header=True) for h in [*labels, *([""] * (2 - len(labels)))]]
            + [styles.cell(str(h), header=True) for h, *_r in PORTFOLIO_COLUMNS]
        )
        for totals in portfolio.table(name):
            texts = [safe_text(str(part)) for part in totals.label]
            append([*texts, *([None] * (2 - len(texts))), *_figures(styles, totals)])
        append([styles.cell(_("Total"), bold=True), None, *_figures(styles, total, bold=True)])
        append([])
    if total.loans:
        chart = BarChart()
        chart.type = "col"
        chart.title = _("Outstanding principal by arrears (PKR)")
        chart.y_axis.numFmt = "#,##0"
        chart.legend = None
        chart.add_data(Reference(ws, min_col=3, min_row=bucket_header, max_row=bucket_last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=bucket_header + 1, max_row=bucket_last))
        chart.height, chart.width = 8, 16
        ws.add_chart(chart, "F4")


def build_loans_xlsx(quarter: FiscalQuarter, path: Path, progress: Progress = None, rows: Iterable | None = None):
    """Write the quarter's loan-portfolio workbook to `path`. `rows` defaults to the loan book's
    portfolio rows as at the quarter's end."""
    as_of = as_of_for(quarter)
    rows = default_rows(as_of) if rows is None else rows
    portfolio = Portfolio(as_of=as_of)
    wb = Workbook(write_only=True)
    summary = wb.create_sheet(SHEET_SUMMARY)  # first in the workbook, filled once the rows are read
    summary.freeze_panes = "A4"
    if progress:
        progress(10)
    write_loans_sheet(wb, rows, portfolio, quarter.start)
    if progress:
        progress(80)
    _summary(summary, quarter, portfolio)
    if progress:
        progress(95)
    wb.save(path)


def portfolio_of(quarter: FiscalQuarter, rows: Iterable | None = None) -> Portfolio:
    """The summary's figures without a workbook (the PDF)."""
    as_of = as_of_for(quarter)
    portfolio = Portfolio(as_of=as_of)
    for row in default_rows(as_of) if rows is None else rows:
        portfolio.add(row, quarter.start)
    return portfolio
