"""The check at application submit: a few indexed queries whatever the registry holds."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matches import finders
from matches.models import Match
from matches.services.checks import matches_check_application, matches_check_operator
from spaces.models import Operator
from tests.factories import SpaceFactory

from .conftest import application_of, company, document, sha

pytestmark = pytest.mark.django_db


def test_the_submit_check_stays_within_ten_queries(django_assert_max_num_queries):
    others = [company() for _ in range(30)]
    for n, other in enumerate(others):
        document(application_of(other), sha(f"other {n}"))
    mine = company()
    app = application_of(mine)
    for n in range(5):
        document(app, sha(f"mine {n}"))
    finders.type_id(Operator)  # content types are cached once per process, as in a running server
    with django_assert_max_num_queries(10):
        assert matches_check_application(application=app) == []


def test_the_submit_check_finds_a_shared_file_and_counts_its_writes():
    a, b = company(), company()
    document(application_of(b), sha("the receipt"))
    app = application_of(a)
    document(app, sha("the receipt"))
    with CaptureQueriesContext(connection) as queries:
        found = matches_check_application(application=app)
    assert [m.rule for m in found] == ["file"] and Match.objects.count() == 1
    assert matches_check_application(application=app) == []  # found again: still one match
    assert len(queries) < 25


def test_the_company_check_finds_a_space_next_door_across_a_district_line_and_one_address_in_urdu_digits():
    mine, neighbour, same_address, elsewhere = company(), company(), company(), company()
    here = mine.spaces.get()
    here_address = "12-B, Main Rd., Gulberg III, Lahore"
    mine.spaces.update(address=here_address)
    # 17 m north, over the line in Kasur: the sweep's grid knows no districts, nor does the check.
    neighbour.spaces.update(
        latitude=here.latitude + Decimal("0.000150"), longitude=here.longitude, district="Kasur", division="Lahore"
    )
    same_address.spaces.update(address="۱۲ B MAIN ROAD GULBERG III LAHORE")
    SpaceFactory(
        operator=elsewhere, address="12-B, Main Rd., Gulberg III, Multan", district="Multan", division="Multan"
    )
    found = {(m.rule, m.left_operator_id, m.right_operator_id) for m in matches_check_operator(operator=mine)}
    assert found == {
        ("space_position", *sorted((mine.pk, neighbour.pk))),
        ("space_address", *sorted((mine.pk, same_address.pk))),
    }


def test_names_are_compared_at_company_verification_not_at_each_submit():
    mine = company(legal_name="Shalimar Tech Hub (Pvt.) Ltd.")
    alike = company(legal_name="SHALIMAR TECH-HUB Private Limited")
    app = application_of(mine)
    assert matches_check_application(application=app) == []  # the submit touches no name
    found = matches_check_operator(operator=mine)
    assert [(m.rule, {m.left_operator_id, m.right_operator_id}) for m in found] == [("legal_name", {mine.pk, alike.pk})]
