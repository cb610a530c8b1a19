"""Reads that finance pages, vouchers and the instruments share. Each returns a QuerySet with its
relations loaded, so no template queries per row.

Visibility: finance staff see every payment except those to a company they are on the staff of
(they may not act on those either); everyone else sees none.
"""

from typing import TYPE_CHECKING

from django.db.models import Count, Model, Q, QuerySet, Sum

from accounts import roles

from .models import (
    BankStatement,
    JournalEntry,
    LedgerEntry,
    PaymentBatch,
    PaymentInstruction,
    PaymentState,
    StatementLine,
    source_key,
)

if TYPE_CHECKING:
    import datetime as dt

    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

S = PaymentState


def may_read_ledger(user: "User | AnonymousUser | None") -> bool:
    """The general ledger is read by finance and by the ministry's viewers; it names no person's
    company beyond what the award register publishes, and it changes only through money events."""
    return is_finance_staff(user) or bool(
        user is not None and user.is_authenticated and user.is_active and user.has_role(roles.MINISTRY_VIEWER)
    )


def is_finance_staff(user: "User | AnonymousUser | None") -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.has_role(roles.FINANCE_MAKER) or user.has_role(roles.FINANCE_CHECKER))
    )


def payments_visible_to(user: "User | AnonymousUser | None") -> QuerySet[PaymentInstruction]:
    if not is_finance_staff(user):
        return PaymentInstruction.objects.none()
    return PaymentInstruction.objects.exclude(payee__members=user).select_related(
        "payee", "prepared_by", "approved_by", "requested_by", "batch", "batch__sent_by"
    )


def payment_detail(*, user: "User | AnonymousUser | None", pk: int) -> PaymentInstruction:
    """Raises PaymentInstruction.DoesNotExist when the user may not see it (views answer 404)."""
    return payments_visible_to(user).get(pk=pk)


def maker_queue(*, user: "User | AnonymousUser | None") -> QuerySet[PaymentInstruction]:
    """Requested payments to prepare, oldest first; failed ones waiting for a retry come after."""
    return payments_visible_to(user).filter(state__in=[S.REQUESTED, S.FAILED]).order_by("state", "requested_at", "id")


def checker_queue(*, user: "User | AnonymousUser | None") -> QuerySet[PaymentInstruction]:
    return payments_visible_to(user).filter(state=S.PREPARED).order_by("prepared_at", "id")


def approved_unbatched(*, user: "User | AnonymousUser | None") -> QuerySet[PaymentInstruction]:
    return payments_visible_to(user).filter(state=S.APPROVED).order_by("approved_at", "id")


def batches(*, user: "User | AnonymousUser | None") -> QuerySet[PaymentBatch]:
    if not is_finance_staff(user):
        return PaymentBatch.objects.none()
    return (
        PaymentBatch.objects.select_related("created_by", "sent_by")
        .annotate(
            payment_count=Count("payments", filter=~Q(payments__state=S.CANCELLED)),
            total=Sum("payments__amount", filter=~Q(payments__state=S.CANCELLED)),
        )
        .order_by("-created_at", "-id")
    )


def batch_detail(*, user: "User | AnonymousUser | None", pk: int) -> PaymentBatch:
    return batches(user=user).get(pk=pk)


def batch_payments(batch: PaymentBatch) -> QuerySet[PaymentInstruction]:
    return (
        batch.payments.exclude(state=S.CANCELLED).select_related("payee", "prepared_by", "approved_by").order_by("id")
    )


def statements(*, user: "User | AnonymousUser | None") -> QuerySet[BankStatement]:
    if not is_finance_staff(user):
        return BankStatement.objects.none()
    return BankStatement.objects.select_related("uploaded_by").annotate(
        unmatched=Count("lines", filter=Q(lines__outcome=StatementLine.Outcome.UNMATCHED))
    )


def statement_lines(statement: BankStatement) -> QuerySet[StatementLine]:
    return statement.lines.select_related("instruction", "resolved_by").order_by("line_number")


def unmatched_lines(*, user: "User | AnonymousUser | None") -> QuerySet[StatementLine]:
    if not is_finance_staff(user):
        return StatementLine.objects.none()
    return (
        StatementLine.objects.filter(outcome=StatementLine.Outcome.UNMATCHED)
        .select_related("statement", "instruction")
        .order_by("statement__uploaded_at", "line_number")
    )


def ledger_for(instruction: PaymentInstruction) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(instruction=instruction).select_related("actor").order_by("id")


def payment_for_source(source: Model) -> PaymentInstruction | None:
    """The latest attempt to pay `source` (for the instruments: is my tranche paid?)."""
    return PaymentInstruction.objects.filter(idempotency_key=source_key(source)).order_by("-attempt").first()


def attempts_for_source(source: Model) -> QuerySet[PaymentInstruction]:
    return PaymentInstruction.objects.filter(idempotency_key=source_key(source)).order_by("attempt")


def journal_entries(
    *, start: "dt.date | None" = None, end: "dt.date | None" = None, account: str = ""
) -> QuerySet[JournalEntry]:
    """The general ledger's entries, newest first, each with its lines (two queries a page)."""
    entries = JournalEntry.objects.order_by("-id").prefetch_related("lines")
    if start is not None:
        entries = entries.filter(on__gte=start)
    if end is not None:
        entries = entries.filter(on__lte=end)
    if account:
        entries = entries.filter(lines__account=account).distinct()
    return entries
