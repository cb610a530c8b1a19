"""The finance services' helpers: row locks, the workflow transition with its separation-of-duties
rules, ledger rows, amount checks and notices. Imports none of the other service modules."""

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.db import connection
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import roles
from core import workflow
from core.money import parse_money
from notifications.services import Message, notify

from .. import journal
from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from ..events import PAYMENT_EVENT, FinanceEvent
from ..hooks import payment_state_changed, source_description
from ..models import (
    LedgerEntry,
    PaymentBatch,
    PaymentInstruction,
    PaymentState,
    StatementLine,
    is_active_person,
    is_payee_member,
    touched_the_case,
)
from ..permissions import PAYMENTS

if TYPE_CHECKING:
    from accounts.models import User

S = PaymentState
MAX_NARRATION = 140

# --- helpers ---------------------------------------------------------------------------------------


def _users_with_role(role: str) -> "QuerySet[User]":
    from accounts.models import User

    return User.objects.filter(groups__name=role, is_active=True).distinct()


def _url(name: str, **kwargs: Any) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _actor_label(actor: "User | str | None") -> str:
    if getattr(actor, "pk", None):
        return str(actor)[:200]
    return str(actor or "system")[:200]


def _lock(instruction: PaymentInstruction) -> PaymentInstruction:
    try:
        return PaymentInstruction.objects.select_for_update().get(pk=instruction.pk)
    except PaymentInstruction.DoesNotExist:
        raise InvalidTransition(_("This payment no longer exists.")) from None


def _state_label(state: str) -> str:
    try:
        return str(PaymentState(state).label)
    except ValueError:
        return state


def _payee_staff_refused(instruction: PaymentInstruction, actor: "User") -> None:
    """Staff of the company being paid never act on its payments (conflict of interest)."""
    if is_payee_member(instruction, actor):
        raise PermissionDenied(
            _("You are on the staff of %(payee)s, so you may not act on its payments.") % {"payee": instruction.payee}
        )


def _separation_of_duties(instruction: PaymentInstruction, actor: "User") -> None:
    _payee_staff_refused(instruction, actor)
    if instruction.state == S.PREPARED and actor.has_role(roles.FINANCE_CHECKER):
        refusal = approval_refusal(instruction, actor)
        if refusal:
            raise PermissionDenied(refusal)


def settlement_refusal(instruction: PaymentInstruction, user: "User") -> str:
    """Why `user` may not confirm that the bank paid this payment, or "" (issue #17).

    Four-eyes rule for payments: the person who prepared a payment never confirms the bank statement
    line that settles it; another finance person imports that statement.
    """
    if user.pk == instruction.prepared_by_id:
        return _(
            "You prepared payment %(ref)s, so another finance person must confirm the statement that "
            "settles it (four-eyes rule)."
        ) % {"ref": instruction.reference}
    return ""


def _settlement_rules(instruction: PaymentInstruction, actor: "User") -> None:
    _payee_staff_refused(instruction, actor)
    refusal = settlement_refusal(instruction, actor)
    if refusal:
        raise PermissionDenied(refusal)


def approval_refusal(instruction: PaymentInstruction, user: "User") -> str:
    """Why `user` may not approve this payment (separation of duties), or "". No query: queues call it per row.

    Four-eyes rule for payments (DESIGN.md: "the finance checker is never the maker"), and nobody who
    worked on the case checks its payment. Payee staff are handled by `is_payee_member` (a query).
    """
    if not user.has_role(roles.FINANCE_CHECKER):
        return _("Only a finance checker may approve payments.")
    if user.pk == instruction.prepared_by_id:
        return _("You prepared this payment, so another finance checker must approve it (four-eyes rule).")
    if touched_the_case(instruction, user):
        return _("You worked on the case this payment comes from, so you may not approve it: ask another checker.")
    return ""


def _transition(
    instruction: PaymentInstruction,
    name: str,
    actor: "User",
    *,
    reason: str = "",
    data: dict[str, Any] | None = None,
    **kwargs: Any,
) -> str:
    """One transition of a locked instruction on the workflow path (core.workflow). Returns the state it left."""
    if not is_active_person(actor):
        raise PermissionDenied(_("Sign in to act on payments."))
    if name in {"cancel", "fail", "send_back"}:
        kwargs["reason"] = reason
    from_state = workflow.transition(
        instruction,
        workflow.Step(name, PAYMENT_EVENT[name], kwargs=kwargs, reason=reason, data=data or {}),
        actor=actor,
        table=PAYMENTS,
        rules={"approve": _separation_of_duties, "mark_paid": _settlement_rules}.get(name, _payee_staff_refused),
        wrong_state=_("Payment %(ref)s is %(state)s: it cannot do that now.")
        % {"ref": instruction.reference, "state": _state_label(instruction.state)},
        unmet=_("Payment %(ref)s is missing what this step needs.") % {"ref": instruction.reference},
        raced=_("Someone else changed this payment at the same moment; reload it."),
    )
    # The instrument's own record follows in the same transaction (a tranche becomes paid...).
    payment_state_changed(instruction, from_state, instruction.state)
    return from_state


def _ledger(
    instruction: PaymentInstruction,
    kind: str,
    actor: "User | str | None",
    *,
    batch: PaymentBatch | None = None,
    statement_line: StatementLine | None = None,
    note: str = "",
) -> LedgerEntry:
    entry = LedgerEntry.objects.create(
        instruction=instruction,
        idempotency_key=instruction.idempotency_key,
        kind=kind,
        amount=instruction.amount,
        created_at=timezone.now(),
        actor=cast("User | None", actor if getattr(actor, "pk", None) else None),  # a person, or a label
        actor_label=_actor_label(actor),
        batch=batch,
        statement_line=statement_line,
        note=note[:300],
    )
    _journal(instruction, kind, actor)
    return entry


def _journal(instruction: PaymentInstruction, kind: str, actor: "User | str | None") -> None:
    """Post the general ledger's entry for one row of the money ledger, in the same transaction.

    An instrument whose payments accrue (grants, utility and seat subsidies): approved Dr expense /
    Cr payable; paid Dr payable / Cr bank. A loan disbursement: paid Dr loans receivable / Cr bank.
    Failed at the bank, cancelled, or returned after payment: the entries posted so far are reversed,
    so a retry (a new attempt) accrues afresh. Sent moves no money.
    """
    accounts = journal.payment_accounts_for(instruction.idempotency_key)
    key = f"finance.payment:{instruction.pk}"
    day = timezone.localdate()
    amount = instruction.amount
    with translation.override("en"):
        narration = f"{instruction.reference}: {source_description(instruction.idempotency_key)}"
    if kind == LedgerEntry.Kind.APPROVED and accounts.accrues:
        journal.post_entry(
            source=f"{key}:approved",
            event=FinanceEvent.PAYMENT_APPROVE,
            on=day,
            narration=narration,
            lines=[journal.Dr(accounts.debit, amount), journal.Cr(journal.Account.GRANTS_PAYABLE, amount)],
            actor=actor,
        )
    elif kind == LedgerEntry.Kind.PAID:
        debit = journal.Account.GRANTS_PAYABLE if accounts.accrues else accounts.debit
        journal.post_entry(
            source=f"{key}:paid",
            event=FinanceEvent.PAYMENT_MARK_PAID,
            on=day,
            narration=narration,
            lines=[journal.Dr(debit, amount), journal.Cr(journal.Account.BANK, amount)],
            actor=actor,
        )
    elif kind in (LedgerEntry.Kind.FAILED, LedgerEntry.Kind.REVERSAL):
        with translation.override("en"):
            reason = f"{narration} ({LedgerEntry.Kind(kind).label})"
        if journal.is_posted(f"{key}:paid"):
            journal.reverse_entry(f"{key}:paid", source=f"{key}:returned", on=day, reason=reason, actor=actor)
        if accounts.accrues and journal.is_posted(f"{key}:approved"):
            journal.reverse_entry(f"{key}:approved", source=f"{key}:unaccrued", on=day, reason=reason, actor=actor)


def _lock_source_key(key: str) -> None:
    """Serialise requests for one source. PostgreSQL: an advisory lock on the key, held to commit.

    There is no row to lock before the first request exists; the partial unique constraint is the
    backstop, this lock makes the second caller wait and then find the first caller's row.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"finance:{key}"])


def _check_amount(amount: object) -> Decimal:
    if isinstance(amount, float | bool) or not isinstance(amount, Decimal | int):
        raise ValidationFailed(_("A payment amount must be a Decimal number of rupees."))
    checked, problem = parse_money(amount, _("A payment amount"), positive=True)
    if problem:
        raise ValidationFailed(problem)
    return cast(Decimal, checked)  # no problem: parse_money gave the amount


def _notify_after_commit(recipients: "Iterable[User]", message: tuple[Message, Message], url: str = "") -> None:
    """Notify finance's people, each in their own language: `message` is a finance.messages notice's
    `render(...)`. Written in the transaction; the email task is queued on commit."""
    subject, body = message
    notify(recipients=recipients, subject=subject, body=body, url=url)
