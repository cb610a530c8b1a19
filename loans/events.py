"""The audit events of the loan book: one catalogue, never a formatted string."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LoanEvent(models.TextChoices):
    OPEN = "loan.open", _("Loan opened")
    REQUEST_DISBURSEMENT = "loan.request_disbursement", _("Disbursement requested")
    ACTIVATE = "loan.activate", _("Loan disbursed: repayments due")
    DISBURSEMENT_CANCELLED = "loan.disbursement_cancelled", _("Disbursement cancelled")
    DISBURSEMENT_RETURNED = "loan.disbursement_returned", _("Disbursement returned by the bank")
    CLOSE = "loan.close", _("Loan closed")
    REOPEN = "loan.reopen", _("Loan reopened")
    REPAYMENT = "loan.repayment", _("Repayment posted")
    REPAYMENT_REVERSAL = "loan.repayment_reversal", _("Repayment reversed")
    RESTRUCTURE = "loan.restructure", _("Loan restructured")
    WRITE_OFF = "loan.write_off", _("Loan written off")
    COLLECTION_IMPORT = "loan.collection_import", _("Collection file imported")
