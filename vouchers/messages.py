"""What the seat-voucher services tell people, as data (core.messages.Notice), rendered per recipient in
their own language."""

from django.utils.translation import gettext_lazy as _

from core.messages import Notice

VOUCHER_APPROVED = Notice(
    _("Your seat voucher %(reference)s is approved"),
    _(
        "Your voucher for a %(seat_type)s at %(space)s is approved. Go to the space to start your seat "
        "by %(start_by)s, or the voucher lapses. The government pays %(share)s%% of the fee, up to PKR "
        "%(cap)s a month, for %(months)s months."
    ),
)
VOUCHER_WAITLISTED = Notice(
    _("Seat voucher %(reference)s: on the waiting list"),
    _(
        "The round's vouchers for %(division)s (or the seats at %(space)s) are all given. You are number "
        "%(position)s on the waiting list; you will be told as soon as a place is free."
    ),
)
VOUCHER_OFFERED = Notice(
    _("A place is free: seat voucher %(reference)s is approved"),
    _(
        "A place has freed up and your voucher for %(space)s is approved from the waiting list. Start "
        "your seat by %(start_by)s, or the voucher lapses."
    ),
)
VOUCHER_REFUSED = Notice(
    _("Seat voucher %(reference)s refused"),
    _("Your application for a seat voucher at %(space)s was refused: %(reason)s"),
)
VOUCHER_LAPSED = Notice(
    _("Seat voucher %(reference)s lapsed"),
    _("Your voucher for %(space)s lapsed: %(reason)s You may apply again in an open round."),
)
VOUCHER_ENDED = Notice(
    _("Your seat at %(space)s has ended"),
    _(
        "%(space)s recorded that your seat ended on %(ended_on)s (%(reason)s). If this is wrong, report it "
        "from the voucher's page."
    ),
)
VOUCHER_STARTED_TO_FREELANCER = Notice(
    _("Your subsidised seat at %(space)s has started"),
    _(
        "Your seat started on %(start_date)s and is subsidised until %(planned_end)s. Each month you pay "
        "the space PKR %(own_share)s of the PKR %(fee)s fee; the government pays the rest. Never pay more."
    ),
)
NEW_VOUCHER_TO_OPERATOR = Notice(
    _("Seat voucher %(reference)s: a freelancer is coming to %(space)s"),
    _(
        "%(freelancer)s holds an approved voucher for a %(seat_type)s at %(space)s. Record the start date "
        "when they join (by %(start_by)s)."
    ),
)
SEAT_FLAGGED_TO_OFFICERS = Notice(
    _("Seat %(reference)s flagged: the freelancer says the seat was not used"),
    _(
        "The holder of voucher %(reference)s at %(space)s answered “no” for %(count)s months. Check the "
        "space's claims for the seat."
    ),
)
OVERCHARGE_TO_FREELANCER = Notice(
    _("Your report about %(space)s was received (%(grievance)s)"),
    _("The integrity office has your report as grievance %(grievance)s and will acknowledge it by %(ack_due)s."),
)
CLAIM_SUBMITTED_TO_OFFICERS = Notice(
    _("Seat claim %(reference)s from %(space)s"),
    _("%(space)s claims PKR %(total)s for %(seats)s voucher seats in %(month)s."),
)
CLAIM_REJECTED_TO_OPERATOR = Notice(
    _("Seat claim %(reference)s rejected"),
    _("Your claim for %(month)s at %(space)s was rejected: %(reason)s You may file the month again."),
)
CLAIM_APPROVED_TO_OPERATOR = Notice(
    _("Seat claim %(reference)s approved"),
    _("Your claim of PKR %(total)s for %(month)s at %(space)s is approved and with finance for payment."),
)
CLAIM_PAID_TO_OPERATOR = Notice(
    _("Seat claim %(reference)s paid"),
    _("PKR %(total)s for %(month)s at %(space)s has been paid to your bank account."),
)
