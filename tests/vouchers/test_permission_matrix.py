"""Who may do what to a seat voucher in which state: the cells vouchers.permissions.VOUCHERS allows (read
from the table by tests.core.matrix), walked through the services. Any other cell is refused (a domain
error) and changes nothing: no state change, no audit event.

People: `holder` the freelancer who holds the voucher; `other_freelancer` another freelancer; `officer`
a program officer; `space_staff` the staff of the space's operator; `other_operator` another company's
staff; `checker` a finance checker.
"""

import datetime as dt

import pytest

from accounts import roles
from audit.models import AuditEvent
from core.errors import DomainError
from core.workflow import PermissionTable
from tests.core.matrix import allowed
from tests.factories import OperatorFactory, SpaceFactory, UserFactory
from vouchers.models import DivisionQuota, Voucher
from vouchers.permissions import VOUCHERS
from vouchers.services import vouchers as services

from .conftest import NOW, at, make_freelancer, make_offer, make_round

STATES = ["applied", "waitlisted", "approved", "active"]
PEOPLE = ["holder", "other_freelancer", "officer", "space_staff", "other_operator", "checker"]
TODAY = NOW.date()

ACTIONS = {
    "approve": lambda v, u: services.voucher_approve(actor=u, voucher=v),
    "refuse": lambda v, u: services.voucher_refuse(actor=u, voucher=v, reason="The profile link is not theirs."),
    "withdraw": lambda v, u: services.voucher_withdraw(actor=u, voucher=v),
    "offer_place": lambda v, u: services.voucher_offer(actor=u, voucher=v),
    "start": lambda v, u: services.voucher_start(actor=u, voucher=v, start_date=TODAY),
    "end": lambda v, u: services.voucher_end(actor=u, voucher=v, ended_on=TODAY, reason="left"),
    "lapse": lambda v, u: _later(lambda: services.voucher_report_no_show(actor=u, voucher=v)),
}
TARGET = {
    "approve": "approved",
    "refuse": "refused",
    "withdraw": "withdrawn",
    "offer_place": "approved",
    "start": "active",
    "end": "ended",
    "lapse": "lapsed",
}
STANDING = {
    "holder": {roles.FREELANCER},
    "other_freelancer": set(),  # a freelancer, but not this voucher's holder: the object-level rule
    "officer": {roles.PROGRAM_OFFICER},
    "space_staff": {"members"},
    "other_operator": set(),
    "checker": {roles.FINANCE_CHECKER},
}
WALKED = PermissionTable.of("vouchers", [rule for rule in VOUCHERS.rules.values() if rule.action in ACTIONS])
ALLOWED = {(action, person, state) for person, action, state in allowed(WALKED, Voucher, STANDING)}


def _later(call):
    # A no-show is reported after the round's working days to start have passed.
    with at(TODAY + dt.timedelta(days=30)):
        return call()


def test_the_matrix_walks_every_row_a_person_takes():
    """Left out: apply and confirm_month (not transitions: their own tests), waitlist (taken by approve
    when the quota is full) and complete (the daily job's, no person)."""
    assert set(VOUCHERS.rules) - set(ACTIONS) == {"apply", "confirm_month", "waitlist", "complete"}
    assert {action for action, _who, _state in ALLOWED} == set(ACTIONS)


@pytest.fixture
def people(now):
    staff = UserFactory(roles=[roles.OPERATOR])
    space = SpaceFactory(operator=OperatorFactory(members=[staff]))
    other = UserFactory(roles=[roles.OPERATOR])
    OperatorFactory(members=[other])
    return {
        "holder": make_freelancer(),
        "other_freelancer": make_freelancer(),
        "officer": UserFactory(roles=[roles.PROGRAM_OFFICER]),
        "space_staff": staff,
        "other_operator": other,
        "checker": UserFactory(roles=[roles.FINANCE_CHECKER]),
        "space": space,
    }


def voucher_in(state, people) -> Voucher:
    round_ = make_round(quota=1 if state == "waitlisted" else 10)
    offer = make_offer(round_, space=people["space"])
    officer = people["officer"]
    if state == "waitlisted":
        first = services.voucher_apply(actor=make_freelancer(), round=round_, offer=offer, seat_type="hot_desk")
        services.voucher_approve(actor=officer, voucher=first)
    voucher = services.voucher_apply(actor=people["holder"], round=round_, offer=offer, seat_type="hot_desk")
    if state in ("waitlisted", "approved", "active"):
        services.voucher_approve(actor=officer, voucher=voucher)
    if state == "waitlisted":
        DivisionQuota.objects.filter(round=round_).update(vouchers=2)  # a place frees up: it may be offered
    if state == "active":
        services.voucher_start(actor=people["space_staff"], voucher=voucher, start_date=TODAY)
    voucher.refresh_from_db()
    assert voucher.state == state
    return voucher


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_voucher_matrix(action, person, state, people):
    voucher = voucher_in(state, people)
    before = AuditEvent.objects.count()
    if (action, person, state) in ALLOWED:
        ACTIONS[action](voucher, people[person])
        assert Voucher.objects.get(pk=voucher.pk).state == TARGET[action]
    else:
        with pytest.raises(DomainError):
            ACTIONS[action](voucher, people[person])
        assert Voucher.objects.get(pk=voucher.pk).state == state
        assert AuditEvent.objects.count() == before
