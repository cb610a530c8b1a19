"""Who may do what to a tranche and a utility claim in which state: the cells grants.permissions.TRANCHES
and CLAIMS allow, walked through the services. Any other cell is refused (a GrantsError) and changes
nothing: no state change, no payment, no audit event.

People: `holder` is the award company's staff; `other_operator` another company's; `officer` a program
officer; `own_officer` a program officer who is also on the award company's staff (never acts on its
own case); `checker` a finance checker; `reviewer` a board reviewer of the application.

Then the separation rule finance holds for these payments: a finance checker who touched the
application (reviewed it, decided it, verified the tranche, screened it) may not approve its payment.
"""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts import roles
from audit.models import AuditEvent
from finance import services as finance
from finance.errors import PermissionDenied as FinancePermissionDenied
from finance.models import PaymentInstruction
from grants import services
from grants.errors import GrantsError
from grants.models import Tranche, UtilityClaim
from grants.permissions import CLAIMS, TRANCHES
from tests.core.matrix import allowed

from .conftest import PDF_BYTES, ensure_allocation
from .factories import UserFactory
from .payments import accepted_enrolment, accepted_grant, finance_people, payment_for, report

pytestmark = pytest.mark.django_db

TRANCHE_STATES = ["scheduled", "requested", "returned", "verified"]
CLAIM_STATES = ["submitted", "verified", "approved", "rejected"]
PEOPLE = ["holder", "other_operator", "officer", "own_officer", "checker", "reviewer"]

TRANCHE_ACTIONS = {
    "request": lambda t, u: services.tranche_request(
        tranche=t, actor=u, progress_note="Done", evidence=[("progress_report", report())]
    ),
    "return": lambda t, u: services.tranche_return(tranche=t, actor=u, reason="Blurred photos"),
    "verify": lambda t, u: services.tranche_verify(tranche=t, actor=u),
}
# Who each person is for the award under test (what the tables cannot know: the object-level rule).
STANDING = {
    "holder": {"members"},
    "other_operator": set(),  # an operator, of another company
    "officer": {roles.PROGRAM_OFFICER},
    # On the company's staff, an officer may ask for its tranche as staff; never verify it.
    "own_officer": {"members"},
    "checker": {roles.FINANCE_CHECKER},
    "reviewer": {roles.BOARD_REVIEWER},
}
# The service each action here calls, by its row in the table; and the state it leads to.
TRANCHE_ROW = {"request": "request", "return": "send_back", "verify": "verify"}
TRANCHE_TARGET = {"request": "requested", "return": "returned", "verify": "verified"}
TRANCHE_ALLOWED = {
    (action, person, state): TRANCHE_TARGET[action]
    for action, row in TRANCHE_ROW.items()
    for person, cell_row, state in allowed(TRANCHES, Tranche, STANDING)
    if cell_row == row
}

CLAIM_ACTIONS = {
    "verify": lambda c, u: services.utility_claim_verify(claim=c, actor=u),
    "approve": lambda c, u: services.utility_claim_approve(claim=c, actor=u),
    "reject": lambda c, u: services.utility_claim_reject(claim=c, actor=u, reason="Unreadable scan"),
}
CLAIM_TARGET = {"verify": "verified", "approve": "approved", "reject": "rejected"}
CLAIM_ALLOWED = {
    (action, person, state): CLAIM_TARGET[action]
    for person, action, state in allowed(CLAIMS, UtilityClaim, STANDING)
    if action in CLAIM_ACTIONS
}


def test_the_matrices_walk_every_row_a_person_takes():
    """The rows left out are finance's hooks (the payment moved the tranche or claim): walked in the
    payment tests. Every action here is allowed somewhere (else the matrix would test refusals only)."""
    hooks = {"mark_paid", "payment_returned"}
    assert set(TRANCHES.rules) - hooks == set(TRANCHE_ROW.values())
    assert set(CLAIMS.rules) - hooks == set(CLAIM_ACTIONS)
    assert {action for action, _who, _state in TRANCHE_ALLOWED} == set(TRANCHE_ACTIONS)
    assert {action for action, _who, _state in CLAIM_ALLOWED} == set(CLAIM_ACTIONS)


@pytest.fixture
def people(operator, operator_user, other_operator_user, officer):
    own_officer = UserFactory(roles=[roles.PROGRAM_OFFICER, roles.OPERATOR])
    operator.members.add(own_officer)
    return {
        "holder": operator_user,
        "other_operator": other_operator_user,
        "officer": officer,
        "own_officer": own_officer,
        "checker": UserFactory(roles=[roles.FINANCE_CHECKER]),
        "reviewer": UserFactory(roles=[roles.BOARD_REVIEWER]),
    }


def tranche_in(state, award, people) -> Tranche:
    tranche = Tranche.objects.get(award=award, position=1)
    if state == "scheduled":
        return tranche
    tranche = TRANCHE_ACTIONS["request"](tranche, people["holder"])
    if state == "returned":
        tranche = TRANCHE_ACTIONS["return"](tranche, people["officer"])
    if state == "verified":
        tranche = TRANCHE_ACTIONS["verify"](tranche, people["officer"])
    return tranche


def snapshot():
    return (AuditEvent.objects.count(), PaymentInstruction.objects.count())


@pytest.mark.parametrize("state", TRANCHE_STATES)
@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("action", list(TRANCHE_ACTIONS))
def test_tranche_matrix(action, person, state, grant_call, operator, space, people):
    award = accepted_grant(grant_call, operator, space, people["holder"], people["officer"])
    tranche = tranche_in(state, award, people)
    expected = TRANCHE_ALLOWED.get((action, person, state))
    before = snapshot()
    if expected:
        result = TRANCHE_ACTIONS[action](tranche, people[person])
        assert result.state == expected
        assert Tranche.objects.get(pk=tranche.pk).state == expected
    else:
        with pytest.raises(GrantsError):
            TRANCHE_ACTIONS[action](tranche, people[person])
        assert Tranche.objects.get(pk=tranche.pk).state == state
        assert snapshot() == before


def claim_in(state, connection, people) -> UtilityClaim:
    from django.core.files.base import ContentFile

    claim = services.utility_claim_submit(
        connection=connection,
        actor=people["holder"],
        disco=connection.disco,
        bill_reference=connection.bill_reference,
        billing_month=timezone.localdate().replace(day=1),  # the month of the decision: claimable
        units=3000,
        bill_amount=Decimal("180000"),
        file=ContentFile(PDF_BYTES, name="bill.pdf"),
    )
    if state in ("verified", "approved"):
        claim = CLAIM_ACTIONS["verify"](claim, people["officer"])
    if state == "approved":
        claim = CLAIM_ACTIONS["approve"](claim, people["officer"])
    if state == "rejected":
        claim = CLAIM_ACTIONS["reject"](claim, people["officer"])
    return claim


@pytest.mark.parametrize("state", CLAIM_STATES)
@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("action", list(CLAIM_ACTIONS))
def test_claim_matrix(action, person, state, utility_call, operator, space, people):
    award = accepted_enrolment(utility_call, operator, [space], people["holder"], people["officer"])
    claim = claim_in(state, award.application.connections.get(), people)
    expected = CLAIM_ALLOWED.get((action, person, state))
    before = snapshot()
    if expected:
        assert CLAIM_ACTIONS[action](claim, people[person]).state == expected
        assert UtilityClaim.objects.get(pk=claim.pk).state == expected
    else:
        with pytest.raises(GrantsError):
            CLAIM_ACTIONS[action](claim, people[person])
        assert UtilityClaim.objects.get(pk=claim.pk).state == state
        assert snapshot() == before


# --- finance's separation of duties for these payments ---------------------------------------------


def _make_checker(user):
    user.groups.add(Group.objects.get_or_create(name=roles.FINANCE_CHECKER)[0])
    user._role_cache = None
    return user


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("fresh_checker", True),
        ("screening_officer", False),  # screened the application, later a checker
        ("reviewer", False),  # scored it on the board
        ("chair", False),  # recorded the board's decision
        ("verifier", False),  # verified the tranche
    ],
)
def test_a_checker_who_touched_the_application_may_not_approve_its_tranche(
    who, allowed, grant_call, operator, space, operator_user, officer, chair
):
    ensure_allocation(grant_call.program)
    award = accepted_grant(grant_call, operator, space, operator_user, officer, chair=chair)
    verifier = UserFactory(roles=[roles.PROGRAM_OFFICER])
    tranche = services.tranche_verify(
        tranche=TRANCHE_ACTIONS["request"](Tranche.objects.get(award=award, position=1), operator_user),
        actor=verifier,
    )
    maker, fresh = finance_people()
    person = {
        "fresh_checker": fresh,
        "screening_officer": officer,
        "reviewer": award.application.reviews.first().reviewer,
        "chair": chair,
        "verifier": verifier,
    }[who]
    _make_checker(person)
    instruction = finance.payment_prepare(instruction=payment_for(tranche), actor=maker, amount=tranche.amount)
    if allowed:
        assert finance.payment_approve(instruction=instruction, actor=person).state == "approved"
    else:
        with pytest.raises(FinancePermissionDenied, match="You worked on the case"):
            finance.payment_approve(instruction=instruction, actor=person)
        assert PaymentInstruction.objects.get(pk=instruction.pk).state == "prepared"
