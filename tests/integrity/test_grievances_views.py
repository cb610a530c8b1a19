"""The grievance pages: every desk URL is a 404 to everyone but the integrity office (and to an officer
named in the grievance); the public form, its throttle and the key shown once; the track page with the
right and a wrong key; the operator's own pages; the desk's actions and the evidence download."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts import roles
from integrity.models import Grievance, GrievanceMessage
from integrity.services import grievances as services
from tests.factories import UserFactory

from .grievance_fixtures import file_portal, file_public, give_role, pdf, to_state

pytestmark = pytest.mark.django_db

OTHER_ROLES = sorted(set(roles.ROLE_LABELS) - {roles.INTEGRITY_OFFICER, roles.INTEGRITY_HEAD, roles.OPERATOR})


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def desk_urls(grievance):
    ref = grievance.reference
    evidence = grievance.evidence.first()
    urls = [
        ("get", reverse("integrity:grievance_desk")),
        ("get", reverse("integrity:grievance_flagged")),
        ("get", reverse("integrity:grievance_escalations")),
        ("get", reverse("integrity:grievance_helpline")),
        ("post", reverse("integrity:grievance_helpline")),
        ("get", reverse("integrity:grievance_detail", args=[ref])),
    ]
    if evidence is not None:
        urls.append(("get", reverse("integrity:grievance_evidence", args=[ref, evidence.pk])))
    for action in ("assign", "acknowledge", "investigate", "reply", "note", "resolve", "close", "decide_appeal"):
        urls.append(("post", reverse("integrity:grievance_action", args=[ref, action])))
    return urls


def portal_urls(grievance):
    return [
        ("get", reverse("integrity:portal_grievances")),
        ("get", reverse("integrity:portal_grievance_new")),
        ("post", reverse("integrity:portal_grievance_new")),
        ("get", reverse("integrity:portal_grievance", args=[grievance.reference])),
        ("post", reverse("integrity:portal_grievance", args=[grievance.reference])),
        ("get", reverse("integrity:grievance_tracked", args=[grievance.reference])),
    ]


@pytest.fixture
def grievance(monday, filer, operator, inspector):
    return file_portal(filer, official=inspector, evidence=[pdf()])


@pytest.mark.parametrize("role", OTHER_ROLES + ["anonymous", "operator"])
def test_every_desk_url_is_not_found_for_everyone_else(client, grievance, role):
    if role != "anonymous":
        client.force_login(UserFactory(roles=[role]))
    for method, url in desk_urls(grievance):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (role, method, url)
    assert Grievance.objects.get().state == "filed"
    assert not GrievanceMessage.objects.exists()


@pytest.mark.parametrize("role", OTHER_ROLES + [roles.INTEGRITY_OFFICER])
def test_the_portal_pages_are_not_found_for_every_role_but_the_operator(client, grievance, role):
    client.force_login(UserFactory(roles=[role]))
    for method, url in portal_urls(grievance):
        assert getattr(client, method)(url).status_code == 404, (role, method, url)


def test_the_official_named_finds_nothing_even_as_an_integrity_officer(client, grievance, inspector):
    give_role(inspector, roles.INTEGRITY_OFFICER)
    client.force_login(inspector)
    assert client.get(reverse("integrity:grievance_detail", args=[grievance.reference])).status_code == 404
    page = client.get(reverse("integrity:grievance_desk"))
    assert page.status_code == 200 and grievance.reference not in page.content.decode()


def test_another_operator_does_not_find_the_filers_grievance(client, grievance, other_filer):
    client.force_login(other_filer)
    assert client.get(reverse("integrity:portal_grievance", args=[grievance.reference])).status_code == 404
    assert grievance.reference not in client.get(reverse("integrity:portal_grievances")).content.decode()


def test_the_integrity_officer_reads_and_downloads(client, grievance, integrity_officer):
    client.force_login(integrity_officer)
    desk = client.get(reverse("integrity:grievance_desk"))
    assert grievance.reference in desk.content.decode()
    page = client.get(reverse("integrity:grievance_detail", args=[grievance.reference]))
    assert "Rs 50,000" in page.content.decode()
    evidence = grievance.evidence.get()
    download = client.get(reverse("integrity:grievance_evidence", args=[grievance.reference, evidence.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_desk_filters_by_state_and_overdue(client, grievance, integrity_officer):
    client.force_login(integrity_officer)
    assert grievance.reference in client.get(reverse("integrity:grievance_desk") + "?state=filed").content.decode()
    assert grievance.reference not in client.get(reverse("integrity:grievance_desk") + "?state=closed").content.decode()
    assert grievance.reference not in client.get(reverse("integrity:grievance_desk") + "?overdue=on").content.decode()


def test_the_desk_acts_and_a_conflicted_assignment_is_refused_with_the_reason(
    client, grievance, integrity_officer, inspector
):
    give_role(inspector, roles.INTEGRITY_HEAD)
    client.force_login(integrity_officer)
    url = reverse("integrity:grievance_action", args=[grievance.reference, "assign"])
    refused = client.post(url, {"assign-officer": inspector.pk})
    assert refused.status_code == 400
    assert "is named in this grievance" in refused.content.decode()
    assert client.post(url, {"assign-officer": integrity_officer.pk}).status_code == 302
    client.post(reverse("integrity:grievance_action", args=[grievance.reference, "investigate"]))
    client.post(
        reverse("integrity:grievance_action", args=[grievance.reference, "reply"]), {"reply-text": "We are on it."}
    )
    client.post(reverse("integrity:grievance_action", args=[grievance.reference, "note"]), {"note-text": "Call PRA."})
    grievance.refresh_from_db()
    assert (grievance.state, grievance.assigned_to) == ("investigating", integrity_officer)
    assert list(grievance.messages.values_list("kind", flat=True)) == ["reply", "note"]


def test_the_public_form_files_and_shows_the_key_once(client, monday):
    response = client.post(
        reverse("integrity:grievance_public_new"),
        {"category": "money_demand", "what_happened": "A man from the 'department' asked for Rs 20,000."},
    )
    assert response.status_code == 302
    page = client.get(reverse("integrity:grievance_filed")).content.decode()
    grievance = Grievance.objects.get()
    assert grievance.reference in page and grievance.channel == "public"
    assert "Follow-up key" in page
    # Shown once: a reload leads to the tracking page instead.
    assert client.get(reverse("integrity:grievance_filed")).status_code == 302


def test_anonymous_filing_is_throttled_per_address_with_a_message(client, monday, settings):
    settings.GRIEVANCE_PUBLIC_LIMIT_PER_HOUR = 2
    data = {"category": "delay", "what_happened": "Still waiting for the inspection report."}
    for _i in range(2):
        assert client.post(reverse("integrity:grievance_public_new"), data).status_code == 302
    refused = client.post(reverse("integrity:grievance_public_new"), data)
    assert refused.status_code == 429
    text = refused.content.decode()
    assert "Too many grievances were sent from this connection" in text
    assert "Still waiting for the inspection report." in text  # the text stays on the page
    assert Grievance.objects.count() == 2
    other = client.post(reverse("integrity:grievance_public_new"), data, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_the_track_page_shows_replies_never_notes_nor_the_officer(client, monday, integrity_officer):
    filed = file_public()
    grievance = to_state(filed.grievance, "investigating", officer=integrity_officer)
    services.grievance_write(grievance=grievance, actor=integrity_officer, kind="reply", text="We wrote to PRA.")
    services.grievance_write(grievance=grievance, actor=integrity_officer, kind="note", text="Secret lead: Mr X.")

    wrong = client.post(reverse("integrity:grievance_track"), {"reference": grievance.reference, "key": "AAAA-BBBB"})
    assert wrong.status_code == 200 and "No grievance matches" in wrong.content.decode()
    assert client.get(reverse("integrity:grievance_tracked", args=[grievance.reference])).status_code == 404

    right = client.post(
        reverse("integrity:grievance_track"), {"reference": grievance.reference, "key": filed.follow_up_key}
    )
    assert right.status_code == 302
    page = client.get(right["Location"]).content.decode()
    assert "We wrote to PRA." in page and "Being investigated" in page
    assert "Secret lead" not in page
    assert integrity_officer.full_name not in page


def test_the_operator_files_from_the_portal_and_reads_it(client, monday, filer, operator):
    client.force_login(filer)
    response = client.post(
        reverse("integrity:portal_grievance_new"),
        {
            "category": "unregistered_visit",
            "what_happened": "Two men came saying they were from the EPA.",
            "evidence": pdf(),
        },
    )
    grievance = Grievance.objects.get()
    assert response["Location"] == reverse("integrity:portal_grievance", args=[grievance.reference])
    assert (grievance.filed_by, grievance.operator, grievance.evidence.count()) == (filer, operator, 1)
    page = client.get(response["Location"]).content.decode()
    assert "Two men came" in page and "Filed" in page


def test_the_public_form_and_the_desk_read_in_urdu(client, monday, integrity_officer):
    page = client.get("/ur/grievances/new/").content.decode()
    assert "کسی اہلکار کے بارے میں شکایت کریں" in page and 'dir="rtl"' in page
    client.force_login(integrity_officer)
    assert "شکایات" in client.get("/ur/integrity/desk/grievances/").content.decode()
