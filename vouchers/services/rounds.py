"""A round's terms, kept by a superuser in the Django admin (vouchers/admin.py writes through here):
the round, the spaces taking part with their seats and fees, and the division quotas.

Every write goes through core.reference.steward_save: the actor's Django permission (only superusers
hold it; no role is given these), full validation plus the checks below, the stored row locked, saved
only when something changed, and one audit event naming the changed fields. Nothing is deleted:
vouchers point at rounds and spaces.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext as _

from core import reference
from grants.models import Program

from ..events import VoucherEvent
from ..models import DivisionQuota, Province, RoundSpace, SeatType, VoucherRound

R = TypeVar("R", VoucherRound, RoundSpace, DivisionQuota)
REFUSAL = _("Only a superuser keeps the terms of voucher rounds.")


def round_problems(round_: VoucherRound) -> dict[str, list[Any]]:
    """The checks a database constraint cannot hold: codes in the lists, the program's instrument, dates."""
    problems: dict[str, list[Any]] = {}
    if round_.program_id and round_.program.instrument != Program.Instrument.SEAT_VOUCHER:
        problems["program"] = [_("Choose a program whose instrument is the seat voucher.")]
    domiciles = round_.domiciles if isinstance(round_.domiciles, list) else None
    if not domiciles or any(code not in Province.values for code in domiciles):
        problems["domiciles"] = [
            _("A list of province codes, at least one, from: %(codes)s.") % {"codes": ", ".join(Province.values)}
        ]
    seat_types = round_.seat_types if isinstance(round_.seat_types, list) else None
    if not seat_types or any(code not in SeatType.values for code in seat_types):
        problems["seat_types"] = [
            _("A list of seat types, at least one, from: %(codes)s.") % {"codes": ", ".join(SeatType.values)}
        ]
    if round_.closes_at and round_.last_start_date and round_.last_start_date < round_.closes_at.date():
        problems["last_start_date"] = [_("The last start date cannot be before applications close.")]
    return problems


def offer_problems(offer: RoundSpace) -> dict[str, list[Any]]:
    """Each seat type the round covers needs the space's fee for it; the space must be in the network."""
    problems: dict[str, list[Any]] = {}
    if not offer.round_id:
        return problems
    for seat_type, field in ((SeatType.HOT_DESK, "hot_desk_fee"), (SeatType.DEDICATED_DESK, "dedicated_desk_fee")):
        if seat_type in (offer.round.seat_types or []) and getattr(offer, field) is None:
            problems[field] = [_("The round covers this seat type: give the space's monthly fee for it.")]
    if offer.space_id and offer.space.network_status != "active":
        problems["space"] = [_("Only a space active in the network can take part.")]
    return problems


def _checks(obj: Any) -> dict[str, list[Any]]:
    if isinstance(obj, VoucherRound):
        return round_problems(obj)
    if isinstance(obj, RoundSpace):
        return offer_problems(obj)
    return {}


EVENTS: dict[type[models.Model], VoucherEvent] = {
    VoucherRound: VoucherEvent.ROUND_SAVED,
    RoundSpace: VoucherEvent.ROUND_SAVED,
    DivisionQuota: VoucherEvent.ROUND_SAVED,
}


def round_part_save(*, actor: Any, obj: R, reason: str = "") -> R:
    """Add or change a round, a space of a round or a division quota. Raises PermissionDenied or
    ValidationFailed (per field); saved unchanged, nothing is written."""
    with transaction.atomic():
        saved, _fields = reference.steward_save(
            actor=actor, obj=obj, event=EVENTS[type(obj)], refusal=REFUSAL, extra_checks=_checks, reason=reason
        )
    return saved
