"""Reads of the loan book that pages, the daily task and the reports share.

For the reporting engineer (stable signatures):

    portfolio_rows(as_of: date) -> Iterator[PortfolioRow]
        One row per loan that had been disbursed by `as_of` (written-off and closed loans included),
        ordered by sanction number. Fields: loan_id, sanction_number, program_code, program_name,
        operator, space_code, space_name, district, division, disbursed_amount, disbursed_on,
        principal_repaid, interest_repaid (repayments *received* on or before as_of, reversals
        netted), outstanding_principal, days_past_due, bucket, state (the loan's state now; a loan
        closed or written off after as_of still shows its position on as_of). Money is Decimal PKR.
        Cost: one query for the loans (streamed with .iterator in chunks of 500) plus, per chunk of
        500, four: the schedule versions in force, their instalments, the allocations and the repaid
        sums up to as_of (so 5 queries for up to 500 loans, whatever the count). The positions are
        computed by loans.positions, the same pure function the daily task uses, so a quarter-end
        report and the loan book agree.
    portfolio_totals(as_of: date, period_start: date | None = None) -> dict
        {"loans", "disbursed", "principal_repaid", "interest_repaid", "outstanding_principal",
         "by_bucket": {bucket: {"loans": n, "outstanding_principal": Decimal}}, "portfolio_at_risk_30":
         Decimal (share of outstanding principal more than 30 days past due, 0..1), "written_off"
         (principal written off by as_of), "recoveries" (recovered on written-off loans by as_of, reversals
         netted), "recoveries_in_period" (recovered from period_start, default the fiscal quarter of
         as_of, to as_of)}, summed from portfolio_rows.
    recoveries_total(*, start: date | None, end: date) -> Decimal
        Money recovered on written-off loans received from start (inclusive; None: ever) to end, net of
        reversals (a reversal counts on the day the recovery it takes back was received). One query.
    recoveries_by_period(*, start: date, end: date, period="quarter"|"month") -> list[(label, first, last, Decimal)]

For pages: loan_book(...), loan_for_staff(...), loans_for_operator(...), loan_for_operator(...),
loan_detail_context(...), awards_waiting_for_a_loan().
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from grants.models import Award, AwardState, Program

from . import positions
from .filters import LoanBookFilter
from .models import (
    DisbursementPart,
    Instalment,
    Loan,
    LoanState,
    Recovery,
    Repayment,
    RepaymentAllocation,
    ScheduleVersion,
    WriteOffProposal,
)

if TYPE_CHECKING:
    from accounts.models import User

ZERO = Decimal("0.00")
CHUNK = 500


@dataclass(frozen=True)
class PortfolioRow:
    loan_id: int
    sanction_number: str
    program_code: str
    program_name: str
    operator: str
    space_code: str
    space_name: str
    district: str
    division: str
    disbursed_amount: Decimal
    disbursed_on: dt.date
    principal_repaid: Decimal
    interest_repaid: Decimal
    outstanding_principal: Decimal
    days_past_due: int
    bucket: str
    state: str
    written_off: Decimal = ZERO  # principal written off on or before as_of
    recovered: Decimal = ZERO  # recovered after the write-off, received on or before as_of


def _versions_on(loan_ids: Iterable[int], as_of: dt.date) -> dict[int, ScheduleVersion]:
    """The schedule version in force on `as_of` for each loan (the latest made on or before it; for a
    loan not yet restructured then, version 1), with its instalments."""
    versions = (
        ScheduleVersion.objects.filter(loan_id__in=loan_ids)
        .filter(effective_on__lte=as_of)
        .order_by("loan_id", "number")
        .prefetch_related(Prefetch("instalments", queryset=Instalment.objects.order_by("number")))
    )
    chosen: dict[int, ScheduleVersion] = {}
    for version in versions:  # ordered by number: the latest in force wins
        chosen[version.loan_id] = version
    return chosen


def positions_for(loan_ids: Iterable[int], *, as_of: dt.date) -> dict[int, positions.Position]:
    """Positions on `as_of` for many loans: three queries (versions, instalments, allocation sums)."""
    versions = _versions_on(loan_ids, as_of)
    sums = (
        RepaymentAllocation.objects.filter(
            instalment__version_id__in=[v.pk for v in versions.values()], repayment__received_on__lte=as_of
        )
        .values("instalment__version_id", "instalment__number")
        .order_by()
        .annotate(p=_sum("principal"), i=_sum("interest"), w=_sum("interest_waived"))
    )
    settled: dict[int, dict[int, positions.Settled]] = defaultdict(dict)
    for s in sums:
        settled[s["instalment__version_id"]][s["instalment__number"]] = positions.Settled(s["p"], s["i"], s["w"])
    result = {}
    for loan_id, version in versions.items():
        rows = [
            positions.Row(i.number, i.due_date, i.instalment, i.principal, i.interest)
            for i in version.instalments.all()
        ]
        result[loan_id] = positions.position(
            principal=version.principal, rows=rows, settled=settled.get(version.pk, {}), as_of=as_of
        )
    return result


def _sum(name: str) -> Sum:
    from django.db.models import Sum

    return Sum(name)


def _repaid_by(loan_ids: Iterable[int], as_of: dt.date) -> dict[int, tuple[Decimal, Decimal]]:
    rows = (
        Repayment.objects.filter(loan_id__in=loan_ids, received_on__lte=as_of)
        .values("loan_id")
        .order_by()
        .annotate(p=_sum("principal"), i=_sum("interest"))
    )
    return {r["loan_id"]: (r["p"] or ZERO, r["i"] or ZERO) for r in rows}


def _recovered_by(loan_ids: Iterable[int], as_of: dt.date) -> dict[int, Decimal]:
    rows = (
        Recovery.objects.filter(loan_id__in=loan_ids)
        .filter(Q(kind=Recovery.Kind.RECOVERY, received_on__lte=as_of) | Q(reverses__received_on__lte=as_of))
        .values("loan_id")
        .order_by()
        .annotate(total=_sum("amount"))
    )
    return {r["loan_id"]: r["total"] or ZERO for r in rows}


def recoveries_total(*, start: dt.date | None, end: dt.date) -> Decimal:
    """See the module docstring."""
    recovered = Q(kind=Recovery.Kind.RECOVERY, received_on__lte=end)
    reversed_ = Q(kind=Recovery.Kind.REVERSAL, reverses__received_on__lte=end)
    if start is not None:
        recovered &= Q(received_on__gte=start)
        reversed_ &= Q(reverses__received_on__gte=start)
    return Recovery.objects.filter(recovered | reversed_).aggregate(total=_sum("amount"))["total"] or ZERO


def recoveries_by_period(*, start: dt.date, end: dt.date, period: str = "quarter") -> list[tuple]:
    """Recoveries per fiscal quarter (or calendar month) from the period holding `start` to the one
    holding `end`: (label, first day, last day, total)."""
    from grants.fiscal import FiscalQuarter

    result = []
    day = start
    while day <= end:
        if period == "month":
            first = day.replace(day=1)
            following = (first + dt.timedelta(days=32)).replace(day=1)
            last, label = following - dt.timedelta(days=1), first.strftime("%Y-%m")
        else:
            quarter = FiscalQuarter.of(day)
            first, last, label = quarter.start, quarter.end, quarter.label
        result.append((label, first, last, recoveries_total(start=first, end=last)))
        day = last + dt.timedelta(days=1)
    return result


def portfolio_rows(as_of: dt.date) -> Iterator[PortfolioRow]:
    """See the module docstring."""
    loans = (
        Loan.objects.filter(disbursed_on__lte=as_of)
        .order_by("sanction_number")
        .values_list(
            "pk",
            "sanction_number",
            "application__call__program__code",
            "application__call__program__name",
            "operator__legal_name",
            "application__space__code",
            "application__space__name",
            "application__space__district",
            "application__space__division",
            "disbursed_amount",
            "disbursed_on",
            "state",
            "closed_on",
            "written_off_on",
            "write_off_amount",
        )
    )
    chunk: list[tuple] = []

    def flush(chunk: list[tuple]) -> Iterator[PortfolioRow]:
        ids = [c[0] for c in chunk]
        computed = positions_for(ids, as_of=as_of)
        repaid = _repaid_by(ids, as_of)
        recovered = _recovered_by(ids, as_of) if any(c[13] and c[13] <= as_of for c in chunk) else {}
        for c in chunk:
            (
                pk,
                sanction,
                code,
                name,
                operator,
                space_code,
                space_name,
                district,
                division,
                amount,
                on,
                state,
                closed_on,
                written_off_on,
                write_off_amount,
            ) = c
            pos = computed.get(pk)
            finished = (closed_on and closed_on <= as_of) or (written_off_on and written_off_on <= as_of)
            p_repaid, i_repaid = repaid.get(pk, (ZERO, ZERO))
            outstanding = ZERO if finished or pos is None else pos.outstanding_principal
            dpd = 0 if finished or pos is None else pos.days_past_due
            yield PortfolioRow(
                loan_id=pk,
                sanction_number=sanction,
                program_code=code,
                program_name=name,
                operator=operator,
                space_code=space_code or "",
                space_name=space_name or "",
                district=district or "",
                division=division or "",
                disbursed_amount=amount,
                disbursed_on=on,
                principal_repaid=p_repaid,
                interest_repaid=i_repaid,
                outstanding_principal=outstanding,
                days_past_due=dpd,
                bucket=positions.bucket_for(dpd),
                state=state,
                written_off=write_off_amount if written_off_on and written_off_on <= as_of else ZERO,
                recovered=recovered.get(pk, ZERO),
            )

    for row in loans.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield from flush(chunk)
            chunk = []
    if chunk:
        yield from flush(chunk)


def portfolio_totals(as_of: dt.date, period_start: dt.date | None = None) -> dict[str, Any]:
    """See the module docstring."""
    from grants.fiscal import FiscalQuarter

    totals: dict[str, Any] = {
        "written_off": ZERO,
        "recoveries": ZERO,
        "recoveries_in_period": recoveries_total(
            start=period_start if period_start is not None else FiscalQuarter.of(as_of).start, end=as_of
        ),
        "loans": 0,
        "disbursed": ZERO,
        "principal_repaid": ZERO,
        "interest_repaid": ZERO,
        "outstanding_principal": ZERO,
        "by_bucket": {b: {"loans": 0, "outstanding_principal": ZERO} for b in positions.Bucket.ORDER},
    }
    at_risk = ZERO
    for row in portfolio_rows(as_of):
        totals["loans"] += 1
        totals["disbursed"] += row.disbursed_amount
        totals["principal_repaid"] += row.principal_repaid
        totals["interest_repaid"] += row.interest_repaid
        totals["outstanding_principal"] += row.outstanding_principal
        totals["written_off"] += row.written_off
        totals["recoveries"] += row.recovered
        bucket = totals["by_bucket"][row.bucket]
        bucket["loans"] += 1
        bucket["outstanding_principal"] += row.outstanding_principal
        if row.days_past_due > 30:
            at_risk += row.outstanding_principal
    outstanding = totals["outstanding_principal"]
    totals["portfolio_at_risk_30"] = (at_risk / outstanding) if outstanding else ZERO
    return totals


# --- for pages ---------------------------------------------------------------------------------------


def _list_queryset() -> QuerySet[Loan]:
    return Loan.objects.select_related("operator", "application__call__program", "application__space")


def loan_book(*, filters: Mapping[str, Any] | None = None) -> QuerySet[Loan]:
    """Finance's loan book, most urgent first (days past due, then sanction number). With `filters`
    (the page's query string: `state`, `bucket`), narrowed by `filters.LoanBookFilter`; a value that
    is not one of its choices leaves the book unfiltered."""
    loans = _list_queryset().order_by("-days_past_due", "sanction_number")
    if filters is None:
        return loans
    filtered: QuerySet[Loan] = LoanBookFilter(filters, queryset=loans).qs
    return filtered


def loan_for_staff(*, user: "User", pk: int) -> Loan:
    """A loan for finance and the board chair; the borrower's own staff do not find it (404)."""
    return _list_queryset().exclude(operator__members=user).get(pk=pk)


def loans_for_operator(*, user: "User") -> QuerySet[Loan]:
    return _list_queryset().filter(operator__members=user).order_by("-opened_at")


def loan_for_operator(*, user: "User", pk: int) -> Loan:
    return loans_for_operator(user=user).get(pk=pk)


def awards_waiting_for_a_loan() -> QuerySet[Award]:
    """Accepted soft-loan awards whose loan is not disbursed yet (no loan, or sanctioned)."""
    return (
        Award.objects.filter(state=AwardState.ACCEPTED, application__instrument=Program.Instrument.SOFT_LOAN)
        .filter(Q(loan__isnull=True) | Q(loan__state=LoanState.SANCTIONED))
        .select_related("application__operator", "application__call__program")
        .order_by("accepted_at")
    )


def loan_detail_context(loan: Loan) -> dict:
    """Everything a loan's page and statement show: schedule (current version) with what was paid on
    each row, earlier versions, repayments with their allocations."""
    versions = list(loan.versions.order_by("number"))
    current = next((v for v in versions if v.is_current), None)
    rows = []
    if current is not None:
        instalments = list(current.instalments.order_by("number"))
        paid = (
            RepaymentAllocation.objects.filter(instalment__version=current)
            .values("instalment_id")
            .order_by()
            .annotate(p=_sum("principal"), i=_sum("interest"), w=_sum("interest_waived"))
        )
        by_id = {r["instalment_id"]: r for r in paid}
        for i in instalments:
            r: Mapping[str, Any] = by_id.get(i.pk, {})
            settled = (r.get("p") or ZERO) + (r.get("i") or ZERO)
            waived = r.get("w") or ZERO
            rows.append(
                {"row": i, "paid": settled, "waived": waived, "left": max(i.instalment - settled - waived, ZERO)}
            )
    repayments = list(
        loan.repayments.select_related("posted_by", "reverses")
        .prefetch_related("reversed_by")
        .order_by("posted_at", "id")
    )
    return {
        "versions": versions,
        "current_version": current,
        "schedule_rows": rows,
        "repayments": repayments,
        "parts": list(DisbursementPart.objects.filter(loan=loan).order_by("number")),
        "write_off_proposals": list(
            WriteOffProposal.objects.filter(loan=loan)
            .select_related("proposed_by", "decided_by")
            .order_by("-proposed_at")
        ),
        "recoveries": list(
            Recovery.objects.filter(loan=loan)
            .select_related("posted_by", "reverses")
            .prefetch_related("reversed_by")
            .order_by("posted_at", "id")
        ),
        "recovered": sum((r.amount for r in Recovery.objects.filter(loan=loan)), ZERO),
    }


def part_payment_label(part_id: str) -> str:
    """How finance names a part's payment: "Disbursement of loan SAN-SL-2026-00002, part 2 of 3"."""
    part = DisbursementPart.objects.filter(pk=part_id).select_related("loan").first()
    if part is None:
        return ""
    count = DisbursementPart.objects.filter(loan_id=part.loan_id).count()
    return str(
        _("Disbursement of loan %(sanction)s, part %(n)d of %(of)d")
        % {"sanction": part.loan.sanction_number, "n": part.number, "of": count}
    )


def disbursement_payment_label(loan_id: str) -> str:
    """How finance names a loan's disbursement (finance/hooks.py): "Disbursement of loan SAN-SL-2026-00002"."""
    loan = Loan.objects.filter(pk=loan_id).only("sanction_number").first()
    if loan is None:
        return ""
    return str(_("Disbursement of loan %(sanction)s") % {"sanction": loan.sanction_number})
