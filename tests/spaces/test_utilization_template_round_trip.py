"""The utilization template round-trips (issue #17, item 9): a template uploaded as downloaded files
nothing and says so (its seats_offered, filled in from the registry, is not a return by itself), and the
Instructions sheet's ceiling for seat-days is the one the check applies: the days in the month."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from spaces.models import UtilizationReturn
from spaces.utilization import figure_problems

from .test_utilization_import import FIGURE_COLUMNS, fill, template, upload
from .utilization_helpers import TODAY, company, good_figures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def setup(client):
    user, operator, spaces = company(2)
    client.force_login(user)
    return client, spaces


def test_a_template_uploaded_as_downloaded_is_accepted_as_no_rows_filed(setup):
    client, spaces = setup
    wb = template(client)
    assert wb["Returns"].cell(row=2, column=FIGURE_COLUMNS["seats_offered"]).value == spaces[0].seats_offered

    response = upload(client, wb)

    assert response.status_code == 200
    result = response.context["result"]
    assert (result.errors, result.rows, result.file_error) == ([], [], "")
    assert sorted(result.skipped) == sorted(space.code for space in spaces)
    page = response.content.decode()
    assert "No rows filed for September 2025" in page and "nothing was filed" in page
    assert "Correct these cells" not in page and "Error:" not in page
    assert not UtilizationReturn.objects.exists()


def test_a_row_with_only_seats_offered_is_skipped_and_the_others_are_filed(setup):
    client, spaces = setup
    wb = template(client)
    fill(wb, 2, **good_figures())
    fill(wb, 3, seats_offered=75)  # even changed, seats alone are not a return

    response = upload(client, wb)

    result = response.context["result"]
    assert (len(result.rows), result.skipped, result.errors) == (1, [spaces[1].code], [])
    client.post(reverse("portal:utilization_upload_confirm"))
    assert list(UtilizationReturn.objects.values_list("space__code", flat=True)) == [spaces[0].code]


def test_a_row_with_some_figures_still_names_each_missing_one(setup):
    client, _spaces = setup
    wb = template(client)
    fill(wb, 2, members=10)

    result = upload(client, wb).context["result"]

    assert "Row 2, column seats_allotted: is empty; enter seats allotted to subsidized members." in result.errors
    assert not result.rows


@pytest.mark.parametrize(("month", "days"), [("2024-02", 29), ("2025-02", 28), ("2025-09", 30), ("2025-08", 31)])
def test_the_instructions_and_the_check_agree_on_the_days_in_the_month(client, month, days):
    user, _operator, _spaces = company(1)
    client.force_login(user)
    wb = template(client, month=month)
    instructions = " ".join(str(row[0]) for row in wb["Instructions"].iter_rows(values_only=True) if row[0])
    stated = re.search(r"at most seats_offered × (\d+), the days in", instructions)
    assert stated and int(stated.group(1)) == days

    first = dt.date(int(month[:4]), int(month[5:]), 1)
    seats = 60
    at_ceiling = good_figures(seats_offered=seats, seat_days_available=seats * days, seat_days_used=100)
    assert "seat_days_available" not in figure_problems(at_ceiling, first)
    over = good_figures(seats_offered=seats, seat_days_available=seats * days + 1, seat_days_used=100)
    assert f"({seats * days})" in figure_problems(over, first)["seat_days_available"]
