"""One-window requests: filing with answers and documents, the department's desk acting, the clock
(working days, stopped while information is requested), escalation, certificates that are never
edited, the documents filed once and reused, and the permission table."""

import datetime as dt

import pytest

from accounts import roles
from audit.models import AuditEvent
from core.workflow import Step, transition
from notifications.models import Notification
from onewindow.errors import InvalidTransition, PermissionDenied, ValidationFailed
from onewindow.events import OneWindowEvent
from onewindow.models import Certificate, RequestState, ServiceRequest
from onewindow.permissions import REQUESTS
from onewindow.selectors.requests import request_for, reusable_documents, valid_certificate
from onewindow.services import requests as services
from tests.factories import UserFactory

from .conftest import at, pdf

pytestmark = pytest.mark.django_db
S = RequestState


def messages_of(error) -> str:
    return " ".join(str(m) for m in error.value.messages)


def filed(operator_user, operator, service, space=None):
    request = services.request_draft(actor=operator_user, service=service, operator=operator, space=space)
    services.request_save_answers(actor=operator_user, request=request, answers={"floors": "2", "alarm": "yes"})
    services.request_attach(
        actor=operator_user, request=request, document_type="lease_agreement", upload=pdf("lease.pdf")
    )
    return services.request_submit(actor=operator_user, request=request)


def test_a_request_is_filed_with_its_answers_and_documents_and_the_clock_starts(
    monday, operator_user, operator, service, desk
):
    request = filed(operator_user, operator, service)
    assert request.state == S.SUBMITTED
    assert request.reference == "OWR-2026-00001"
    # Ten working days from Monday 7 December: Friday 25 December is a holiday, so Monday 21... 22.
    assert request.due_on == dt.date(2026, 12, 21)
    assert request.answers == {"floors": "2", "alarm": "yes"}
    assert Notification.objects.filter(recipient=desk, subject__contains=request.reference).exists()


def test_missing_answers_and_documents_are_each_named(monday, operator_user, operator, service):
    request = services.request_draft(actor=operator_user, service=service, operator=operator)
    with pytest.raises(ValidationFailed) as error:
        services.request_save_answers(actor=operator_user, request=request, answers={"floors": "two", "alarm": "maybe"})
    assert error.value.field_errors["q_floors"] == ["A number is needed here, not “two”."]
    assert error.value.field_errors["q_alarm"] == ["Answer yes or no."]
    with pytest.raises(ValidationFailed) as error:
        services.request_submit(actor=operator_user, request=request)
    text = messages_of(error)
    assert "Answer “Floors the space occupies”." in text
    assert "Add the Lease agreement for the space." in text
    assert ServiceRequest.objects.get(pk=request.pk).state == S.DRAFT


def test_a_service_not_open_to_the_legal_form_is_refused_with_the_reason(monday, operator_user, operator, service):
    service.legal_forms = ["private_limited"]
    service.save()
    operator.legal_form = "sole_proprietor"
    operator.save()
    with pytest.raises(ValidationFailed) as error:
        services.request_draft(actor=operator_user, service=service, operator=operator)
    assert "is open only to" in messages_of(error)


def test_a_hostile_upload_is_refused_and_nothing_is_added(monday, operator_user, operator, service):
    from django.core.files.uploadedfile import SimpleUploadedFile

    request = services.request_draft(actor=operator_user, service=service, operator=operator)
    html = SimpleUploadedFile("lease.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")
    with pytest.raises(ValidationFailed):
        services.request_attach(actor=operator_user, request=request, document_type="lease_agreement", upload=html)
    assert request.documents.count() == 0


def test_the_desk_asks_and_the_clock_stops_until_the_answer(monday, operator_user, operator, service, desk):
    request = filed(operator_user, operator, service)
    services.request_start(actor=desk, request=request)
    services.request_ask(actor=desk, request=request, question="Send the floor plan with the exits marked.")
    assert Notification.objects.filter(recipient=operator_user, body__contains="floor plan").exists()
    # The operator answers the next Monday: five working days waited, so the due date moves by five.
    with at(dt.date(2026, 12, 14)):
        answered = services.request_answer(actor=operator_user, request=request, answer="Plan attached; two exits.")
    assert answered.state == S.IN_PROCESS
    assert answered.due_on == dt.date(2026, 12, 29)  # 21 Dec + 5 working days (25 Dec is a holiday)


def test_issuing_gives_an_immutable_certificate_and_a_correction_supersedes_it(
    monday, operator_user, operator, service, desk
):
    request = filed(operator_user, operator, service)
    services.request_start(actor=desk, request=request)
    certificate = services.request_issue(
        actor=desk,
        request=request,
        number="R1122/LHR/2026/0412",
        issued_on=monday,
        valid_until=dt.date(2027, 12, 6),
        pdf=pdf(),
    )
    assert ServiceRequest.objects.get(pk=request.pk).state == S.ISSUED
    assert valid_certificate(operator=operator, service_code="fire-safety") == certificate
    with pytest.raises(ValidationFailed):
        services.certificate_correct(
            actor=desk, certificate=certificate, reason="", number="X", issued_on=monday, pdf=pdf()
        )
    new = services.certificate_correct(
        actor=desk,
        certificate=certificate,
        reason="The space's floor was misprinted.",
        number="R1122/LHR/2026/0412-A",
        issued_on=monday,
        valid_until=dt.date(2027, 12, 6),
        pdf=pdf(),
    )
    certificate.refresh_from_db()
    assert certificate.number == "R1122/LHR/2026/0412"  # the old one is kept as it was
    assert new.supersedes == certificate
    assert valid_certificate(operator=operator, service_code="fire-safety") == new
    with pytest.raises(InvalidTransition):
        services.certificate_correct(
            actor=desk, certificate=certificate, reason="again", number="Y", issued_on=monday, pdf=pdf()
        )
    assert Certificate.objects.count() == 2


def test_an_expired_certificate_is_not_valid(monday, operator_user, operator, service, desk):
    request = filed(operator_user, operator, service)
    services.request_start(actor=desk, request=request)
    services.request_issue(
        actor=desk, request=request, number="N-1", issued_on=monday, valid_until=dt.date(2027, 1, 31), pdf=pdf()
    )
    assert valid_certificate(operator=operator, service_code="fire-safety", on=dt.date(2027, 2, 1)) is None


def test_refusal_needs_the_reason_and_the_rule(monday, operator_user, operator, service, desk):
    request = filed(operator_user, operator, service)
    with pytest.raises(ValidationFailed) as error:
        services.request_refuse(actor=desk, request=request, reason="No second exit.", rule="")
    assert error.value.field_errors["rule"]
    refused = services.request_refuse(
        actor=desk, request=request, reason="No second exit.", rule="Punjab Fire Safety Provisions, means of escape"
    )
    assert refused.state == S.REFUSED
    assert Notification.objects.filter(recipient=operator_user, body__contains="No second exit").exists()


def test_a_desk_cannot_act_on_another_departments_request_nor_see_it(
    monday, operator_user, operator, service, other_desk
):
    request = filed(operator_user, operator, service)
    with pytest.raises(PermissionDenied):
        services.request_start(actor=other_desk, request=request)
    assert request_for(other_desk, request.reference) is None
    assert ServiceRequest.objects.get(pk=request.pk).state == S.SUBMITTED


def test_late_requests_are_escalated_once_and_the_operator_told(
    monday, operator_user, operator, service, desk, coordinator
):
    request = filed(operator_user, operator, service)
    assert services.requests_escalate_late(today=dt.date(2026, 12, 21)) == 0  # due that day: not late
    assert services.requests_escalate_late(today=dt.date(2026, 12, 22)) == 1
    assert services.requests_escalate_late(today=dt.date(2026, 12, 23)) == 0
    assert Notification.objects.filter(recipient=coordinator, subject__contains=request.reference).count() == 1
    assert Notification.objects.filter(recipient=operator_user, subject__contains="is late").count() == 1
    assert AuditEvent.objects.filter(action=OneWindowEvent.REQUEST_ESCALATED).count() == 1


def test_the_clock_does_not_run_while_information_is_requested(monday, operator_user, operator, service, desk):
    request = filed(operator_user, operator, service)
    services.request_start(actor=desk, request=request)
    services.request_ask(actor=desk, request=request, question="Which floor?")
    assert services.requests_escalate_late(today=dt.date(2027, 1, 29)) == 0


def test_a_certificate_reminds_the_operator_30_days_before_it_ends(monday, operator_user, operator, service, desk):
    request = filed(operator_user, operator, service)
    services.request_start(actor=desk, request=request)
    services.request_issue(
        actor=desk, request=request, number="N-2", issued_on=monday, valid_until=dt.date(2027, 3, 31), pdf=pdf()
    )
    assert services.certificates_remind_expiry(today=dt.date(2027, 2, 28)) == 0
    assert services.certificates_remind_expiry(today=dt.date(2027, 3, 1)) == 1
    assert services.certificates_remind_expiry(today=dt.date(2027, 3, 2)) == 0
    assert Notification.objects.filter(recipient=operator_user, subject__contains="expires").count() == 1


def test_a_document_filed_once_is_reused_and_an_expired_one_is_not_offered(
    monday, operator_user, operator, service, desk
):
    first = services.request_draft(actor=operator_user, service=service, operator=operator)
    services.request_save_answers(actor=operator_user, request=first, answers={"floors": "2", "alarm": "yes"})
    lease = services.request_attach(
        actor=operator_user,
        request=first,
        document_type="lease_agreement",
        upload=pdf(),
        valid_until=dt.date(2027, 6, 30),
    )
    services.request_submit(actor=operator_user, request=first)
    services.request_start(actor=desk, request=first)
    services.request_issue(actor=desk, request=first, number="N-3", issued_on=monday, pdf=pdf())
    offered = reusable_documents(operator)
    assert [item.key for item in offered] == [f"req:{lease.pk}"]
    second = services.request_draft(actor=operator_user, service=service, operator=operator)
    reused = services.request_attach(actor=operator_user, request=second, document_type="", reuse=f"req:{lease.pk}")
    assert reused.file.name == lease.file.name and reused.reused_from == first.reference
    assert reusable_documents(operator, today=dt.date(2027, 7, 1)) == []
    with at(dt.date(2027, 7, 1)), pytest.raises(ValidationFailed):
        services.request_attach(actor=operator_user, request=second, document_type="", reuse=f"req:{lease.pk}")


def test_a_bundle_opens_one_case_per_department(monday, operator_user, operator, bundle, space):
    drafts = services.request_bundle(actor=operator_user, bundle=bundle, operator=operator, space=space)
    assert sorted(d.service.department.name for d in drafts) == ["Lahore Development Authority", "Rescue 1122"]
    assert all(d.state == S.DRAFT and d.space == space for d in drafts)


def test_another_company_cannot_touch_the_request(monday, operator_user, operator, service):
    request = filed(operator_user, operator, service)
    stranger = UserFactory(roles=[roles.OPERATOR])
    with pytest.raises(PermissionDenied):
        services.request_withdraw(actor=stranger, request=request)
    assert request_for(stranger, request.reference) is None


EVERY_ROLE = sorted(roles.ROLE_LABELS)


@pytest.mark.parametrize("action", ["start", "request_info", "issue", "refuse"])
def test_the_table_decides_who_acts_for_the_department(action, monday, operator_user, operator, service):
    """Every role the REQUESTS table does not allow is refused by the one workflow path."""
    from django.db import transaction

    request = filed(operator_user, operator, service)
    rule = REQUESTS.rule(action)
    kwargs = {
        "start": {"by": None},
        "request_info": {"on": None},
        "issue": {"at": None},
        "refuse": {"at": None, "reason": "x", "rule": "y"},
    }[action]
    for role in EVERY_ROLE:
        person = UserFactory(roles=[role])
        assert REQUESTS.allows(person, action) == (role in rule.roles), role
        if role in rule.roles:
            continue
        with transaction.atomic(), pytest.raises(PermissionDenied):
            transition(
                request, Step(action, OneWindowEvent.REQUEST_STARTED, kwargs=kwargs), actor=person, table=REQUESTS
            )
    assert ServiceRequest.objects.get(pk=request.pk).state == S.SUBMITTED


def test_a_program_requiring_a_certificate_reads_it_from_the_record(
    monday, operator_user, operator, service, desk, space
):
    """Eligibility link: the program's check passes with a valid certificate issued through the one
    window, and fails (saying which) without one, with no re-upload."""
    from grants.eligibility import eligibility_checks
    from tests.grants.factories import ApplicationFactory, CallFactory, GrantProgramFactory

    program = GrantProgramFactory(required_certificate=service)
    application = ApplicationFactory(call=CallFactory(program=program), operator=operator, space=space)
    check = {c.code: c for c in eligibility_checks(application)}["certificate_held"]
    assert not check.passed
    assert "holds no valid Fire safety certificate" in check.detail
    request = filed(operator_user, operator, service)
    services.request_start(actor=desk, request=request)
    services.request_issue(
        actor=desk, request=request, number="N-9", issued_on=monday, valid_until=dt.date(2027, 12, 6), pdf=pdf()
    )
    check = {c.code: c for c in eligibility_checks(application)}["certificate_held"]
    assert check.passed
    assert "N-9" in check.detail


def test_an_application_reuses_a_document_filed_through_the_one_window(
    monday, operator_user, operator, service, desk, space
):
    """Once only: the lease filed with an issued request is offered in a new grant application and
    attached as the same stored file; it is not offered twice, and never once expired."""
    from grants.services import application_reuse_document, documents_to_reuse
    from tests.grants.factories import ApplicationFactory

    first = services.request_draft(actor=operator_user, service=service, operator=operator)
    services.request_save_answers(actor=operator_user, request=first, answers={"floors": "2", "alarm": "yes"})
    lease = services.request_attach(
        actor=operator_user,
        request=first,
        document_type="lease_agreement",
        upload=pdf(),
        valid_until=dt.date(2027, 6, 30),
    )
    services.request_submit(actor=operator_user, request=first)
    services.request_start(actor=desk, request=first)
    services.request_issue(actor=desk, request=first, number="N-4", issued_on=monday, pdf=pdf())
    application = ApplicationFactory(operator=operator, space=space)
    assert [item.key for item in documents_to_reuse(application)] == [f"req:{lease.pk}"]
    stranger = UserFactory(roles=[roles.OPERATOR])
    with pytest.raises(PermissionDenied):
        application_reuse_document(application=application, actor=stranger, key=f"req:{lease.pk}")
    document = application_reuse_document(application=application, actor=operator_user, key=f"req:{lease.pk}")
    assert document.file.name == lease.file.name and document.document_type == "lease_agreement"
    assert documents_to_reuse(application) == []
    with pytest.raises(ValidationFailed):
        application_reuse_document(application=application, actor=operator_user, key=f"req:{lease.pk}")
