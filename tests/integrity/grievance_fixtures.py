"""People for the grievance tests: an operator's member (the filer) and another company's, integrity
officers and a head of integrity, an inspector of a department, and one person of every other role.
Imported by the grievance test modules (pytest finds fixtures imported into a module)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import roles
from integrity.models import Grievance
from integrity.services import grievances as services
from tests.factories import OperatorFactory, UserFactory

from .factories import DepartmentFactory, OfficialFactory

KARACHI = ZoneInfo("Asia/Karachi")
# Monday 7 December 2026, 10:00 in Lahore.
MONDAY = dt.datetime(2026, 12, 7, 10, 0, tzinfo=KARACHI)
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def at(moment: dt.datetime):
    return time_machine.travel(moment, tick=False)


def pdf(name: str = "receipt.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def monday():
    with time_machine.travel(MONDAY, tick=False):
        yield MONDAY.date()


@pytest.fixture
def filer(db):
    return UserFactory(roles=[roles.OPERATOR], email="ayesha@indus.example.pk", full_name="Ayesha Malik")


@pytest.fixture
def operator(filer):
    return OperatorFactory(members=[filer], legal_name="Indus Hub Coworking (Pvt.) Ltd.")


@pytest.fixture
def other_filer(db):
    user = UserFactory(roles=[roles.OPERATOR], email="bilal@ravi.example.pk", full_name="Bilal Chaudhry")
    OperatorFactory(members=[user], legal_name="Ravi Workspaces (SMC-Pvt.) Ltd.")
    return user


@pytest.fixture
def integrity_officer(db):
    return UserFactory(roles=[roles.INTEGRITY_OFFICER], email="sana@pitb.example.pk", full_name="Sana Javed")


@pytest.fixture
def second_officer(db):
    return UserFactory(roles=[roles.INTEGRITY_OFFICER], email="omer@pitb.example.pk", full_name="Omer Farooq")


@pytest.fixture
def head(db):
    return UserFactory(roles=[roles.INTEGRITY_HEAD], email="head@pitb.example.pk", full_name="Zainab Qureshi")


@pytest.fixture
def department(db):
    return DepartmentFactory(code="pra", name="Punjab Revenue Authority")


@pytest.fixture
def inspector(department):
    user = UserFactory(roles=[roles.INSPECTOR], email="tariq@pra.example.pk", full_name="Tariq Mehmood")
    OfficialFactory(user=user, department=department, designation="Assistant Commissioner")
    return user


def file_portal(filer, **extra) -> Grievance:
    fields = {"category": Grievance.Category.MONEY_DEMAND, "what_happened": "He asked for Rs 50,000 to pass the file."}
    fields.update(extra)
    return services.grievance_file(channel=Grievance.Channel.PORTAL, filed_by=filer, **fields).grievance


def file_public(**extra) -> services.Filed:
    fields = {"category": Grievance.Category.DELAY, "what_happened": "My papers have waited three months."}
    fields.update(extra)
    return services.grievance_file(channel=Grievance.Channel.PUBLIC, **fields)


def to_state(grievance: Grievance, state: str, *, officer, filer=None, head=None) -> Grievance:
    """Take a grievance through the services to `state`, as the people would."""
    if state == "filed":
        return grievance
    if state == "acknowledged":
        return services.grievance_acknowledge(grievance=grievance, actor=officer)
    services.grievance_assign(grievance=grievance, actor=officer, officer=officer)
    grievance = services.grievance_investigate(grievance=grievance, actor=officer)
    if state == "investigating":
        return grievance
    if state == "closed":
        return services.grievance_close(grievance=grievance, actor=officer, kind="duplicate", reason="Same as GRV-1.")
    grievance = services.grievance_resolve(
        grievance=grievance, actor=officer, outcome="substantiated", action_taken="The inspector was suspended."
    )
    if state == "resolved":
        return grievance
    actor = filer if grievance.filed_by_id else None
    grievance = services.grievance_rate(grievance=grievance, actor=actor, rating=1)
    if state == "under_appeal":
        return grievance
    assert state == "appeal_decided"
    return services.grievance_decide_appeal(grievance=grievance, actor=head, outcome="upheld", reason="Handled well.")


def give_role(user, role: str):
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get_or_create(name=role)[0])
    user._role_cache = None
    return user
