"""Filing a monthly utilization return by the portal form, and the officers' list of who has not filed."""

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts import roles
from audit.models import AuditEvent
from spaces.models import Space, UtilizationReturn
from spaces.utilization import UtilizationAlreadyFiled, UtilizationError, utilization_return_file
from tests.factories import SpaceFactory, UserFactory

from .utilization_helpers import AUGUST, OCTOBER, SEPTEMBER, TODAY, company, good_figures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def form_url(space, month):
    return reverse("portal:utilization_return", args=[space.pk, month.year, month.month])


def test_an_operator_files_a_return_and_it_is_audited(client):
    user, operator, (space, _other) = company()
    client.force_login(user)

    response = client.post(form_url(space, SEPTEMBER), good_figures())

    assert response.status_code == 302
    record = UtilizationReturn.objects.get(space=space, month=SEPTEMBER)
    assert (record.seat_days_used, record.women_members, record.filed_by) == (1100, 25, user)
    assert record.occupancy == 45 / 60
    event = AuditEvent.objects.get(action="utilization.file")
    assert event.data["month"] == "2025-09" and event.data["figures"]["seat_days_used"] == 1100
    overview = client.get(reverse("portal:utilization") + "?month=2025-09").content.decode()
    assert "Filed" in overview


def test_a_month_that_has_not_ended_is_refused(client):
    user, operator, (space, _other) = company()
    client.force_login(user)

    response = client.post(form_url(space, OCTOBER), good_figures())

    assert response.status_code == 400
    assert "October 2025 has not ended yet" in response.content.decode()
    assert not UtilizationReturn.objects.exists()
    with pytest.raises(UtilizationError, match="has not ended yet"):
        utilization_return_file(actor=user, space=space, month=OCTOBER, figures=good_figures())


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"seat_days_used": 1600}, "seat_days_used", "Seat-days used (1600) is more than seat-days available (1560)."),
        ({"seats_allotted": 61}, "seats_allotted", "is more than seats offered (60)."),
        ({"women_members": 71}, "women_members", "Women members (71) is more than members (70)."),
        ({"meeting_room_hours_booked": 521}, "meeting_room_hours_booked", "is more than meeting-room hours available"),
        (
            {"seat_days_available": 1801},
            "seat_days_available",
            "more than seats offered × days in September 2025 (1800)",
        ),
        ({"members": -3}, "members", "Members cannot be negative."),
        ({"startups": "eight"}, "startups", "Enter startups as a whole number."),
    ],
)
def test_figures_that_do_not_add_up_are_refused_on_their_field(client, overrides, field, message):
    user, operator, (space, _other) = company()
    client.force_login(user)

    response = client.post(form_url(space, SEPTEMBER), good_figures(**overrides))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not UtilizationReturn.objects.exists()


def test_a_filed_month_is_shown_and_replaced_only_with_confirmation(client):
    user, operator, (space, _other) = company()
    utilization_return_file(actor=user, space=space, month=SEPTEMBER, figures=good_figures())
    client.force_login(user)

    page = client.get(form_url(space, SEPTEMBER)).content.decode()
    assert "Already filed" in page and "1100" in page and "Replace this return" in page

    refused = client.post(form_url(space, SEPTEMBER), good_figures(seat_days_used=1200))
    assert "Confirm that you want to replace the return already filed." in refused.content.decode()
    assert UtilizationReturn.objects.get().seat_days_used == 1100

    client.post(form_url(space, SEPTEMBER), {**good_figures(seat_days_used=1200), "confirm_replace": "on"})
    assert UtilizationReturn.objects.get().seat_days_used == 1200
    event = AuditEvent.objects.get(action="utilization.replace")
    assert event.data["previous"]["seat_days_used"] == 1100
    with pytest.raises(UtilizationAlreadyFiled):
        utilization_return_file(actor=user, space=space, month=SEPTEMBER, figures=good_figures())


def test_another_companys_space_is_404_and_the_service_refuses_outsiders(client):
    user, operator, (space, _other) = company()
    stranger, _their_operator, _their_spaces = company(1)
    client.force_login(stranger)

    assert client.get(form_url(space, SEPTEMBER)).status_code == 404
    assert client.post(form_url(space, SEPTEMBER), good_figures()).status_code == 404
    with pytest.raises(PermissionDenied):
        utilization_return_file(actor=stranger, space=space, month=SEPTEMBER, figures=good_figures())
    assert not UtilizationReturn.objects.exists()


def test_a_month_before_the_space_opened_is_refused(client):
    user, operator, (space, _other) = company()
    Space.objects.filter(pk=space.pk).update(opening_date=SEPTEMBER.replace(day=10))
    space.refresh_from_db()
    with pytest.raises(UtilizationError, match="opened in September 2025, after August 2025"):
        utilization_return_file(actor=user, space=space, month=AUGUST, figures=good_figures())


def test_officers_see_the_active_spaces_that_have_not_filed(client):
    user, operator, (filed, missing) = company()
    exited = SpaceFactory(operator=operator, network_status=Space.NetworkStatus.EXITED)
    utilization_return_file(actor=user, space=filed, month=SEPTEMBER, figures=good_figures())
    officer = UserFactory(roles=[roles.PROGRAM_OFFICER])
    client.force_login(officer)

    response = client.get(reverse("workbench_utilization:missing") + "?month=2025-09")

    body = response.content.decode()
    assert response.status_code == 200
    assert [s.pk for s in response.context["spaces"]] == [missing.pk]
    assert missing.code in body and filed.code not in body and exited.code not in body
    assert "1 active space has not filed." in body


def test_operators_may_not_see_the_not_filed_list(client):
    user, _operator, _spaces = company()
    client.force_login(user)
    assert client.get(reverse("workbench_utilization:missing")).status_code == 403
