"""The space directory: active network spaces only, filtered by a plain GET form."""

import re
from decimal import Decimal

import pytest

from cms.selectors import directory_spaces
from spaces.models import Space
from tests.factories import SpaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def spaces(db):
    return {
        "lahore": SpaceFactory(code="LHR-001", name="Ravi Lahore Hub", seats_offered=60),
        "kasur": SpaceFactory(
            code="KSR-002",
            name="Ravi Kasur Desk",
            district="Kasur",
            seats_offered=24,
            latitude=Decimal("31.118700"),
            longitude=Decimal("74.450700"),
        ),
        "multan": SpaceFactory(
            code="MUX-003",
            name="Sutlej Multan Loft",
            division="Multan",
            district="Multan",
            seats_offered=90,
            latitude=Decimal("30.157500"),
            longitude=Decimal("71.524900"),
        ),
        "applicant": SpaceFactory(
            code="LHR-004", name="New Lahore Floor", network_status=Space.NetworkStatus.APPLICANT
        ),
        "suspended": SpaceFactory(
            code="LHR-005", name="Closed Lahore Studio", network_status=Space.NetworkStatus.SUSPENDED
        ),
    }


def names(html: str) -> list[str]:
    return re.findall(r'<h3 class="space-card__title"[^>]*>([^<]+)</h3>', html)


def test_selector_lists_only_active_spaces_in_division_and_district_order(spaces):
    assert [s.code for s in directory_spaces()] == ["KSR-002", "LHR-001", "MUX-003"]
    assert [s.code for s in directory_spaces(division="Lahore")] == ["KSR-002", "LHR-001"]
    assert [s.code for s in directory_spaces(district="Multan")] == ["MUX-003"]
    assert [s.code for s in directory_spaces(division="Multan", district="Kasur")] == []


def test_directory_page_without_a_filter_lists_every_active_space(client, directory_page, spaces):
    html = client.get(directory_page.url).content.decode()
    assert names(html) == ["Ravi Kasur Desk", "Ravi Lahore Hub", "Sutlej Multan Loft"]
    assert "3 spaces, 174 seats" in html
    assert "New Lahore Floor" not in html and "Closed Lahore Studio" not in html
    # The map position: a dot per space, and the coordinates as text with a map link.
    assert html.count('<circle class="map__space"') == 3
    assert "30.1575° N, 71.5249° E" in html
    assert "mlat=30.157500&amp;mlon=71.524900" in html
    # Facilities from the space's own record.
    assert "2 meeting rooms" in html and "Internet 200 Mbps" in html and "Power backup: Solar with batteries" in html


def test_directory_filters_by_division_and_by_district(client, directory_page, spaces):
    html = client.get(directory_page.url, {"division": "Lahore"}).content.decode()
    assert names(html) == ["Ravi Kasur Desk", "Ravi Lahore Hub"]
    assert '<option value="Lahore" selected>' in html  # the form keeps the choice

    html = client.get(directory_page.url, {"division": "", "district": "Multan"}).content.decode()
    assert names(html) == ["Sutlej Multan Loft"]
    assert "1 space, 90 seats" in html


def test_a_district_outside_the_division_is_explained_not_ignored(client, directory_page, spaces):
    html = client.get(directory_page.url, {"division": "Multan", "district": "Kasur"}).content.decode()
    assert "Kasur is in Lahore division, not Multan." in html
    assert names(html) == []


def test_an_unknown_division_is_refused(client, directory_page, spaces):
    html = client.get(directory_page.url, {"division": "Karachi"}).content.decode()
    assert "Select a valid choice" in html
    assert names(html) == []
