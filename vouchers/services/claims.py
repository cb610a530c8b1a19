"""Seat claims: each month an operator claims, per space, the subsidy of its voucher seats; an officer
verifies and approves; finance pays the operator through the one payment path (maker, checker, batch,
bank) and its hook marks the claim paid.

    seat_claim_submit(*, actor, round, space, month, fees=None) -> SeatClaim            -> submitted
        One line per voucher seat of the space subsidised in the month (started, not ended before
        it), prefilled from the vouchers; `fees` {voucher reference: fee charged} may lower a fee (a
        discount) but never raise it above the voucher's fee, and may not name a seat that was not
        active in the month (refused naming the seat). The month must be over. One claim per space
        and month (a rejected claim frees the month).
    seat_claim_verify / seat_claim_approve (asks finance to pay) / seat_claim_reject (with a reason)

subsidy per line = min(share × fee charged, cap) × days covered ÷ days in the month, half-up to the
paisa (vouchers.rules.seat_subsidy); the freelancer's share is the rest of the prorated fee.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import workflow
from core.money import parse_money

from .. import messages
from ..errors import ValidationFailed
from ..events import VoucherEvent as E
from ..models import (
    RoundSpace,
    SeatClaim,
    SeatClaimLine,
    SeatClaimState,
    VoucherRound,
)
from ..permissions import SEAT_CLAIMS
from ..rules import days_covered, month_end, month_start, seat_subsidy
from ..selectors import seats_in_month
from ._common import next_reference, officers, require_operator_member, tell

if TYPE_CHECKING:
    from accounts.models import User
    from finance.models import PaymentInstruction
    from spaces.models import Space

C = SeatClaimState
GONE = _("This seat claim no longer exists.")


def _month_label(month: dt.date) -> Any:
    return lambda: date_format(month, "F Y")


def claim_url(claim: SeatClaim, *, staff: bool = False) -> str:
    name = "vouchers_workbench:claim" if staff else "vouchers:claim"
    return reverse(name, kwargs={"reference": claim.reference})


def seat_claim_submit(
    *, actor: User, round: VoucherRound, space: Space, month: dt.date, fees: dict[str, Any] | None = None
) -> SeatClaim:
    """File one month's claim for a space. See the module docstring."""
    SEAT_CLAIMS.require(actor, "submit")
    require_operator_member(space, actor)
    month = month_start(month)
    if month >= month_start(timezone.localdate()):
        raise ValidationFailed(field_errors={"month": [_("A month is claimed once it is over.")]})
    fees = {str(key).strip(): value for key, value in (fees or {}).items()}
    with transaction.atomic():
        # The space's row in the round is the lock: two claims for the same month queue here.
        get_offer = RoundSpace.objects.select_for_update(of=("self",)).filter(round=round, space=space).first()
        if get_offer is None:
            raise ValidationFailed(_("%(space)s does not take part in this round.") % {"space": space.name})
        seats = seats_in_month(round, space, month)
        by_reference = {voucher.reference: voucher for voucher in seats}
        errors: list[str] = []
        for reference in fees:
            if reference not in by_reference:
                errors.append(
                    _(
                        "Seat %(reference)s was not active at %(space)s in %(month)s; "
                        "it cannot be claimed for that month."
                    )
                    % {"reference": reference, "space": space.name, "month": date_format(month, "F Y")}
                )
        if not seats:
            errors.append(
                _("No voucher seat of %(space)s was active in %(month)s.")
                % {"space": space.name, "month": date_format(month, "F Y")}
            )
        days_in_month = month_end(month).day
        lines = []
        for voucher in seats:
            fee: Decimal = voucher.monthly_fee
            if voucher.reference in fees:
                typed, problem = parse_money(
                    fees[voucher.reference],
                    _("the fee charged for %(ref)s") % {"ref": voucher.reference},
                    positive=True,
                )
                if typed is None:
                    errors.append(problem or "")
                    continue
                fee = typed
                if fee > voucher.monthly_fee:
                    errors.append(
                        _(
                            "Seat %(reference)s: the fee charged, PKR %(fee)s, is more than the seat's fee "
                            "in the round, PKR %(cap)s."
                        )
                        % {"reference": voucher.reference, "fee": f"{fee:,.2f}", "cap": f"{voucher.monthly_fee:,.2f}"}
                    )
                    continue
            covered = days_covered(voucher, month)
            subsidy, own_share = seat_subsidy(round, fee, covered, days_in_month)
            lines.append(
                SeatClaimLine(
                    voucher=voucher,
                    month=month,
                    fee_charged=fee,
                    days_covered=covered,
                    days_in_month=days_in_month,
                    subsidy=subsidy,
                    freelancer_share=own_share,
                )
            )
        already = set(
            SeatClaimLine.objects.filter(voucher__in=seats, month=month, live=True).values_list(
                "voucher__reference", flat=True
            )
        )
        for reference in sorted(already):
            errors.append(
                _("Seat %(reference)s is already claimed for %(month)s.")
                % {"reference": reference, "month": date_format(month, "F Y")}
            )
        if errors:
            raise ValidationFailed(" ".join(errors))
        now = timezone.now()
        claim = SeatClaim(
            reference=next_reference("SC", timezone.localdate(now).year),
            round=round,
            space=space,
            month=month,
            total=sum((line.subsidy for line in lines), Decimal("0")),
            submitted_by=actor,
            submitted_at=now,
        )
        try:
            with transaction.atomic():
                claim.save()
                for line in lines:
                    line.claim = claim
                SeatClaimLine.objects.bulk_create(lines)
        except IntegrityError:
            raise ValidationFailed(
                _("%(space)s has already claimed %(month)s in this round.")
                % {"space": space.name, "month": date_format(month, "F Y")}
            ) from None
        workflow.record(
            actor=actor,
            event=E.CLAIM_SUBMITTED,
            obj=claim,
            to_state=C.SUBMITTED,
            data={"total": str(claim.total), "seats": len(lines), "month": str(month)},
            at=now,
        )
        transaction.on_commit(
            lambda: tell(
                officers(),
                messages.CLAIM_SUBMITTED_TO_OFFICERS,
                claim_url(claim, staff=True),
                reference=claim.reference,
                space=space.name,
                total=f"{claim.total:,.2f}",
                seats=len(lines),
                month=_month_label(month),
            )
        )
    return claim


def _lock(claim: SeatClaim) -> SeatClaim:
    locked = workflow.lock(SeatClaim, claim.pk, gone=GONE)
    return SeatClaim.objects.select_related("space__operator", "round").get(pk=locked.pk)


def _tell_operator(claim: SeatClaim, notice: Any, **params: Any) -> None:
    tell(
        list(claim.space.operator.members.filter(is_active=True)),
        notice,
        claim_url(claim),
        reference=claim.reference,
        space=claim.space.name,
        month=_month_label(claim.month),
        total=f"{claim.total:,.2f}",
        **params,
    )


def seat_claim_verify(*, actor: User, claim: SeatClaim) -> SeatClaim:
    """The officer has checked the seats (the freelancers' answers are shown beside each line)."""
    with transaction.atomic():
        claim = _lock(claim)
        now = timezone.now()
        workflow.transition(
            claim,
            workflow.Step("verify", E.CLAIM_VERIFIED, kwargs={"by": actor, "at": now}),
            actor=actor,
            table=SEAT_CLAIMS,
            wrong_state=_("Only a submitted claim can be verified."),
        )
    return claim


def seat_claim_approve(*, actor: User, claim: SeatClaim) -> SeatClaim:
    """Approve a verified claim and ask finance to pay the space's operator (maker and checker follow;
    nobody who touched the claim may be its checker)."""
    from finance.services import payment_request

    with transaction.atomic():
        claim = _lock(claim)
        now = timezone.now()
        workflow.transition(
            claim,
            workflow.Step("approve", E.CLAIM_APPROVED, kwargs={"by": actor, "at": now}),
            actor=actor,
            table=SEAT_CLAIMS,
            wrong_state=_("Only a verified claim can be approved."),
        )
        payment_request(
            source=claim,
            payee=claim.space.operator,
            amount=claim.total,
            narration=f"Seat vouchers {claim.reference} {claim.month:%b %Y} {claim.space.code}"[:140],
            actor=actor,
            touched_by=[pk for pk in (claim.submitted_by_id, claim.verified_by_id, actor.pk) if pk],
            space=claim.space,
        )
        transaction.on_commit(lambda: _tell_operator(claim, messages.CLAIM_APPROVED_TO_OPERATOR))
    return claim


def seat_claim_reject(*, actor: User, claim: SeatClaim, reason: str) -> SeatClaim:
    """Reject a claim with the reason the operator reads; its month may be claimed again."""
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationFailed(field_errors={"reason": [_("Say why the claim is rejected: the operator reads it.")]})
    with transaction.atomic():
        claim = _lock(claim)
        workflow.transition(
            claim,
            workflow.Step("reject", E.CLAIM_REJECTED, kwargs={"reason": reason, "at": timezone.now()}, reason=reason),
            actor=actor,
            table=SEAT_CLAIMS,
            wrong_state=_("Only a submitted or verified claim can be rejected."),
        )
        SeatClaimLine.objects.filter(claim=claim).update(live=False)
        transaction.on_commit(lambda: _tell_operator(claim, messages.CLAIM_REJECTED_TO_OPERATOR, reason=reason))
    return claim


# --- finance's hook --------------------------------------------------------------------------------


def claim_payment_moved(instruction: PaymentInstruction, from_state: str, to_state: str) -> None:
    """Inside finance's transaction: a paid payment marks its claim paid; a paid payment the bank
    returns puts the claim back to approved, waiting for finance's retry."""
    claim = workflow.lock(SeatClaim, instruction.source_id, gone=GONE)
    if to_state == "paid" and claim.state == C.APPROVED:
        workflow.transition(
            claim,
            workflow.Step(
                "mark_paid",
                E.CLAIM_PAID,
                kwargs={"at": instruction.paid_at or timezone.now()},
                data={"payment": instruction.reference},
            ),
            actor="system",
            table=SEAT_CLAIMS,
        )
        claim = SeatClaim.objects.select_related("space__operator").get(pk=claim.pk)
        transaction.on_commit(lambda: _tell_operator(claim, messages.CLAIM_PAID_TO_OPERATOR))
    elif to_state == "failed" and from_state in ("paid", "reconciled") and claim.state == C.PAID:
        workflow.transition(
            claim,
            workflow.Step("payment_returned", E.CLAIM_PAYMENT_RETURNED, data={"payment": instruction.reference}),
            actor="system",
            table=SEAT_CLAIMS,
        )


def claim_payment_label(source_id: str) -> str:
    claim = SeatClaim.objects.filter(pk=source_id).select_related("space").first()
    if claim is None:
        return ""
    return _("Seat claim %(reference)s: %(space)s, %(month)s") % {
        "reference": claim.reference,
        "space": claim.space.name,
        "month": date_format(claim.month, "F Y"),
    }
