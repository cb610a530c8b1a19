"""People and places for the visit tests: two departments with inspectors, an association with its
liaison and a member operator, an operator in no association, a program officer. Imported by
tests/integrity/conftest.py; `monday` (the frozen clock) comes from grievance_fixtures.py."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts import roles
from integrity.models import Association, AssociationMembership, Department, Official, VisitPurpose
from integrity.services import visits as services
from tests.factories import OperatorFactory, SpaceFactory, UserFactory

KARACHI = ZoneInfo("Asia/Karachi")
# Monday 7 December 2026, 10:00 in Lahore: Tue 8, Wed 9 and Thu 10 are the next working days.
MONDAY = dt.datetime(2026, 12, 7, 10, 0, tzinfo=KARACHI)


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=KARACHI), tick=False)


def make_department(code: str, name: str) -> Department:
    department = Department.objects.create(code=code, name=name, level=Department.Level.PROVINCIAL)
    VisitPurpose.objects.create(department=department, name=f"{name} inspection", legal_basis=f"{name} Act, s. 10")
    return department


@pytest.fixture
def departments():
    return [
        make_department("pra", "Punjab Revenue Authority"),
        make_department("epa", "Punjab Environmental Protection Agency"),
        make_department("rescue", "Rescue 1122 fire safety"),
        make_department("labour", "Labour and Human Resource"),
        make_department("lda", "Lahore Development Authority"),
    ]


def make_inspector(department: Department, n: int = 0):
    user = UserFactory(full_name=f"Inspector {department.code} {n}", roles=[roles.INSPECTOR])
    Official.objects.create(
        user=user,
        department=department,
        designation="Assistant Commissioner",
        service_number=f"S-{n}",
        cnic="35202-1234567-1",
    )
    return user


@pytest.fixture
def inspectors(departments):
    return [make_inspector(department) for department in departments]


@pytest.fixture
def pra_inspector(inspectors):
    return inspectors[0]


@pytest.fixture
def association():
    return Association.objects.create(code="pasha", name="P@SHA")


def make_liaison(association: Association):
    user = UserFactory(full_name="Liaison of P@SHA", roles=[roles.ASSOCIATION_LIAISON])
    Official.objects.create(user=user, association=association, designation="Member services")
    return user


@pytest.fixture
def liaison(association):
    return make_liaison(association)


@pytest.fixture
def other_liaison():
    other = Association.objects.create(code="chamber", name="Lahore Chamber")
    user = UserFactory(full_name="Liaison of the chamber", roles=[roles.ASSOCIATION_LIAISON])
    Official.objects.create(user=user, association=other, designation="Secretary")
    return user


@pytest.fixture
def operator_user():
    return UserFactory(full_name="Ayesha Malik", roles=[roles.OPERATOR], language="ur")


def make_member_space(association: Association, operator_user):
    operator = OperatorFactory(members=[operator_user])
    AssociationMembership.objects.create(association=association, operator=operator, member_number="P-1")
    return SpaceFactory(operator=operator, name="Arfa Hub")


@pytest.fixture
def space(association, operator_user):
    return make_member_space(association, operator_user)


@pytest.fixture
def lone_space():
    """A space whose operator belongs to no association: a program officer schedules its visits."""
    return SpaceFactory(operator=OperatorFactory(members=[UserFactory(roles=[roles.OPERATOR])]), name="Lone Hub")


@pytest.fixture
def officer():
    return UserFactory(full_name="Hamza Iqbal", roles=[roles.PROGRAM_OFFICER])


def window(day: dt.date, start: int = 10, end: int = 12) -> services.Window:
    return services.Window(day, dt.time(start), dt.time(end))


def ask(inspector, space, day: dt.date, **kwargs):
    purpose = VisitPurpose.objects.get(department=inspector.official.department)
    return services.visit_request(actor=inspector, space=space, purpose=purpose, window=window(day), **kwargs)


def ask_and_schedule(inspector, space, day: dt.date, scheduler, **kwargs):
    visit = ask(inspector, space, day, **kwargs)
    return services.visit_schedule(actor=scheduler, visit=visit)
