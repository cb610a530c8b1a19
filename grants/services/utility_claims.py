"""Paying awards (issue 5): utility claims. Conventions as in payments.py, whose helpers this module uses.

Utility claims
--------------
    utility_subsidy_for(program, eligible_amount) -> Decimal
        min(subsidy_share × eligible amount, monthly cap); the share's product is rounded half-up to
        the paisa before the cap is applied (the same rule as the enrolment's estimate).
    utility_claim_submit(*, connection, actor, disco, bill_reference, billing_month, units,
                         bill_amount, file) -> UtilityClaim                      -> submitted
        Operator staff, for a connection of an approved enrolment whose award is accepted. The
        DISCO and reference number must be the connection's; the billing month may not be in the
        future nor before the month of the enrolment decision; one bill (DISCO, reference, month) is
        claimed once (a rejected claim frees its bill: it may be filed again, e.g. with a readable
        scan).
    utility_claim_verify(*, claim, actor, eligible_amount=None, note="")   submitted -> verified
        The officer checks the bill; may lower the eligible amount (arrears, late-payment surcharge)
        with a note; the subsidy is worked out again.
    utility_claim_approve(*, claim, actor) -> UtilityClaim                 verified -> approved
        Refused when the award's remaining amount (award − paid − claims approved and not yet paid)
        is smaller than the subsidy, with the figures. Asks finance to pay for the connection's space.
    utility_claim_reject(*, claim, actor, reason)                          submitted | verified -> rejected
    utility_claim_pay_again(*, claim, actor)                               approved, payment cancelled

Finance's hooks (registered in GrantsConfig.ready):
    A payment that becomes `paid` marks its tranche or claim paid and adds the amount to the award
    (grants.award_money.award_record_payment: refused, and the payment with it, if it would overpay).
    A paid payment that fails (returned by the bank) takes it back and returns the tranche or claim
    to verified / approved, waiting for finance's retry.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, cast

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import show_date
from core.uploads import read_upload
from matches import gates as match_gates
from matches import messages as match_messages
from matches.services.checks import matches_check_claim

from .. import messages
from ..award_money import award_record_payment
from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from ..events import GrantsEvent
from ..models import (
    Application,
    Award,
    AwardState,
    Disco,
    Program,
    UtilityClaim,
    UtilityClaimState,
    UtilityConnection,
    bill_reference_length,
    is_applicant,
    remember_membership,
)
from ..money import parse_money, pkr, pkr_each
from ..selectors import people_who_touched
from ._common import (
    MAX_MONTHLY_BILL,
    _tell_officers,
    _tell_operator,
    refuse_repeated_upload,
)
from .budget import award_payment_refusal
from .payments import (
    MAX_UNITS,
    PAISA,
    _clean_text,
    _finance_actor,
    _move,
    _payment_cancelled,
    _record,
    _require_officer,
)

if TYPE_CHECKING:
    from accounts.models import User
    from finance.models import PaymentInstruction

# --- utility claims --------------------------------------------------------------------------------


def utility_subsidy_for(program: Program, eligible_amount: Decimal) -> Decimal:
    """min(share × eligible amount, monthly cap), the product rounded half-up to the paisa."""
    share = program.subsidy_share if program.subsidy_share is not None else Decimal("0")
    subsidy = (Decimal(eligible_amount) * share).quantize(PAISA, rounding=ROUND_HALF_UP)
    if program.monthly_cap is not None:
        subsidy = min(subsidy, program.monthly_cap)
    return subsidy


def month_label(month: dt.date) -> str:
    from django.utils.formats import date_format

    return date_format(month, "F Y")


def utility_claim_submit(
    *,
    connection: UtilityConnection,
    actor: "User",
    disco: str,
    bill_reference: str,
    billing_month: dt.date,
    units: int,
    bill_amount: Decimal | str,
    file: Any,
) -> UtilityClaim:
    """An operator claims one month's bill of an enrolled connection. See the module docstring."""
    stored = None
    with transaction.atomic():
        # The enrolment row is the lock: two claims of the same enrolment queue here, and the second
        # sees the first's bill (the unique constraint is the backstop).
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("operator", "call__program")
            .get(pk=connection.application_id)
        )
        connection = UtilityConnection.objects.select_related("space").get(pk=connection.pk)
        if not is_applicant(application, actor):
            raise PermissionDenied(
                _("Only staff of %(operator)s may claim for this connection.") % {"operator": application.operator}
            )
        award = Award.objects.filter(application=application).first()
        if application.state != Application.State.APPROVED or award is None or award.state != AwardState.ACCEPTED:
            raise InvalidTransition(
                _("Enrolment %(ref)s has no accepted award yet: claims can be filed once the award is accepted.")
                % {"ref": application.reference}
            )
        program = application.call.program
        errors: dict = {}
        if disco != connection.disco:
            errors["disco"] = [
                _("This connection is with %(disco)s; a bill of another company cannot be claimed on it.")
                % {"disco": connection.get_disco_display()}
            ]
        reference = str(bill_reference or "").replace(" ", "").replace("-", "").strip()
        length = bill_reference_length(disco if disco in Disco.values else connection.disco)
        if not (reference.isascii() and reference.isdigit()) or len(reference) != length:
            errors["bill_reference"] = [
                _("The %(disco)s reference number is %(length)s digits, with nothing else.")
                % {"disco": disco if disco in Disco.values else connection.disco, "length": length}
            ]
        elif reference != connection.bill_reference:
            errors["bill_reference"] = [
                _("The enrolled connection's reference number is %(enrolled)s; this bill is for %(given)s.")
                % {"enrolled": connection.bill_reference, "given": reference}
            ]
        month = None
        if not isinstance(billing_month, dt.date) or isinstance(billing_month, dt.datetime):
            errors["billing_month"] = [_("Enter the billing month.")]
        else:
            month = billing_month.replace(day=1)
            this_month = timezone.localdate().replace(day=1)
            decided = timezone.localtime(application.decided_at).date().replace(day=1)
            if month > this_month:
                errors["billing_month"] = [
                    _("%(month)s is in the future: a bill can be claimed once it is issued.")
                    % {"month": month_label(month)}
                ]
            elif month < decided:
                errors["billing_month"] = [
                    _("%(month)s is before the enrolment was approved (%(decided)s); bills from then are not covered.")
                    % {"month": month_label(month), "decided": month_label(decided)}
                ]
        if isinstance(units, bool) or not isinstance(units, int) or not 0 < units <= MAX_UNITS:
            errors["units"] = [_("Enter the units billed, a whole number of kWh above zero.")]
        amount, problem = parse_money(bill_amount, _("the bill amount"))
        amount = cast(Decimal, amount)  # None only with a problem, which is refused below
        if problem:
            errors["bill_amount"] = [problem]
        elif amount <= 0:
            errors["bill_amount"] = [_("The bill amount must be more than zero.")]
        elif amount > MAX_MONTHLY_BILL:
            errors["bill_amount"] = [
                _("A bill of %(bill)s is not plausible for a coworking space.") % {"bill": pkr(amount)}
            ]
        if errors:
            raise ValidationFailed(field_errors=errors)
        month = cast(dt.date, month)  # None only with a billing_month error, refused above
        duplicate = (
            UtilityClaim.objects.filter(disco=disco, bill_reference=reference, billing_month=month)
            .exclude(state=UtilityClaimState.REJECTED)
            .first()
        )
        if duplicate is not None:
            raise ValidationFailed(
                _(
                    "The %(disco)s bill %(reference)s for %(month)s is already claimed (filed on %(when)s, "
                    "%(state)s); a bill is claimed once."
                )
                % {
                    "disco": disco,
                    "reference": reference,
                    "month": month_label(month),
                    "when": show_date(duplicate.submitted_at),
                    "state": duplicate.get_state_display().lower(),
                }
            )
        columns = read_upload(file, "file")
        refuse_repeated_upload(application, columns, "file")
        subsidy = utility_subsidy_for(program, amount)
        claim = UtilityClaim(
            connection=connection,
            disco=disco,
            bill_reference=reference,
            billing_month=month,
            units=units,
            bill_amount=amount,
            eligible_amount=amount,
            subsidy_amount=subsidy,
            submitted_by=actor,
            submitted_at=timezone.now(),
            **columns,
        )
        claim.file.save(columns["original_filename"], file, save=False)
        stored = (claim.file.storage, claim.file.name)
        try:
            with transaction.atomic():
                claim.save()
        except IntegrityError:
            stored[0].delete(stored[1])
            raise ValidationFailed(
                _("The %(disco)s bill %(reference)s for %(month)s was claimed a moment ago; a bill is claimed once.")
                % {"disco": disco, "reference": reference, "month": month_label(month)}
            ) from None
        try:
            _record(
                application,
                actor,
                GrantsEvent.CLAIM_SUBMIT,
                to_state=claim.state,
                data={
                    "claim": claim.pk,
                    "bill": str(claim),
                    "bill_amount": str(amount),
                    "subsidy": str(subsidy),
                    "sha256": columns["sha256"],
                },
            )
            # Duplicate checks (issue #20): the bill file, the same figures in another month, the
            # connection enrolled elsewhere; an open match holds the verification (below).
            matches_check_claim(claim=claim, actor=actor)
            _tell_officers(
                application,
                messages.TO_OFFICERS_CLAIM_TO_VERIFY,
                claim=str(claim),
                operator=str(application.operator),
                subsidy=pkr_each(subsidy),
                bill=pkr_each(amount),
                month=lambda: month_label(month),
                space=connection.space.name,
            )
        except Exception:
            stored[0].delete(stored[1])
            raise
    return claim


def _lock_claim(claim: UtilityClaim) -> UtilityClaim:
    try:
        locked = (
            UtilityClaim.objects.select_for_update(of=("self",))
            .select_related(
                "connection__space", "connection__application__operator", "connection__application__call__program"
            )
            .get(pk=claim.pk)
        )
    except UtilityClaim.DoesNotExist:
        raise InvalidTransition(_("This claim no longer exists.")) from None
    remember_membership(locked.connection.application)
    return locked


def _claim_state_refusal(claim: UtilityClaim) -> InvalidTransition:
    return InvalidTransition(
        _("The claim for %(bill)s is %(state)s, so this cannot be done now.")
        % {"bill": claim, "state": claim.get_state_display().lower()}
    )


def utility_claim_verify(
    *, claim: UtilityClaim, actor: "User", eligible_amount: Decimal | str | None = None, note: str = ""
) -> UtilityClaim:
    """The officer has checked the bill (submitted -> verified); the subsidy is worked out again on
    the eligible amount (the bill, or less with a note saying why)."""
    with transaction.atomic():
        claim = _lock_claim(claim)
        application = claim.connection.application
        _require_officer(application, actor, _("verify utility claims"))
        if claim.state != UtilityClaimState.SUBMITTED:
            raise _claim_state_refusal(claim)
        match_gates.refuse_while_matched([application.operator_id], action=match_messages.VERIFY_CLAIM)
        eligible = claim.bill_amount
        if eligible_amount not in (None, ""):
            parsed, problem = parse_money(eligible_amount, _("the eligible amount"))
            if problem:
                raise ValidationFailed(field_errors={"eligible_amount": [problem]})
            eligible = cast(Decimal, parsed)  # no problem: parse_money gave the amount
            if not 0 < eligible <= claim.bill_amount:
                raise ValidationFailed(
                    field_errors={
                        "eligible_amount": [
                            _("The eligible amount is more than zero and at most the bill, %(bill)s.")
                            % {"bill": pkr(claim.bill_amount)}
                        ]
                    }
                )
        note = _clean_text(note, _("a note"), "note", required=eligible != claim.bill_amount)
        subsidy = utility_subsidy_for(application.call.program, eligible)
        _move(
            claim,
            "verify",
            GrantsEvent.CLAIM_VERIFY,
            actor,
            application=application,
            reason=note,
            data={"claim": claim.pk, "bill": str(claim), "eligible": str(eligible), "subsidy": str(subsidy)},
            kwargs=dict(by=actor, at=timezone.now(), eligible_amount=eligible, subsidy_amount=subsidy, note=note),
        )
    return claim


def _request_claim_payment(claim: UtilityClaim, award: Award, actor: "User") -> "PaymentInstruction":
    from finance.services import payment_request

    application = claim.connection.application
    return payment_request(
        source=claim,
        payee=application.operator,
        amount=claim.subsidy_amount,
        narration=(
            _("Power subsidy %(sanction)s %(disco)s %(month)s")
            % {"sanction": award.sanction_number, "disco": claim.disco, "month": claim.billing_month.strftime("%b %Y")}
        )[:140],
        actor=actor,
        touched_by=people_who_touched(application) | {actor.pk},
        application=application,
        space=claim.connection.space,
    )


def utility_claim_pay_again(*, claim: UtilityClaim, actor: "User") -> UtilityClaim:
    """After finance cancelled the payment of an approved claim, the officer asks for it again."""
    with transaction.atomic():
        claim = _lock_claim(claim)
        application = claim.connection.application
        _require_officer(application, actor, _("ask finance to pay"))
        if claim.state != UtilityClaimState.APPROVED or not _payment_cancelled(claim):
            raise InvalidTransition(
                _("The claim for %(bill)s has no cancelled payment to ask for again.") % {"bill": claim}
            )
        award = Award.objects.select_for_update().get(application=application)
        refusal = award_payment_refusal(award, claim.subsidy_amount)
        if refusal is not None:
            raise refusal
        instruction = _request_claim_payment(claim, award, actor)
        _record(
            application,
            actor,
            GrantsEvent.CLAIM_PAY_AGAIN,
            from_state=claim.state,
            to_state=claim.state,
            data={"claim": claim.pk, "payment": instruction.reference},
        )
    return claim


def utility_claim_approve(*, claim: UtilityClaim, actor: "User") -> UtilityClaim:
    """verified -> approved, and finance is asked to pay the subsidy for the connection's space."""
    with transaction.atomic():
        claim = _lock_claim(claim)
        connection = claim.connection
        application = connection.application
        _require_officer(application, actor, _("approve utility claims"))
        if claim.state != UtilityClaimState.VERIFIED:
            raise _claim_state_refusal(claim)
        # The award row is the lock for its remaining amount: approvals of the same enrolment queue.
        award = Award.objects.select_for_update().get(application=application)
        waiting = UtilityClaim.objects.filter(
            connection__application=application, state=UtilityClaimState.APPROVED
        ).aggregate(total=Sum("subsidy_amount"))["total"] or Decimal("0")
        remaining = award.amount - award.paid - waiting
        if claim.subsidy_amount > remaining:
            raise ValidationFailed(
                _(
                    "Award %(sanction)s has %(remaining)s left (%(amount)s awarded, %(paid)s paid, %(waiting)s "
                    "approved and waiting for payment); this claim's subsidy of %(subsidy)s does not fit."
                )
                % {
                    "sanction": award.sanction_number,
                    "remaining": pkr(remaining),
                    "amount": pkr(award.amount),
                    "paid": pkr(award.paid),
                    "waiting": pkr(waiting),
                    "subsidy": pkr(claim.subsidy_amount),
                }
            )
        # Issue #22: never for an ended award, and only within what is committed (after a lapse at
        # year end the officer re-commits first).
        refusal = award_payment_refusal(award, claim.subsidy_amount)
        if refusal is not None:
            raise refusal
        _move(
            claim,
            "approve",
            GrantsEvent.CLAIM_APPROVE,
            actor,
            application=application,
            data={"claim": claim.pk, "bill": str(claim), "subsidy": str(claim.subsidy_amount)},
            kwargs=dict(by=actor, at=timezone.now()),
        )
        instruction = _request_claim_payment(claim, award, actor)
        _tell_operator(
            application,
            *messages.TO_OPERATOR_CLAIM_APPROVED.render(
                bill=str(claim),
                month=lambda: month_label(claim.billing_month),
                subsidy=pkr_each(claim.subsidy_amount),
                ref=instruction.reference,
            ),
        )
    return claim


def utility_claim_reject(*, claim: UtilityClaim, actor: "User", reason: str) -> UtilityClaim:
    """submitted | verified -> rejected, with the reason the operator reads. The bill may be filed again."""
    with transaction.atomic():
        claim = _lock_claim(claim)
        application = claim.connection.application
        _require_officer(application, actor, _("reject utility claims"))
        if claim.state not in (UtilityClaimState.SUBMITTED, UtilityClaimState.VERIFIED):
            raise _claim_state_refusal(claim)
        reason = _clean_text(reason, _("why the claim is rejected"), "reason")
        _move(
            claim,
            "reject",
            GrantsEvent.CLAIM_REJECT,
            actor,
            application=application,
            reason=reason,
            data={"claim": claim.pk, "bill": str(claim)},
            kwargs=dict(by=actor, at=timezone.now(), reason=reason),
        )
        _tell_operator(
            application,
            *messages.TO_OPERATOR_CLAIM_REJECTED.render(
                bill=str(claim), month=lambda: month_label(claim.billing_month), reason=reason
            ),
        )
    return claim


def claim_payment_moved(instruction: "PaymentInstruction", from_state: str, to_state: str) -> None:
    """Registered for "grants.utilityclaim": runs inside the transaction that moved the payment."""
    if to_state == "paid" or (from_state == "paid" and to_state == "failed"):
        claim = _lock_claim(UtilityClaim(pk=int(instruction.source_id)))
        application = claim.connection.application
        award = Award.objects.get(application=application)
        if to_state == "paid":
            if claim.state != UtilityClaimState.APPROVED:
                raise InvalidTransition(_("The claim for %(bill)s is not waiting for payment.") % {"bill": claim})
            award_record_payment(award=award, amount=instruction.amount)
            name, event, kwargs = "mark_paid", GrantsEvent.CLAIM_PAID, {"at": timezone.now()}
        else:
            if claim.state != UtilityClaimState.PAID:
                return
            award_record_payment(award=award, amount=-instruction.amount)
            name, event, kwargs = "payment_returned", GrantsEvent.CLAIM_PAYMENT_RETURNED, {}
        _move(
            claim,
            name,
            event,
            _finance_actor(instruction),
            application=application,
            data={"claim": claim.pk, "payment": instruction.reference, "amount": str(instruction.amount)},
            kwargs=kwargs,
        )
