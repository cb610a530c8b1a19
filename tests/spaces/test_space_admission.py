"""Space admission (issue #17, item 3): a space applying to join is admitted by a program officer with
the admission checklist, or declined with a reason the company reads; nothing else moves it in or out
of "applying to join"."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts import roles
from audit.models import AuditEvent
from cms.selectors import directory_spaces
from core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from notifications.models import Notification
from spaces import services
from spaces.models import Operator, Space, SpaceAdmission
from spaces.permissions import SPACES
from spaces.utilization import UtilizationError, last_closed_month, utilization_return_file
from tests.factories import OperatorFactory, SpaceFactory, UserFactory

pytestmark = pytest.mark.django_db

FULL_CHECKLIST = {
    "address_verified": True,
    "seats_counted": True,
    "seats_found": 38,
    "internet_checked": True,
    "backup_power": True,
    "womens_facilities": False,
}


@pytest.fixture
def member():
    return UserFactory(roles=[roles.OPERATOR], full_name="Ayesha Malik")


@pytest.fixture
def applicant(member):
    operator = OperatorFactory(members=[member])
    return SpaceFactory(operator=operator, code="LHR-701", name="Indus Annexe", network_status="applicant")


@pytest.fixture
def officer():
    return UserFactory(roles=[roles.PROGRAM_OFFICER], full_name="Bilal Officer")


def test_the_permission_table_lets_only_program_officers_admit_or_decline():
    assert set(SPACES.cells()) == {(roles.PROGRAM_OFFICER, "admit"), (roles.PROGRAM_OFFICER, "decline")}


def test_an_officer_admits_a_space_with_the_checklist(applicant, officer, member):
    services.space_admit(actor=officer, space=applicant, checklist=FULL_CHECKLIST, note="Visited on Tuesday.")

    applicant.refresh_from_db()
    assert applicant.network_status == Space.NetworkStatus.ACTIVE
    admission = SpaceAdmission.objects.get(space=applicant)
    assert (admission.decision, admission.decided_by, admission.seats_found) == ("admitted", officer, 38)
    assert admission.address_verified and admission.seats_counted and admission.internet_checked
    assert admission.backup_power and not admission.womens_facilities
    assert admission.decided_at is not None and admission.reason == "Visited on Tuesday."
    event = AuditEvent.objects.get(action="space.admit")
    assert (event.from_state, event.to_state, event.actor_id) == ("applicant", "active", officer.pk)
    assert event.data["womens_facilities"] is False
    notice = Notification.objects.get(recipient=member)
    assert "Indus Annexe is admitted" in notice.subject
    # Admitted: listed in the public directory.
    assert applicant in directory_spaces()


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ("address_verified", "address verified on site"),
        ("seats_counted", "seats counted"),
        ("internet_checked", "internet connection checked"),
    ],
)
def test_admission_is_refused_until_the_required_checks_are_done(applicant, officer, missing, named):
    with pytest.raises(InvalidTransition, match=named):
        services.space_admit(actor=officer, space=applicant, checklist={**FULL_CHECKLIST, missing: False})
    applicant.refresh_from_db()
    assert applicant.network_status == "applicant"
    assert not SpaceAdmission.objects.exists() and not AuditEvent.objects.filter(action="space.admit").exists()


def test_a_space_of_an_unverified_company_is_not_admitted(applicant, officer):
    Operator.objects.filter(pk=applicant.operator_id).update(verification_status="pending", verified_at=None)
    with pytest.raises(InvalidTransition, match="verify the company before admitting its spaces"):
        services.space_admit(actor=officer, space=applicant, checklist=FULL_CHECKLIST)


def test_an_officer_declines_with_a_reason_the_company_reads(client, applicant, officer, member):
    services.space_decline(actor=officer, space=applicant, reason="No coworking floor at this address.")

    applicant.refresh_from_db()
    assert applicant.network_status == Space.NetworkStatus.DECLINED
    assert applicant.admission.reason == "No coworking floor at this address."
    assert AuditEvent.objects.get(action="space.decline").reason == "No coworking floor at this address."
    notice = Notification.objects.get(recipient=member)
    assert "No coworking floor at this address." in notice.body
    assert applicant not in directory_spaces()

    client.force_login(member)
    page = client.get(reverse("portal:space_detail", args=[applicant.pk])).content.decode()
    assert "Not admitted" in page and "No coworking floor at this address." in page


def test_a_decline_needs_a_reason(applicant, officer):
    with pytest.raises(ValidationFailed, match="Say why the space is declined"):
        services.space_decline(actor=officer, space=applicant, reason="  ")
    applicant.refresh_from_db()
    assert applicant.network_status == "applicant"


@pytest.mark.parametrize("role", [roles.OPERATOR, roles.DATA_STEWARD, roles.FINANCE_CHECKER, roles.BOARD_CHAIR])
def test_only_a_program_officer_admits(applicant, role):
    person = UserFactory(roles=[role])
    with pytest.raises(PermissionDenied, match="Only a program officer admits a space"):
        services.space_admit(actor=person, space=applicant, checklist=FULL_CHECKLIST)
    with pytest.raises(PermissionDenied, match="Only a program officer admits a space"):
        services.space_decline(actor=person, space=applicant, reason="No.")


def test_an_officer_who_acts_for_the_company_may_not_decide(applicant, member):
    member.groups.add(*UserFactory(roles=[roles.PROGRAM_OFFICER]).groups.all())
    member._role_cache = None
    with pytest.raises(PermissionDenied, match="company they act for"):
        services.space_admit(actor=member, space=applicant, checklist=FULL_CHECKLIST)


@pytest.mark.parametrize("status", ["active", "suspended", "exited", "declined"])
def test_only_a_space_applying_to_join_is_admitted_or_declined(officer, status):
    space = SpaceFactory(network_status=status)
    with pytest.raises(InvalidTransition, match="not applying to join"):
        services.space_admit(actor=officer, space=space, checklist=FULL_CHECKLIST)
    with pytest.raises(InvalidTransition, match="not applying to join"):
        services.space_decline(actor=officer, space=space, reason="No.")


@pytest.mark.parametrize(
    ("start", "wanted"), [("applicant", "active"), ("declined", "active"), ("active", "applicant")]
)
def test_a_stewards_edit_never_admits_or_declines(start, wanted):
    steward = UserFactory(roles=[roles.DATA_STEWARD])
    space = SpaceFactory(network_status=start)
    with pytest.raises(services.RegistryError, match="admitted or declined by a program officer"):
        services.space_update(actor=steward, space=space, details={"network_status": wanted})
    space.refresh_from_db()
    assert space.network_status == start


def test_a_steward_still_suspends_an_active_space():
    steward = UserFactory(roles=[roles.DATA_STEWARD])
    space = SpaceFactory(network_status="active")
    services.space_update(actor=steward, space=space, details={"network_status": "suspended"})
    space.refresh_from_db()
    assert space.network_status == "suspended"


def test_a_space_applying_to_join_files_no_return_until_admitted(applicant, officer, member):
    figures = {
        "seats_offered": 40,
        "seats_allotted": 20,
        "seat_days_available": 40 * 30,
        "seat_days_used": 500,
        "members": 25,
        "women_members": 10,
        "freelancers": 15,
        "startups": 2,
        "meeting_room_hours_available": 100,
        "meeting_room_hours_booked": 40,
    }
    month = last_closed_month()
    figures["seat_days_available"] = 40 * 28
    with pytest.raises(UtilizationError, match="Applying to join"):
        utilization_return_file(actor=member, space=applicant, month=month, figures=figures)
    services.space_admit(actor=officer, space=applicant, checklist=FULL_CHECKLIST)
    applicant.refresh_from_db()
    assert utilization_return_file(actor=member, space=applicant, month=month, figures=figures).seats_allotted == 20


def test_the_officer_admits_from_the_workbench_in_english_and_urdu(client, applicant, officer):
    client.force_login(officer)
    queue = client.get(reverse("workbench_operators:spaces"))
    assert list(queue.context["spaces"]) == [applicant]
    url = reverse("workbench_operators:space_admission", args=[applicant.pk])
    assert url in queue.content.decode()
    with translation.override("ur"):
        urdu = client.get(reverse("workbench_operators:space_admission", args=[applicant.pk])).content.decode()
    assert "داخلے کی جانچ فہرست" in urdu  # "Admission checklist"

    refused = client.post(url, {"decision": "admit", "address_verified": "on", "seats_counted": "on"})
    assert refused.status_code == 200
    assert "internet connection checked" in refused.content.decode()

    response = client.post(
        url,
        {
            "decision": "admit",
            "address_verified": "on",
            "seats_counted": "on",
            "seats_found": "40",
            "internet_checked": "on",
            "womens_facilities": "on",
        },
    )
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.network_status == "active"
    admission = applicant.admission
    assert admission.womens_facilities and not admission.backup_power and admission.decided_by == officer


def test_the_officer_declines_from_the_workbench_and_must_say_why(client, applicant, officer):
    client.force_login(officer)
    url = reverse("workbench_operators:space_admission", args=[applicant.pk])
    refused = client.post(url, {"decision": "decline", "reason": ""})
    assert "Say why the space is declined" in refused.content.decode()
    client.post(url, {"decision": "decline", "reason": "The seats are a classroom's desks."})
    applicant.refresh_from_db()
    assert applicant.network_status == "declined"


def test_people_other_than_officers_cannot_open_the_admission_pages(client, applicant, member):
    client.force_login(member)
    assert client.get(reverse("workbench_operators:spaces")).status_code == 403
    assert client.get(reverse("workbench_operators:space_admission", args=[applicant.pk])).status_code == 403
