"""Data stewards keep the one-window catalogue in the Django admin (issue #16): services with their
documents and questions, and bundles; every save and inline row through onewindow.services.catalogue,
audited; a question's choices and a service's legal forms checked with messages that name the fault;
no deletes; requests and certificates are not in the admin at all."""

import pytest
from django.urls import NoReverseMatch, reverse

from accounts import roles
from audit.models import AuditEvent
from onewindow.errors import PermissionDenied, ValidationFailed
from onewindow.models import Bundle, Service, ServiceDocument, ServiceQuestion
from onewindow.services import catalogue
from tests.factories import UserFactory

from .conftest import make_department, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def steward():
    return UserFactory(roles=[roles.DATA_STEWARD], is_staff=True)


@pytest.fixture
def steward_client(client, steward):
    client.force_login(steward)
    return client


def _events(action, obj):
    return list(AuditEvent.objects.filter(action=action, object_id=str(obj.pk)).order_by("pk"))


def _service_form(department, **overrides):
    data = {
        "department": str(department.pk),
        "code": "fire-safety",
        "name": "Fire safety certificate",
        "name_ur": "آگ سے حفاظت کا سرٹیفکیٹ",
        "description": "Inspection of exits, extinguishers and alarms.",
        "description_ur": "",
        "legal_forms": ["private_limited", "single_member"],
        "is_active": "on",
        "fee": "PKR 5,000 (verify with the department)",
        "promised_working_days": "10",
        "legal_basis": "Punjab Emergency Service Act 2006",
        "outcome": "certificate",
        "validity_months": "12",
        "documents-TOTAL_FORMS": "1",
        "documents-INITIAL_FORMS": "0",
        "documents-0-document_type": "lease_agreement",
        "documents-0-required": "on",
        "questions-TOTAL_FORMS": "1",
        "questions-INITIAL_FORMS": "0",
        "questions-0-order": "1",
        "questions-0-key": "premises",
        "questions-0-label": "Kind of premises",
        "questions-0-label_ur": "عمارت کی قسم",
        "questions-0-kind": "choice",
        "questions-0-choices": "plaza|Commercial plaza|کمرشل پلازہ\nhouse|Converted house|تبدیل شدہ مکان",
        "questions-0-required": "on",
    }
    data.update(overrides)
    return data


def test_steward_adds_a_service_with_a_document_and_a_question_through_the_service(steward_client, steward):
    department = make_department()
    response = steward_client.post(reverse("admin:onewindow_service_add"), _service_form(department))

    assert response.status_code == 302, response.context["errors"] if response.context else response
    service = Service.objects.get(code="fire-safety")
    assert service.legal_forms == ["private_limited", "single_member"]
    [saved] = _events("onewindow.service_saved", service)
    assert saved.actor_id == steward.pk and saved.data["created"] is True
    assert {"code", "name", "legal_forms", "promised_working_days"} <= set(saved.data["fields"])
    document = ServiceDocument.objects.get(service=service)
    question = ServiceQuestion.objects.get(service=service)
    assert _events("onewindow.service_document_saved", document)[0].actor_id == steward.pk
    assert _events("onewindow.service_question_saved", question)[0].data["created"] is True
    assert [value for value, _label in question.options()] == ["plaza", "house"]


def test_a_change_records_only_what_changed_and_an_unchanged_row_writes_nothing(steward_client, steward):
    department = make_department()
    steward_client.post(reverse("admin:onewindow_service_add"), _service_form(department))
    service = Service.objects.get(code="fire-safety")
    document, question = service.documents.get(), service.questions.get()
    change = _service_form(
        department,
        name="Fire safety certificate (NOC)",
        legal_forms=[],
        **{
            "documents-INITIAL_FORMS": "1",
            "documents-0-id": str(document.pk),
            "documents-0-service": str(service.pk),
            "questions-INITIAL_FORMS": "1",
            "questions-0-id": str(question.pk),
            "questions-0-service": str(service.pk),
        },
    )

    response = steward_client.post(reverse("admin:onewindow_service_change", args=[service.pk]), change)

    assert response.status_code == 302
    assert _events("onewindow.service_saved", service)[1].data == {"created": False, "fields": ["name", "legal_forms"]}
    service.refresh_from_db()
    assert service.legal_forms == []  # open to every legal form
    assert len(_events("onewindow.service_document_saved", document)) == 1
    assert len(_events("onewindow.service_question_saved", question)) == 1


@pytest.mark.parametrize(
    ("kind", "choices", "message"),
    [
        ("choice", "", "A choice question needs its options, one per line: value|English|Urdu."),
        ("choice", "plaza|Commercial plaza", "A choice question needs at least two options"),
        ("choice", "plaza|Plaza|پلازہ\nPLAZA|Another plaza|", "Lines 1 and 2 both have the value “PLAZA”"),
        ("choice", "plaza|Plaza\nhouse", "Line 2 has no English words: write value|English|Urdu."),
        ("choice", "two words|Plaza\nhouse|House", "Line 1: the value “two words” must be one word"),
        ("choice", "a|A|ا|extra\nb|B", "Line 1 has more than three parts"),
        ("text", "plaza|Plaza\nhouse|House", "Only a choice question has choices"),
    ],
)
def test_bad_choices_are_refused_naming_the_line(steward_client, kind, choices, message):
    department = make_department()
    form = _service_form(department, **{"questions-0-kind": kind, "questions-0-choices": choices})

    response = steward_client.post(reverse("admin:onewindow_service_add"), form)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Service.objects.exists()


def test_the_service_layer_refuses_bad_choices_and_unknown_legal_forms(steward):
    service = make_service(make_department())
    question = ServiceQuestion(service=service, key="size", label="Size", kind="choice", choices="small|Small")
    with pytest.raises(ValidationFailed) as refused:
        catalogue.service_question_save(actor=steward, question=question)
    assert "at least two options" in str(refused.value.field_errors["choices"][0])

    service.legal_forms = ["private_limited", "trust"]
    with pytest.raises(ValidationFailed) as refused:
        catalogue.service_save(actor=steward, service=service)
    assert str(refused.value.field_errors["legal_forms"][0]).startswith("“trust” is not a legal form; use one of:")
    service.legal_forms = ["partnership", "partnership"]
    with pytest.raises(ValidationFailed) as refused:
        catalogue.service_save(actor=steward, service=service)
    assert refused.value.field_errors["legal_forms"] == ["A legal form is named twice; name each once."]
    assert not AuditEvent.objects.filter(action__startswith="onewindow.service").exists()


def test_steward_keeps_a_bundle_and_the_audit_names_the_services_added_and_removed(steward_client, steward):
    fire = make_service(make_department())
    commercial = Service.objects.create(
        department=make_department("lda", "Lahore Development Authority"),
        code="commercial-use",
        name="Commercial use of the building",
        description="Permission to use the floor as an office.",
        fee="As per the LDA schedule",
        promised_working_days=30,
        outcome=Service.Outcome.LETTER,
    )
    add = {"code": "new-space", "name": "Open a new space", "name_ur": "نئی جگہ کھولیں", "services": [fire.pk]}

    assert steward_client.post(reverse("admin:onewindow_bundle_add"), add).status_code == 302
    bundle = Bundle.objects.get(code="new-space")
    change = {**add, "services": [commercial.pk]}
    assert steward_client.post(reverse("admin:onewindow_bundle_change", args=[bundle.pk]), change).status_code == 302

    assert list(bundle.services.values_list("code", flat=True)) == ["commercial-use"]
    created, changed = (event.data for event in _events("onewindow.bundle_saved", bundle))
    assert created["created"] is True and created["services_added"] == ["fire-safety"]
    assert changed == {
        "created": False,
        "fields": ["services"],
        "services_added": ["commercial-use"],
        "services_removed": ["fire-safety"],
    }
    empty = steward_client.post(reverse("admin:onewindow_bundle_change", args=[bundle.pk]), {**add, "services": []})
    assert empty.status_code == 200 and bundle.services.count() == 1


@pytest.mark.parametrize("role", [roles.PROGRAM_OFFICER, roles.DEPARTMENT_DESK, roles.INTEGRITY_OFFICER])
def test_others_are_refused_the_catalogue_admin_and_its_service(client, role):
    client.force_login(UserFactory(roles=[role], is_staff=True))
    for name in ("service", "bundle"):
        assert client.get(reverse(f"admin:onewindow_{name}_changelist")).status_code == 403
        assert client.get(reverse(f"admin:onewindow_{name}_add")).status_code == 403
    service = make_service(make_department())
    service.name = "Renamed"
    with pytest.raises(PermissionDenied):
        catalogue.service_save(actor=UserFactory(roles=[role]), service=service)


def test_nothing_is_deleted_and_requests_are_not_in_the_admin(steward_client):
    service = make_service(make_department())
    assert steward_client.get(reverse("admin:onewindow_service_delete", args=[service.pk])).status_code == 403
    changelist = steward_client.get(reverse("admin:onewindow_service_changelist")).content.decode()
    assert "delete_selected" not in changelist
    page = steward_client.get(reverse("admin:onewindow_service_change", args=[service.pk])).content.decode()
    assert "documents-0-DELETE" not in page and "questions-0-DELETE" not in page
    for name in ("servicerequest", "certificate"):
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:onewindow_{name}_changelist")
    assert Service.objects.filter(pk=service.pk).exists()
