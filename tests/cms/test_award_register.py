"""The award register: every public award, filtered and sorted by a plain GET form, in constant queries."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import AwardRegisterPage
from cms.selectors import award_places, public_awards
from fixtures.demo_applications import load_demo_applications
from fixtures.demo_network import load_demo_network
from fixtures.demo_reviews import load_demo_reviews
from fixtures.demo_site import load_demo_site
from grants.models import Award
from grants.money import pkr

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(db):
    load_demo_network()
    load_demo_applications()
    load_demo_reviews()
    load_demo_site(stdout=io.StringIO())
    assert load_demo_site() == 0  # idempotent, the register included
    page = AwardRegisterPage.objects.live().get()
    assert page.show_in_menus and page.title_ur and page.get_parent().specific_class.__name__ == "HomePage"
    return page


def sanctions(response) -> list[str]:
    return re.findall(r'<td dir="ltr">(SAN-[A-Z]+-\d{4}-\d{5})</td>', response.content.decode())


def test_register_lists_every_public_award_with_its_facts(register, client):
    response = client.get(register.url)
    assert response.status_code == 200
    html = response.content.decode()
    awards = list(Award.objects.select_related("application__operator", "application__call__program"))
    assert sorted(sanctions(response)) == sorted(a.sanction_number for a in awards)
    for award in awards:
        assert pkr(award.amount) in html
        assert award.application.operator.legal_name.replace("&", "&amp;") in html
    for url in ("/open-data/awards.json", "/open-data/awards.csv", "/open-data/awards.xlsx"):
        assert f'href="{url}"' in html
    ur = client.get("/ur" + register.url)
    assert ur.status_code == 200 and register.title_ur in ur.content.decode()


def test_filters_and_sort(register, client):
    awards = list(public_awards())
    program = awards[0].application.call.program
    response = client.get(register.url, {"program": program.pk})
    expected = [a.sanction_number for a in awards if a.application.call.program_id == program.pk]
    assert sorted(sanctions(response)) == sorted(expected)

    response = client.get(register.url, {"instrument": "soft_loan"})
    assert sorted(sanctions(response)) == sorted(
        a.sanction_number for a in awards if a.application.instrument == "soft_loan"
    )

    district = next(a.application.space.district for a in awards if a.application.space is not None)
    response = client.get(register.url, {"district": district})
    listed = sanctions(response)
    assert listed and all(
        district in {s.district for s in award_places(a)} for a in awards if a.sanction_number in listed
    )
    assert sorted(listed) == sorted(
        a.sanction_number for a in awards if district in {s.district for s in award_places(a)}
    )

    by_amount = sanctions(client.get(register.url, {"sort": "amount_desc"}))
    amounts = {a.sanction_number: a.amount for a in awards}
    assert [amounts[s] for s in by_amount] == sorted(amounts.values(), reverse=True)
    by_date = sanctions(client.get(register.url, {"sort": "date_asc"}))
    assert by_date == [a.sanction_number for a in public_awards(sort="date_asc")]

    # A district outside the chosen division is an error, not a list that ignores the filter.
    response = client.get(register.url, {"division": "Multan", "district": "Lahore"})
    assert response.status_code == 200 and not sanctions(response) and "error-summary" in response.content.decode()


def test_register_reads_in_constant_queries(register, client):
    client.get(register.url)  # warm the site and page caches
    with CaptureQueriesContext(connection) as few:
        client.get(register.url, {"instrument": "utility_subsidy"})
    with CaptureQueriesContext(connection) as every:
        client.get(register.url, {"sort": "amount_asc"})
    assert public_awards(instrument="utility_subsidy").count() < public_awards().count()
    assert len(every.captured_queries) == len(few.captured_queries)
    with CaptureQueriesContext(connection) as selector:
        awards = list(public_awards())
        facts = [(a.application.operator.legal_name, a.application.call.program.name, award_places(a)) for a in awards]
    assert len(selector.captured_queries) <= 3 and len(facts) >= 3
