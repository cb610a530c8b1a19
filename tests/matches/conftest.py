"""Set-up for the duplicate-check tests: companies, spaces, applications, connections, stored files and
bills built directly (what a rule compares is the data, not the path that made it); the gates are
walked through the real services."""

import datetime as dt
import hashlib
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts import roles
from grants import services as grants
from grants.models import ApplicationDocument, TrancheEvidence, UtilityClaim, UtilityConnection
from tests.factories import OperatorFactory, SpaceFactory, UserFactory
from tests.grants.factories import ApplicationFactory

_n = itertools.count(1)


def sha(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


def company(**fields):
    """An operator with one member and one space in Lahore at its own spot and address."""
    n = next(_n)
    person = UserFactory(roles=[roles.OPERATOR])
    operator = OperatorFactory(members=[person], **fields)
    SpaceFactory(
        operator=operator,
        address=f"{n} Unique Street {n}, Lahore",
        latitude=Decimal("31.400000") + Decimal(n) / 1000,
        longitude=Decimal("74.200000") + Decimal(n) / 1000,
    )
    return operator


def application_of(operator, **fields):
    fields.setdefault("space", operator.spaces.first())
    return ApplicationFactory(operator=operator, **fields)


def document(application, digest: str):
    return ApplicationDocument.objects.create(
        application=application,
        document_type="cnic_copy",
        file=f"test/{digest[:8]}.pdf",
        original_filename="receipt.pdf",
        size=100,
        sha256=digest,
        content_type="application/pdf",
        uploaded_by=application.created_by,
        uploaded_at=timezone.now(),
    )


def connection(application, space, reference: str, disco: str = "LESCO"):
    return UtilityConnection.objects.create(
        application=application,
        space=space,
        disco=disco,
        bill_reference=reference,
        average_monthly_bill=Decimal("150000"),
    )


def bill(conn, month: dt.date, *, amount="120000.00", units=2400, digest=None, state="submitted"):
    amount = Decimal(amount)
    claim = UtilityClaim.objects.create(
        connection=conn,
        disco=conn.disco,
        bill_reference=conn.bill_reference,
        billing_month=month,
        units=units,
        bill_amount=amount,
        eligible_amount=amount,
        subsidy_amount=amount / 2,
        file=f"test/bill-{month}.pdf",
        original_filename="bill.pdf",
        size=100,
        sha256=digest or sha(f"bill {conn.pk} {month}"),
        content_type="application/pdf",
        submitted_by=conn.application.created_by,
        submitted_at=timezone.now(),
    )
    if state == "rejected":
        UtilityClaim.objects.filter(pk=claim.pk).update(
            state="rejected", rejected_at=timezone.now(), rejection_reason="Unreadable."
        )
    return claim


@pytest.fixture
def officer(db):
    return UserFactory(roles=[roles.PROGRAM_OFFICER])


@pytest.fixture
def integrity_officer(db):
    return UserFactory(roles=[roles.INTEGRITY_OFFICER])


@pytest.fixture
def steward(db):
    return UserFactory(roles=[roles.DATA_STEWARD])


__all__ = ["TrancheEvidence", "grants"]
