"""Factories shared by every test package (the registry, programs and people)."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from stdnum import iban as stdnum_iban

from accounts.models import User
from grants.models import BudgetAllocation, Call, Program
from spaces.models import Operator, Space


def make_iban(n: int, bank: str = "HABB") -> str:
    body = f"{bank}{n:016d}"
    return f"PK{stdnum_iban.calc_check_digits('PK00' + body)}{body}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.pk")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
        if create:
            self.save()


class OperatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Operator
        skip_postgeneration_save = True

    legal_name = factory.Sequence(lambda n: f"Test Coworking {n} (Pvt.) Ltd.")
    legal_form = Operator.LegalForm.PRIVATE_LIMITED
    ntn = factory.Sequence(lambda n: f"{4000000 + n:07d}-{n % 10}")
    secp_registration_number = factory.Sequence(lambda n: f"0{100000 + n}")
    pseb_registration_number = factory.Sequence(lambda n: f"Z-{10000 + n}")
    principal_name = "Ayesha Malik"
    principal_cnic = factory.Sequence(lambda n: f"35202-{1000000 + n:07d}-2")
    contact_email = factory.Sequence(lambda n: f"info{n}@cowork.example.pk")
    contact_mobile = "0300-1234567"
    bank_account_title = factory.SelfAttribute("legal_name")
    iban = factory.Sequence(lambda n: make_iban(n + 1))
    registered_address = "12 Jail Road, Lahore"
    verification_status = Operator.Verification.VERIFIED
    verified_at = factory.LazyFunction(lambda: dt.datetime(2025, 7, 1, tzinfo=dt.UTC))

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.set(extracted)


class SpaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Space

    code = factory.Sequence(lambda n: f"LHR-{n + 100:03d}")
    operator = factory.SubFactory(OperatorFactory)
    name = factory.Sequence(lambda n: f"Test Space {n}")
    address = "45 Mall Road, Lahore"
    division = "Lahore"
    district = "Lahore"
    postal_code = "54000"
    latitude = Decimal("31.520400")
    longitude = Decimal("74.358700")
    seats_offered = 60
    private_offices = 4
    meeting_rooms = 2
    internet_bandwidth_mbps = 200
    power_backup = Space.PowerBackup.SOLAR
    opening_date = dt.date(2023, 1, 15)
    network_status = Space.NetworkStatus.ACTIVE


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    name = factory.Sequence(lambda n: f"Test Program {n}")
    slug = factory.Sequence(lambda n: f"test-program-{n}")
    code = factory.Sequence(lambda n: f"{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
    instrument = Program.Instrument.GRANT
    min_amount = Decimal("100000")
    max_amount = Decimal("5000000")


class BudgetAllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetAllocation

    program = factory.SubFactory(ProgramFactory)
    fiscal_year = 2026
    amount = Decimal("100000000")


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call

    program = factory.SubFactory(ProgramFactory)
    title = factory.Sequence(lambda n: f"Call {n}")
    reference = factory.Sequence(lambda n: f"call-{n}")
    opens_at = factory.LazyFunction(lambda: dt.datetime(2026, 7, 1, tzinfo=dt.UTC))
    closes_at = factory.LazyFunction(lambda: dt.datetime(2027, 6, 30, tzinfo=dt.UTC))
    quota = 50
