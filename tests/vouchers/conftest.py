"""A seat-voucher round, spaces taking part, freelancers with their documents, for the voucher tests.

Builders are plain functions (usable from threads and browser tests); fixtures wrap them. Everything is
made through the services where a service exists, so the audit chain and the rules are the real ones.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts import roles
from grants.models import Program
from tests.factories import OperatorFactory, SpaceFactory, UserFactory
from vouchers.models import DivisionQuota, RoundSpace, SeatType, VoucherRound
from vouchers.services.vouchers import freelancer_document_add, freelancer_profile_save

KARACHI = ZoneInfo("Asia/Karachi")
# Monday 2 November 2026, 11:00 in Lahore: the round is open, last month (October) is over.
NOW = dt.datetime(2026, 11, 2, 11, 0, tzinfo=KARACHI)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def png(name="cnic.png"):
    return SimpleUploadedFile(name, PNG, "image/png")


def at(day: dt.date, hour: int = 11):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=KARACHI), tick=False)


def make_round(*, quota: int = 10, divisions=("Lahore",), **terms) -> VoucherRound:
    program = Program.objects.filter(instrument=Program.Instrument.SEAT_VOUCHER).first() or Program.objects.create(
        name="e-Earn seat subsidy",
        slug="seat-vouchers",
        code="SV",
        instrument=Program.Instrument.SEAT_VOUCHER,
        min_amount=Decimal("0"),
        max_amount=Decimal("0"),
    )
    now = timezone.now()
    values = {
        "program": program,
        "reference": f"seats-{VoucherRound.objects.count() + 1}",
        "title": "Seat vouchers, round 1",
        "opens_at": now - dt.timedelta(days=30),
        "closes_at": now + dt.timedelta(days=60),
        "last_start_date": (now + dt.timedelta(days=90)).date(),
        "age_on": dt.date(2026, 11, 1),
        "min_age": 18,
        "max_age": 40,
        "domiciles": ["punjab"],
        "subsidy_share": Decimal("0.7000"),
        "months": 6,
        "monthly_cap": Decimal("7000.00"),
        "seat_types": [SeatType.HOT_DESK, SeatType.DEDICATED_DESK],
        "students_allowed": True,
        "start_within_working_days": 10,
    }
    values.update(terms)
    round_ = VoucherRound.objects.create(**values)
    for division in divisions:
        DivisionQuota.objects.create(round=round_, division=division, vouchers=quota)
    return round_


def make_offer(round_, *, space=None, seats=5, hot=Decimal("8000.00"), dedicated=Decimal("12000.00"), **space_kwargs):
    if space is None:
        operator_staff = UserFactory(roles=[roles.OPERATOR])
        operator = OperatorFactory(members=[operator_staff])
        space = SpaceFactory(operator=operator, **space_kwargs)
    return RoundSpace.objects.create(
        round=round_, space=space, seats=seats, hot_desk_fee=hot, dedicated_desk_fee=dedicated
    )


def operator_staff(offer):
    return offer.space.operator.members.first()


_cnic_counter = iter(range(1_000_000, 9_999_999))


def make_freelancer(*, cnic=None, born=dt.date(2000, 5, 1), gender="woman", domicile="punjab", documents=True, **extra):
    user = UserFactory(roles=[roles.FREELANCER])
    cnic = cnic or f"35202-{next(_cnic_counter):07d}-4"
    freelancer_profile_save(
        actor=user,
        cnic=cnic,
        date_of_birth=born,
        gender=gender,
        domicile=domicile,
        district="Lahore" if domicile == "punjab" else "",
        skills="Web development",
        marketplace_url=extra.pop("marketplace_url", "https://www.upwork.com/freelancers/~01abc"),
        **extra,
    )
    if documents:
        freelancer_document_add(actor=user, kind="cnic", file=png())
    return user


@pytest.fixture
def now(db):
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def officer(db):
    return UserFactory(roles=[roles.PROGRAM_OFFICER], full_name="Officer Sana Iqbal")


@pytest.fixture
def round_(now):
    return make_round()


@pytest.fixture
def offer(round_):
    return make_offer(round_)
