"""Factories for the grants tests. Applications in a given state are built directly (for the
permission matrix); everything whose path matters is built through the services (see conftest)."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import User
from grants.documents import DocumentType
from grants.models import Application, Call, LoanTier, Program
from spaces.models import Operator, Space


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.pk")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password("not-a-real-password-1")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or []:
            group, _ = Group.objects.get_or_create(name=role)
            self.groups.add(group)
        self._role_cache = None


class OperatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Operator
        skip_postgeneration_save = True

    legal_name = factory.Sequence(lambda n: f"Coworking Company {n} (Pvt.) Ltd.")
    legal_form = Operator.LegalForm.PRIVATE_LIMITED
    ntn = factory.Sequence(lambda n: f"{1000000 + n}-{n % 10}")
    secp_registration_number = factory.Sequence(lambda n: f"0{100000 + n}")
    principal_name = "Ayesha Malik"
    principal_cnic = "35202-1234567-2"
    contact_email = factory.Sequence(lambda n: f"info{n}@company.example.pk")
    contact_mobile = "0300-1234567"
    bank_account_title = factory.SelfAttribute("legal_name")
    iban = "PK36SCBL0000001123456702"
    registered_address = "12-B, Main Boulevard, Lahore"
    verification_status = Operator.Verification.VERIFIED
    verified_at = factory.LazyFunction(lambda: dt.datetime(2025, 7, 1, tzinfo=dt.UTC))

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        for user in extracted or []:
            self.members.add(user)


class SpaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Space

    code = factory.Sequence(lambda n: f"LHR-{100 + n:03d}")
    operator = factory.SubFactory(OperatorFactory)
    name = factory.Sequence(lambda n: f"Lahore Hub {n}")
    address = "1 Jail Road, Lahore"
    division = "Lahore"
    district = "Lahore"
    postal_code = "54000"
    latitude = Decimal("31.520400")
    longitude = Decimal("74.358700")
    seats_offered = 60
    internet_bandwidth_mbps = 200
    power_backup = Space.PowerBackup.SOLAR
    opening_date = dt.date(2023, 1, 1)
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


class GrantProgramFactory(ProgramFactory):
    pass


class LoanProgramFactory(ProgramFactory):
    class Meta:
        skip_postgeneration_save = True

    instrument = Program.Instrument.SOFT_LOAN
    min_amount = Decimal("100000")
    max_amount = Decimal("7500000")
    own_contribution_percent = Decimal("10")

    @factory.post_generation
    def tiers(self, create, extracted, **kwargs):
        if extracted is False:
            return
        for number, low, high, markup, tenor, grace, equity in [
            (1, "100000", "500000", "0", 36, 0, "10"),
            (2, "500001", "1500000", "5", 96, 12, "10"),
            (3, "1500001", "7500000", "7", 96, 12, "20"),
        ]:
            LoanTier.objects.create(
                program=self,
                number=number,
                min_amount=Decimal(low),
                max_amount=Decimal(high),
                annual_markup_percent=Decimal(markup),
                max_tenor_months=tenor,
                max_grace_months=grace,
                min_equity_percent=Decimal(equity),
            )


class UtilityProgramFactory(ProgramFactory):
    instrument = Program.Instrument.UTILITY_SUBSIDY
    min_amount = Decimal("0")
    max_amount = Decimal("1800000")
    own_contribution_percent = Decimal("0")
    subsidy_share = Decimal("0.5000")
    monthly_cap = Decimal("150000")
    delegated_limit = Decimal("1800000")
    required_documents = factory.LazyFunction(lambda: [DocumentType.ELECTRICITY_BILL])


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call

    program = factory.SubFactory(GrantProgramFactory)
    title = factory.Sequence(lambda n: f"Round {n}")
    reference = factory.Sequence(lambda n: f"round-{n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=60))
    quota = 10


class ApplicationFactory(factory.django.DjangoModelFactory):
    """An application row in any state, built directly: only for tests of who may do what."""

    class Meta:
        model = Application

    reference = factory.Sequence(lambda n: f"TS-2026-{n:05d}")
    call = factory.SubFactory(CallFactory)
    instrument = factory.LazyAttribute(lambda o: o.call.program.instrument)
    operator = factory.SubFactory(OperatorFactory)
    space = factory.LazyAttribute(
        lambda o: None if o.instrument == Program.Instrument.UTILITY_SUBSIDY else SpaceFactory(operator=o.operator)
    )
    amount_requested = Decimal("1000000")
    created_by = factory.SubFactory(UserFactory)
    created_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=5))
    updated_at = factory.LazyFunction(timezone.now)
    state_entered_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    submitted_at = factory.LazyAttribute(
        lambda o: None if o.state in ("draft",) else o.created_at + dt.timedelta(days=1)
    )
    closed_at = factory.LazyAttribute(
        lambda o: o.state_entered_at if o.state in ("screened_out", "approved", "rejected", "withdrawn") else None
    )
    decided_at = factory.LazyAttribute(lambda o: o.state_entered_at if o.state in ("approved", "rejected") else None)
    closing_reason = factory.LazyAttribute(lambda o: "Reason" if o.state in ("screened_out", "rejected") else "")
    state = "draft"
