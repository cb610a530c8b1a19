"""Clear and confirm: who may (the permission table, walked cell by cell), what each records in the
audit trail, and what confirming opens at the integrity office."""

import pytest

from accounts import roles
from audit.models import AuditEvent
from core.errors import DomainError
from core.workflow import PermissionTable
from integrity.models import Grievance
from matches.models import Match
from matches.permissions import MATCHES
from matches.services.decisions import match_clear, match_confirm
from matches.services.sweep import matches_sweep
from tests.core.matrix import allowed
from tests.factories import UserFactory

from .conftest import company

pytestmark = pytest.mark.django_db

ACTIONS = {
    "clear": lambda m, u: match_clear(match=m, actor=u, reason="Same family, different businesses, checked on site."),
    "confirm": lambda m, u: match_confirm(match=m, actor=u, reason="The same principal runs both."),
}
TARGET = {"clear": "cleared", "confirm": "confirmed"}
PEOPLE = {
    "officer": {roles.PROGRAM_OFFICER},
    "integrity": {roles.INTEGRITY_OFFICER},
    "head": {roles.INTEGRITY_HEAD},
    "steward": {roles.DATA_STEWARD},
    "maker": {roles.FINANCE_MAKER},
    "operator": {roles.OPERATOR},
}
STANDING = {person: held for person, held in PEOPLE.items()}
WALKED = PermissionTable.of("matches", [rule for rule in MATCHES.rules.values() if rule.action in ACTIONS])
ALLOWED = {(action, person, state) for person, action, state in allowed(WALKED, Match, STANDING)}


def an_open_match() -> Match:
    a, b = company(), company()
    b.__class__.objects.filter(pk=b.pk).update(iban=a.iban)
    matches_sweep(rules=["iban"])
    return Match.objects.get(rule="iban", left_operator_id=min(a.pk, b.pk))


def events(match, action):
    return AuditEvent.objects.filter(object_type="matches.match", object_id=str(match.pk), action=action)


@pytest.mark.parametrize("person", sorted(PEOPLE))
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_permission_matrix(action, person):
    match = an_open_match()
    user = UserFactory(roles=sorted(PEOPLE[person]))
    if (action, person, "open") in ALLOWED:
        ACTIONS[action](match, user)
        match.refresh_from_db()
        assert match.state == TARGET[action]
        assert events(match, f"match.{TARGET[action]}").count() == 1
    else:
        with pytest.raises(DomainError):
            ACTIONS[action](match, user)
        match.refresh_from_db()
        assert match.state == "open" and not events(match, f"match.{TARGET[action]}").exists()


def test_the_matrix_is_what_the_issue_says():
    assert {(a, p) for a, p, _s in ALLOWED} == {
        ("clear", "officer"),
        ("clear", "integrity"),
        ("clear", "head"),
        ("clear", "steward"),
        ("confirm", "integrity"),
        ("confirm", "head"),
    }


def test_clearing_needs_a_reason_and_keeps_it_in_the_audit_trail():
    match = an_open_match()
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER])
    with pytest.raises(DomainError) as refused:
        match_clear(match=match, actor=officer, reason="   ")
    assert "reason" in refused.value.field_errors
    match_clear(match=match, actor=officer, reason="Same family, different businesses, checked on site.")
    match.refresh_from_db()
    assert (match.state, match.decided_by, match.reason) == (
        "cleared",
        officer,
        "Same family, different businesses, checked on site.",
    )
    event = events(match, "match.cleared").get()
    assert (event.from_state, event.to_state, event.actor) == ("open", "cleared", officer)
    assert event.reason == match.reason
    with pytest.raises(DomainError):  # decided once
        match_confirm(match=match, actor=UserFactory(roles=[roles.INTEGRITY_OFFICER]), reason="Again")


def test_confirming_opens_a_grievance_naming_both_companies():
    match = an_open_match()
    integrity = UserFactory(roles=[roles.INTEGRITY_OFFICER])
    match_confirm(match=match, actor=integrity, reason="The same account title on both.")
    match.refresh_from_db()
    grievance = match.grievance
    assert match.state == "confirmed" and grievance.state == "filed"
    assert grievance.channel == Grievance.Channel.HELPLINE and grievance.entered_by == integrity
    assert grievance.operator_id == match.left_operator_id
    assert match.left_operator.legal_name in grievance.what_happened
    assert match.right_operator.legal_name in grievance.what_happened
    assert events(match, "match.confirmed").get().to_state == "confirmed"


def test_no_one_decides_a_match_on_a_company_they_act_for():
    match = an_open_match()
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER])
    match.left_operator.members.add(officer)
    with pytest.raises(DomainError):
        match_clear(match=match, actor=officer, reason="Mine, fine.")
    assert Match.objects.get(pk=match.pk).state == "open"
