"""What the catalogue knows of the other concerns' notices (issue #19) beyond their texts: what each
placeholder is, and each notice's kind.

The notices themselves are discovered (notifications.catalogue: every `core.messages.Notice` of a
project app's `<app>/messages.py`, coded "<app>.<NAME>"); their placeholders are read from the default
texts' %(name)s. This module says what each placeholder is, per app (`PLACEHOLDERS`), with the few
notices whose placeholder means something else than the app's usual (`PLACEHOLDERS_OF`). A new notice
whose placeholder is described nowhere fails tests/notifications/test_catalogue.py, so a steward is
never shown a placeholder nobody explained.

`KINDS` is each notice's kind (notifications.kinds) where it is not "other messages": notify takes it
from here when the caller names none. Decisions and refusals addressed to the person they concern are
decisions (always emailed at once, never held for a digest), a department's or the program officer's
question whose clock waits on the answer an information request, money paid or on its way a payment,
visits to a space a visit. Notices to staff are "other messages".

`TYPED` are the placeholders that carry what a person typed (a reason, a question, the board's
reasons): a steward's body of a notice whose default body carries one must keep it, or the person would
never read why.
"""

from django.utils.translation import gettext_lazy as _

from .kinds import Kind

_REF = _("the application's reference")
_REASON = _("the reason, as the officer typed it")
_SPACE = _("the space's name")
_OPERATOR = _("the company's legal name")
_AMOUNT = _("the amount in rupees (not for the subject: the subject is the SMS)")
_MONTH = _("the month")
_DUE = _("the due date")
_PAYMENT_REF = _("the payment's reference")

PLACEHOLDERS = {
    "grants": {
        "ref": _REF,
        "operator": _OPERATOR,
        "amount": _AMOUNT,
        "n": _("the tranche's number"),
        "score": _("the mean weighted score"),
        "max": _("the highest score possible"),
        "name": _("the reviewer's name"),
        "reason": _REASON,
        "reasons": _("the board's reasons, as recorded"),
        "question": _("the program officer's question, as typed"),
        "sanction": _("the award's sanction number"),
        "title": _("the tranche's milestone"),
        "claim": _("the utility claim (space, month)"),
        "subsidy": _("the subsidy claimed or approved, in rupees"),
        "bill": _("the bill (connection and month)"),
        "month": _("the billing month"),
        "space": _SPACE,
        "call": _("the call's title"),
        "program": _("the program"),
    },
    "loans": {
        "s": _("the loan's sanction number"),
        "amount": _AMOUNT,
        "day": _("the day it happened"),
        "first": _("the first instalment's amount"),
        "due": _DUE,
        "ref": _("the bank's reference of the payment"),
        "principal": _("the principal, in rupees"),
        "interest": _("the interest, in rupees"),
        "outstanding": _("the principal still owed, in rupees"),
        "months": _("the number of months"),
        "reason": _REASON,
        "choice": _("what the prepayment does: shorten the tenor or lower the instalment"),
        "instalment": _("the new monthly instalment, in rupees"),
        "end": _("the day the last instalment is due"),
        "replayed": _("how many later repayments were split again"),
        "n": _("the part's number"),
        "proposer": _("the name of the person who proposed the write-off"),
        "days": _("the number of days past due"),
    },
    "finance": {
        "ref": _PAYMENT_REF,
        "amount": _("the amount, digits only (the text writes PKR before it)"),
        "payee": _("the payee's name"),
        "narration": _("what the payment is for"),
        "maker": _("who prepared the payment"),
        "reason": _("the bank's reason"),
    },
    "integrity": {
        "department": _("the department"),
        "space": _SPACE,
        "date": _("the day of the visit"),
        "inspector": _("the official's name"),
        "designation": _("the official's designation"),
        "start": _("the visit's start time"),
        "end": _("the visit's end time"),
        "purpose": _("the visit's purpose"),
        "reference": _("the visit's or grievance's reference"),
        "code": _("the visit's verification code"),
        "reason": _("the reason, as typed"),
        "due": _DUE,
        "channel": _("how the grievance came in"),
        "ack_due": _("the day it is to be acknowledged by"),
        "resolve_due": _("the day it is to be resolved by"),
        "state": _("the grievance's state"),
        "rating": _("the filer's rating"),
        "outcome": _("the appeal's outcome"),
        "days": _("the number of working days"),
    },
    "onewindow": {
        "reference": _("the request's reference"),
        "service": _("the service asked for"),
        "operator": _OPERATOR,
        "due": _DUE,
        "department": _("the department"),
        "question": _("the department's question, as typed"),
        "number": _("the certificate's number"),
        "reason": _("the department's reason, as typed"),
        "rule": _("the rule the refusal rests on"),
        "days": _("the number of working days late"),
        "until": _("the day it is valid until"),
    },
    "vouchers": {
        "reference": _("the voucher's or seat claim's reference"),
        "seat_type": _("the kind of seat"),
        "space": _SPACE,
        "start_by": _("the day the seat must start by"),
        "share": _("the government's share, in per cent"),
        "cap": _("the monthly cap, digits only (the text writes PKR before it)"),
        "months": _("the number of months"),
        "division": _("the division"),
        "position": _("the place on the waiting list"),
        "reason": _("the reason, as typed"),
        "ended_on": _("the day the seat ended"),
        "start_date": _("the day the seat started"),
        "planned_end": _("the day the subsidy ends"),
        "own_share": _("the freelancer's own share, digits only"),
        "fee": _("the monthly fee, digits only"),
        "freelancer": _("the freelancer's name"),
        "count": _("the number of months"),
        "grievance": _("the grievance's reference"),
        "ack_due": _("the day it is to be acknowledged by"),
        "total": _("the total claimed, digits only (the text writes PKR before it)"),
        "seats": _("the number of seats"),
        "month": _MONTH,
    },
    "spaces": {
        "company": _OPERATOR,
        "who": _("who made the change"),
        "fields": _("the details changed"),
        "person": _("the person's name"),
        "space": _SPACE,
        "reason": _REASON,
    },
}

# A notice's placeholder that means something else than its app's usual one.
PLACEHOLDERS_OF = {
    "grants.TO_OPERATOR_TRANCHE_VERIFIED": {"ref": _PAYMENT_REF},
    "grants.TO_OPERATOR_TRANCHE_PAID": {"ref": _PAYMENT_REF},
    "grants.TO_OPERATOR_CLAIM_APPROVED": {"ref": _PAYMENT_REF},
    "grants.TO_OFFICERS_REVIEWER_CONFLICT": {"reason": _("the reviewer's words, as typed")},
    "grants.TO_OPERATOR_TRANCHE_RETURNED": {"reason": _("the program officer's reason, as typed")},
    "grants.TO_BOARD_TERMINATION_PROPOSED": {"reason": _("the board chair's reason, as typed")},
    "grants.TO_OPERATOR_AWARD_TERMINATED": {"reason": _("the board chair's reason, as typed")},
    "grants.TO_OFFICERS_AWARD_TERMINATED": {
        "reason": _("the board chair's reason, as typed"),
        "amount": _("the budget released, in rupees"),
    },
    "grants.TO_OPERATOR_AWARD_COMPLETED": {"amount": _("the amount paid on the award, in rupees")},
    "loans.TO_FINANCE_RETURNED_AFTER_REPAYMENTS": {"ref": _PAYMENT_REF},
    "loans.TO_BORROWER_RESTRUCTURED": {"reason": _("the reason, as recorded")},
    "loans.TO_BORROWER_WRITTEN_OFF": {"reason": _("the board's reason, as recorded")},
    "vouchers.VOUCHER_LAPSED": {"reason": _("why it lapsed")},
    "vouchers.VOUCHER_ENDED": {"reason": _("why it ended, as the space recorded it")},
}

KINDS = {
    # grants: the operator's applications, awards, tranches and claims.
    "grants.TO_OPERATOR_INFORMATION_REQUESTED": Kind.INFORMATION_REQUEST,
    "grants.TO_OPERATOR_SCREENED_OUT": Kind.DECISION,
    "grants.TO_OPERATOR_SENT_TO_REVIEW": Kind.DECISION,
    "grants.TO_OPERATOR_APPROVED": Kind.DECISION,
    "grants.TO_OPERATOR_REJECTED": Kind.DECISION,
    "grants.TO_OPERATOR_DEFERRED": Kind.DECISION,
    "grants.TO_OPERATOR_TRANCHE_RETURNED": Kind.PAYMENT,
    "grants.TO_OPERATOR_TRANCHE_VERIFIED": Kind.PAYMENT,
    "grants.TO_OPERATOR_TRANCHE_PAID": Kind.PAYMENT,
    "grants.TO_OPERATOR_CLAIM_APPROVED": Kind.PAYMENT,
    "grants.TO_OPERATOR_CLAIM_REJECTED": Kind.DECISION,
    "grants.TO_OPERATOR_AWARD_TERMINATED": Kind.DECISION,
    "grants.TO_OPERATOR_AWARD_COMPLETED": Kind.DECISION,
    # loans: the borrower's money and the board's decisions on the loan.
    "loans.TO_BORROWER_DISBURSEMENT_REQUESTED": Kind.PAYMENT,
    "loans.TO_BORROWER_DISBURSED": Kind.PAYMENT,
    "loans.TO_BORROWER_REPAYMENT_RECEIVED": Kind.PAYMENT,
    "loans.TO_BORROWER_RESTRUCTURED": Kind.DECISION,
    "loans.TO_BORROWER_WRITTEN_OFF": Kind.DECISION,
    # integrity: visits to the operator's space; the decision on a filer's appeal.
    "integrity.VISIT_SCHEDULED_OPERATOR": Kind.VISIT,
    "integrity.VISIT_CANCELLED": Kind.VISIT,
    "integrity.VISIT_OUTCOME_FILED": Kind.VISIT,
    "integrity.GRIEVANCE_APPEAL_DECIDED": Kind.DECISION,
    # onewindow: the department's question stops its clock until the operator answers.
    "onewindow.REQUEST_INFO_REQUESTED": Kind.INFORMATION_REQUEST,
    "onewindow.REQUEST_ISSUED": Kind.DECISION,
    "onewindow.CERTIFICATE_CORRECTED": Kind.DECISION,
    "onewindow.REQUEST_REFUSED": Kind.DECISION,
    "onewindow.CERTIFICATE_EXPIRING": Kind.REMINDER,
    # vouchers: decisions on a freelancer's voucher, on a space's seat claim, and its payment.
    "vouchers.VOUCHER_APPROVED": Kind.DECISION,
    "vouchers.VOUCHER_WAITLISTED": Kind.DECISION,
    "vouchers.VOUCHER_OFFERED": Kind.DECISION,
    "vouchers.VOUCHER_REFUSED": Kind.DECISION,
    "vouchers.VOUCHER_LAPSED": Kind.DECISION,
    "vouchers.CLAIM_REJECTED_TO_OPERATOR": Kind.DECISION,
    "vouchers.CLAIM_APPROVED_TO_OPERATOR": Kind.PAYMENT,
    "vouchers.CLAIM_PAID_TO_OPERATOR": Kind.PAYMENT,
    # spaces: the program's decision on a space.
    "spaces.TO_MEMBERS_SPACE_ADMITTED": Kind.DECISION,
    "spaces.TO_MEMBERS_SPACE_DECLINED": Kind.DECISION,
}

TYPED = frozenset({"reason", "reasons", "question"})
