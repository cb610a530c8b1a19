"""People, a department, its desk and a small catalogue for the one-window tests."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import roles
from integrity.models import Department, Official
from onewindow.models import Bundle, Service, ServiceDocument, ServiceQuestion
from tests.factories import OperatorFactory, SpaceFactory, UserFactory

KARACHI = ZoneInfo("Asia/Karachi")
MONDAY = dt.datetime(2026, 12, 7, 10, 0, tzinfo=KARACHI)
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf(name="document.pdf"):
    return SimpleUploadedFile(name, PDF, "application/pdf")


def at(day: dt.date, hour: int = 11):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=KARACHI), tick=False)


@pytest.fixture
def monday(db):
    with time_machine.travel(MONDAY, tick=False):
        yield MONDAY.date()


def make_department(code="rescue1122", name="Rescue 1122"):
    return Department.objects.create(code=code, name=name, level=Department.Level.PROVINCIAL)


def make_desk(department, email=None):
    user = UserFactory(
        roles=[roles.DEPARTMENT_DESK], full_name=f"Desk of {department.name}", **({"email": email} if email else {})
    )
    Official.objects.create(user=user, department=department, designation="Desk officer")
    return user


@pytest.fixture
def department(db):
    return make_department()


@pytest.fixture
def desk(department):
    return make_desk(department)


@pytest.fixture
def other_desk(db):
    return make_desk(make_department("lda", "Lahore Development Authority"))


def make_service(department):
    service = Service.objects.create(
        department=department,
        code="fire-safety",
        name="Fire safety certificate",
        name_ur="آگ سے حفاظت کا سرٹیفکیٹ",
        description="Inspection of exits, extinguishers and alarms; a certificate valid for a year.",
        fee="PKR 5,000 (verify with the department)",
        promised_working_days=10,
        outcome=Service.Outcome.CERTIFICATE,
        validity_months=12,
    )
    ServiceDocument.objects.create(service=service, document_type="lease_agreement", required=True)
    ServiceQuestion.objects.create(
        service=service, key="floors", label="Floors the space occupies", kind="number", order=1
    )
    ServiceQuestion.objects.create(
        service=service, key="alarm", label="Is a fire alarm installed?", kind="yes_no", order=2
    )
    return service


@pytest.fixture
def service(department):
    return make_service(department)


@pytest.fixture
def operator_user(db):
    return UserFactory(roles=[roles.OPERATOR], full_name="Ayesha Malik")


@pytest.fixture
def operator(operator_user):
    return OperatorFactory(members=[operator_user], legal_name="Indus Hub Coworking (Pvt.) Ltd.")


@pytest.fixture
def space(operator):
    return SpaceFactory(operator=operator, name="Indus Lahore Hub")


@pytest.fixture
def coordinator(db):
    return UserFactory(roles=[roles.ONE_WINDOW_COORDINATOR], full_name="One-window coordinator")


@pytest.fixture
def bundle(service, other_desk):
    lda = Official.objects.get(user=other_desk).department
    commercial = Service.objects.create(
        department=lda,
        code="commercial-use",
        name="Commercial use of the building",
        description="Permission to use the floor as an office.",
        fee="As per the LDA schedule",
        promised_working_days=30,
        outcome=Service.Outcome.LETTER,
    )
    bundle = Bundle.objects.create(code="new-space", name="Open a new space")
    bundle.services.set([service, commercial])
    return bundle
