"""Who may do what to a payment in which state: the cells finance.permissions.PAYMENTS allows, walked
through the services. Any other cell must be refused (PermissionDenied, InvalidTransition or
ValidationFailed) or change nothing: no state change, no ledger row, no audit event.

People: `maker` and `checker` are the finance wing; `preparer` holds both finance roles and prepared
this payment (so may not approve it: four-eyes rule); `touched_checker` is a checker who worked on the
case (listed in touched_by); `payee_staff` holds both finance roles but is on the payee company's
staff; `officer` asked for the payment; `operator` is the payee's own staff.
"""

from decimal import Decimal

import pytest
from django.db import transaction

from accounts import roles
from audit.models import AuditEvent
from finance import services
from finance.errors import FinanceError, InvalidTransition
from finance.models import LedgerEntry, PaymentInstruction, PaymentState
from finance.permissions import PAYMENTS
from tests.core.matrix import allowed
from tests.factories import SpaceFactory, UserFactory

from .conftest import today

pytestmark = pytest.mark.django_db

STATES = [s.value for s in PaymentState]
ROLES = ["maker", "preparer", "checker", "touched_checker", "payee_staff", "officer", "operator"]


def _send(instruction, user):
    if instruction.batch is None:
        raise InvalidTransition("no batch")
    services.batch_mark_sent(batch=instruction.batch, actor=user)


ACTIONS = {
    "prepare": (lambda i, u: services.payment_prepare(instruction=i, actor=u), "prepared"),
    "approve": (lambda i, u: services.payment_approve(instruction=i, actor=u), "approved"),
    "send_back": (
        lambda i, u: services.payment_send_back(instruction=i, actor=u, reason="Wrong narration"),
        "requested",
    ),
    "cancel": (lambda i, u: services.payment_cancel(instruction=i, actor=u, reason="Award ended"), "cancelled"),
    "batch": (lambda i, u: services.batch_create(actor=u, value_date=today(), instructions=[i]), "in_batch"),
    "send": (_send, "sent"),
    "mark_paid": (lambda i, u: services.payment_mark_paid(instruction=i, actor=u), "paid"),
    "reconcile": (lambda i, u: services.payment_reconcile(instruction=i, actor=u), "reconciled"),
    "fail": (lambda i, u: services.payment_fail(instruction=i, actor=u, reason="Returned"), "failed"),
    "retry": (lambda i, u: services.payment_retry(instruction=i, actor=u), "retried"),
}

# Who each person is for the payment under test (what the table cannot know: the object-level rules).
STANDING = {
    "maker": {roles.FINANCE_MAKER},
    "preparer": {roles.FINANCE_MAKER, roles.FINANCE_CHECKER},
    "checker": {roles.FINANCE_CHECKER},
    "touched_checker": {roles.FINANCE_CHECKER},
    "payee_staff": set(),  # holds both finance roles, but never acts on a payment to their own company
    "officer": {roles.PROGRAM_OFFICER},
    "operator": {roles.OPERATOR},
}
# Four-eyes: the maker never approves what they prepared, nor a checker who worked on the case; nor
# confirms that the bank paid it (issue #17).
REFUSED = {("preparer", "approve"), ("touched_checker", "approve"), ("preparer", "mark_paid")}
# The table's row for the actions named otherwise here.
ROW = {"batch": "add_to_batch", "send": "mark_sent"}
ALLOWED = {
    (who, action, state)
    for action in ACTIONS
    for who, row, state in allowed(PAYMENTS, PaymentInstruction, STANDING, refused=REFUSED)
    if row == ROW.get(action, action)
}


def test_the_matrix_walks_every_row_of_the_table():
    """A row added to the table without an action here would never be walked; and every action here is
    allowed somewhere (else the matrix would test refusals only)."""
    assert set(PAYMENTS.rules) == {ROW.get(action, action) for action in ACTIONS}
    assert {action for _who, action, _state in ALLOWED} == set(ACTIONS)


class _Rollback(Exception):
    pass


@pytest.fixture
def people(payee, operator_user, officer):
    both = [roles.FINANCE_MAKER, roles.FINANCE_CHECKER]
    payee_staff = UserFactory(roles=both, email="insider@example.pk")
    payee.members.add(payee_staff)
    return {
        "maker": UserFactory(roles=[roles.FINANCE_MAKER], email="maker@example.pk"),
        "preparer": UserFactory(roles=both, email="preparer@example.pk"),
        "checker": UserFactory(roles=[roles.FINANCE_CHECKER], email="checker@example.pk"),
        "touched_checker": UserFactory(roles=[roles.FINANCE_CHECKER], email="reviewer@example.pk"),
        "payee_staff": payee_staff,
        "officer": officer,
        "operator": operator_user,
        "approver": UserFactory(roles=[roles.FINANCE_CHECKER], email="approver@example.pk"),
    }


def _payment_in(state: str, payee, people) -> PaymentInstruction:
    """A payment driven to `state` through the services: prepared by `preparer`, approved by `approver`."""
    p = people
    i = services.payment_request(
        source=SpaceFactory(operator=payee),
        payee=payee,
        amount=Decimal("500000"),
        narration="Tranche 1",
        actor=p["officer"],
        touched_by={p["touched_checker"].pk},
    )
    path = {
        "requested": [],
        "prepared": ["prepare"],
        "approved": ["prepare", "approve"],
        "in_batch": ["prepare", "approve", "batch"],
        "sent": ["prepare", "approve", "batch", "send"],
        "paid": ["prepare", "approve", "batch", "send", "mark_paid"],
        "reconciled": ["prepare", "approve", "batch", "send", "mark_paid", "reconcile"],
        "failed": ["prepare", "approve", "batch", "send", "fail"],
        "retried": ["prepare", "approve", "batch", "send", "fail", "retry"],
        "cancelled": ["cancel"],
    }[state]
    for step in path:
        actor = p["approver"] if step in ("approve", "mark_paid") else p["preparer"]
        ACTIONS[step][0](PaymentInstruction.objects.get(pk=i.pk), actor)
    i = PaymentInstruction.objects.get(pk=i.pk)
    assert i.state == state
    return i


@pytest.mark.parametrize("state", STATES)
def test_permission_matrix(state, payee, people):
    instruction = _payment_in(state, payee, people)
    for who in ROLES:
        for action, (call, target) in ACTIONS.items():
            allowed = (who, action, state) in ALLOWED
            ledger_before = LedgerEntry.objects.count()
            audit_before = AuditEvent.objects.count()
            try:
                with transaction.atomic():
                    fresh = PaymentInstruction.objects.get(pk=instruction.pk)
                    try:
                        call(fresh, people[who])
                        outcome = "ok"
                    except FinanceError:
                        outcome = "refused"
                    after = PaymentInstruction.objects.get(pk=instruction.pk)
                    changed = (
                        after.state != state
                        or LedgerEntry.objects.count() != ledger_before
                        or AuditEvent.objects.count() != audit_before
                    )
                    raise _Rollback
            except _Rollback:
                pass
            cell = f"{who} × {action} × {state}"
            if allowed:
                assert outcome == "ok", f"{cell} should be allowed"
                assert after.state == target, f"{cell} should reach {target}, not {after.state}"
            else:
                assert outcome == "refused" or not changed, f"{cell} should be refused"
                if outcome == "refused":
                    assert not changed, f"{cell} was refused but changed something"
