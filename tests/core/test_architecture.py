"""The rules that keep one path for every state change (issue #13): checked on the code itself, so a
new concern that copies the wrong pattern fails here, not in review."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django_fsm import FSMFieldMixin

from core.workflow import PermissionTable

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "accounts",
    "audit",
    "cms",
    "core",
    "finance",
    "grants",
    "integrity",
    "loans",
    "notifications",
    "onewindow",
    "reporting",
    "spaces",
    "vouchers",
]


def app_sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _transitions():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, FSMFieldMixin):
                for transition in field.get_all_transitions(model):
                    yield model, transition


def test_there_are_state_machines_to_check():
    labels = {model._meta.label for model, _t in _transitions()}
    assert {
        "grants.Application",
        "grants.Review",
        "grants.Award",
        "grants.Tranche",
        "grants.UtilityClaim",
        "finance.PaymentInstruction",
        "finance.PaymentBatch",
        "loans.Loan",
        "reporting.ReportJob",
        "integrity.InspectionVisit",
        "onewindow.ServiceRequest",
        "vouchers.Voucher",
        "vouchers.SeatClaim",
    } <= labels


@pytest.mark.parametrize(
    ("model", "transition"), list(_transitions()), ids=lambda v: getattr(v, "name", getattr(v, "__name__", ""))
)
def test_every_transition_declares_who_may_take_it(model, transition):
    assert transition.permission is not None, f"{model._meta.label}.{transition.name} has no permission="


def test_permission_predicates_come_from_a_table():
    """Every table's rules are named after a transition or a service action of its concern, and a person
    holding none of a rule's roles is refused by its predicate."""
    from grants.permissions import APPLICATIONS

    tables = [
        obj
        for module in (
            "grants.permissions",
            "finance.permissions",
            "loans.permissions",
            "reporting.permissions",
            "integrity.permissions",
            "onewindow.permissions",
            "vouchers.permissions",
        )
        for obj in vars(__import__(module, fromlist=["*"])).values()
        if isinstance(obj, PermissionTable)
    ]
    assert len(tables) >= 8
    assert ("members", "submit") in set(APPLICATIONS.cells())
    for table in tables:
        for rule in table.rules.values():
            assert rule.refusal, f"{table.concern}.{rule.action} has no refusal message"
            assert table.predicate(rule.action)(None, None) is rule.system


def test_audit_events_are_written_only_through_the_workflow_path():
    offenders = [
        str(path.relative_to(ROOT))
        for path in app_sources()
        if path.parts[-2] != "audit"
        and "audit_record(" in path.read_text(encoding="utf-8")
        and path.relative_to(ROOT).as_posix() != "core/workflow.py"
    ]
    assert offenders == []


def test_no_audit_event_name_is_built_from_a_string():
    pattern = re.compile(r"""(action|event)=f["']""")
    offenders = [str(p.relative_to(ROOT)) for p in app_sources() if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


STATEFUL = r"(application|tranche|claim|award|review|loan|instruction|batch|job)"


def test_state_carrying_models_are_saved_only_in_services_and_the_workflow():
    pattern = re.compile(rf"\b{STATEFUL}\.save\(")
    allowed = re.compile(r"(services[^/]*\.py|/services/[^/]+\.py|core/workflow\.py|/models(/[^/]+)?\.py)$")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in app_sources()
        if not allowed.search(path.as_posix())
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_no_star_imports_in_app_code():
    offenders = [
        str(p.relative_to(ROOT)) for p in app_sources() if re.search(r"^\s*from \S+ import \*", p.read_text(), re.M)
    ]
    assert offenders == []
