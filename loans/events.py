"""The audit events of the loan book: one catalogue, never a formatted string."""

from django.db import models


class LoanEvent(models.TextChoices):
    OPEN = "loan.open"
    REQUEST_DISBURSEMENT = "loan.request_disbursement"
    ACTIVATE = "loan.activate"
    DISBURSEMENT_CANCELLED = "loan.disbursement_cancelled"
    DISBURSEMENT_RETURNED = "loan.disbursement_returned"
    CLOSE = "loan.close"
    REOPEN = "loan.reopen"
    REPAYMENT = "loan.repayment"
    REPAYMENT_REVERSAL = "loan.repayment_reversal"
    RESTRUCTURE = "loan.restructure"
    WRITE_OFF = "loan.write_off"
    COLLECTION_IMPORT = "loan.collection_import"
