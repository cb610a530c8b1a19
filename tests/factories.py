"""Factories shared by every test package (the registry, programs and people)."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone
from stdnum import iban as stdnum_iban

from accounts.models import User
from grants.documents import DocumentType
from grants.models import BudgetAllocation, Call, Program
from spaces.models import Operator, Space


def make_iban(n: int, bank: str = "HABB") -> str:
    body = f"{bank}{n:016d}"
    return f"PK{stdnum_iban.calc_check_digits('PK00' + body)}{body}"


PASSWORD = "Ravi-river-lantern-42"  # every factory-made person's password


class UserFactory(factory.django.DjangoModelFactory):
    """A person made by staff or a loader: email verified from creation (see User.email_verified_at)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.pk")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create:
            return
        for role in extracted or []:
            group, _created = Group.objects.get_or_create(name=role)
            self.groups.add(group)
        self._role_cache = None
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
    contact_mobile = factory.Sequence(lambda n: f"0300-{1000000 + n:07d}")
    bank_account_title = factory.SelfAttribute("legal_name")
    iban = factory.Sequence(lambda n: make_iban(n + 1))
    registered_address = "12 Jail Road, Lahore"
    verification_status = Operator.Verification.VERIFIED
    verified_at = factory.LazyFunction(lambda: dt.datetime(2025, 7, 1, tzinfo=dt.UTC))
    # The IBAN the secretariat checked (payments compare with it); none for a company never verified.
    verified_iban = factory.LazyAttribute(lambda o: o.iban if o.verification_status == "verified" else "")

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

    name = factory.Sequence(lambda n: f"Program {n}")
    slug = factory.Sequence(lambda n: f"program-{n}")
    code = factory.Sequence(lambda n: "".join(chr(65 + (n // 26**i) % 26) for i in (1, 0)) if n else "GR")
    instrument = Program.Instrument.GRANT
    min_amount = Decimal("250000")
    max_amount = Decimal("5000000")
    own_contribution_percent = Decimal("20")
    required_documents = factory.LazyFunction(lambda: [DocumentType.CNIC_COPY, DocumentType.BUSINESS_PLAN])


class BudgetAllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetAllocation

    program = factory.SubFactory(ProgramFactory)
    fiscal_year = 2026
    amount = Decimal("100000000")


class CallFactory(factory.django.DjangoModelFactory):
    """A call open now: from ten days ago to sixty days ahead."""

    class Meta:
        model = Call

    program = factory.SubFactory(ProgramFactory)
    title = factory.Sequence(lambda n: f"Round {n}")
    reference = factory.Sequence(lambda n: f"round-{n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=60))
    quota = 10
