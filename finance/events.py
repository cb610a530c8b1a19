"""The audit events of the finance concern: one catalogue, never a formatted string."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FinanceEvent(models.TextChoices):
    PAYMENT_REQUEST = "payment.request", _("Payment requested")
    PAYMENT_PREPARE = "payment.prepare", _("Payment prepared")
    PAYMENT_APPROVE = "payment.approve", _("Payment approved")
    PAYMENT_SEND_BACK = "payment.send_back", _("Payment sent back to the maker")
    PAYMENT_ADD_TO_BATCH = "payment.add_to_batch", _("Payment added to a batch")
    PAYMENT_MARK_SENT = "payment.mark_sent", _("Payment sent to the bank")
    PAYMENT_MARK_PAID = "payment.mark_paid", _("Payment marked paid")
    PAYMENT_RECONCILE = "payment.reconcile", _("Payment reconciled with the bank statement")
    PAYMENT_FAIL = "payment.fail", _("Payment failed")
    PAYMENT_RETRY = "payment.retry", _("Payment asked for again")
    PAYMENT_CANCEL = "payment.cancel", _("Payment cancelled")
    BATCH_CREATE = "batch.create", _("Batch created")
    BATCH_MARK_SENT = "batch.mark_sent", _("Batch sent to the bank")
    STATEMENT_IMPORT = "statement.import", _("Bank statement imported")
    STATEMENT_LINE_RESOLVE = "statement_line.resolve", _("Statement line resolved")


PAYMENT_EVENT = {event.value.removeprefix("payment."): event for event in FinanceEvent if event.startswith("payment.")}
