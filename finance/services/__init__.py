"""Payments: every write goes through a function of this package.

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
    payment_send_back(*, instruction, actor, reason)                     prepared -> requested (to the maker)

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

The modules
===========

    _common.py          helpers: row locks, the workflow `_transition` (separation of duties), ledger
                        rows, amount checks, notices; imports none of the modules below
    payments.py         request, prepare, approve, cancel, retry; paid, reconciled, failed
    batches.py          batch_create, batch_mark_sent
    reconciliation.py   statement preview / import (uses payments' paid / reconcile / fail), line resolve

Import the API from here (`from finance.services import payment_request`, or `services.X`).
"""

from ._common import (
    MAX_NARRATION,
    approval_refusal,
)
from .batches import (
    batch_create,
    batch_mark_sent,
)
from .payments import (
    payment_approve,
    payment_cancel,
    payment_fail,
    payment_mark_paid,
    payment_prepare,
    payment_reconcile,
    payment_request,
    payment_retry,
    payment_send_back,
)
from .reconciliation import (
    PlannedLine,
    StatementPreview,
    statement_import,
    statement_line_resolve,
    statement_preview,
)

__all__ = [
    "approval_refusal",
    "batch_create",
    "batch_mark_sent",
    "MAX_NARRATION",
    "payment_approve",
    "payment_cancel",
    "payment_send_back",
    "payment_fail",
    "payment_mark_paid",
    "payment_prepare",
    "payment_reconcile",
    "payment_request",
    "payment_retry",
    "PlannedLine",
    "statement_import",
    "statement_line_resolve",
    "statement_preview",
    "StatementPreview",
]
