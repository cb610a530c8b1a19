"""Factories for the grants tests. Applications in a given state are built directly (for the
permission matrix); everything whose path matters is built through the services (see conftest)."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from grants.documents import DocumentType
from grants.models import Application, LoanTier, Program
from tests.factories import CallFactory, OperatorFactory, ProgramFactory, SpaceFactory, UserFactory

__all__ = [
    "ApplicationFactory",
    "CallFactory",
    "GrantProgramFactory",
    "LoanProgramFactory",
    "OperatorFactory",
    "ProgramFactory",
    "SpaceFactory",
    "UserFactory",
    "UtilityProgramFactory",
]


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
