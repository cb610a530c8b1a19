"""Payment instructions: the instruments' request, the maker's prepare, the checker's approval, cancel,
retry, and paid / reconciled / failed. The API is described in finance/services/__init__.py."""

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from core import workflow
from matches import gates as match_gates
from matches import messages as match_messages
from spaces.models import Operator, Space
from spaces.validators import normalize_iban

from .. import journal, messages
from ..errors import InvalidTransition, ValidationFailed
from ..events import FinanceEvent
from ..models import (
    CLOSED_UNPAID,
    LedgerEntry,
    PaymentBatch,
    PaymentInstruction,
    StatementLine,
    payment_reference,
    source_key,
)
from ._common import (
    MAX_NARRATION,
    S,
    _check_amount,
    _ledger,
    _lock,
    _lock_source_key,
    _notify_after_commit,
    _transition,
    _url,
    _users_with_role,
)

if TYPE_CHECKING:
    from accounts.models import User


# --- requesting a payment (the instruments' one call) ----------------------------------------------


def payment_request(
    *,
    source: Model,
    payee: Operator,
    amount: Decimal,
    narration: str,
    actor: "User | str | None",
    touched_by: Iterable[int] = frozenset(),
    application: Any = None,  # a grants.Application: finance imports no instrument app
    space: Space | None = None,
) -> PaymentInstruction:
    """Ask finance to pay `amount` to `payee` for `source` (a saved model instance).

    `application` (the grants.Application being paid) and `space` (the spaces.Space the money is for;
    defaults to the application's space) are kept on the instruction for the reports; the payee must
    be the application's operator and the space one of the payee's.

    Pre: amount is a Decimal > 0 with at most two places; narration is 1–140 characters.
    Post: exactly one live attempt exists for the source. Asking again (a retry, a double click, a
    concurrent request) returns that attempt unchanged; asking with a different payee or amount while
    it is live is refused. The actor (when a person) is added to `touched_by`: whoever asks for a
    payment never approves it.
    """
    key = source_key(source)
    journal.payment_accounts_for(key)  # an instrument that registered no account cannot be paid
    amount = _check_amount(amount)
    narration = " ".join(str(narration or "").split())
    if not narration:
        raise ValidationFailed(_("Write a narration: the bank shows it to the payee."))
    if len(narration) > MAX_NARRATION:
        raise ValidationFailed(_("A narration has at most %(n)d characters.") % {"n": MAX_NARRATION})
    if not isinstance(payee, Operator) or payee.pk is None:
        raise ValidationFailed(_("A payment is made to a registered operator."))
    if application is not None:
        if application.operator_id != payee.pk:
            raise ValidationFailed(_("A payment for an application is made to that application's operator."))
        if space is None:
            space = application.space
    if space is not None and space.operator_id != payee.pk:
        raise ValidationFailed(_("A payment for a space is made to the space's operator."))
    people = {int(pk) for pk in touched_by if pk is not None}
    if getattr(actor, "pk", None):
        people.add(cast("User", actor).pk)

    with transaction.atomic():
        _lock_source_key(key)
        attempts = PaymentInstruction.objects.select_for_update().filter(idempotency_key=key).order_by("-attempt")
        latest = attempts.first()
        if latest is not None and latest.state not in CLOSED_UNPAID:
            if latest.payee_id != payee.pk or latest.amount != amount:
                raise ValidationFailed(
                    _(
                        "Payment %(ref)s for this case already exists for %(payee)s, PKR %(amount)s; "
                        "cancel it before asking for a different payment."
                    )
                    % {"ref": latest.reference, "payee": latest.payee, "amount": f"{latest.amount:,.2f}"}
                )
            # Someone else who touched the case must not become its checker either.
            if not people <= set(latest.touched_by):
                PaymentInstruction.objects.filter(pk=latest.pk).update(
                    touched_by=sorted(people | set(latest.touched_by))
                )
                latest.refresh_from_db(fields=["touched_by"])
            return latest
        attempt = (latest.attempt + 1) if latest is not None else 1
        try:
            with transaction.atomic():
                instruction = PaymentInstruction.objects.create(
                    idempotency_key=key,
                    attempt=attempt,
                    reference=payment_reference(key, attempt),
                    source_type=ContentType.objects.get_for_model(source),
                    source_id=str(source.pk),
                    payee=payee,
                    application=application,
                    space=space,
                    amount=amount,
                    narration=narration,
                    touched_by=sorted(people),
                    requested_by=actor if getattr(actor, "pk", None) else None,
                    requested_at=timezone.now(),
                )
        except IntegrityError:
            # Only without the advisory lock (SQLite has one writer anyway): the other request won.
            existing = PaymentInstruction.objects.filter(idempotency_key=key).exclude(state__in=CLOSED_UNPAID).first()
            if existing is None:
                raise
            return existing
        workflow.record(
            actor=actor,
            event=FinanceEvent.PAYMENT_REQUEST,
            obj=instruction,
            to_state=instruction.state,
            data={"source": key, "amount": str(amount), "payee_id": payee.pk, "attempt": attempt},
        )
        _notify_after_commit(
            _users_with_role(roles.FINANCE_MAKER),
            messages.TO_MAKERS_REQUESTED.render(
                ref=instruction.reference, amount=f"{amount:,.2f}", payee=str(payee), narration=narration
            ),
            _url("finance:payment", pk=instruction.pk),
        )
    return instruction


# --- maker and checker -----------------------------------------------------------------------------


def payment_prepare(
    *, instruction: PaymentInstruction, actor: "User", iban: str | None = None, amount: Decimal | None = None
) -> PaymentInstruction:
    """requested -> prepared. The maker confirms the amount and the IBAN the bank will pay.

    Refused while a duplicate match holds the payee (matches.gates), naming the match.
    Post: `iban_snapshot` is a valid Pakistani IBAN (the payee's registered one unless a corrected one
    is given; a difference is recorded and shown to the checker) and `payee_name_snapshot` is the
    payee's account title.
    """
    with transaction.atomic():
        instruction = _lock(instruction)
        # Duplicate checks (issue #20): no payment is prepared to a company a match holds (an open
        # confirmed-kind match, or one with the integrity office until its case is resolved).
        match_gates.refuse_while_matched([instruction.payee_id], action=match_messages.PREPARE_PAYMENT)
        if amount is not None and _check_amount(amount) != instruction.amount:
            message = _("The amount you confirmed (PKR %(typed)s) is not the amount requested (PKR %(amount)s).") % {
                "typed": f"{Decimal(amount):,.2f}",
                "amount": f"{instruction.amount:,.2f}",
            }
            raise ValidationFailed(field_errors={"amount": [message]})
        payee = instruction.payee
        try:
            # The default is the IBAN the secretariat verified, never an unverified later edit.
            snapshot = normalize_iban(iban if iban else payee.verified_iban)
        except Exception as error:  # django ValidationError from the IBAN validator
            problems = getattr(error, "messages", [str(error)])
            raise ValidationFailed(*problems, field_errors={"iban": problems}) from None
        _transition(
            instruction,
            "prepare",
            actor,
            by=actor,
            at=timezone.now(),
            iban=snapshot,
            account_title=payee.bank_account_title[:200],
            data={"iban_differs_from_registry": snapshot != payee.verified_iban},
        )
        _notify_after_commit(
            _users_with_role(roles.FINANCE_CHECKER).exclude(pk__in=[actor.pk, *instruction.touched_by]),
            messages.TO_CHECKERS_PREPARED.render(
                ref=instruction.reference, amount=f"{instruction.amount:,.2f}", payee=str(payee), maker=str(actor)
            ),
            _url("finance:payment", pk=instruction.pk),
        )
    return instruction


def payment_approve(*, instruction: PaymentInstruction, actor: "User") -> PaymentInstruction:
    """prepared -> approved, by a finance checker who is not the maker and never touched the case.

    Post: one `approved` ledger row. Ten simultaneous approvals make one approval and one row.
    """
    with transaction.atomic():
        instruction = _lock(instruction)
        _transition(instruction, "approve", actor, by=actor, at=timezone.now())
        _ledger(instruction, LedgerEntry.Kind.APPROVED, actor)
    return instruction


def payment_send_back(*, instruction: PaymentInstruction, actor: "User", reason: str) -> PaymentInstruction:
    """prepared -> requested, by a finance checker, with the reason the maker reads (issue #17).

    Post: the payment is back in the maker's queue showing the reason; nothing moved in the ledger
    (nothing was approved). The maker prepares it again (corrected) or cancels it.
    """
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationFailed(_("Say what the maker must correct."), field_errors={"reason": [_("Enter a reason.")]})
    with transaction.atomic():
        instruction = _lock(instruction)
        _transition(instruction, "send_back", actor, reason=reason, by=actor, at=timezone.now())
    return instruction


def payment_cancel(*, instruction: PaymentInstruction, actor: "User", reason: str) -> PaymentInstruction:
    """Before it is sent: requested, prepared, approved or in_batch -> cancelled (with a reason).

    An approved payment's commitment is reversed in the ledger. The source may then be requested again.
    """
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationFailed(_("Say why the payment is cancelled."), field_errors={"reason": [_("Enter a reason.")]})
    with transaction.atomic():
        instruction = _lock(instruction)
        was_approved = instruction.state in (S.APPROVED, S.IN_BATCH)
        batch = instruction.batch
        if batch is not None and PaymentBatch.objects.select_for_update().get(pk=batch.pk).state != "open":
            raise InvalidTransition(_("The batch of this payment has been sent to the bank."))
        _transition(instruction, "cancel", actor, reason=reason, at=timezone.now())
        if was_approved:
            _ledger(
                instruction, LedgerEntry.Kind.REVERSAL, actor, batch=batch, note=_("Cancelled: %(r)s") % {"r": reason}
            )
    return instruction


def payment_retry(*, instruction: PaymentInstruction, actor: "User") -> PaymentInstruction:
    """failed -> retried, and a new attempt for the same source in `requested` (to be prepared again,
    e.g. with a corrected IBAN, and approved again). Returns the new attempt."""
    with transaction.atomic():
        _lock_source_key(instruction.idempotency_key)
        failed = _lock(instruction)
        _transition(failed, "retry", actor)
        attempt = failed.attempt + 1
        new = PaymentInstruction.objects.create(
            idempotency_key=failed.idempotency_key,
            attempt=attempt,
            previous_attempt=failed,
            reference=payment_reference(failed.idempotency_key, attempt),
            source_type_id=failed.source_type_id,
            source_id=failed.source_id,
            payee_id=failed.payee_id,
            # What the payment is for travels with it: the reports group retried payments too.
            application_id=failed.application_id,
            space_id=failed.space_id,
            amount=failed.amount,
            narration=failed.narration,
            touched_by=failed.touched_by,
            requested_by=actor,
            requested_at=timezone.now(),
        )
        workflow.record(
            actor=actor,
            event=FinanceEvent.PAYMENT_REQUEST,
            obj=new,
            to_state=new.state,
            reason=_("Retry of %(ref)s") % {"ref": failed.reference},
            data={"source": new.idempotency_key, "amount": str(new.amount), "attempt": attempt},
        )
    return new


# --- paid, reconciled, failed ----------------------------------------------------------------------


def payment_mark_paid(
    *, instruction: PaymentInstruction, actor: "User", statement_line: StatementLine | None = None
) -> PaymentInstruction:
    """sent -> paid, with one `paid` ledger row (ten simultaneous calls: one payment, one row)."""
    with transaction.atomic():
        instruction = _lock(instruction)
        _transition(instruction, "mark_paid", actor, at=timezone.now())
        _ledger(instruction, LedgerEntry.Kind.PAID, actor, batch=instruction.batch, statement_line=statement_line)
    return instruction


def payment_reconcile(
    *, instruction: PaymentInstruction, actor: "User", statement_line: StatementLine | None = None
) -> PaymentInstruction:
    """paid -> reconciled: the bank statement shows the money left. No money moves, so no ledger row."""
    with transaction.atomic():
        instruction = _lock(instruction)
        _transition(
            instruction,
            "reconcile",
            actor,
            at=timezone.now(),
            data={"statement_line": statement_line.pk} if statement_line else None,
        )
    return instruction


def payment_fail(
    *, instruction: PaymentInstruction, actor: "User", reason: str, statement_line: StatementLine | None = None
) -> PaymentInstruction:
    """sent | paid -> failed. A sent payment writes a `failed` row; a paid one that came back a `reversal`.

    The maker then corrects the payee's details and retries (a new attempt).
    """
    reason = " ".join(str(reason or "").split())[:300] or _("Returned by the bank.")
    with transaction.atomic():
        instruction = _lock(instruction)
        from_state = _transition(instruction, "fail", actor, reason=reason, at=timezone.now())
        kind = LedgerEntry.Kind.REVERSAL if from_state == S.PAID else LedgerEntry.Kind.FAILED
        _ledger(instruction, kind, actor, batch=instruction.batch, statement_line=statement_line, note=reason)
        _notify_after_commit(
            _users_with_role(roles.FINANCE_MAKER),
            messages.TO_MAKERS_FAILED.render(
                ref=instruction.reference,
                payee=str(instruction.payee),
                amount=f"{instruction.amount:,.2f}",
                reason=reason,
            ),
            _url("finance:payment", pk=instruction.pk),
        )
    return instruction
