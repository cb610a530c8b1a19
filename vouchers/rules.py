"""The round's rules for one person and one seat, as checks the officer sees and the services enforce.

Each check has a code, whether it passes, and what it says (the rule, with the person's figure), so
the apply refusal, the officer's queue and the tests all read the same words.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Q
from django.utils.translation import gettext as _

from core.dates import show_date
from spaces.geography import place_label

from .models import (
    HOLDING_STATES,
    PLACE_STATES,
    DivisionQuota,
    Freelancer,
    RoundSpace,
    SeatType,
    Voucher,
    VoucherDocument,
    VoucherRound,
    VoucherState,
)

PAISA = Decimal("0.01")


@dataclass(frozen=True)
class Check:
    code: str
    passed: bool
    message: str


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def planned_end(round_: VoucherRound, start_date: dt.date) -> dt.date:
    """The last day a voucher that starts on `start_date` is subsidised: its months later, less a day."""
    return start_date + relativedelta(months=round_.months) - dt.timedelta(days=1)


def days_covered(voucher: Voucher, month: dt.date) -> int:
    """Days of `month` in which the voucher's seat was subsidised (0 when none)."""
    last = voucher.last_day_covered
    if voucher.start_date is None or last is None:
        return 0
    first_day, last_day = max(month, voucher.start_date), min(month_end(month), last)
    return max((last_day - first_day).days + 1, 0)


def seat_subsidy(round_: VoucherRound, fee: Decimal, covered: int, days_in_month: int) -> tuple[Decimal, Decimal]:
    """(subsidy, the freelancer's own share) for one seat in one month: min(share × fee, cap), prorated
    by the days covered, half-up to the paisa; the freelancer pays the rest of the prorated fee."""
    full = min(Decimal(fee) * round_.subsidy_share, round_.monthly_cap)
    fraction = Decimal(covered) / Decimal(days_in_month)
    subsidy = (full * fraction).quantize(PAISA, rounding=ROUND_HALF_UP)
    fee_for_days = (Decimal(fee) * fraction).quantize(PAISA, rounding=ROUND_HALF_UP)
    return subsidy, fee_for_days - subsidy


def places_used(round_: VoucherRound, division: str) -> int:
    return Voucher.objects.filter(round=round_, division=division, state__in=PLACE_STATES).count()


def seats_taken(offer: RoundSpace) -> int:
    """Voucher seats of the space now held (approved, waiting to start, or active)."""
    return Voucher.objects.filter(offer=offer, state__in=[VoucherState.APPROVED, VoucherState.ACTIVE]).count()


def quota_for(round_: VoucherRound, division: str) -> int:
    quota = DivisionQuota.objects.filter(round=round_, division=division).first()
    return quota.vouchers if quota else 0


def person_checks(freelancer: Freelancer, round_: VoucherRound) -> list[Check]:
    """Age, domicile, student status and documents: the rules about the person."""
    age = freelancer.age_on(round_.age_on)
    checks = [
        Check(
            "age",
            round_.min_age <= age <= round_.max_age,
            _("Age on %(day)s: %(age)s; the round is for ages %(min)s to %(max)s.")
            % {"day": show_date(round_.age_on), "age": age, "min": round_.min_age, "max": round_.max_age},
        ),
        Check(
            "domicile",
            freelancer.domicile in (round_.domiciles or []),
            _("Domicile: %(domicile)s; the round accepts %(accepted)s.")
            % {
                "domicile": freelancer.get_domicile_display(),
                "accepted": ", ".join(
                    str(label) for code, label in _province_choices() if code in (round_.domiciles or [])
                ),
            },
        ),
    ]
    if freelancer.is_student and not round_.students_allowed:
        checks.append(Check("student", False, _("This round is not open to students.")))
    kinds = set(VoucherDocument.objects.filter(freelancer=freelancer).values_list("kind", flat=True))
    checks.append(
        Check(
            "cnic_document",
            VoucherDocument.Kind.CNIC in kinds,
            _("A scan or photo of the CNIC (both sides).")
            if VoucherDocument.Kind.CNIC in kinds
            else _("Upload a scan or photo of your CNIC (both sides)."),
        )
    )
    proof = bool(freelancer.marketplace_url) or (
        bool(freelancer.registration_number) and VoucherDocument.Kind.REGISTRATION in kinds
    )
    if freelancer.is_student and round_.students_allowed:
        proof = proof or VoucherDocument.Kind.STUDENT_CARD in kinds
    checks.append(
        Check(
            "proof",
            proof,
            _("Proof of freelancing: a marketplace profile link, or a PSEB/PAFLA registration with its certificate")
            + (_(", or a student card") if freelancer.is_student and round_.students_allowed else "")
            + ".",
        )
    )
    return checks


def _province_choices() -> list[tuple[str, Any]]:
    from .models import Province

    return list(Province.choices)


def holds_another(freelancer: Freelancer, exclude: Voucher | None = None) -> Voucher | None:
    """A voucher this person holds anywhere in the network (by CNIC, not by account)."""
    others = Voucher.objects.filter(cnic_digest=freelancer.cnic_digest, state__in=HOLDING_STATES)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    return others.select_related("space").first()


def seat_checks(round_: VoucherRound, offer: RoundSpace, seat_type: str) -> list[Check]:
    fee = offer.fee_for(seat_type)
    covered = seat_type in (round_.seat_types or [])
    return [
        Check(
            "seat_type",
            covered and fee is not None,
            _("%(seat_type)s at %(space)s.") % {"seat_type": SeatType(seat_type).label, "space": offer.space.name}
            if covered and fee is not None
            else _("%(space)s does not offer a %(seat_type)s in this round.")
            % {"space": offer.space.name, "seat_type": SeatType(seat_type).label}
            if covered
            else _("This round covers only %(types)s.")
            % {"types": ", ".join(str(SeatType(t).label) for t in round_.seat_types or [])},
        ),
        Check(
            "space_active",
            offer.space.network_status == "active",
            _("%(space)s is a member of the network.") % {"space": offer.space.name}
            if offer.space.network_status == "active"
            else _("%(space)s is not an active member of the network.") % {"space": offer.space.name},
        ),
    ]


def decision_checks(voucher: Voucher) -> list[Check]:
    """Everything the officer sees beside a voucher in the queue."""
    checks = person_checks(voucher.freelancer, voucher.round)
    other = holds_another(voucher.freelancer, exclude=voucher)
    checks.append(
        Check(
            "one_per_person",
            other is None,
            _("No other voucher held in the network.")
            if other is None
            else _("This CNIC already holds voucher %(reference)s at %(space)s.")
            % {"reference": other.reference, "space": other.space.name},
        )
    )
    used, quota = places_used(voucher.round, voucher.division), quota_for(voucher.round, voucher.division)
    checks.append(
        Check(
            "quota",
            used < quota,
            _("%(division)s: %(used)s of %(quota)s vouchers given.")
            % {"division": place_label(voucher.division), "used": used, "quota": quota},
        )
    )
    taken = seats_taken(voucher.offer)
    checks.append(
        Check(
            "seats",
            taken < voucher.offer.seats,
            _("%(space)s: %(taken)s of %(seats)s voucher seats held.")
            % {"space": voucher.space.name, "taken": taken, "seats": voucher.offer.seats},
        )
    )
    return checks


def rules_failed(checks: list[Check], *codes: str) -> list[Check]:
    return [check for check in checks if not check.passed and (not codes or check.code in codes)]


def waiting_line(round_: VoucherRound, division: str) -> Any:
    return Voucher.objects.filter(round=round_, division=division, state=VoucherState.WAITLISTED).order_by(
        "applied_at", "id"
    )


def waiting_position(voucher: Voucher) -> int:
    return (
        Voucher.objects.filter(round=voucher.round, division=voucher.division, state=VoucherState.WAITLISTED)
        .filter(Q(applied_at__lt=voucher.applied_at) | Q(applied_at=voucher.applied_at, id__lt=voucher.id))
        .count()
        + 1
    )
