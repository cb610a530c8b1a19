"""Data stewards import and export the registry (operators and spaces) in the Django admin."""

import io

import openpyxl
import pytest
import tablib
from django.urls import reverse

from accounts import roles
from spaces.models import Operator, Space
from spaces.resources import OperatorResource, SpaceResource
from tests.factories import OperatorFactory, UserFactory, make_iban

pytestmark = pytest.mark.django_db

OPERATOR_HEADERS = list(OperatorResource.Meta.fields)
SPACE_HEADERS = [
    "code",
    "operator_ntn",
    "name",
    "address",
    "division",
    "district",
    "postal_code",
    "latitude",
    "longitude",
    "seats_offered",
    "private_offices",
    "meeting_rooms",
    "internet_bandwidth_mbps",
    "power_backup",
    "opening_date",
    "network_status",
]


def operator_row(n: int, **changes) -> dict:
    row = {
        "ntn": f"{5000000 + n}-{n % 10}",
        "legal_name": f"Imported Coworking {n} (Pvt.) Ltd.",
        "legal_form": "private_limited",
        "secp_registration_number": f"0{200000 + n}",
        "pseb_registration_number": f"Z-{20000 + n}",
        "principal_name": "Zainab Qureshi",
        "principal_cnic": f"35202-{2000000 + n}-4",
        "contact_email": f"hello{n}@imported.example.pk",
        "contact_mobile": "0321-7654321",
        "bank_account_title": f"Imported Coworking {n}",
        "iban": make_iban(900 + n, bank="MEZN"),
        "registered_address": "7 Canal Road, Faisalabad",
    }
    row.update(changes)
    return row


def dataset(headers, rows) -> tablib.Dataset:
    data = tablib.Dataset(headers=headers)
    for row in rows:
        data.append([row.get(h, "") for h in headers])
    return data


def run_import(resource, data, *, user=None):
    # Rows are written through spaces.services, which need the steward who imports.
    user = user or UserFactory(roles=[roles.DATA_STEWARD], is_staff=True)
    return resource.import_data(
        data, dry_run=False, use_transactions=True, rollback_on_validation_errors=True, user=user
    )


def test_good_operator_file_imports_every_row():
    result = run_import(OperatorResource(), dataset(OPERATOR_HEADERS, [operator_row(1), operator_row(2)]))
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 2
    imported = Operator.objects.get(ntn="5000001-1")
    assert imported.iban == make_iban(901, bank="MEZN")
    assert imported.verification_status == Operator.Verification.PENDING  # imports never verify anyone


def test_reimporting_the_same_file_changes_nothing():
    data = dataset(OPERATOR_HEADERS, [operator_row(1)])
    run_import(OperatorResource(), data)
    result = run_import(OperatorResource(), data)
    assert result.totals["skip"] == 1
    assert Operator.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"iban": "PK37SCBL0000001123456702"}, "iban", "check digits do not match"),
        ({"principal_cnic": "35202-123-4"}, "principal_cnic", "13 digits"),
        ({"contact_mobile": "042-35761234"}, "contact_mobile", "landline"),
        ({"legal_name": '=HYPERLINK("http://evil.example","Click")'}, "legal_name", "formula"),
        ({"bank_account_title": "@SUM(A1:A9)"}, "bank_account_title", "formula"),
        ({"secp_registration_number": ""}, "secp_registration_number", "SECP registration number"),
    ],
)
def test_a_bad_operator_row_names_row_and_column_and_writes_nothing(changes, field, words):
    rows = [operator_row(1), operator_row(2, **changes), operator_row(3)]
    result = run_import(OperatorResource(), dataset(OPERATOR_HEADERS, rows))
    assert result.has_validation_errors()
    invalid = result.invalid_rows
    assert [r.number for r in invalid] == [2]
    assert field in invalid[0].field_specific_errors
    assert any(words in message for message in invalid[0].field_specific_errors[field])
    assert Operator.objects.count() == 0  # the two good rows were not written either


def test_a_file_with_a_missing_column_is_refused_by_name():
    headers = [h for h in OPERATOR_HEADERS if h != "iban"]
    result = run_import(OperatorResource(), dataset(headers, [operator_row(1)]))
    assert result.has_errors()
    message = str(result.base_errors[0].error)
    assert "missing columns: iban" in message
    assert Operator.objects.count() == 0


def test_a_file_with_an_unknown_column_is_refused_by_name():
    headers = [*OPERATOR_HEADERS, "bribe_amount"]
    result = run_import(OperatorResource(), dataset(headers, [operator_row(1)]))
    assert "unknown columns: bribe_amount" in str(result.base_errors[0].error)
    assert Operator.objects.count() == 0


def space_row(n: int, ntn: str, **changes) -> dict:
    row = {
        "code": f"FSD-{500 + n}",
        "operator_ntn": ntn,
        "name": f"Imported Space {n}",
        "address": "12 Susan Road, Faisalabad",
        "division": "Faisalabad",
        "district": "Faisalabad",
        "postal_code": "38000",
        "latitude": "31.4504",
        "longitude": "73.1350",
        "seats_offered": "80",
        "private_offices": "4",
        "meeting_rooms": "2",
        "internet_bandwidth_mbps": "300",
        "power_backup": "solar",
        "opening_date": "2024-03-01",
        "network_status": "active",
    }
    row.update(changes)
    return row


def test_good_space_file_imports():
    operator = OperatorFactory()
    result = run_import(
        SpaceResource(), dataset(SPACE_HEADERS, [space_row(1, operator.ntn), space_row(2, operator.ntn)])
    )
    assert not result.has_errors() and not result.has_validation_errors()
    assert list(operator.spaces.order_by("code").values_list("code", "seats_offered")) == [
        ("FSD-501", 80),
        ("FSD-502", 80),
    ]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"district": "Karachi"}, "district", "not a Punjab district"),
        ({"district": "Multan"}, "district", "Multan division"),
        ({"latitude": "24.86"}, "latitude", "greater than or equal"),
        ({"seats_offered": "-5"}, "seats_offered", "greater than or equal to 1"),
        ({"seats_offered": "twenty"}, "seats_offered", "number"),
        ({"operator_ntn": "9999999-9"}, "operator", "No operator with NTN 9999999-9"),
        ({"name": "+cmd|' /C calc'!A0"}, "name", "formula"),
    ],
)
def test_a_bad_space_row_is_reported_and_nothing_is_written(changes, field, words):
    operator = OperatorFactory()
    rows = [space_row(1, operator.ntn), space_row(2, operator.ntn, **changes)]
    result = run_import(SpaceResource(), dataset(SPACE_HEADERS, rows))
    assert not result.has_errors()
    assert [row.number for row in result.invalid_rows] == [2]
    messages = result.invalid_rows[0].error_dict[field]
    assert any(words in m for m in messages), messages
    assert Space.objects.count() == 0


def _admin_client(client):
    steward = UserFactory(roles=[roles.DATA_STEWARD], is_staff=True)
    client.force_login(steward)
    return client


def _xlsx(headers, rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append([row[h] for h in headers])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _format_value(response, extension: str) -> str:
    form = response.context["form"]
    for value, label in form.fields["format"].choices:
        if label.lower() == extension:
            return value
    raise AssertionError(f"no {extension} format offered: {form.fields['format'].choices}")


def test_steward_previews_an_excel_file_in_the_admin_and_sees_the_bad_row(client):
    client = _admin_client(client)
    url = reverse("admin:spaces_operator_import")
    page = client.get(url)
    assert page.status_code == 200
    content = _xlsx(OPERATOR_HEADERS, [operator_row(1), operator_row(2, iban="PK37SCBL0000001123456702")])
    upload = io.BytesIO(content)
    upload.name = "operators.xlsx"
    response = client.post(url, {"format": _format_value(page, "xlsx"), "import_file": upload, "resource": "0"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "check digits do not match" in html
    assert "confirm" not in response.context or response.context.get("confirm_form") is None
    assert Operator.objects.count() == 0


def test_steward_imports_a_good_excel_file_through_preview_and_confirm(client):
    client = _admin_client(client)
    url = reverse("admin:spaces_operator_import")
    page = client.get(url)
    upload = io.BytesIO(_xlsx(OPERATOR_HEADERS, [operator_row(1), operator_row(2)]))
    upload.name = "operators.xlsx"
    preview = client.post(url, {"format": _format_value(page, "xlsx"), "import_file": upload, "resource": "0"})
    confirm_form = preview.context["confirm_form"]
    assert Operator.objects.count() == 0  # the preview wrote nothing
    done = client.post(reverse("admin:spaces_operator_process_import"), confirm_form.initial, follow=True)
    assert done.status_code == 200
    assert set(Operator.objects.values_list("ntn", flat=True)) == {"5000001-1", "5000002-2"}


def test_export_escapes_formula_like_text(client):
    OperatorFactory(legal_name="=1+2 Coworking")
    client = _admin_client(client)
    url = reverse("admin:spaces_operator_export")
    page = client.get(url)
    response = client.post(
        url,
        {
            "format": _format_value(page, "xlsx"),
            "resource": "0",
            **{f"operatorresource_{name}": "on" for name in OPERATOR_HEADERS},
        },
    )
    assert response.status_code == 200, response.content[:500]
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=header.index("legal_name") + 1)
    assert cell.data_type != "f"  # stored as text, never as a formula
    assert "1+2 Coworking" in cell.value and not cell.value.startswith("=")
