"""Payments: every write goes through a function here.

The service API
===============

All functions are keyword-only, take the acting person as `actor=`, run in one transaction, lock the
rows they change (`select_for_update`, in id order), write the audit event
(`audit.services.audit_record`) and the ledger row in the same transaction, and queue notifications on
commit. They return fresh instances: use the return value. On refusal they raise a
`finance.errors.FinanceError` (PermissionDenied, InvalidTransition, ValidationFailed) and change nothing.

For the instruments (grants: tranches, loan disbursements, utility claims):
    payment_request(*, source, payee, amount, narration, actor, touched_by=frozenset(),
                    application=None, space=None) -> PaymentInstruction
        Idempotent per source: returns the live attempt if there is one (same payee and amount), else
        creates one in `requested`. A cancelled attempt lets the source be requested again.

Finance maker:
    payment_prepare(*, instruction, actor, iban=None, amount=None)        requested -> prepared
        snapshots the payee's IBAN (or the corrected one given) and account title; `amount`, when
        given, must equal the requested amount (the maker's confirmation).
    batch_create(*, actor, value_date, instructions) -> PaymentBatch     approved -> in_batch
    batch_mark_sent(*, batch, actor) -> PaymentBatch                     in_batch -> sent (all at once)
        idempotent: a batch already sent is returned unchanged (no second ledger row).
    payment_cancel(*, instruction, actor, reason)                        requested..in_batch -> cancelled
    payment_retry(*, instruction, actor) -> PaymentInstruction            failed -> retried, + new attempt

Finance checker (never the maker, never anyone in touched_by, never the payee's staff):
    payment_approve(*, instruction, actor)                                prepared -> approved

Either finance role (reconciliation):
    payment_mark_paid(*, instruction, actor, statement_line=None)         sent -> paid
    payment_reconcile(*, instruction, actor, statement_line=None)         paid -> reconciled
    payment_fail(*, instruction, actor, reason, statement_line=None)      sent | paid -> failed
    statement_preview(*, file_name, content) -> StatementPreview          no writes
    statement_import(*, file_name, content, actor) -> BankStatement      one transaction
    statement_line_resolve(*, line, actor, resolution) -> StatementLine  unmatched -> resolved

Ledger rows (append-only, one per payment and kind): approved (on approval), sent, paid, failed (a
sent payment the bank could not make), reversal (a paid payment returned, or an approved payment
cancelled before it was sent).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import Model, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from core import workflow
from core.money import parse_money
from notifications.services import Message, notify
from spaces.models import Operator, Space
from spaces.validators import normalize_iban

from .errors import InvalidTransition, PermissionDenied, ValidationFailed
from .events import PAYMENT_EVENT, FinanceEvent
from .hooks import payment_state_changed
from .models import (
    CLOSED_UNPAID,
    BankStatement,
    LedgerEntry,
    PaymentBatch,
    PaymentInstruction,
    PaymentState,
    StatementLine,
    is_active_person,
    is_payee_member,
    payment_reference,
    source_key,
    touched_the_case,
)
from .pending import file_hash
from .permissions import BATCHES, PAYMENTS
from .statements import ParsedLine, read_statement

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
    if name in {"cancel", "fail"}:
        kwargs["reason"] = reason
    from_state = workflow.transition(
        instruction,
        workflow.Step(name, PAYMENT_EVENT[name], kwargs=kwargs, reason=reason, data=data or {}),
        actor=actor,
        table=PAYMENTS,
        rules=_separation_of_duties if name == "approve" else _payee_staff_refused,
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
    return LedgerEntry.objects.create(
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


def _notify_after_commit(recipients: "Iterable[User]", subject: Message, body: Message, url: str = "") -> None:
    # Rendered now (active language), written in the transaction; the email task is queued on commit.
    notify(recipients=recipients, subject=subject, body=body, url=url)


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
            _("Payment %(ref)s to prepare") % {"ref": instruction.reference},
            _("PKR %(amount)s to %(payee)s: %(narration)s")
            % {"amount": f"{amount:,.2f}", "payee": payee, "narration": narration},
            _url("finance:payment", pk=instruction.pk),
        )
    return instruction


# --- maker and checker -----------------------------------------------------------------------------


def payment_prepare(
    *, instruction: PaymentInstruction, actor: "User", iban: str | None = None, amount: Decimal | None = None
) -> PaymentInstruction:
    """requested -> prepared. The maker confirms the amount and the IBAN the bank will pay.

    Post: `iban_snapshot` is a valid Pakistani IBAN (the payee's registered one unless a corrected one
    is given; a difference is recorded and shown to the checker) and `payee_name_snapshot` is the
    payee's account title.
    """
    with transaction.atomic():
        instruction = _lock(instruction)
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
            messages = getattr(error, "messages", [str(error)])
            raise ValidationFailed(*messages, field_errors={"iban": messages}) from None
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
            _("Payment %(ref)s to approve") % {"ref": instruction.reference},
            _("PKR %(amount)s to %(payee)s, prepared by %(maker)s.")
            % {"amount": f"{instruction.amount:,.2f}", "payee": payee, "maker": actor},
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


# --- batches ---------------------------------------------------------------------------------------


def batch_create(*, actor: "User", value_date: dt.date, instructions: Iterable[PaymentInstruction]) -> PaymentBatch:
    """A finance maker groups approved payments into one bank upload. approved -> in_batch for each.

    Refused as a whole when any payment is not approved (nothing is half-batched).
    """
    if not is_active_person(actor) or not actor.has_role(roles.FINANCE_MAKER):
        raise PermissionDenied(_("Only a finance maker may create payment batches."))
    ids = sorted({i.pk for i in instructions})
    if not ids:
        raise ValidationFailed(_("Choose at least one approved payment for the batch."))
    if value_date < timezone.localdate():
        raise ValidationFailed(
            _("A batch cannot be dated in the past."), field_errors={"value_date": [_("Choose today or later.")]}
        )
    with transaction.atomic():
        locked = list(PaymentInstruction.objects.select_for_update().filter(pk__in=ids).order_by("id"))
        problems = [
            _("Payment %(ref)s is %(state)s, not approved.") % {"ref": p.reference, "state": _state_label(p.state)}
            for p in locked
            if p.state != S.APPROVED
        ]
        if len(locked) != len(ids):
            problems.append(_("A chosen payment no longer exists."))
        if problems:
            raise ValidationFailed(*problems)
        now = timezone.now()
        batch = PaymentBatch.objects.create(
            reference=f"tmp-{now.timestamp()}-{actor.pk}"[:30], value_date=value_date, created_by=actor, created_at=now
        )
        batch.reference = f"PB-{value_date:%Y%m%d}-{batch.pk:04d}"
        batch.save(update_fields=["reference"])
        for instruction in locked:
            _transition(instruction, "add_to_batch", actor, batch=batch, data={"batch": batch.reference})
        workflow.record(
            actor=actor,
            event=FinanceEvent.BATCH_CREATE,
            obj=batch,
            to_state=batch.state,
            data={"payments": [p.reference for p in locked], "total": str(sum(p.amount for p in locked))},
        )
    return batch


def batch_mark_sent(*, batch: PaymentBatch, actor: "User") -> PaymentBatch:
    """open -> sent, and every payment in it in_batch -> sent, with one `sent` ledger row each.

    Idempotent: a batch already sent is returned unchanged, so a retried task or a second click
    writes nothing.
    """
    if not is_active_person(actor) or not actor.has_role(roles.FINANCE_MAKER):
        raise PermissionDenied(_("Only a finance maker may mark a batch sent."))
    with transaction.atomic():
        try:
            batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
        except PaymentBatch.DoesNotExist:
            raise InvalidTransition(_("This batch no longer exists.")) from None
        if batch.state == PaymentBatch.State.SENT:
            return batch
        payments = list(
            PaymentInstruction.objects.select_for_update().filter(batch=batch, state=S.IN_BATCH).order_by("id")
        )
        if not payments:
            raise ValidationFailed(_("This batch has no payments left to send."))
        now = timezone.now()
        for instruction in payments:
            _transition(instruction, "mark_sent", actor, at=now, data={"batch": batch.reference})
            _ledger(instruction, LedgerEntry.Kind.SENT, actor, batch=batch)
        workflow.transition(
            batch,
            workflow.Step(
                "mark_sent",
                FinanceEvent.BATCH_MARK_SENT,
                kwargs={"by": actor, "at": now},
                data={"payments": len(payments), "total": str(sum(p.amount for p in payments))},
                at=now,
            ),
            actor=actor,
            table=BATCHES,
            wrong_state=_("Batch %(ref)s is already sent.") % {"ref": batch.reference},
        )
    return batch


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
            _("Payment %(ref)s failed at the bank") % {"ref": instruction.reference},
            _("%(payee)s, PKR %(amount)s: %(reason)s. Correct the details and retry.")
            % {"payee": instruction.payee, "amount": f"{instruction.amount:,.2f}", "reason": reason},
            _url("finance:payment", pk=instruction.pk),
        )
    return instruction


# --- reconciliation --------------------------------------------------------------------------------


@dataclass
class PlannedLine:
    line: ParsedLine
    outcome: str  # StatementLine.Outcome
    problem: str = ""
    instruction: PaymentInstruction | None = None
    steps: list[str] = field(default_factory=list)  # transitions to run: mark_paid, reconcile, fail


@dataclass
class StatementPreview:
    file_name: str
    file_hash: str
    lines: list[PlannedLine]

    @property
    def matched(self) -> list[PlannedLine]:
        return [p for p in self.lines if p.outcome == StatementLine.Outcome.MATCHED]

    @property
    def returned(self) -> list[PlannedLine]:
        return [p for p in self.lines if p.outcome == StatementLine.Outcome.RETURNED]

    @property
    def unmatched(self) -> list[PlannedLine]:
        return [p for p in self.lines if p.outcome == StatementLine.Outcome.UNMATCHED]


def _plan(lines: list[ParsedLine], by_reference: dict[str, PaymentInstruction]) -> list[PlannedLine]:
    """What each line does, in file order, following each payment's state as earlier lines change it."""
    state = {ref: p.state for ref, p in by_reference.items()}
    seen: dict[str, int] = {}
    planned = []
    for line in lines:
        instruction = by_reference.get(line.reference)
        if instruction is None:
            planned.append(PlannedLine(line, "unmatched", _("No payment has this reference.")))
            continue
        if line.amount != instruction.amount:
            planned.append(
                PlannedLine(
                    line,
                    "unmatched",
                    _("The amount differs: the statement says PKR %(line)s, payment %(ref)s is PKR %(amount)s.")
                    % {
                        "line": f"{line.amount:,.2f}",
                        "ref": instruction.reference,
                        "amount": f"{instruction.amount:,.2f}",
                    },
                    instruction,
                )
            )
            continue
        current = state[line.reference]
        earlier = seen.get(line.reference)
        if line.bank_status == "paid":
            if current == S.SENT:
                steps = ["mark_paid", "reconcile"]
            elif current == S.PAID:
                steps = ["reconcile"]
            else:
                steps = None
            if steps:
                planned.append(PlannedLine(line, "matched", "", instruction, steps))
                state[line.reference] = S.RECONCILED
            else:
                problem = (
                    _("Payment %(ref)s is already %(state)s (line %(n)d of this statement).")
                    if earlier
                    else _("Payment %(ref)s is %(state)s, not waiting for the bank.")
                ) % {"ref": instruction.reference, "state": _state_label(current), "n": earlier or 0}
                planned.append(PlannedLine(line, "unmatched", problem, instruction))
        else:
            if current in (S.SENT, S.PAID):
                planned.append(PlannedLine(line, "returned", "", instruction, ["fail"]))
                state[line.reference] = S.FAILED
            else:
                planned.append(
                    PlannedLine(
                        line,
                        "unmatched",
                        _("The bank returned payment %(ref)s, but it is %(state)s: check it by hand.")
                        % {"ref": instruction.reference, "state": _state_label(current)},
                        instruction,
                    )
                )
        seen.setdefault(line.reference, line.line_number)
    return planned


def _refuse_duplicate(digest: str) -> None:
    existing = BankStatement.objects.filter(file_hash=digest).first()
    if existing is not None:
        raise ValidationFailed(
            _("This statement was already imported on %(when)s (as “%(name)s”); it is not imported twice.")
            % {"when": timezone.localtime(existing.uploaded_at).strftime("%d %b %Y %H:%M"), "name": existing.file_name}
        )


def statement_preview(*, file_name: str, content: bytes) -> StatementPreview:
    """Read and match a statement without writing anything. Raises ValidationFailed for a bad file."""
    digest = file_hash(content)
    _refuse_duplicate(digest)
    lines = read_statement(file_name=file_name, content=content)
    payments = PaymentInstruction.objects.filter(reference__in={line.reference for line in lines}).select_related(
        "payee"
    )
    return StatementPreview(file_name, digest, _plan(lines, {p.reference: p for p in payments}))


def statement_import(*, file_name: str, content: bytes, actor: "User") -> BankStatement:
    """Import a statement in one transaction: matched payments become paid and reconciled, returned or
    failed lines fail their payments, everything else is kept as an unmatched line for a person.

    Refused whole (nothing written) for a bad file, a file already imported (same SHA-256) or an
    actor who is not finance staff.
    """
    if not is_active_person(actor) or not (
        actor.has_role(roles.FINANCE_MAKER) or actor.has_role(roles.FINANCE_CHECKER)
    ):
        raise PermissionDenied(_("Only finance staff may import bank statements."))
    digest = file_hash(content)
    lines = read_statement(file_name=file_name, content=content)
    with transaction.atomic():
        _refuse_duplicate(digest)
        payments = list(
            PaymentInstruction.objects.select_for_update()
            .filter(reference__in={line.reference for line in lines})
            .order_by("id")
        )
        plan = _plan(lines, {p.reference: p for p in payments})
        try:
            with transaction.atomic():
                statement = BankStatement.objects.create(
                    file_name=file_name[:200],
                    file_hash=digest,
                    uploaded_by=actor,
                    uploaded_at=timezone.now(),
                    line_count=len(lines),
                )
        except IntegrityError:
            raise ValidationFailed(_("This statement was imported a moment ago by someone else.")) from None
        for item in plan:
            row = StatementLine.objects.create(
                statement=statement,
                line_number=item.line.line_number,
                value_date=item.line.value_date,
                reference=item.line.reference,
                amount=item.line.amount,
                bank_status=item.line.bank_status,
                bank_remarks=item.line.bank_remarks,
                outcome=item.outcome,
                problem=item.problem[:300],
                instruction=item.instruction,
            )
            # A line with steps was matched to a payment (see _plan).
            instruction = cast(PaymentInstruction, item.instruction)
            for step in item.steps:
                if step == "mark_paid":
                    payment_mark_paid(instruction=instruction, actor=actor, statement_line=row)
                elif step == "reconcile":
                    payment_reconcile(instruction=instruction, actor=actor, statement_line=row)
                elif step == "fail":
                    reason = item.line.bank_remarks or (
                        _("Returned by the bank") if item.line.bank_status == "returned" else _("Failed at the bank")
                    )
                    payment_fail(instruction=instruction, actor=actor, reason=reason, statement_line=row)
        counts = {o: sum(1 for p in plan if p.outcome == o) for o in ("matched", "returned", "unmatched")}
        workflow.record(
            actor=actor, event=FinanceEvent.STATEMENT_IMPORT, obj=statement, data={"file_hash": digest, **counts}
        )
    return statement


def statement_line_resolve(*, line: StatementLine, actor: "User", resolution: str) -> StatementLine:
    """unmatched -> resolved, with what the person found (e.g. "bank fee, not a payment")."""
    if not is_active_person(actor) or not (
        actor.has_role(roles.FINANCE_MAKER) or actor.has_role(roles.FINANCE_CHECKER)
    ):
        raise PermissionDenied(_("Only finance staff may resolve statement lines."))
    resolution = " ".join(str(resolution or "").split())
    if not resolution:
        raise ValidationFailed(
            _("Say how the line was resolved."), field_errors={"resolution": [_("Enter what you found.")]}
        )
    with transaction.atomic():
        line = StatementLine.objects.select_for_update().get(pk=line.pk)
        if line.outcome != StatementLine.Outcome.UNMATCHED:
            raise InvalidTransition(_("This line is not waiting to be resolved."))
        StatementLine.objects.filter(pk=line.pk).update(
            outcome=StatementLine.Outcome.RESOLVED,
            resolved_by=actor,
            resolved_at=timezone.now(),
            resolution=resolution[:500],
        )
        line.refresh_from_db()
        workflow.record(
            actor=actor,
            event=FinanceEvent.STATEMENT_LINE_RESOLVE,
            obj=line,
            from_state="unmatched",
            to_state="resolved",
            reason=resolution,
        )
    return line
