"""The seat-voucher concern's audit events."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VoucherEvent(models.TextChoices):
    PROFILE_SAVED = "voucher.profile_saved", _("Freelancer profile saved")
    ROUND_SAVED = "voucher.round_saved", _("Voucher round saved")
    APPLIED = "voucher.applied", _("Voucher applied for")
    DOCUMENT_ADDED = "voucher.document_added", _("Voucher document added")
    APPROVED = "voucher.approved", _("Voucher approved")
    WAITLISTED = "voucher.waitlisted", _("Put on the waiting list")
    OFFERED = "voucher.offered", _("Voucher offered from the waiting list")
    REFUSED = "voucher.refused", _("Voucher refused")
    WITHDRAWN = "voucher.withdrawn", _("Voucher withdrawn")
    STARTED = "voucher.started", _("Seat started")
    ENDED = "voucher.ended", _("Seat ended")
    LAPSED = "voucher.lapsed", _("Voucher lapsed")
    COMPLETED = "voucher.completed", _("Voucher completed")
    MONTH_CONFIRMED = "voucher.month_confirmed", _("Month of use answered")
    FLAGGED = "voucher.flagged", _("Seat flagged to the officer")
    OVERCHARGE_REPORTED = "voucher.overcharge_reported", _("Overcharge reported")
    CLAIM_SUBMITTED = "seatclaim.submitted", _("Seat claim submitted")
    CLAIM_VERIFIED = "seatclaim.verified", _("Seat claim verified")
    CLAIM_APPROVED = "seatclaim.approved", _("Seat claim approved")
    CLAIM_REJECTED = "seatclaim.rejected", _("Seat claim rejected")
    CLAIM_PAID = "seatclaim.paid", _("Seat claim paid")
    CLAIM_PAYMENT_RETURNED = "seatclaim.payment_returned", _("Seat claim payment returned by the bank")
