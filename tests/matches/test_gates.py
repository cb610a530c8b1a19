"""The gates: send to review, verify a company, verify a tranche or a claim and prepare a payment are
refused while a match holds the case, each refusal naming the match and what to do; clearing the match
(or the integrity case being resolved) lets the case go on. Walked through the real services."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts import roles
from core.errors import DomainError
from finance import services as finance
from grants import services
from integrity.models import Grievance
from integrity.services.grievances import grievance_assign, grievance_investigate, grievance_resolve
from matches.models import Match
from matches.services.decisions import match_clear, match_confirm
from matches.services.sweep import matches_sweep
from spaces.models import Operator
from spaces.services import RegistryError, operator_verify
from tests.factories import CallFactory, OperatorFactory, SpaceFactory, UserFactory
from tests.grants.conftest import complete_grant, to_state, unique_pdf
from tests.grants.factories import GrantProgramFactory, UtilityProgramFactory
from tests.grants.payments import accepted_enrolment, accepted_grant, finance_people, payment_for, request_tranche

pytestmark = pytest.mark.django_db

SHARED_CNIC = "35202-9999888-1"
KHI = ZoneInfo("Asia/Karachi")


@pytest.fixture
def people(db):
    operator_user = UserFactory(roles=[roles.OPERATOR])
    operator = OperatorFactory(members=[operator_user], principal_cnic="35202-1111222-3")
    space = SpaceFactory(operator=operator)
    twin = OperatorFactory(principal_cnic="35202-4444555-6", legal_name="Twin Desk (Pvt.) Ltd.")
    SpaceFactory(operator=twin, code="LHR-777", address="1 Far Road 9, Lahore", latitude=Decimal("31.6"))
    return {
        "operator_user": operator_user,
        "operator": operator,
        "space": space,
        "twin": twin,
        "officer": UserFactory(roles=[roles.PROGRAM_OFFICER]),
        "integrity": UserFactory(roles=[roles.INTEGRITY_OFFICER]),
    }


def share_cnic(people) -> Match:
    Operator.objects.filter(pk__in=[people["operator"].pk, people["twin"].pk]).update(principal_cnic=SHARED_CNIC)
    matches_sweep(rules=["principal_cnic"])
    return Match.objects.get(rule="principal_cnic")


def assert_refused_naming(call, match: Match, what: str):
    with pytest.raises((DomainError, RegistryError)) as refused:
        call()
    text = str(getattr(refused.value, "message", refused.value))
    assert match.reference in text and "Twin Desk" in text and what in text
    assert "clear it" in text or "integrity office" in text
    return text


def test_submit_finds_the_match_and_send_to_review_is_refused_until_it_is_cleared(people):
    Operator.objects.filter(pk__in=[people["operator"].pk, people["twin"].pk]).update(principal_cnic=SHARED_CNIC)
    call = CallFactory(program=GrantProgramFactory())
    app = complete_grant(call, people["operator"], people["space"], people["operator_user"])
    app = to_state(app, "screening", operator_user=people["operator_user"], officer=people["officer"])
    match = Match.objects.get(rule="principal_cnic")  # found by the check at submit
    assert match.found_by == "application submit" and match.state == "open"
    text = assert_refused_naming(
        lambda: services.application_send_to_review(application=app, actor=people["officer"]),
        match,
        "sending it to review",
    )
    assert "/workbench/matches/" in text
    app.refresh_from_db()
    assert app.state == "screening"
    match_clear(match=match, actor=people["officer"], reason="Brothers; two businesses, checked on site.")
    app = services.application_send_to_review(application=app, actor=people["officer"])
    assert app.state == "in_review"


def test_verifying_a_company_is_refused_while_its_iban_is_another_operators(people):
    operator = people["operator"]
    Operator.objects.filter(pk=operator.pk).update(verification_status="pending", verified_at=None)
    Operator.objects.filter(pk=people["twin"].pk).update(iban=operator.iban)
    with pytest.raises(RegistryError) as refused:
        operator_verify(actor=people["officer"], operator=Operator.objects.get(pk=operator.pk))
    match = Match.objects.get(rule="iban")  # the check ran first and kept what it found
    assert match.found_by == "company verification"
    assert match.reference in str(refused.value.message) and "verifying the company" in str(refused.value.message)
    assert Operator.objects.get(pk=operator.pk).verification_status == "pending"


def test_a_potential_match_does_not_hold_the_case(people):
    Operator.objects.filter(pk=people["operator"].pk).update(verification_status="pending", verified_at=None)
    people["twin"].spaces.update(latitude=people["space"].latitude, longitude=people["space"].longitude)
    operator_verify(actor=people["officer"], operator=Operator.objects.get(pk=people["operator"].pk))
    assert Match.objects.get(rule="space_position").kind == "potential"
    assert Operator.objects.get(pk=people["operator"].pk).verification_status == "verified"


def test_tranche_verification_and_payment_are_refused_while_a_match_holds_the_company(people):
    call = CallFactory(program=GrantProgramFactory())
    award = accepted_grant(call, people["operator"], people["space"], people["operator_user"], people["officer"])
    first, second = list(award.tranches.order_by("position"))
    request_tranche(first, people["operator_user"])
    services.tranche_verify(tranche=first, actor=people["officer"])  # no match yet: verified, finance asked
    request_tranche(second, people["operator_user"])
    match = share_cnic(people)
    assert_refused_naming(
        lambda: services.tranche_verify(tranche=second, actor=people["officer"]), match, "verifying the tranche"
    )
    maker, _checker = finance_people()
    instruction = payment_for(first)
    assert_refused_naming(
        lambda: finance.payment_prepare(instruction=instruction, actor=maker), match, "preparing the payment"
    )
    # Confirmed: with the integrity office, payments stay held until its case is resolved.
    match_confirm(match=match, actor=people["integrity"], reason="Same principal on both; the same office.")
    match.refresh_from_db()
    text = assert_refused_naming(
        lambda: finance.payment_prepare(instruction=instruction, actor=maker), match, "preparing the payment"
    )
    assert match.grievance.reference in text
    # The integrity office works its case to a resolution, through its own services.
    grievance, investigator = match.grievance, people["integrity"]
    grievance_assign(grievance=grievance, actor=investigator, officer=investigator)
    grievance = grievance_investigate(grievance=grievance, actor=investigator)
    with pytest.raises(DomainError):  # still investigating: payments held
        finance.payment_prepare(instruction=instruction, actor=maker)
    grievance_resolve(
        grievance=grievance, actor=investigator, outcome="not_substantiated", action_taken="Two firms; cleared."
    )
    assert Grievance.objects.get(pk=grievance.pk).state == "resolved"
    assert finance.payment_prepare(instruction=instruction, actor=maker).state == "prepared"


def test_claim_verification_is_refused_while_a_match_holds_the_company(people):
    call = CallFactory(program=UtilityProgramFactory())
    award = accepted_enrolment(call, people["operator"], [people["space"]], people["operator_user"], people["officer"])
    conn = award.application.connections.get()
    claim = services.utility_claim_submit(
        connection=conn,
        actor=people["operator_user"],
        disco=conn.disco,
        bill_reference=conn.bill_reference,
        billing_month=timezone.localdate().replace(day=1),
        units=3000,
        bill_amount=Decimal("180000"),
        file=ContentFile(unique_pdf("gate bill"), name="bill.pdf"),
    )
    match = share_cnic(people)
    assert_refused_naming(
        lambda: services.utility_claim_verify(claim=claim, actor=people["officer"]), match, "verifying the claim"
    )
    match_clear(match=match, actor=people["officer"], reason="Checked: different people, NADRA record mistyped.")
    assert services.utility_claim_verify(claim=claim, actor=people["officer"]).state == "verified"


def test_a_bill_reused_in_another_month_is_found_at_claim_submit(people):
    with time_machine.travel(dt.datetime(2026, 7, 10, 11, 0, tzinfo=KHI), tick=False) as clock:
        # Enrolled in July; bills are covered from then, so in October two months' bills can be claimed.
        call = CallFactory(program=UtilityProgramFactory())
        award = accepted_enrolment(
            call, people["operator"], [people["space"]], people["operator_user"], people["officer"]
        )
        clock.move_to(dt.datetime(2026, 10, 15, 11, 0, tzinfo=KHI))
        submit_two_bills(award, people)
    match = Match.objects.get(rule="repeated_bill")
    assert match.found_by == "utility claim" and match.kind == "potential"
    assert match.detail["months"] == ["2026-08-01", "2026-09-01"]


def submit_two_bills(award, people):
    conn = award.application.connections.get()
    for month in (dt.date(2026, 8, 1), dt.date(2026, 9, 1)):
        services.utility_claim_submit(
            connection=conn,
            actor=people["operator_user"],
            disco=conn.disco,
            bill_reference=conn.bill_reference,
            billing_month=month,
            units=2500,
            bill_amount=Decimal("150000"),
            file=ContentFile(unique_pdf(f"bill {month}"), name="bill.pdf"),
        )
