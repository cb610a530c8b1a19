"""Tranches through the portal and the workbench: the operator requests with evidence, the officer
verifies or returns, both see the schedule with its states and dates; other people get 404 or 403."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import roles
from finance.models import PaymentInstruction
from grants import services
from grants.models import Tranche

from .conftest import PDF_BYTES, PNG_BYTES
from .factories import UserFactory
from .payments import accepted_grant, request_tranche

pytestmark = pytest.mark.django_db


@pytest.fixture
def award(grant_call, operator, space, operator_user, officer):
    return accepted_grant(grant_call, operator, space, operator_user, officer)


def body(response) -> str:
    return response.content.decode()


def request_url(award, position=1):
    return reverse("grants:portal_tranche_request", args=[award.application.reference, position])


def test_the_operator_sees_the_schedule_and_requests_the_first_tranche(client, award, operator_user):
    client.force_login(operator_user)
    page = body(client.get(reverse("grants:portal_application", args=[award.application.reference])))
    assert "Seats installed" in page and "Solar commissioned" in page and "PKR 2,000,000" in page
    assert request_url(award, 1) in page and request_url(award, 2) not in page
    response = client.post(
        request_url(award),
        {
            "progress_note": "Forty seats installed; members moved in on Monday.",
            "progress_report": SimpleUploadedFile("report.pdf", PDF_BYTES, content_type="application/pdf"),
            "photo": SimpleUploadedFile("seats.png", PNG_BYTES, content_type="image/png"),
        },
    )
    assert response.status_code == 302
    tranche = Tranche.objects.get(award=award, position=1)
    assert tranche.state == "requested" and tranche.evidence.count() == 2
    page = body(client.get(response["Location"]))
    assert "Requested: waiting for the officer" in page and "Tranche requested" in page


def test_a_request_without_a_report_shows_the_error_next_to_the_field(client, award, operator_user):
    client.force_login(operator_user)
    response = client.post(request_url(award), {"progress_note": "Done"})
    assert response.status_code == 200
    assert "There is a problem" in body(response)
    assert Tranche.objects.get(award=award, position=1).state == "scheduled"


def test_a_renamed_program_is_refused_by_its_bytes(client, award, operator_user):
    client.force_login(operator_user)
    response = client.post(
        request_url(award),
        {
            "progress_note": "Done",
            "progress_report": SimpleUploadedFile("report.pdf", b"MZ\x90\x00" + b"\x00" * 200),
        },
    )
    assert response.status_code == 200 and "whatever its name says" in body(response)


def test_another_company_gets_404_for_every_tranche_url(client, award, operator_user, other_operator_user, officer):
    tranche = request_tranche(Tranche.objects.get(award=award, position=1), operator_user)
    evidence = tranche.evidence.first()
    ref = award.application.reference
    client.force_login(other_operator_user)
    assert client.get(request_url(award)).status_code == 404
    assert client.post(request_url(award), {"progress_note": "x"}).status_code == 404
    assert client.get(reverse("grants:tranche_evidence_download", args=[ref, 1, evidence.pk])).status_code == 404
    # The workbench is not theirs at all.
    assert client.get(reverse("grants:workbench_tranche", args=[ref, 1])).status_code == 403


def test_the_officer_verifies_from_the_queue_and_the_operator_sees_it(client, award, operator_user, officer):
    request_tranche(Tranche.objects.get(award=award, position=1), operator_user)
    ref = award.application.reference
    client.force_login(officer)
    queue = body(client.get(reverse("grants:workbench_payments_queue")))
    assert f'<bdi dir="ltr">{ref}</bdi>, tranche 1' in queue and "Waiting for" in queue
    page = body(client.get(reverse("grants:workbench_tranche", args=[ref, 1])))
    assert "Forty seats are installed" in page and "progress-report.pdf" in page
    evidence = Tranche.objects.get(award=award, position=1).evidence.get(kind="progress_report")
    download = client.get(reverse("grants:tranche_evidence_download", args=[ref, 1, evidence.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    response = client.post(reverse("grants:workbench_tranche_verify", args=[ref, 1]))
    assert response.status_code == 302
    instruction = PaymentInstruction.objects.get()
    assert instruction.amount == Decimal("2000000.00") and instruction.state == "requested"
    client.force_login(operator_user)
    page = body(client.get(reverse("grants:portal_application", args=[ref])))
    assert "Verified: with finance for payment" in page and instruction.reference in page
    assert request_url(award, 2) in page


def test_the_officer_returns_the_evidence_and_the_operator_reads_why(client, award, operator_user, officer):
    request_tranche(Tranche.objects.get(award=award, position=1), operator_user)
    ref = award.application.reference
    client.force_login(officer)
    response = client.post(reverse("grants:workbench_tranche_return", args=[ref, 1]), {"reason": ""})
    assert response.status_code == 400
    client.post(reverse("grants:workbench_tranche_return", args=[ref, 1]), {"reason": "The photo is of another floor."})
    client.force_login(operator_user)
    page = body(client.get(reverse("grants:portal_application", args=[ref])))
    assert "Returned: The photo is of another floor." in page
    assert request_url(award, 1) in page


def test_verifying_is_refused_to_other_roles_and_to_the_companys_own_staff(client, award, operator_user, operator):
    request_tranche(Tranche.objects.get(award=award, position=1), operator_user)
    ref = award.application.reference
    checker = UserFactory(roles=[roles.FINANCE_CHECKER])
    client.force_login(checker)
    assert client.post(reverse("grants:workbench_tranche_verify", args=[ref, 1])).status_code == 403
    own = UserFactory(roles=[roles.PROGRAM_OFFICER, roles.OPERATOR])
    operator.members.add(own)
    client.force_login(own)
    page = body(client.get(reverse("grants:workbench_tranche", args=[ref, 1])))
    assert "another officer must verify" in page
    assert client.post(reverse("grants:workbench_tranche_verify", args=[ref, 1])).status_code == 403
    assert Tranche.objects.get(award=award, position=1).state == "requested"
    assert not PaymentInstruction.objects.exists()


def test_the_workbench_application_page_shows_the_schedule(client, award, officer, operator_user):
    services.tranche_verify(
        tranche=request_tranche(Tranche.objects.get(award=award, position=1), operator_user), actor=officer
    )
    client.force_login(officer)
    page = body(client.get(reverse("grants:workbench_application", args=[award.application.reference])))
    assert 'data-tranche-state="verified"' in page and 'data-tranche-state="scheduled"' in page
    assert reverse("grants:workbench_tranche", args=[award.application.reference, 2]) in page


def test_the_queue_costs_the_same_queries_however_many_tranches_wait(
    client, award, grant_call, operator, space, operator_user, officer
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    request_tranche(Tranche.objects.get(award=award, position=1), operator_user)
    client.force_login(officer)
    url = reverse("grants:workbench_payments_queue")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    second_award = accepted_grant(grant_call, operator, space, operator_user, officer, amount=Decimal("3000000"))
    request_tranche(Tranche.objects.get(award=second_award, position=1), operator_user)
    with CaptureQueriesContext(connection) as two:
        page = body(client.get(url))
    assert "2 tranches requested" in page
    assert len(two) == len(one)


def test_data_stewards_read_tranches_in_the_django_admin_but_cannot_change_them(client, award, operator_user):
    request_tranche(Tranche.objects.get(award=award, position=1), operator_user)
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = body(client.get(reverse("admin:grants_tranche_changelist")))
    assert award.sanction_number in page and "Seats installed" in page
    assert client.get(reverse("admin:grants_utilityclaim_changelist")).status_code == 200
    assert client.get(reverse("admin:grants_tranche_add")).status_code == 403


def test_a_tranche_past_its_due_date_and_not_asked_for_is_shown_overdue(client, award, operator_user):
    import datetime as dt

    import time_machine

    client.force_login(operator_user)
    url = reverse("grants:portal_application", args=[award.application.reference])
    assert "data-overdue" not in body(client.get(url))
    first = Tranche.objects.get(award=award, position=1)
    with time_machine.travel(dt.datetime.combine(first.due_date + dt.timedelta(days=1), dt.time(12)), tick=False):
        client.force_login(operator_user)
        page = body(client.get(url))
    assert page.count("data-overdue") == 1  # tranche 2 is not due yet
