"""What the bank reports through the API, through the same services as finance's imports:

- a payment's outcome, as a line of the bank statement would (finance/services/reconciliation.py):
  paid -> `payment_mark_paid` then `payment_reconcile` (a payment already marked paid is reconciled);
  returned -> `payment_fail`. The bank's report is kept as a one-line bank statement (value date,
  reference, amount, the bank's reference or reason), so finance sees it with the statements and the
  ledger row points at its line; the import's audit event is written as the import writes it.
- collected repayments, as the rows of a collection file would (loans/collections.py): one
  collection record, then `loan_post_repayment` per line in date order, every line's refusal collected
  and the whole post refused; the import's audit event as the import writes it.

The actor is the client's account (api-client:<name>), which holds the bank's role in finance's and
loans' permission tables. A refusal rolls everything back: no statement, no repayment, no key.
"""

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import workflow
from core.errors import DomainError
from finance import services as finance
from finance.events import FinanceEvent
from finance.models import BankStatement, PaymentInstruction, PaymentState, StatementLine
from loans import services as loans
from loans.events import LoanEvent
from loans.models import CollectionFile, Loan

from .. import selectors
from ..errors import InvalidTransition, PermissionDenied, UnknownReference, ValidationFailed
from ..models import ApiClient

S = PaymentState


def _account(client: ApiClient, scope: str) -> Any:
    if not client.is_active or not client.has_scope(scope):
        raise PermissionDenied(_("This client may not do this."))
    return client.account


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).hexdigest()


def bank_payment_outcome(
    *,
    client: ApiClient,
    reference: str,
    outcome: str,
    amount: Decimal,
    value_date: dt.date,
    key: str,
    bank_reference: str = "",
    reason: str = "",
) -> dict[str, Any]:
    """The bank says payment `reference` was paid (or returned). Pre: the payment is in a batch
    finance marked sent, and `amount` is its amount. Post: paid -> reconciled, or failed, with a
    one-line statement holding what the bank said. Refused (nothing written): an unknown reference
    (404), another amount, a state the machine does not allow (409, with its reason)."""
    account = _account(client, "bank:payments")
    payment = selectors.payment_for_bank(reference)
    if payment is None:
        raise UnknownReference(_("No payment sent to the bank has the reference %(ref)s.") % {"ref": reference})
    if amount != payment.amount:
        raise ValidationFailed(
            field_errors={
                "amount": [
                    _("Payment %(ref)s is PKR %(amount)s, not PKR %(given)s.")
                    % {"ref": payment.reference, "amount": f"{payment.amount:.2f}", "given": f"{amount:.2f}"}
                ]
            }
        )
    paid = outcome == "paid"
    remarks = bank_reference if paid else reason
    with transaction.atomic():
        try:
            with transaction.atomic():
                statement = BankStatement.objects.create(
                    file_name=f"{client.actor_label} {key}"[:200],
                    file_hash=_digest("api", client.pk, key),
                    uploaded_by=account,
                    uploaded_at=timezone.now(),
                    line_count=1,
                )
        except IntegrityError:
            raise InvalidTransition(_("This report was received a moment ago.")) from None
        line = StatementLine.objects.create(
            statement=statement,
            line_number=1,
            value_date=value_date,
            reference=payment.reference,
            amount=amount,
            bank_status=StatementLine.BankStatus.PAID if paid else StatementLine.BankStatus.RETURNED,
            bank_remarks=remarks[:300],
            outcome=StatementLine.Outcome.MATCHED if paid else StatementLine.Outcome.RETURNED,
            instruction=payment,
        )
        if paid:
            # As a statement's paid line: sent -> paid -> reconciled; a payment already marked paid by
            # hand is reconciled. Any other state is refused by the payment's own state machine.
            if payment.state != S.PAID:
                payment = finance.payment_mark_paid(instruction=payment, actor=account, statement_line=line)
            payment = finance.payment_reconcile(instruction=payment, actor=account, statement_line=line)
        else:
            payment = finance.payment_fail(instruction=payment, actor=account, reason=reason, statement_line=line)
        workflow.record(
            actor=account,
            event=FinanceEvent.STATEMENT_IMPORT,
            obj=statement,
            data={
                "file_hash": statement.file_hash,
                "matched": int(paid),
                "returned": int(not paid),
                "unmatched": 0,
                "via": "api",
                "idempotency_key": key,
                "value_date": value_date.isoformat(),
                "bank_reference": bank_reference,
            },
        )
    return {"payment": PaymentInstruction.objects.get(pk=payment.pk), "outcome": outcome}


def bank_collections_post(*, client: ApiClient, lines: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """Post each line (sanction_number, date_received, amount, bank_reference) as a repayment the bank
    collected, all or none. Refused: a sanction number that is no loan or a loan not being repaid, and
    every refusal of the repayment service (a reference already posted on the loan, more than the loan
    owes, a date in the future...), each under `lines.<n>.<field>`; the same lines posted before under
    another key (409)."""
    account = _account(client, "bank:collections")
    total = sum((line["amount"] for line in lines), Decimal("0.00"))
    canonical = sorted(
        (
            line["sanction_number"].strip().upper(),
            line["date_received"].isoformat(),
            f"{line['amount']:.2f}",
            line["bank_reference"].strip().upper(),
        )
        for line in lines
    )
    digest = _digest("api-collections", *canonical)
    with transaction.atomic():
        earlier = CollectionFile.objects.filter(file_hash=digest).first()
        if earlier is not None:
            raise InvalidTransition(
                _("These lines were posted already (collection %(id)d on %(when)s); nothing was posted twice.")
                % {"id": earlier.pk, "when": timezone.localtime(earlier.uploaded_at).isoformat()}
            )
        numbers = {line["sanction_number"].strip().upper() for line in lines}
        by_number = {loan.sanction_number: loan for loan in Loan.objects.filter(sanction_number__in=numbers)}
        errors: dict[str, list[str]] = {}
        for index, line in enumerate(lines):
            if line["sanction_number"].strip().upper() not in by_number:
                errors[f"lines.{index}.sanction_number"] = [
                    _("No loan has the sanction number %(value)s.") % {"value": line["sanction_number"]}
                ]
        if errors:
            raise ValidationFailed(field_errors=errors)
        try:
            with transaction.atomic():
                collection = CollectionFile.objects.create(
                    file_name=f"{client.actor_label} {key}"[:200],
                    file_hash=digest,
                    uploaded_by=account,
                    uploaded_at=timezone.now(),
                    row_count=len(lines),
                    total=total,
                )
        except IntegrityError:
            raise InvalidTransition(_("These lines were posted a moment ago.")) from None
        posted: dict[int, Any] = {}
        # In date order, so each repayment is split on top of the earlier ones (as the file import).
        for index, line in sorted(enumerate(lines), key=lambda item: (item[1]["date_received"], item[0])):
            try:
                with transaction.atomic():
                    posted[index] = loans.loan_post_repayment(
                        loan=by_number[line["sanction_number"].strip().upper()],
                        actor=account,
                        amount=line["amount"],
                        received_on=line["date_received"],
                        bank_reference=line["bank_reference"],
                        collection=collection,
                    )
            except PermissionDenied:
                raise
            except DomainError as error:
                for field, messages in (error.field_errors or {"sanction_number": error.messages}).items():
                    name = {"received_on": "date_received"}.get(field, field)
                    errors.setdefault(f"lines.{index}.{name}", []).extend(str(m) for m in messages)
        if errors:
            raise ValidationFailed(field_errors=errors)
        workflow.record(
            actor=account,
            event=LoanEvent.COLLECTION_IMPORT,
            obj=collection,
            data={"file_hash": digest, "rows": len(lines), "total": str(total), "via": "api", "idempotency_key": key},
        )
        states = dict(Loan.objects.filter(pk__in=[r.loan_id for r in posted.values()]).values_list("pk", "state"))
    return {
        "collection": collection.pk,
        "total": total,
        "repayments": [
            {
                "sanction_number": lines[index]["sanction_number"].strip().upper(),
                "bank_reference": posted[index].bank_reference,
                "date_received": posted[index].received_on,
                "amount": posted[index].amount,
                "principal": posted[index].principal,
                "interest": posted[index].interest,
                "loan_state": states[posted[index].loan_id],
            }
            for index in range(len(lines))
        ],
    }
