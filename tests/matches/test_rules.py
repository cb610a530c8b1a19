"""Each rule finds what it should and nothing else: the sweep over the registry, with near-misses,
placeholders and a company's own records beside each hit."""

import datetime as dt
from decimal import Decimal

import pytest

from matches.finders import distance_m
from matches.models import Match
from matches.rules import RULES, is_placeholder, normalise_address, normalise_name
from matches.services.sweep import matches_sweep
from spaces.models import Operator
from tests.factories import CallFactory, SpaceFactory, UserFactory
from tests.grants.factories import UtilityProgramFactory

from .conftest import application_of, bill, company, connection, document, sha

pytestmark = pytest.mark.django_db


def found(rule: str) -> set[frozenset[int]]:
    """The stored matches of `rule`, as sets of the two records' ids."""
    matches_sweep(rules=[rule])
    return {frozenset((m.left_id, m.right_id)) for m in Match.objects.filter(rule=rule)}


def test_every_rule_is_in_the_one_table_with_a_kind():
    assert {r.code for r in RULES} == {
        "principal_cnic",
        "iban",
        "secp",
        "mobile",
        "member_email",
        "connection",
        "file",
        "legal_name",
        "space_position",
        "space_address",
        "repeated_bill",
    }
    assert {r.code for r in RULES if r.kind == "confirmed"} == {
        "principal_cnic",
        "iban",
        "secp",
        "mobile",
        "member_email",
        "connection",
        "file",
    }


@pytest.mark.parametrize(
    ("rule", "field", "same", "near"),
    [
        ("principal_cnic", "principal_cnic", "35202-7654321-3", "35202-7654321-5"),
        ("iban", "iban", "PK36SCBL0000001123456702", "PK24SCBL0000001123456703"),
        ("secp", "secp_registration_number", "0123456", "0123457"),
        ("mobile", "contact_mobile", "0321-7654321", "0321-7654322"),
    ],
)
def test_an_operator_identifier_shared_by_two_operators_is_a_confirmed_match(rule, field, same, near):
    a, b = company(**{field: same}), company(**{field: same})
    company(**{field: near})  # one digit apart: no match
    assert found(rule) == {frozenset((a.pk, b.pk))}
    match = Match.objects.get(rule=rule)
    assert (match.kind, match.state, match.value) == ("confirmed", "open", same)


def test_empty_and_placeholder_values_never_match():
    company(secp_registration_number="", legal_form="sole_proprietor")
    company(secp_registration_number="", legal_form="sole_proprietor")
    Operator.objects.update(secp_registration_number="")
    assert found("secp") == set()
    Operator.objects.update(secp_registration_number="0000000")
    assert found("secp") == set()
    assert is_placeholder("N/A") and is_placeholder("0000-0000000") and is_placeholder("")
    assert is_placeholder("PK00SCBL0000000000000000")
    assert not is_placeholder("PK36SCBL0000001123456702") and not is_placeholder("35202-1234567-1")


def test_one_person_acting_for_two_operators_is_a_member_email_match():
    a, b, c = company(), company(), company()
    shared = UserFactory(email="both@example.pk")
    a.members.add(shared)
    b.members.add(shared)
    assert found("member_email") == {frozenset((a.pk, b.pk))}
    assert Match.objects.get(rule="member_email").value == "both@example.pk"
    assert c.pk not in {m.left_id for m in Match.objects.all()} | {m.right_id for m in Match.objects.all()}


def _utility_app(operator):
    return application_of(operator, call=CallFactory(program=UtilityProgramFactory()), space=None)


def test_a_connection_enrolled_by_two_operators_matches_but_not_another_disco_or_reference():
    a, b, c = company(), company(), company()
    first = connection(_utility_app(a), a.spaces.first(), "04111234567890")
    second = connection(_utility_app(b), b.spaces.first(), "04111234567890")
    connection(_utility_app(c), c.spaces.first(), "04111234567891")  # one digit apart
    connection(_utility_app(c), c.spaces.first(), "04111234567890", disco="GEPCO")  # another DISCO
    assert found("connection") == {frozenset((first.pk, second.pk))}


def test_the_same_file_on_two_operators_cases_matches_but_not_on_one_operators_own_cases():
    a, b = company(), company()
    receipt = sha("receipt photo")
    mine = document(application_of(a), receipt)
    document(application_of(a), receipt)  # the same operator's other application: not a duplicate across operators
    theirs = document(application_of(b), receipt)
    document(application_of(b), sha("another file"))
    result = found("file")
    assert len(result) == 2  # each of a's two copies with b's one
    assert frozenset((mine.pk, theirs.pk)) in result
    assert all({m.left_operator_id, m.right_operator_id} == {a.pk, b.pk} for m in Match.objects.filter(rule="file"))


def test_the_same_bill_figures_in_two_months_of_one_connection_are_a_potential_match():
    a = company()
    conn = connection(_utility_app(a), a.spaces.first(), "04119999999999")
    may = bill(conn, dt.date(2026, 5, 1))
    june = bill(conn, dt.date(2026, 6, 1))
    bill(conn, dt.date(2026, 7, 1), amount="120000.00", units=2401)  # one unit more: no match
    bill(conn, dt.date(2026, 8, 1), state="rejected")  # a rejected claim does not count
    assert found("repeated_bill") == {frozenset((may.pk, june.pk))}
    assert Match.objects.get(rule="repeated_bill").kind == "potential"


def test_legal_names_alike_after_normalisation_in_one_district_are_a_potential_match():
    a = company(legal_name="Indus Hub Coworking (Private) Limited")
    b = company(legal_name="INDUS HUB CO-WORKING Pvt. Ltd.")
    c = company(legal_name="Indus Hub Coworking (Pvt.) Ltd.")
    SpaceFactory(operator=c, district="Multan", division="Multan", address="1 Bosan Road 7, Multan")
    c.spaces.exclude(district="Multan").delete()  # the same name, but in another district
    company(legal_name="Ravi Digital Workspace (Pvt.) Ltd.")  # same district, another name
    assert found("legal_name") == {frozenset((a.pk, b.pk))}
    match = Match.objects.get(rule="legal_name")
    assert match.detail["district"] == "Lahore" and match.detail["score"] >= 90
    assert normalise_name("Ravi ۱۲ (Private) Limited") == normalise_name("RAVI 12 Pvt. Ltd.") == "ravi 12"


def test_names_split_or_joined_differently_are_alike_but_names_with_other_numbers_are_not():
    a = company(legal_name="Margalla Co Working Studio (Pvt.) Ltd.")
    b = company(legal_name="Margalla Coworking-Studio Private Limited")
    c = company(legal_name="Chenab Desk 1 (Pvt.) Ltd.")
    d = company(legal_name="Chenab Desk ۱ SMC-Private Limited")  # Urdu digit one: the same number
    company(legal_name="Chenab Desk 2 (Pvt.) Ltd.")  # another number: another firm
    company(legal_name="Chenab Desk 12 (Pvt.) Ltd.")
    assert found("legal_name") == {frozenset((a.pk, b.pk)), frozenset((c.pk, d.pk))}


def test_spaces_within_25_metres_under_two_operators_match_but_30_metres_do_not():
    a, b, c = company(), company(), company()
    here = a.spaces.get()
    b.spaces.update(latitude=here.latitude + Decimal("0.000150"), longitude=here.longitude)  # about 17 m
    c.spaces.update(latitude=here.latitude - Decimal("0.000270"), longitude=here.longitude)  # about 30 m
    # a's second space at the very spot of its first: a company's own spaces never match each other,
    # but this one is 17 m from b's space too, under another operator, so it is a match with b's.
    own = SpaceFactory(operator=a, code="LHR-990", latitude=here.latitude, longitude=here.longitude, address="x")
    theirs = b.spaces.get()
    result = found("space_position")
    assert result == {frozenset((here.pk, theirs.pk)), frozenset((own.pk, theirs.pk))}
    assert frozenset((here.pk, own.pk)) not in result
    assert all(15 < m.detail["distance_m"] < 20 for m in Match.objects.filter(rule="space_position"))
    assert 29 < distance_m(31.4, 74.2, 31.4 - 0.00027, 74.2) < 31


def test_spaces_with_one_normalised_address_match():
    a, b, c = company(), company(), company()
    a.spaces.update(address="12-B, Main Rd., Gulberg III, Lahore")
    b.spaces.update(address="12 B MAIN ROAD GULBERG III LAHORE")
    c.spaces.update(address="14-B, Main Rd., Gulberg III, Lahore")
    assert found("space_address") == {frozenset((a.spaces.get().pk, b.spaces.get().pk))}
    assert normalise_address("Lahore") == ""  # no address to compare


def test_the_sweep_twice_finds_one_match_and_records_it_once():
    from audit.models import AuditEvent

    company(iban="PK36SCBL0000001123456702")
    company(iban="PK36SCBL0000001123456702")
    first = matches_sweep()
    second = matches_sweep()
    assert first.new["iban"] == 1 and second.total_new == 0
    assert Match.objects.filter(rule="iban").count() == 1
    match = Match.objects.get(rule="iban")
    assert (
        AuditEvent.objects.filter(object_type="matches.match", object_id=str(match.pk), action="match.found").count()
        == 1
    )
