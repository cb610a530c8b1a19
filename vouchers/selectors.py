"""Reads of the seat-voucher concern: who sees which voucher and claim (the object-level rule: the holder,
the people of the space's operator, program officers; anyone else gets nothing, and the views 404),
the queues, the month's seats of a space, and the aggregate figures (no personal data) for the
public page and the reports."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from accounts import roles

from .models import (
    PLACE_STATES,
    SEAT_STATES,
    Freelancer,
    RoundSpace,
    SeatClaim,
    SeatClaimState,
    SeatConfirmation,
    Voucher,
    VoucherRound,
    VoucherState,
)
from .rules import Check, days_covered, decision_checks, month_end, seat_subsidy, seats_taken

V = VoucherState
STAFF_READERS = (roles.PROGRAM_OFFICER, roles.MINISTRY_VIEWER, roles.FINANCE_MAKER, roles.FINANCE_CHECKER)


def is_staff_reader(user: Any) -> bool:
    return bool(user.is_authenticated and any(user.has_role(role) for role in STAFF_READERS))


def freelancer_of(user: Any) -> Freelancer | None:
    if not user.is_authenticated:
        return None
    return Freelancer.objects.filter(user=user).first()


def open_rounds(at: dt.datetime | None = None) -> QuerySet[VoucherRound]:
    at = at or timezone.now()
    return VoucherRound.objects.filter(opens_at__lte=at, closes_at__gt=at, program__is_active=True).select_related(
        "program"
    )


@dataclass(frozen=True)
class Offer:
    offer: RoundSpace
    seats_free: int
    hot_desk_fee: Decimal | None
    dedicated_desk_fee: Decimal | None


def round_offers(round_: VoucherRound) -> list[Offer]:
    """The spaces of a round (active in the network), with their voucher seats free now."""
    offers = RoundSpace.objects.filter(round=round_, space__network_status="active").select_related("space")
    return [
        Offer(offer, max(offer.seats - seats_taken(offer), 0), offer.hot_desk_fee, offer.dedicated_desk_fee)
        for offer in offers.order_by("space__division", "space__name")
    ]


def freelancer_vouchers(user: Any) -> QuerySet[Voucher]:
    return Voucher.objects.filter(freelancer__user=user).select_related("round", "space").order_by("-applied_at")


def _visible_vouchers(user: Any) -> QuerySet[Voucher]:
    vouchers = Voucher.objects.select_related("round", "space__operator", "freelancer__user", "offer")
    if not user.is_authenticated:
        return vouchers.none()
    # A voucher names a person: the officers who decide on it, the holder and the space's people only
    # (the ministry reads the aggregate figures).
    if user.has_role(roles.PROGRAM_OFFICER):
        return vouchers
    return vouchers.filter(Q(freelancer__user=user) | Q(space__operator__members=user)).distinct()


def voucher_visible_to(user: Any, reference: str) -> Voucher | None:
    return _visible_vouchers(user).filter(reference=reference).first()


def operator_vouchers(user: Any) -> QuerySet[Voucher]:
    """Vouchers at the spaces of the user's companies, the ones that need the operator first."""
    return (
        Voucher.objects.filter(
            space__operator__members=user, state__in=[V.APPROVED, V.ACTIVE, V.COMPLETED, V.ENDED, V.LAPSED]
        )
        .select_related("round", "space", "freelancer__user")
        .order_by("state", "start_by", "reference")
        .distinct()
    )


@dataclass(frozen=True)
class QueueRow:
    voucher: Voucher
    checks: list[Check]

    @property
    def all_pass(self) -> bool:
        return all(check.passed for check in self.checks)


def officer_queue(round_: VoucherRound | None = None, state: str = V.APPLIED) -> list[QueueRow]:
    vouchers = Voucher.objects.filter(state=state).select_related("round", "space", "freelancer__user", "offer")
    if round_ is not None:
        vouchers = vouchers.filter(round=round_)
    return [QueueRow(voucher, decision_checks(voucher)) for voucher in vouchers.order_by("applied_at", "id")[:200]]


def flagged_vouchers() -> QuerySet[Voucher]:
    return (
        Voucher.objects.filter(flagged_at__isnull=False)
        .select_related("space", "freelancer__user")
        .order_by("-flagged_at")
    )


def confirmations(voucher: Voucher) -> dict[dt.date, bool]:
    return dict(SeatConfirmation.objects.filter(voucher=voucher).values_list("month", "used"))


@dataclass(frozen=True)
class MonthMoney:
    month: dt.date
    days: int
    subsidy: Decimal
    own_share: Decimal
    answered: bool | None


def voucher_months(voucher: Voucher) -> list[MonthMoney]:
    """Each month of a started seat: days covered, what the government pays and what the holder pays
    (at the voucher's fee), and the holder's answer for the month."""
    if voucher.start_date is None or voucher.last_day_covered is None:
        return []
    answers = confirmations(voucher)
    months, month = [], voucher.start_date.replace(day=1)
    last = voucher.last_day_covered
    while month <= last:
        days = days_covered(voucher, month)
        subsidy, own = seat_subsidy(voucher.round, voucher.monthly_fee, days, month_end(month).day)
        months.append(MonthMoney(month, days, subsidy, own, answers.get(month)))
        month = month_end(month) + dt.timedelta(days=1)
    return months


def months_to_answer(voucher: Voucher) -> list[dt.date]:
    today = timezone.localdate()
    return [m.month for m in voucher_months(voucher) if m.answered is None and m.month <= today]


def seats_in_month(round_: VoucherRound, space: Any, month: dt.date) -> list[Voucher]:
    """The voucher seats of a space subsidised for at least a day of `month`."""
    candidates = (
        Voucher.objects.filter(round=round_, space=space, state__in=SEAT_STATES, start_date__lte=month_end(month))
        .select_related("freelancer__user", "round")
        .order_by("reference")
    )
    return [voucher for voucher in candidates if days_covered(voucher, month) > 0]


def operator_offers(user: Any) -> QuerySet[RoundSpace]:
    return RoundSpace.objects.filter(space__operator__members=user).select_related("round", "space").distinct()


def _visible_claims(user: Any) -> QuerySet[SeatClaim]:
    claims = SeatClaim.objects.select_related("round", "space__operator")
    if not user.is_authenticated:
        return claims.none()
    if is_staff_reader(user):
        return claims
    return claims.filter(space__operator__members=user).distinct()


def claim_visible_to(user: Any, reference: str) -> SeatClaim | None:
    return _visible_claims(user).filter(reference=reference).first()


def operator_claims(user: Any) -> QuerySet[SeatClaim]:
    return SeatClaim.objects.filter(space__operator__members=user).select_related("round", "space").distinct()


def claim_queue() -> QuerySet[SeatClaim]:
    return (
        SeatClaim.objects.filter(state__in=[SeatClaimState.SUBMITTED, SeatClaimState.VERIFIED])
        .select_related("round", "space")
        .order_by("submitted_at")
    )


def claim_lines(claim: SeatClaim) -> list[tuple[Any, bool | None]]:
    """Each line with the holder's answer for the month (None: not answered)."""
    lines = list(claim.lines.select_related("voucher__freelancer__user").order_by("voucher__reference"))
    answers = dict(
        SeatConfirmation.objects.filter(voucher__in=[line.voucher_id for line in lines], month=claim.month).values_list(
            "voucher_id", "used"
        )
    )
    return [(line, answers.get(line.voucher_id)) for line in lines]


# --- figures (aggregate only: nothing here names a person) ---------------------------------------------


def public_figures() -> dict[str, int]:
    counts = Counter(dict(Voucher.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n")))
    return {
        "issued": sum(counts[state] for state in PLACE_STATES),
        "active": counts[V.ACTIVE],
        "completed": counts[V.COMPLETED],
        "waiting": counts[V.WAITLISTED],
    }


AGE_BANDS = ((18, 24), (25, 29), (30, 34), (35, 40), (41, 200))


def age_band(age: int) -> str:
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}–{high}" if high < 200 else f"{low}+"
    return f"<{AGE_BANDS[0][0]}"


@dataclass
class SeatRow:
    division: str
    district: str
    space: str
    women: int = 0
    men: int = 0
    other: int = 0
    seats: int = 0
    by_age: Counter = None  # type: ignore[assignment]
    subsidy_paid: Decimal = Decimal("0")


def voucher_seats(start: dt.date, end: dt.date) -> list[SeatRow]:
    """Voucher seats subsidised for at least a day in [start, end], by division, district and space,
    with women and men, age bands (on the round's day) and the subsidy paid for claims of the period."""
    vouchers = (
        Voucher.objects.filter(state__in=SEAT_STATES, start_date__lte=end)
        .select_related("space", "freelancer", "round")
        .order_by("space__division", "space__district", "space__name")
    )
    rows: dict[int, SeatRow] = {}
    for voucher in vouchers:
        last = voucher.last_day_covered
        if last is None or last < start:
            continue
        row = rows.get(voucher.space_id)
        if row is None:
            row = rows[voucher.space_id] = SeatRow(
                voucher.space.division, voucher.space.district, voucher.space.name, by_age=Counter()
            )
        row.seats += 1
        key = {"woman": "women", "man": "men"}.get(voucher.freelancer.gender, "other")
        setattr(row, key, getattr(row, key) + 1)
        row.by_age[age_band(voucher.freelancer.age_on(voucher.round.age_on))] += 1
    paid = (
        SeatClaim.objects.filter(state=SeatClaimState.PAID, month__gte=start.replace(day=1), month__lte=end)
        .values("space_id")
        .annotate(total=Sum("total"))
    )
    for item in paid:
        if item["space_id"] in rows:
            rows[item["space_id"]].subsidy_paid = item["total"] or Decimal("0")
    return list(rows.values())


# --- reads the pages need (issue #18's interface) ---------------------------------------------------


def round_by_reference(reference: str) -> VoucherRound | None:
    return VoucherRound.objects.filter(reference=reference).select_related("program").first()


def freelancer_documents(freelancer: Freelancer) -> QuerySet[Any]:
    return freelancer.documents.order_by("kind", "-uploaded_at")


def document_visible_to(user: Any, pk: int) -> Any:
    """A freelancer's document: for its owner and program officers only (None for anyone else)."""
    from .models import VoucherDocument

    if not user.is_authenticated:
        return None
    documents = VoucherDocument.objects.select_related("freelancer")
    if not user.has_role(roles.PROGRAM_OFFICER):
        documents = documents.filter(freelancer__user=user)
    return documents.filter(pk=pk).first()


def is_space_member(user: Any, space: Any) -> bool:
    """Whether the user is one of the people of the space's operator (the operator's side of a voucher)."""
    return bool(user.is_authenticated and space.operator.members.filter(pk=user.pk).exists())


def vouchers_by_reference(references: list[str], state: str = V.APPLIED) -> list[Voucher]:
    return list(Voucher.objects.filter(reference__in=references, state=state).select_related("round", "space"))


def voucher_checks(voucher: Voucher) -> list[Check]:
    """What the officer sees beside one voucher (the queue's checks)."""
    return decision_checks(voucher)


def waiting_list(round_: VoucherRound | None = None) -> QuerySet[Voucher]:
    vouchers = Voucher.objects.filter(state=V.WAITLISTED).select_related("round", "space", "freelancer__user")
    if round_ is not None:
        vouchers = vouchers.filter(round=round_)
    return vouchers.order_by("round", "division", "applied_at", "id")


@dataclass(frozen=True)
class ClaimLinePreview:
    voucher: Voucher
    days: int
    days_in_month: int
    fee: Decimal
    subsidy: Decimal
    own_share: Decimal


def claim_preview(round_: VoucherRound, space: Any, month: dt.date) -> list[ClaimLinePreview]:
    """The lines a month's claim would have at each voucher's fee (the operator may lower a fee)."""
    days_in_month = month_end(month).day
    lines = []
    for voucher in seats_in_month(round_, space, month):
        days = days_covered(voucher, month)
        subsidy, own = seat_subsidy(round_, voucher.monthly_fee, days, days_in_month)
        lines.append(ClaimLinePreview(voucher, days, days_in_month, voucher.monthly_fee, subsidy, own))
    return lines


def claim_lines_of(claim: SeatClaim) -> QuerySet[Any]:
    return claim.lines.select_related("voucher").order_by("voucher__reference")


def full_month_split(voucher: Voucher) -> tuple[Decimal, Decimal]:
    """(what the government pays, what the holder pays) for a whole month at the voucher's fee."""
    return seat_subsidy(voucher.round, voucher.monthly_fee, 30, 30)


def months_left(voucher: Voucher) -> int:
    """Subsidised months from this one on (all the round's months before the seat starts)."""
    if voucher.state == V.APPROVED:
        return voucher.round.months
    if voucher.state != V.ACTIVE:
        return 0
    this_month = timezone.localdate().replace(day=1)
    return sum(1 for month in voucher_months(voucher) if month.month >= this_month)
