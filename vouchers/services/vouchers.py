"""Freelancers and their seat vouchers: the profile, applying, the officer's decisions (in bulk, with the
waiting list), the operator's start and end, lapses and completions, the monthly "I used this seat"
and a report of being overcharged.

Rules (each refusal says which): age on the round's day, domicile and student status as the round
says; the CNIC and a proof of freelancing on file; one voucher per person across the network (checked,
and held by the database's partial unique constraint on the CNIC digest); the division's quota and
the space's voucher seats never over-given, even under concurrent approvals (the quota row and the
space's row are locked, in that order); a seat cannot start before its approval, after the round's
last start date or in the future. Every state change goes through core.workflow.transition with the
VOUCHERS table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import workflow
from core.calendar import add_working_days, working_days_between
from core.dates import show_date
from core.money import percent
from core.uploads import read_upload
from spaces.geography import place_label

from .. import messages
from ..errors import InvalidTransition, PermissionDenied, ValidationFailed
from ..events import VoucherEvent as E
from ..models import (
    DivisionQuota,
    EndReason,
    Freelancer,
    Gender,
    Province,
    RoundSpace,
    SeatConfirmation,
    Voucher,
    VoucherDocument,
    VoucherRound,
    VoucherState,
)
from ..permissions import VOUCHERS
from ..rules import (
    decision_checks,
    holds_another,
    month_start,
    person_checks,
    places_used,
    planned_end,
    rules_failed,
    seat_checks,
    seat_subsidy,
    seats_taken,
    waiting_line,
    waiting_position,
)
from ._common import (
    GONE,
    cnic_digest,
    cnic_masked,
    day,
    next_reference,
    officers,
    require_holder,
    require_operator_member,
    tell,
    voucher_staff_url,
    voucher_url,
)

if TYPE_CHECKING:
    from accounts.models import User

V = VoucherState
FLAG_AFTER_NO_ANSWERS = 2


def _lock(voucher: Voucher) -> Voucher:
    return workflow.lock(Voucher, voucher.pk, gone=GONE)


def _load(voucher: Voucher) -> Voucher:
    return Voucher.objects.select_related("round", "freelancer__user", "offer", "space__operator").get(pk=voucher.pk)


def _text(value: object, field: str, message: str, limit: int = 2000) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationFailed(field_errors={field: [message]})
    if len(text) > limit:
        raise ValidationFailed(field_errors={field: [_("Keep it under %(limit)s characters.") % {"limit": limit}]})
    return text


# --- the freelancer's profile and documents ----------------------------------------------------------


def freelancer_profile_save(
    *,
    actor: User,
    cnic: str,
    date_of_birth: dt.date,
    gender: str,
    domicile: str,
    district: str = "",
    skills: str,
    marketplace_url: str = "",
    registration_number: str = "",
    is_student: bool = False,
) -> Freelancer:
    """Create or change the signed-in freelancer's profile. The CNIC is checked, then kept only as its
    keyed digest and masked form; it cannot change once a voucher was asked for with it, and one CNIC
    has one profile."""
    if not VOUCHERS.role_allows(actor, "apply"):
        raise PermissionDenied(VOUCHERS.rule("apply").refusal)
    errors: dict[str, list[Any]] = {}
    try:
        digest, masked = cnic_digest(cnic), cnic_masked(cnic)
    except ValidationError as error:
        errors["cnic"] = list(error.messages)
        digest = masked = ""
    today = timezone.localdate()
    if not isinstance(date_of_birth, dt.date) or date_of_birth >= today:
        errors["date_of_birth"] = [_("Enter your date of birth, in the past.")]
    elif date_of_birth.year < today.year - 100:
        errors["date_of_birth"] = [_("Check the year of your date of birth.")]
    if gender not in Gender.values:
        errors["gender"] = [_("Choose one.")]
    if domicile not in Province.values:
        errors["domicile"] = [_("Choose the province of your domicile.")]
    skills = str(skills or "").strip()
    if not skills:
        errors["skills"] = [_("Say what work you do, e.g. web development, translation, design.")]
    if errors:
        raise ValidationFailed(field_errors=errors)
    with transaction.atomic():
        profile = Freelancer.objects.select_for_update().filter(user=actor).first()
        if profile is not None and profile.cnic_digest != digest and profile.vouchers.exists():
            raise ValidationFailed(
                field_errors={"cnic": [_("The CNIC cannot be changed after a voucher was asked for with it.")]}
            )
        if Freelancer.objects.filter(cnic_digest=digest).exclude(user=actor).exists():
            raise ValidationFailed(
                field_errors={
                    "cnic": [
                        _(
                            "This CNIC is already registered to another account. One person has one account: "
                            "sign in with that one, or ask the helpdesk."
                        )
                    ]
                }
            )
        created = profile is None
        profile = profile or Freelancer(user=actor)
        profile.cnic_digest, profile.cnic_masked = digest, masked
        profile.date_of_birth, profile.gender, profile.domicile = date_of_birth, gender, domicile
        profile.district = district if domicile == Province.PUNJAB else ""
        profile.skills = skills[:300]
        profile.marketplace_url = str(marketplace_url or "").strip()
        profile.registration_number = str(registration_number or "").strip()[:40]
        profile.is_student = bool(is_student)
        profile.updated_at = timezone.now()
        try:
            with transaction.atomic():
                profile.save()
        except IntegrityError:
            raise ValidationFailed(
                field_errors={"cnic": [_("This CNIC is already registered to another account.")]}
            ) from None
        workflow.record(
            actor=actor,
            event=E.PROFILE_SAVED,
            obj=profile,
            data={"created": created, "fields": ["cnic", "date_of_birth", "gender", "domicile", "district", "skills"]},
        )
    return profile


def freelancer_document_add(*, actor: User, kind: str, file: Any) -> VoucherDocument:
    """Store one of the freelancer's documents privately, through the one upload check."""
    profile = Freelancer.objects.filter(user=actor).first()
    if profile is None:
        raise ValidationFailed(_("Fill in your profile first."))
    if kind not in VoucherDocument.Kind.values:
        raise ValidationFailed(field_errors={"kind": [_("Choose which document this is.")]})
    columns = read_upload(file, "file")
    with transaction.atomic():
        document = VoucherDocument(freelancer=profile, kind=kind, uploaded_at=timezone.now(), **columns)
        document.file.save(columns["original_filename"], file, save=False)
        document.save()
        workflow.record(
            actor=actor, event=E.DOCUMENT_ADDED, obj=profile, data={"kind": kind, "sha256": columns["sha256"]}
        )
    return document


# --- applying -------------------------------------------------------------------------------------------


def voucher_apply(*, actor: User, round: VoucherRound, offer: RoundSpace, seat_type: str) -> Voucher:
    """A freelancer asks for a voucher at a space of an open round. Refused, with the rule, when the
    round is closed, the person is outside its ages or domiciles, a document is missing, the seat is
    not offered, the space has no voucher seat free, or the person already holds a voucher anywhere."""
    VOUCHERS.require(actor, "apply")
    profile = Freelancer.objects.filter(user=actor).first()
    if profile is None:
        raise ValidationFailed(_("Fill in your profile before you apply."))
    if not round.is_open():
        raise ValidationFailed(_("The round “%(round)s” is not open for applications.") % {"round": round.title})
    if offer.round_id != round.pk:
        raise ValidationFailed(field_errors={"offer": [_("Choose a space that takes part in this round.")]})
    failed = rules_failed(person_checks(profile, round)) + rules_failed(seat_checks(round, offer, seat_type))
    if failed:
        raise ValidationFailed(_("You cannot apply yet: %(rules)s") % {"rules": " ".join(c.message for c in failed)})
    with transaction.atomic():
        offer = RoundSpace.objects.select_for_update().select_related("space").get(pk=offer.pk)
        if seats_taken(offer) >= offer.seats:
            raise ValidationFailed(
                field_errors={
                    "offer": [
                        _("%(space)s has no voucher seat free in this round; choose another space.")
                        % {"space": offer.space.name}
                    ]
                }
            )
        other = holds_another(profile)
        if other is not None:
            raise ValidationFailed(
                _("One voucher per person: your CNIC already holds %(reference)s at %(space)s.")
                % {
                    "reference": other.reference,
                    "space": other.space.name,
                }
            )
        now = timezone.now()
        voucher = Voucher(
            reference=next_reference("SV", timezone.localdate(now).year),
            round=round,
            freelancer=profile,
            offer=offer,
            space=offer.space,
            division=offer.space.division,
            seat_type=seat_type,
            monthly_fee=offer.fee_for(seat_type),
            cnic_digest=profile.cnic_digest,
            applied_at=now,
        )
        try:
            with transaction.atomic():
                voucher.save()
        except IntegrityError:
            raise ValidationFailed(_("One voucher per person: your CNIC already holds a voucher.")) from None
        workflow.record(actor=actor, event=E.APPLIED, obj=voucher, to_state=V.APPLIED, at=now)
    return voucher


def voucher_withdraw(*, actor: User, voucher: Voucher) -> Voucher:
    """The freelancer gives up a voucher before its seat starts; an approved one frees its place."""
    with transaction.atomic():
        voucher = _lock(voucher)
        was = voucher.state
        workflow.transition(
            voucher,
            workflow.Step("withdraw", E.WITHDRAWN, kwargs={"at": timezone.now()}),
            actor=actor,
            table=VOUCHERS,
            guard=require_holder,
            wrong_state=_("Only a voucher whose seat has not started can be withdrawn."),
        )
        if was == V.APPROVED:
            _offer_next(voucher.round, voucher.division)
    return voucher


# --- the officer --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    voucher: Voucher
    outcome: str  # "approved", "waitlisted" or "refused" (not decided: the reason says why)
    message: str


def _start_by(voucher: Voucher, today: dt.date) -> dt.date:
    return min(add_working_days(today, voucher.round.start_within_working_days), voucher.round.last_start_date)


def _lock_places(voucher: Voucher) -> tuple[DivisionQuota | None, RoundSpace]:
    """Lock the division's quota row, then the space's row (always in that order: no deadlock)."""
    quota = DivisionQuota.objects.select_for_update().filter(round=voucher.round_id, division=voucher.division).first()
    offer = RoundSpace.objects.select_for_update().get(pk=voucher.offer_id)
    return quota, offer


def _has_place(voucher: Voucher, quota: DivisionQuota | None, offer: RoundSpace) -> bool:
    return (
        quota is not None
        and places_used(voucher.round, voucher.division) < quota.vouchers
        and seats_taken(offer) < offer.seats
    )


def voucher_approve(*, actor: User, voucher: Voucher) -> Decision:
    """Approve one applied voucher, or put it on the waiting list when its division's quota or the
    space's voucher seats are all given. Refused while a rule about the person fails."""
    with transaction.atomic():
        voucher = _lock(voucher)
        voucher = _load(voucher)
        VOUCHERS.require(actor, "approve")
        failed = rules_failed(
            decision_checks(voucher), "age", "domicile", "student", "cnic_document", "proof", "one_per_person"
        )
        if failed and voucher.state == V.APPLIED:
            raise ValidationFailed(" ".join(check.message for check in failed))
        quota, offer = _lock_places(voucher)
        now = timezone.now()
        if _has_place(voucher, quota, offer):
            start_by = _start_by(voucher, timezone.localdate(now))
            workflow.transition(
                voucher,
                workflow.Step(
                    "approve",
                    E.APPROVED,
                    kwargs={"at": now, "start_by": start_by, "by": actor},
                    data={"start_by": str(start_by)},
                ),
                actor=actor,
                table=VOUCHERS,
                wrong_state=_("Only an applied voucher can be approved."),
            )
            transaction.on_commit(lambda: _tell_approved(voucher, messages.VOUCHER_APPROVED))
            return Decision(voucher, "approved", _("%(reference)s approved.") % {"reference": voucher.reference})
        workflow.transition(
            voucher,
            workflow.Step("waitlist", E.WAITLISTED, kwargs={"at": now, "by": actor}),
            actor=actor,
            table=VOUCHERS,
            wrong_state=_("Only an applied voucher can be approved."),
        )
        position = waiting_position(voucher)
        transaction.on_commit(
            lambda: tell(
                [voucher.freelancer.user],
                messages.VOUCHER_WAITLISTED,
                voucher_url(voucher),
                reference=voucher.reference,
                division=lambda: str(place_label(voucher.division)),
                space=voucher.space.name,
                position=position,
            )
        )
        return Decision(
            voucher,
            "waitlisted",
            _("%(reference)s: no place left, so it is number %(position)s on the waiting list.")
            % {"reference": voucher.reference, "position": position},
        )


def vouchers_approve(*, actor: User, vouchers: list[Voucher]) -> list[Decision]:
    """Approve many from the queue, oldest application first; each is its own transaction, so one that
    a rule stops does not stop the others. Returns what happened to each."""
    decisions = []
    for voucher in sorted(vouchers, key=lambda v: (v.applied_at, v.pk)):
        try:
            decisions.append(voucher_approve(actor=actor, voucher=voucher))
        except (ValidationFailed, InvalidTransition, PermissionDenied) as error:
            decisions.append(Decision(voucher, "refused", f"{voucher.reference}: {error}"))
    return decisions


def voucher_refuse(*, actor: User, voucher: Voucher, reason: str) -> Voucher:
    """Refuse an applied or waiting voucher with the reason the freelancer reads."""
    reason = _text(reason, "reason", _("Say why the voucher is refused: the freelancer reads it."))
    with transaction.atomic():
        voucher = _lock(voucher)
        now = timezone.now()
        workflow.transition(
            voucher,
            workflow.Step("refuse", E.REFUSED, kwargs={"at": now, "reason": reason, "by": actor}, reason=reason),
            actor=actor,
            table=VOUCHERS,
            wrong_state=_("Only an applied or waiting voucher can be refused."),
        )
        voucher = _load(voucher)
        transaction.on_commit(
            lambda: tell(
                [voucher.freelancer.user],
                messages.VOUCHER_REFUSED,
                voucher_url(voucher),
                reference=voucher.reference,
                space=voucher.space.name,
                reason=reason,
            )
        )
    return voucher


def voucher_offer(*, actor: User | None, voucher: Voucher) -> Voucher:
    """Approve a waiting voucher when a place is free (the system, in order, or an officer)."""
    with transaction.atomic():
        voucher = _load(_lock(voucher))
        quota, offer = _lock_places(voucher)
        if voucher.state == V.WAITLISTED and not _has_place(voucher, quota, offer):
            raise InvalidTransition(
                _("No place is free in %(division)s or at %(space)s yet.")
                % {"division": place_label(voucher.division), "space": voucher.space.name}
            )
        now = timezone.now()
        start_by = _start_by(voucher, timezone.localdate(now))
        workflow.transition(
            voucher,
            workflow.Step(
                "offer_place", E.OFFERED, kwargs={"at": now, "start_by": start_by}, data={"start_by": str(start_by)}
            ),
            actor=actor or "system",
            table=VOUCHERS,
            wrong_state=_("Only a voucher on the waiting list can be offered."),
        )
        transaction.on_commit(lambda: _tell_approved(voucher, messages.VOUCHER_OFFERED))
    return voucher


def _offer_next(round_: VoucherRound, division: str) -> Voucher | None:
    """Offer the freed place to the first on the division's waiting list whose space has a seat free."""
    quota = DivisionQuota.objects.select_for_update().filter(round=round_, division=division).first()
    if quota is None or places_used(round_, division) >= quota.vouchers:
        return None
    for waiting in waiting_line(round_, division).select_related("offer"):
        if seats_taken(waiting.offer) < waiting.offer.seats:
            return voucher_offer(actor=None, voucher=waiting)
    return None


def _tell_approved(voucher: Voucher, notice: Any) -> None:
    round_ = voucher.round
    tell(
        [voucher.freelancer.user],
        notice,
        voucher_url(voucher),
        reference=voucher.reference,
        seat_type=lambda: str(voucher.get_seat_type_display()),
        space=voucher.space.name,
        start_by=day(voucher.start_by),
        share=percent(round_.subsidy_share * 100),
        cap=f"{round_.monthly_cap:,.0f}",
        months=round_.months,
    )
    tell(
        list(voucher.space.operator.members.filter(is_active=True)),
        messages.NEW_VOUCHER_TO_OPERATOR,
        voucher_url(voucher),
        reference=voucher.reference,
        freelancer=str(voucher.freelancer),
        seat_type=lambda: str(voucher.get_seat_type_display()),
        space=voucher.space.name,
        start_by=day(voucher.start_by),
    )


# --- the operator ------------------------------------------------------------------------------------------


def _space_guard(voucher: Voucher, actor: Any) -> None:
    require_operator_member(voucher.space, actor)


def voucher_start(*, actor: User, voucher: Voucher, start_date: dt.date) -> Voucher:
    """The operator records the day the freelancer took the seat: not before the approval, not after
    the round's last start date, not in the future."""
    with transaction.atomic():
        voucher = _load(_lock(voucher))
        today = timezone.localdate()
        approved_on = timezone.localdate(voucher.approved_at) if voucher.approved_at else None
        errors = []
        if not isinstance(start_date, dt.date):
            errors.append(_("Enter the day the seat started."))
        elif start_date > today:
            errors.append(_("The start date cannot be in the future."))
        elif approved_on and start_date < approved_on:
            errors.append(
                _("A seat cannot start before the voucher's approval on %(day)s.") % {"day": show_date(approved_on)}
            )
        elif start_date > voucher.round.last_start_date:
            errors.append(
                _("The round's last start date was %(day)s; the voucher cannot start after it.")
                % {"day": show_date(voucher.round.last_start_date)}
            )
        if errors and voucher.state == V.APPROVED and voucher.space.operator.members.filter(pk=actor.pk).exists():
            raise ValidationFailed(field_errors={"start_date": errors})
        end = planned_end(voucher.round, start_date) if isinstance(start_date, dt.date) else None
        workflow.transition(
            voucher,
            workflow.Step(
                "start",
                E.STARTED,
                kwargs={"start_date": start_date, "planned_end": end},
                data={"start_date": str(start_date), "planned_end": str(end)},
            ),
            actor=actor,
            table=VOUCHERS,
            guard=_space_guard,
            wrong_state=_("Only an approved voucher's seat can start."),
        )
        subsidy, own_share = seat_subsidy(voucher.round, voucher.monthly_fee, 30, 30)
        transaction.on_commit(
            lambda: tell(
                [voucher.freelancer.user],
                messages.VOUCHER_STARTED_TO_FREELANCER,
                voucher_url(voucher),
                space=voucher.space.name,
                start_date=day(start_date),
                planned_end=day(end),
                own_share=f"{own_share:,.2f}",
                fee=f"{voucher.monthly_fee:,.2f}",
            )
        )
    return voucher


def voucher_end(*, actor: User, voucher: Voucher, ended_on: dt.date, reason: str, note: str = "") -> Voucher:
    """The operator records that an active seat ended early, with the reason the freelancer reads."""
    if reason not in EndReason.values:
        raise ValidationFailed(field_errors={"reason": [_("Choose why the seat ended.")]})
    note = str(note or "").strip()
    if reason == EndReason.OTHER and not note:
        raise ValidationFailed(field_errors={"note": [_("Say why the seat ended.")]})
    with transaction.atomic():
        voucher = _load(_lock(voucher))
        if voucher.state == V.ACTIVE and isinstance(ended_on, dt.date):
            if ended_on > timezone.localdate():
                raise ValidationFailed(field_errors={"ended_on": [_("The end date cannot be in the future.")]})
            if voucher.start_date and ended_on < voucher.start_date:
                raise ValidationFailed(
                    field_errors={
                        "ended_on": [
                            _("A seat cannot end before it started (%(day)s).") % {"day": show_date(voucher.start_date)}
                        ]
                    }
                )
        workflow.transition(
            voucher,
            workflow.Step(
                "end",
                E.ENDED,
                kwargs={"ended_on": ended_on, "reason": reason, "note": note, "at": timezone.now()},
                reason=note,
                data={"ended_on": str(ended_on), "reason": reason},
            ),
            actor=actor,
            table=VOUCHERS,
            guard=_space_guard,
            wrong_state=_("Only an active seat can be ended."),
        )
        transaction.on_commit(
            lambda: tell(
                [voucher.freelancer.user],
                messages.VOUCHER_ENDED,
                voucher_url(voucher),
                space=voucher.space.name,
                ended_on=day(ended_on),
                reason=lambda: str(EndReason(reason).label),
            )
        )
    return voucher


def _lapse(voucher: Voucher, actor: Any, note: str) -> Voucher:
    workflow.transition(
        voucher,
        workflow.Step("lapse", E.LAPSED, kwargs={"note": note, "at": timezone.now()}, reason=note),
        actor=actor,
        table=VOUCHERS,
        guard=None if isinstance(actor, str) else _space_guard,
        wrong_state=_("Only an approved voucher whose seat has not started can lapse."),
    )
    transaction.on_commit(
        lambda: tell(
            [voucher.freelancer.user],
            messages.VOUCHER_LAPSED,
            voucher_url(voucher),
            reference=voucher.reference,
            space=voucher.space.name,
            reason=note,
        )
    )
    _offer_next(voucher.round, voucher.division)
    return voucher


def voucher_report_no_show(*, actor: User, voucher: Voucher) -> Voucher:
    """The operator says the freelancer never came: allowed once the round's working days to start have
    passed since the approval. The voucher lapses and the place goes to the next on the waiting list."""
    with transaction.atomic():
        voucher = _load(_lock(voucher))
        if voucher.state == V.APPROVED and voucher.approved_at:
            waited = working_days_between(timezone.localdate(voucher.approved_at), timezone.localdate())
            if (
                waited < voucher.round.start_within_working_days
                and voucher.space.operator.members.filter(pk=actor.pk).exists()
            ):
                raise ValidationFailed(
                    _(
                        "A no-show can be reported after %(days)s working days without the freelancer; "
                        "%(waited)s have passed."
                    )
                    % {"days": voucher.round.start_within_working_days, "waited": waited}
                )
        note = _("The freelancer did not come to %(space)s within %(days)s working days.") % {
            "space": voucher.space.name,
            "days": voucher.round.start_within_working_days,
        }
        return _lapse(voucher, actor, note)


def vouchers_lapse_overdue(today: dt.date | None = None) -> int:
    """The daily job: an approved voucher whose start-by day has passed lapses (and its place is
    offered on). Idempotent: a voucher lapses once."""
    today = today or timezone.localdate()
    count = 0
    for pk in Voucher.objects.filter(state=V.APPROVED, start_by__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            voucher = _load(_lock(Voucher(pk=pk)))
            if voucher.state != V.APPROVED or voucher.start_by is None or voucher.start_by >= today:
                continue
            note = _("The seat was not started by %(day)s.") % {"day": show_date(voucher.start_by)}
            _lapse(voucher, "system", note)
            count += 1
    return count


def vouchers_complete_due(today: dt.date | None = None) -> int:
    """The daily job: an active voucher whose last covered day has passed is completed. Idempotent."""
    today = today or timezone.localdate()
    count = 0
    for pk in Voucher.objects.filter(state=V.ACTIVE, planned_end__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            voucher = _lock(Voucher(pk=pk))
            if voucher.state != V.ACTIVE:
                continue
            workflow.transition(
                voucher,
                workflow.Step("complete", E.COMPLETED, kwargs={"at": timezone.now()}),
                actor="system",
                table=VOUCHERS,
            )
            count += 1
    return count


# --- the freelancer, month by month -------------------------------------------------------------------


def voucher_confirm_month(*, actor: User, voucher: Voucher, month: dt.date, used: bool) -> SeatConfirmation:
    """The freelancer answers "did you use this seat in <month>?", once per month of the seat. Two "no"
    answers flag the seat to the officers, who check the space's claims."""
    VOUCHERS.require(actor, "confirm_month")
    with transaction.atomic():
        voucher = _load(_lock(voucher))
        require_holder(voucher, actor)
        month = month_start(month)
        first = month_start(voucher.start_date) if voucher.start_date else None
        last = voucher.last_day_covered
        if first is None or last is None or voucher.state not in (V.ACTIVE, V.COMPLETED, V.ENDED):
            raise InvalidTransition(_("Months can be answered once the seat has started."))
        if month < first or month > month_start(min(last, timezone.localdate())):
            raise ValidationFailed(
                field_errors={"month": [_("Choose a month in which your seat was subsidised, up to this one.")]}
            )
        if SeatConfirmation.objects.filter(voucher=voucher, month=month).exists():
            raise ValidationFailed(field_errors={"month": [_("You have already answered for this month.")]})
        now = timezone.now()
        confirmation = SeatConfirmation.objects.create(voucher=voucher, month=month, used=bool(used), answered_at=now)
        workflow.record(
            actor=actor, event=E.MONTH_CONFIRMED, obj=voucher, data={"month": str(month), "used": bool(used)}
        )
        noes = SeatConfirmation.objects.filter(voucher=voucher, used=False).count()
        if not used and noes >= FLAG_AFTER_NO_ANSWERS and voucher.flagged_at is None:
            Voucher.objects.filter(pk=voucher.pk).update(flagged_at=now)
            workflow.record(actor=actor, event=E.FLAGGED, obj=voucher, data={"no_answers": noes})
            transaction.on_commit(
                lambda: tell(
                    officers(),
                    messages.SEAT_FLAGGED_TO_OFFICERS,
                    voucher_staff_url(voucher),
                    reference=voucher.reference,
                    space=voucher.space.name,
                    count=noes,
                )
            )
    return confirmation


def voucher_report_overcharge(*, actor: User, voucher: Voucher, charged: Any, what_happened: str) -> Any:
    """The freelancer reports being charged more than their share: a grievance with the integrity office
    about the space's operator (its number is returned and told to the freelancer)."""
    from core.money import parse_money
    from integrity.services.grievances import grievance_file

    voucher = _load(voucher)
    require_holder(voucher, actor)
    if voucher.state not in (V.ACTIVE, V.COMPLETED, V.ENDED):
        raise InvalidTransition(_("An overcharge can be reported once the seat has started."))
    amount, problem = parse_money(charged, _("the amount charged"), positive=True)
    if problem:
        raise ValidationFailed(field_errors={"charged": [problem]})
    text = _text(what_happened, "what_happened", _("Say what you were charged, when, and by whom."), limit=5000)
    _subsidy, own_share = seat_subsidy(voucher.round, voucher.monthly_fee, 30, 30)
    summary = _(
        "Seat voucher %(reference)s at %(space)s: the freelancer says they were charged PKR %(charged)s a month; "
        "their share is PKR %(share)s."
    ) % {
        "reference": voucher.reference,
        "space": voucher.space.name,
        "charged": f"{amount:,.2f}",
        "share": f"{own_share:,.2f}",
    }
    with transaction.atomic():  # the grievance and the voucher's event together, or neither
        filed = grievance_file(
            category="overcharge",
            what_happened=f"{summary}\n\n{text}",
            channel="portal",
            filed_by=actor,
            about_operator=voucher.space.operator,
        )
        workflow.record(
            actor=actor,
            event=E.OVERCHARGE_REPORTED,
            obj=voucher,
            data={"grievance": filed.grievance.reference, "charged": str(amount)},
        )
    return filed.grievance
