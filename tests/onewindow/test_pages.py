"""One-window pages: the public catalogue in both languages, who finds which request (404 for everyone
else, another department's desk included), and a desk's queue."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts import roles
from onewindow.models import ServiceRequest
from onewindow.services import requests as services
from tests.factories import UserFactory

from .conftest import at, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(monday, operator_user, operator, service):
    request = services.request_draft(actor=operator_user, service=service, operator=operator)
    services.request_save_answers(actor=operator_user, request=request, answers={"floors": "2", "alarm": "yes"})
    services.request_attach(actor=operator_user, request=request, document_type="lease_agreement", upload=pdf())
    return services.request_submit(actor=operator_user, request=request)


def test_the_catalogue_is_public_in_english_and_urdu(client, service):
    page = client.get(reverse("onewindow:catalogue")).content.decode()
    assert "Fire safety certificate" in page and "PKR 5,000 (verify with the department)" in page
    detail = client.get(reverse("onewindow:service_detail", args=[service.code])).content.decode()
    assert "Lease agreement for the space" in detail and "Floors the space occupies" in detail
    urdu = client.get("/ur" + reverse("onewindow:catalogue")).content.decode()
    assert "آگ سے حفاظت کا سرٹیفکیٹ" in urdu and 'dir="rtl"' in urdu


def _urls(request):
    ref = request.reference
    return [
        ("get", reverse("onewindow:request_detail", args=[ref])),
        ("post", reverse("onewindow:request_start", args=[ref])),
        ("post", reverse("onewindow:request_ask", args=[ref])),
        ("post", reverse("onewindow:request_refuse", args=[ref])),
        ("post", reverse("onewindow:request_issue", args=[ref])),
        ("post", reverse("onewindow:request_withdraw", args=[ref])),
        ("post", reverse("onewindow:request_answer", args=[ref])),
        ("get", reverse("onewindow:document_download", args=[ref, request.documents.get().pk])),
    ]


@pytest.mark.parametrize("role", sorted(set(roles.ROLE_LABELS) - {roles.ONE_WINDOW_COORDINATOR}))
def test_a_request_is_not_found_by_anyone_it_does_not_concern(role, client, submitted):
    client.force_login(UserFactory(roles=[role]))
    for method, url in _urls(submitted):
        response = getattr(client, method)(url, {"text": "x", "reason": "x", "rule": "y"} if method == "post" else None)
        assert response.status_code == 404, (role, url)
    assert ServiceRequest.objects.get(pk=submitted.pk).state == "submitted"


def test_another_departments_desk_gets_404(client, submitted, other_desk):
    client.force_login(other_desk)
    for method, url in _urls(submitted):
        assert getattr(client, method)(url).status_code == 404
    assert client.get(reverse("onewindow:desk_queue")).content.decode().count(submitted.reference) == 0


def test_the_desk_sees_its_queue_and_acts_on_the_page(client, submitted, desk):
    client.force_login(desk)
    queue = client.get(reverse("onewindow:desk_queue")).content.decode()
    assert submitted.reference in queue
    client.post(reverse("onewindow:request_start", args=[submitted.reference]))
    refused = client.post(
        reverse("onewindow:request_refuse", args=[submitted.reference]), {"reason": "No exit", "rule": ""}
    )
    assert refused.status_code == 400
    client.post(reverse("onewindow:request_ask", args=[submitted.reference]), {"text": "Send the floor plan."})
    assert ServiceRequest.objects.get(pk=submitted.pk).state == "info_requested"


def test_the_operator_follows_the_request_and_answers(client, submitted, desk, operator_user):
    services.request_start(actor=desk, request=submitted)
    services.request_ask(actor=desk, request=submitted, question="Send the floor plan.")
    client.force_login(operator_user)
    page = client.get(reverse("onewindow:request_detail", args=[submitted.reference])).content.decode()
    assert "Send the floor plan." in page and "the clock is stopped" in page
    client.post(reverse("onewindow:request_answer", args=[submitted.reference]), {"text": "Attached."})
    assert ServiceRequest.objects.get(pk=submitted.pk).state == "in_process"
    listing = client.get(reverse("onewindow:portal_requests")).content.decode()
    assert submitted.reference in listing


def test_the_coordinator_sees_every_departments_late_cases(client, submitted, coordinator):
    with at(dt.date(2026, 12, 22)):
        client.force_login(coordinator)
        page = client.get(reverse("onewindow:late_cases")).content.decode()
    assert submitted.reference in page
