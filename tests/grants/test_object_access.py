"""Object-level access: every URL that names an application or a document answers 404 to a person who
may not see it (the same as for a reference that does not exist), and the private document download
serves bytes only to the applying company's staff and program officers."""

import pytest
from django.urls import URLPattern, URLResolver, reverse

import grants.urls
from accounts import roles
from audit.models import AuditEvent
from grants.models import Application

from .conftest import complete_grant, to_state, unique_pdf
from .factories import UserFactory

pytestmark = pytest.mark.django_db


def url_names(patterns=grants.urls.urlpatterns):
    """(name, route) of every URL of grants/urls.py, however deeply included."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from url_names(entry.url_patterns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield entry.name, str(entry.pattern)


NAMED_APPLICATION_URLS = sorted(name for name, route in url_names() if "<str:reference>" in route)


def kwargs_for(name, app, document):
    kwargs = {"reference": app.reference}
    if name in ("portal_document_remove", "document_download"):
        kwargs["pk"] = document.pk
    if name == "portal_section":
        kwargs["section"] = "grant_details"
    if name == "workbench_board_decision":
        kwargs["pk"] = 1
    # Tranches and claims (grants/views_payments.py); tests/grants/test_tranche_views.py and
    # test_utility_claims.py also check them against a real accepted award of company A.
    if "tranche" in name:
        kwargs["position"] = 1
    if name in ("tranche_evidence_download", "claim_bill_download"):
        kwargs["pk"] = document.pk
    return kwargs


@pytest.fixture
def application_of_a(grant_call, operator, space, operator_user, officer):
    app = complete_grant(grant_call, operator, space, operator_user)
    return app


def test_every_application_url_is_listed():
    # If a URL is added, it is covered by the loop below automatically; this pins the count so a
    # rename that drops `reference` from a route is noticed.
    # + portal_documents_reuse (once only, issue #16); + the claims upload, its confirmation and its
    # template (issue #22).
    assert len(NAMED_APPLICATION_URLS) == 36
    assert "document_download" in NAMED_APPLICATION_URLS and "workbench_send_to_review" in NAMED_APPLICATION_URLS


@pytest.mark.parametrize("name", NAMED_APPLICATION_URLS)
@pytest.mark.parametrize("state", ["draft", "info_requested"])
def test_operator_b_gets_404_for_every_url_of_operator_a(
    client, name, state, application_of_a, other_operator, other_operator_user, operator_user, officer
):
    app = to_state(application_of_a, state, operator_user=operator_user, officer=officer)
    document = app.documents.first()
    url = reverse(f"grants:{name}", kwargs=kwargs_for(name, app, document))
    events_before = AuditEvent.objects.count()
    client.force_login(other_operator_user)

    answers = {
        client.get(url).status_code,
        client.post(url, {"answer": "x", "reason": "x", "question": "x"}).status_code,
    }

    if name.startswith("workbench"):
        assert answers <= {403, 404}  # the workbench is for officers: 403 before any lookup
    else:
        assert answers <= {404, 405}
        assert 404 in answers
    app.refresh_from_db()
    assert app.state == state
    assert app.documents.count() == 2
    assert AuditEvent.objects.count() == events_before


def test_a_reference_that_does_not_exist_gets_the_same_answer(client, operator_user, operator):
    client.force_login(operator_user)
    assert client.get(reverse("grants:portal_application", args=["GR-2026-99999"])).status_code == 404


def test_a_document_of_a_cannot_be_reached_through_b_s_own_application(
    client, application_of_a, grant_call, other_operator, other_space, other_operator_user
):
    b_app = complete_grant(grant_call, other_operator, other_space, other_operator_user)
    a_document = application_of_a.documents.first()
    client.force_login(other_operator_user)
    assert client.get(reverse("grants:document_download", args=[b_app.reference, a_document.pk])).status_code == 404
    assert (
        client.post(reverse("grants:portal_document_remove", args=[b_app.reference, a_document.pk])).status_code == 404
    )
    assert application_of_a.documents.count() == 2


def test_download_serves_bytes_to_the_company_and_officers_only(
    client, application_of_a, operator_user, officer, other_operator_user
):
    document = application_of_a.documents.get(document_type="cnic_copy")
    url = reverse("grants:document_download", args=[application_of_a.reference, document.pk])

    for allowed in (operator_user, officer):
        client.force_login(allowed)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == unique_pdf(f"cnic_copy.pdf {application_of_a.reference}")
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="cnic_copy.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"

    for role in (roles.BOARD_REVIEWER, roles.MINISTRY_VIEWER, roles.FINANCE_MAKER):
        client.force_login(UserFactory(roles=[role]))
        assert client.get(url).status_code == 404
    client.force_login(other_operator_user)
    assert client.get(url).status_code == 404

    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_persons_notification_is_not_found(client, application_of_a, operator_user, other_operator_user):
    from grants import services
    from notifications.models import Notification

    services.application_submit(application=application_of_a, actor=operator_user)
    notification = Notification.objects.get(recipient=operator_user)
    client.force_login(other_operator_user)
    assert client.get(reverse("grants:notification_open", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_staff_roles_other_than_officers_are_kept_out_of_the_portal(client, application_of_a):
    client.force_login(UserFactory(roles=[roles.BOARD_REVIEWER]))
    assert client.get(reverse("grants:portal_application", args=[application_of_a.reference])).status_code == 403
    assert Application.objects.get(pk=application_of_a.pk).state == "draft"
