"""Data stewards keep who visits in the Django admin (issue #15 A): departments with their purposes,
associations and officials; every save and import through integrity.services.registry, audited; no
deletes; officials' CNICs masked in the list; formula-like cells refused on import, escaped on export."""

import csv
import io

import pytest
from django.urls import reverse

from accounts import roles
from accounts.models import User
from audit.models import AuditEvent
from integrity.errors import PermissionDenied
from integrity.models import Association, Department, Official, VisitPurpose
from integrity.services import registry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://evil.example","Click")'
DEPARTMENT_HEADERS = ["code", "name", "name_ur", "level", "website", "is_active"]
OFFICIAL_HEADERS = [
    "email",
    "full_name",
    "department",
    "association",
    "designation",
    "service_number",
    "office",
    "cnic",
]


@pytest.fixture
def steward():
    return UserFactory(roles=[roles.DATA_STEWARD], is_staff=True)


@pytest.fixture
def steward_client(client, steward):
    client.force_login(steward)
    return client


def _csv(headers, rows) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    upload = io.BytesIO(out.getvalue().encode("utf-8"))
    upload.name = "file.csv"
    return upload


def _format(response, extension):
    for value, label in response.context["form"].fields["format"].choices:
        if label.lower() == extension:
            return value
    raise AssertionError(extension)


def _import(client, model_name, headers, rows):
    """Preview then confirm, as a steward does; returns (preview response, confirm response or None)."""
    url = reverse(f"admin:integrity_{model_name}_import")
    page = client.get(url)
    preview = client.post(url, {"format": _format(page, "csv"), "import_file": _csv(headers, rows), "resource": "0"})
    confirm_form = preview.context.get("confirm_form") if preview.context else None
    if confirm_form is None:
        return preview, None
    done = client.post(reverse(f"admin:integrity_{model_name}_process_import"), confirm_form.initial, follow=True)
    return preview, done


def _events(action, obj):
    return list(AuditEvent.objects.filter(action=action, object_id=str(obj.pk)).order_by("pk"))


def test_admin_add_and_change_of_a_department_and_its_purpose_go_through_the_service(steward_client, steward):
    url = reverse("admin:integrity_department_add")
    response = steward_client.post(
        url,
        {
            "code": "pra",
            "name": "Punjab Revenue Authority",
            "name_ur": "پنجاب ریونیو اتھارٹی",
            "level": "provincial",
            "website": "",
            "is_active": "on",
            "purposes-TOTAL_FORMS": "1",
            "purposes-INITIAL_FORMS": "0",
            "purposes-0-name": "Sales tax on services audit",
            "purposes-0-legal_basis": "Punjab Sales Tax on Services Act 2012, s. 52",
            "purposes-0-is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["errors"] if response.context else response
    department = Department.objects.get(code="pra")
    purpose = VisitPurpose.objects.get(department=department)
    [created] = _events("department.saved", department)
    assert created.actor_id == steward.pk
    assert created.data == {"created": True, "fields": ["code", "name", "name_ur", "level", "is_active"]}
    assert _events("visit_purpose.saved", purpose)[0].data["created"] is True

    change = reverse("admin:integrity_department_change", args=[department.pk])
    steward_client.post(
        change,
        {
            "code": "pra",
            "name": "Punjab Revenue Authority (PRA)",
            "name_ur": "پنجاب ریونیو اتھارٹی",
            "level": "provincial",
            "website": "https://pra.punjab.gov.pk",
            "is_active": "on",
            "purposes-TOTAL_FORMS": "1",
            "purposes-INITIAL_FORMS": "1",
            "purposes-0-id": str(purpose.pk),
            "purposes-0-department": str(department.pk),
            "purposes-0-name": "Sales tax on services audit",
            "purposes-0-legal_basis": "Punjab Sales Tax on Services Act 2012, s. 52",
            "purposes-0-is_active": "on",
        },
    )
    changed = _events("department.saved", department)
    assert [e.data for e in changed][1] == {"created": False, "fields": ["name", "website"]}
    assert len(_events("visit_purpose.saved", purpose)) == 1  # the unchanged purpose wrote nothing


def test_admin_adds_an_official_by_email_with_a_new_account_and_the_inspector_role(steward_client, steward):
    department = registry.reference_save(
        actor=steward, obj=Department(code="epa", name="Environment Protection Department", level="provincial")
    )
    response = steward_client.post(
        reverse("admin:integrity_official_add"),
        {
            "email": "Inspector.Ali@EPA.punjab.gov.pk",
            "full_name": "Ali Raza",
            "department": str(department.pk),
            "designation": "Assistant Director",
            "service_number": "EPA-77",
            "office": "Lahore",
            "cnic": "3520212345671",
        },
    )
    assert response.status_code == 302
    official = Official.objects.select_related("user").get()
    assert official.user.email == "inspector.ali@epa.punjab.gov.pk"
    assert not official.user.has_usable_password()
    assert official.user.has_role(roles.INSPECTOR)
    assert official.cnic == "35202-1234567-1"
    [saved] = _events("official.saved", official)
    assert "cnic" in saved.data["fields"] and "1234567" not in str(saved.data)
    assert _events("user.role_grant", official.user)[0].actor_id == steward.pk


def test_steward_imports_departments_and_officials_from_csv(steward_client, steward):
    Association.objects.create(code="pasha", name="P@SHA")
    _preview, done = _import(
        steward_client,
        "department",
        DEPARTMENT_HEADERS,
        [
            ["rescue-1122", "Rescue 1122 (fire safety)", "ریسکیو 1122", "provincial", "", "1"],
            ["fbr", "Federal Board of Revenue", "", "federal", "https://fbr.gov.pk", "1"],
        ],
    )
    assert done is not None and done.status_code == 200
    assert set(Department.objects.values_list("code", flat=True)) == {"rescue-1122", "fbr"}
    assert AuditEvent.objects.filter(action="department.saved").count() == 2

    UserFactory(email="known@pasha.org.pk", full_name="Sana Malik")
    _preview, done = _import(
        steward_client,
        "official",
        OFFICIAL_HEADERS,
        [
            [
                "fire.officer@rescue.gov.pk",
                "Usman Tariq",
                "rescue-1122",
                "",
                "Fire Safety Officer",
                "R-1",
                "Lahore",
                "35202-7654321-3",
            ],
            ["known@pasha.org.pk", "", "", "pasha", "Liaison", "", "Lahore", "3520211111113"],
        ],
    )
    assert done is not None and done.status_code == 200
    inspector = Official.objects.select_related("user").get(user__email="fire.officer@rescue.gov.pk")
    liaison = Official.objects.select_related("user").get(user__email="known@pasha.org.pk")
    assert inspector.user.full_name == "Usman Tariq" and not inspector.user.has_usable_password()
    assert inspector.user.has_role(roles.INSPECTOR) and not inspector.user.has_role(roles.ASSOCIATION_LIAISON)
    assert liaison.user.has_role(roles.ASSOCIATION_LIAISON) and liaison.user.full_name == "Sana Malik"
    assert (inspector.cnic, liaison.cnic) == ("35202-7654321-3", "35202-1111111-3")
    assert AuditEvent.objects.filter(action="official.account_created").count() == 1
    assert AuditEvent.objects.filter(action="user.role_grant", actor_id=steward.pk).count() == 2

    page = steward_client.get(reverse("admin:integrity_official_changelist")).content.decode()
    assert "•••••••••••21-3" in page and "7654321" not in page and "1111111" not in page


def test_an_official_row_naming_an_account_with_other_roles_is_refused(steward_client):
    Department.objects.create(code="lda", name="Lahore Development Authority", level="district")
    UserFactory(email="officer@sahulat.pk", roles=[roles.PROGRAM_OFFICER])
    preview, done = _import(
        steward_client,
        "official",
        OFFICIAL_HEADERS,
        [["officer@sahulat.pk", "", "lda", "", "Building Inspector", "", "", ""]],
    )
    assert done is None
    assert "an administrator links it to an official" in preview.content.decode()
    assert not Official.objects.exists()
    assert not User.objects.get(email="officer@sahulat.pk").has_role(roles.INSPECTOR)


def test_a_hostile_cell_is_refused_on_import_and_escaped_on_export(steward_client, steward):
    preview, done = _import(
        steward_client, "department", DEPARTMENT_HEADERS, [["evil", HOSTILE, "", "provincial", "", "1"]]
    )
    assert done is None
    assert "only plain values are accepted" in preview.content.decode()
    assert not Department.objects.exists()

    # A name typed in the admin (not an import) is exported as text, never as a formula.
    registry.reference_save(actor=steward, obj=Department(code="odd", name=HOSTILE, level="district"))
    url = reverse("admin:integrity_department_export")
    page = steward_client.get(url)
    response = steward_client.post(url, {"format": _format(page, "csv"), "resource": "0", "export_items": []})
    if response.status_code != 200 or "text/csv" not in response.get("Content-Type", ""):
        fields = {f"departmentresource_{name}": "on" for name in DEPARTMENT_HEADERS}
        response = steward_client.post(url, {"format": _format(page, "csv"), "resource": "0", **fields})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][:2] == ["odd", "'" + HOSTILE]


@pytest.mark.parametrize("role", [roles.PROGRAM_OFFICER, roles.INTEGRITY_OFFICER, roles.INSPECTOR])
def test_non_stewards_are_refused_the_admin_pages(client, role):
    client.force_login(UserFactory(roles=[role], is_staff=True))
    for name in ("department", "visitpurpose", "association", "associationmembership", "official"):
        assert client.get(reverse(f"admin:integrity_{name}_changelist")).status_code == 403
        assert client.get(reverse(f"admin:integrity_{name}_add")).status_code == 403
    assert client.get(reverse("admin:integrity_official_import")).status_code == 403
    with pytest.raises(PermissionDenied):
        registry.reference_save(actor=UserFactory(roles=[role]), obj=Department(code="x", name="X", level="district"))


def test_nothing_is_deleted_here(steward_client, steward):
    department = registry.reference_save(actor=steward, obj=Department(code="lesco", name="LESCO", level="utility"))
    response = steward_client.get(reverse("admin:integrity_department_delete", args=[department.pk]))
    assert response.status_code == 403
    changelist = steward_client.get(reverse("admin:integrity_department_changelist"))
    assert "delete_selected" not in changelist.content.decode()
    assert Department.objects.filter(pk=department.pk).exists()
