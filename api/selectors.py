"""The reads behind the API's list endpoints: querysets with their relations already joined, so a page
costs the same few queries whatever its size (the benchmark, bench/api.py, counts them).

`changed_since` is `updated_since` for models with no modification time of their own: a row changed
when the audit chain has an event on it at or after the time (every change writes one, through
core.workflow), so the audit log is the one clock of changes.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, Q, QuerySet, Sum
from django.db.models.functions import Cast

from audit.models import AuditEvent
from cms.selectors import public_awards
from finance.models import PaymentBatch, PaymentInstruction, PaymentState
from grants.models import Award, Call, Program
from loans import positions
from loans.models import Loan, Repayment
from loans.selectors import positions_for
from spaces.models import Space, UtilizationReturn

ZERO = Decimal("0.00")


def changed_since(since: dt.datetime, object_types: Iterable[str], field: str = "pk") -> Q:
    """Rows whose `field` names an object with an audit event at or after `since`."""
    changed = (
        AuditEvent.objects.filter(object_type__in=list(object_types), created_at__gte=since)
        .annotate(object_pk=Cast("object_id", BigIntegerField()))
        .values("object_pk")
    )
    return Q(**{f"{field}__in": changed})


def programs() -> QuerySet[Program]:
    return Program.objects.all()


def calls() -> QuerySet[Call]:
    return Call.objects.select_related("program")


def awards() -> QuerySet[Award]:
    """The public awards (offered or accepted), as the register and the 360Giving export have them."""
    return public_awards()


def award_changed_since(since: dt.datetime) -> Q:
    # An award's steps are recorded on the award or on its application (the case's one timeline).
    return changed_since(since, ["grants.award"]) | changed_since(since, ["grants.application"], "application_id")


def payments() -> QuerySet[PaymentInstruction]:
    return PaymentInstruction.objects.select_related(
        "payee", "space", "batch", "application__call__program", "application__award"
    )


def utilization_returns() -> QuerySet[UtilizationReturn]:
    return UtilizationReturn.objects.select_related("space")


def spaces() -> QuerySet[Space]:
    return Space.objects.select_related("operator")


def loans(as_of: dt.date) -> QuerySet[Loan]:
    """Loans disbursed on or before `as_of`, as the loan portfolio report lists them."""
    return Loan.objects.filter(disbursed_on__lte=as_of).select_related(
        "operator", "application__call__program", "application__space"
    )


def loan_positions(page: list[Loan], as_of: dt.date) -> dict[int, dict[str, Any]]:
    """Each loan's position on `as_of`, computed as the portfolio report computes it
    (loans.selectors.portfolio_rows): three queries for the positions and one for the repayments,
    whatever the page's size. A loan closed or written off by then owes nothing."""
    ids = [loan.pk for loan in page]
    computed = positions_for(ids, as_of=as_of)
    repaid: dict[int, tuple[Decimal, Decimal]] = defaultdict(lambda: (ZERO, ZERO))
    for row in (
        Repayment.objects.filter(loan_id__in=ids, received_on__lte=as_of)
        .values("loan_id")
        .order_by()
        .annotate(p=Sum("principal"), i=Sum("interest"))
    ):
        repaid[row["loan_id"]] = (row["p"] or ZERO, row["i"] or ZERO)
    result = {}
    for loan in page:
        position = computed.get(loan.pk)
        finished = bool(
            (loan.closed_on and loan.closed_on <= as_of) or (loan.written_off_on and loan.written_off_on <= as_of)
        )
        owing = not finished and position is not None
        days = position.days_past_due if owing and position else 0
        result[loan.pk] = {
            "outstanding_principal": position.outstanding_principal if owing and position else ZERO,
            "overdue_principal": position.overdue_principal if owing and position else ZERO,
            "overdue_interest": position.overdue_interest if owing and position else ZERO,
            "next_due_date": position.next_due_date if owing and position else None,
            "next_due_amount": position.next_due_amount if owing and position else ZERO,
            "days_past_due": days,
            "bucket": positions.bucket_for(days),
            "principal_repaid": repaid[loan.pk][0],
            "interest_repaid": repaid[loan.pk][1],
        }
    return result


# --- the bank's reads ------------------------------------------------------------------------------

# What a bank sees of a batch: only what finance has released to it (marked sent).
BANK_BATCH_STATES = [PaymentBatch.State.SENT]


def bank_batches() -> QuerySet[PaymentBatch]:
    return PaymentBatch.objects.filter(state__in=BANK_BATCH_STATES)


def bank_batch_payments(batch: PaymentBatch) -> QuerySet[PaymentInstruction]:
    return batch.payments.exclude(state=PaymentState.CANCELLED).order_by("id")


def bank_batch(reference: str) -> PaymentBatch | None:
    return bank_batches().filter(reference=reference).first()


def payment_for_bank(reference: str) -> PaymentInstruction | None:
    """A payment the bank was sent (in a sent batch), by its reference."""
    return (
        PaymentInstruction.objects.filter(reference=reference, batch__state__in=BANK_BATCH_STATES)
        .select_related("batch")
        .first()
    )
