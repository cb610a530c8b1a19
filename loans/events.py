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
    PLAN_DISBURSEMENT = "loan.plan_disbursement", _("Disbursement planned in parts")
    PART_REQUESTED = "loan.part_requested", _("Part of the disbursement requested")
    PART_CANCELLED = "loan.part_cancelled", _("Part of the disbursement cancelled")
    PART_PAID = "loan.part_paid", _("Part of the disbursement paid: schedule rebuilt")
    PREPAYMENT_CHOICE = "loan.prepayment_choice", _("Prepayment: new schedule chosen")
    REPAYMENT_REPLAY = "loan.repayment_replay", _("Later repayment replayed after a reversal")
    CAPITALISE = "loan.capitalise", _("Markup capitalised into the loan")
    WRITE_OFF_PROPOSED = "loan.write_off_proposed", _("Write-off proposed")
    WRITE_OFF_WITHDRAWN = "loan.write_off_withdrawn", _("Write-off proposal withdrawn")
    RECOVERY = "loan.recovery", _("Recovery posted on a written-off loan")
    RECOVERY_REVERSAL = "loan.recovery_reversal", _("Recovery reversed")
