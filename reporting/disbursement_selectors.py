"""Reads behind the quarterly disbursements report (reporting/disbursements_report.py).

Definitions (the workbook's summary sheet and the PDF say the same):

- The quarter runs from 00:00 on its first day to 00:00 on the day after its last, Pakistan time.
- **Paid**: a payment instruction in state `paid` or `reconciled`, at its `paid_at`. A payment the
  bank returned (state `failed`, or `retried` once a new attempt was made) is not paid, whenever the
  return came: a quarter's report built after a return shows the lower figure and lists the returned
  payment on its own sheet. A payment sent but not yet confirmed (`sent`) is not paid either.
- **Returned by the bank** (listed, never counted as paid): the payments the bank returned in the
  quarter, whatever quarter they were marked paid in, and the payments marked paid in the quarter that
  it returned later.
- **Committed** (as at the quarter's end): the net of the budget-commitment ledger
  (`grants.BudgetCommitment`, commitments less reversals) recorded up to the quarter's end, per
  application, over every fiscal year: it is what the award letters promise.
- **Paid in the quarter**: paid payments whose `paid_at` falls in the quarter.
- **Paid to date**: paid payments whose `paid_at` is before the quarter's end (the payments, not the
  award's running total, so that a report of an earlier quarter is the same whenever it is built).
- **Outstanding** = committed − paid to date, per application. Payments that belong to no application
  ("Unassigned") are counted in every paid figure but have no commitment to reduce.

Where money is shown: each application's figures sit with its program, instrument and space. A
utility-subsidy enrolment covers several spaces (each connection its own), so in the tables by
division, district and space it is one row, "Several spaces"; its payments, each with its own space,
are on the Payments sheet. A payment without an application sits with its own space, if it has one.

Every figure is a SUM in the database over Decimal columns: the workbook's totals equal the database's
to the paisa.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from finance.models import PaymentInstruction, PaymentState
from grants.fiscal import FiscalQuarter
from grants.models import Application, BudgetCommitment, Program
from spaces.models import Space

PAID_STATES = (PaymentState.PAID, PaymentState.RECONCILED)
RETURNED_STATES = (PaymentState.FAILED, PaymentState.RETRIED)
CHUNK_SIZE = 2000
ZERO = Decimal("0.00")
# The idempotency keys of seat-claim payments (finance.models.source_key of a vouchers.SeatClaim).
SEAT_CLAIM_KEY = "vouchers.seatclaim:"

# Detail rows: one per payment paid in the quarter, in the order of the Payments sheet's columns.
DETAIL_FIELDS = (
    "reference",
    "paid_at",
    "payee__legal_name",
    "space__code",
    "space__name",
    "space__district",
    "space__division",
    "application__call__program__name",
    "application__instrument",
    "application__reference",
    "application__award__sanction_number",
    "narration",
    "state",
    "amount",
)
RETURNED_FIELDS = (
    "reference",
    "paid_at",
    "failed_at",
    "payee__legal_name",
    "space__code",
    "space__name",
    "application__call__program__name",
    "application__reference",
    "failure_reason",
    "amount",
)


def quarter_bounds(quarter: FiscalQuarter) -> tuple[dt.datetime, dt.datetime]:
    """[start, end): midnight Pakistan time on the first day and on the day after the last."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(quarter.start, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(quarter.end + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return start, end


def paid_payments():
    return PaymentInstruction.objects.filter(state__in=PAID_STATES, paid_at__isnull=False)


def payments_paid_between(start: dt.datetime, end: dt.datetime):
    return paid_payments().filter(paid_at__gte=start, paid_at__lt=end)


def detail_count(start: dt.datetime, end: dt.datetime) -> int:
    return payments_paid_between(start, end).count()


def detail_rows(start: dt.datetime, end: dt.datetime) -> Iterator[tuple]:
    """Every payment paid in the period as a tuple of DETAIL_FIELDS, oldest first, streamed in chunks
    (a server-side cursor on PostgreSQL): memory stays flat however many payments there are."""
    return (
        payments_paid_between(start, end)
        .order_by("paid_at", "id")
        .values_list(*DETAIL_FIELDS)
        .iterator(chunk_size=CHUNK_SIZE)
    )


def returned_rows(start: dt.datetime, end: dt.datetime) -> list[tuple]:
    """The payments the bank returned that a report of the period lists (none is counted as paid):
    those returned in the period, whatever period they were marked paid in (or if they never were),
    and those marked paid in the period and returned later."""
    returned_in_period = Q(failed_at__gte=start, failed_at__lt=end)
    paid_in_period = Q(paid_at__gte=start, paid_at__lt=end)
    return list(
        PaymentInstruction.objects.filter(returned_in_period | paid_in_period, state__in=RETURNED_STATES)
        .order_by("failed_at", "id")
        .values_list(*RETURNED_FIELDS)
    )


@dataclass
class MoneyLine:
    """The figures of one application (or of the unassigned payments of one space)."""

    program: str
    instrument: str
    division: str
    district: str
    space_code: str
    space_name: str
    assigned: bool
    committed: Decimal = ZERO
    paid_in_quarter: Decimal = ZERO
    payments_in_quarter: int = 0
    paid_to_date: Decimal = ZERO

    @property
    def outstanding(self) -> Decimal:
        return self.committed - self.paid_to_date if self.assigned else ZERO


@dataclass
class MoneyTotals:
    label: tuple
    applications: int = 0
    committed: Decimal = ZERO
    paid_in_quarter: Decimal = ZERO
    payments_in_quarter: int = 0
    paid_to_date: Decimal = ZERO
    outstanding: Decimal = ZERO

    def add(self, line: MoneyLine) -> None:
        if line.assigned and line.committed:
            self.applications += 1
        self.committed += line.committed
        self.paid_in_quarter += line.paid_in_quarter
        self.payments_in_quarter += line.payments_in_quarter
        self.paid_to_date += line.paid_to_date
        self.outstanding += line.outstanding


def _chunks(ids: list, size: int = 1000) -> Iterator[list]:
    for index in range(0, len(ids), size):
        yield ids[index : index + size]


def money_lines(quarter: FiscalQuarter) -> list[MoneyLine]:
    """One line per application with a commitment or a paid payment up to the quarter's end, and one
    per space (or none) for paid payments that belong to no application. A handful of grouped queries,
    whatever the number of payments."""
    start, end = quarter_bounds(quarter)
    committed = dict(
        BudgetCommitment.objects.filter(created_at__lt=end)
        .values("application")
        .annotate(total=Sum("amount"))
        .values_list("application", "total")
    )
    sums = {
        "to_date": Sum("amount"),
        "in_quarter": Sum("amount", filter=Q(paid_at__gte=start)),
        "count": Count("pk", filter=Q(paid_at__gte=start)),
    }
    to_date = paid_payments().filter(paid_at__lt=end)
    by_application = {
        row["application"]: row
        for row in to_date.filter(application__isnull=False).values("application").annotate(**sums).order_by()
    }
    # Seat-voucher claims (issue #18) are paid per space, with no application: their own lines, under
    # the seat-voucher program and instrument, not "Unassigned".
    voucher_payment = Q(idempotency_key__startswith=SEAT_CLAIM_KEY)
    unassigned = list(
        to_date.filter(application__isnull=True).exclude(voucher_payment).values("space").annotate(**sums).order_by()
    )
    seat_claims = list(
        to_date.filter(application__isnull=True).filter(voucher_payment).values("space").annotate(**sums).order_by()
    )

    several = _("Several spaces")
    unassigned_label = _("Unassigned")
    lines = []
    application_ids = sorted(set(committed) | set(by_application))
    for ids in _chunks(application_ids):
        for app in Application.objects.filter(pk__in=ids).values(
            "pk",
            "instrument",
            "call__program__name",
            "space__code",
            "space__name",
            "space__district",
            "space__division",
        ):
            paid = by_application.get(app["pk"], {})
            has_space = app["space__code"] is not None
            lines.append(
                MoneyLine(
                    program=app["call__program__name"],
                    instrument=app["instrument"],
                    division=app["space__division"] if has_space else several,
                    district=app["space__district"] if has_space else several,
                    space_code=app["space__code"] if has_space else several,
                    space_name=app["space__name"] if has_space else "",
                    assigned=True,
                    committed=committed.get(app["pk"]) or ZERO,
                    paid_in_quarter=paid.get("in_quarter") or ZERO,
                    payments_in_quarter=paid.get("count") or 0,
                    paid_to_date=paid.get("to_date") or ZERO,
                )
            )
    space_ids = [row["space"] for row in [*unassigned, *seat_claims] if row["space"] is not None]
    spaces = {
        s["pk"]: s for s in Space.objects.filter(pk__in=space_ids).values("pk", "code", "name", "district", "division")
    }
    voucher_program = Program.objects.filter(instrument=Program.Instrument.SEAT_VOUCHER).values_list(
        "name", flat=True
    ).first() or _("Seat vouchers")
    for row, program, instrument in [
        *((row, unassigned_label, "") for row in unassigned),
        *((row, voucher_program, Program.Instrument.SEAT_VOUCHER.value) for row in seat_claims),
    ]:
        space = spaces.get(row["space"])
        lines.append(
            MoneyLine(
                program=program,
                instrument=instrument,
                division=space["division"] if space else unassigned_label,
                district=space["district"] if space else unassigned_label,
                space_code=space["code"] if space else unassigned_label,
                space_name=space["name"] if space else "",
                assigned=False,
                paid_in_quarter=row["in_quarter"] or ZERO,
                payments_in_quarter=row["count"] or 0,
                paid_to_date=row["to_date"] or ZERO,
            )
        )
    return lines


def group_totals(lines: Iterable[MoneyLine], key: Callable[[MoneyLine], tuple], last: Iterable[str] = ()) -> list:
    """Totals per key, ordered by the key, with the labels in `last` ("Unassigned") at the end."""
    groups: dict[tuple, MoneyTotals] = defaultdict(lambda: MoneyTotals(label=()))
    for line in lines:
        label = key(line)
        totals = groups[label]
        totals.label = label
        totals.add(line)
    trailing = set(last)

    def order(label: tuple):
        return (any(part in trailing for part in label), tuple(str(part) for part in label))

    return [groups[label] for label in sorted(groups, key=order)]


def grand_total(lines: Iterable[MoneyLine]) -> MoneyTotals:
    total = MoneyTotals(label=())
    for line in lines:
        total.add(line)
    return total
