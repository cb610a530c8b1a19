"""The audit events of the finance concern: one catalogue, never a formatted string."""

from django.db import models


class FinanceEvent(models.TextChoices):
    PAYMENT_REQUEST = "payment.request"
    PAYMENT_PREPARE = "payment.prepare"
    PAYMENT_APPROVE = "payment.approve"
    PAYMENT_SEND_BACK = "payment.send_back"
    PAYMENT_ADD_TO_BATCH = "payment.add_to_batch"
    PAYMENT_MARK_SENT = "payment.mark_sent"
    PAYMENT_MARK_PAID = "payment.mark_paid"
    PAYMENT_RECONCILE = "payment.reconcile"
    PAYMENT_FAIL = "payment.fail"
    PAYMENT_RETRY = "payment.retry"
    PAYMENT_CANCEL = "payment.cancel"
    BATCH_CREATE = "batch.create"
    BATCH_MARK_SENT = "batch.mark_sent"
    STATEMENT_IMPORT = "statement.import"
    STATEMENT_LINE_RESOLVE = "statement_line.resolve"


PAYMENT_EVENT = {event.value.removeprefix("payment."): event for event in FinanceEvent if event.startswith("payment.")}
