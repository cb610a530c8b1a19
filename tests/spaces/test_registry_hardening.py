"""Security issue #14: registry import and export hardened (formula escaping, caps, duplicates, counts)."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from spaces.forms import OperatorForm, SpaceForm
from spaces.models import Operator, Space
from spaces.resources import OperatorResource, SpaceResource
from tests.factories import OperatorFactory

from .factories import operator_post, space_post
from .test_registry_import import (
    OPERATOR_HEADERS,
    SPACE_HEADERS,
    _admin_client,
    _format_value,
    _xlsx,
    dataset,
    operator_row,
    run_import,
    space_row,
)

pytestmark = pytest.mark.django_db

NASTY = ['==HYPERLINK("http://evil.example","Click")', "@SUM(1)", "-1+1"]


def _export(client, extension):
    url = reverse("admin:spaces_operator_export")
    page = client.get(url)
    response = client.post(
        url,
        {
            "format": _format_value(page, extension),
            "resource": "0",
            **{f"operatorresource_{name}": "on" for name in OPERATOR_HEADERS},
        },
    )
    assert response.status_code == 200
    return response.content


@pytest.mark.parametrize("name", NASTY)
def test_xlsx_export_escapes_every_formula_like_cell(client, name):
    OperatorFactory(legal_name=name, bank_account_title=name)
    ws = openpyxl.load_workbook(io.BytesIO(_export(_admin_client(client), "xlsx"))).active
    header = [c.value for c in ws[1]]
    for column in ("legal_name", "bank_account_title"):
        cell = ws.cell(row=2, column=header.index(column) + 1)
        assert cell.data_type != "f"
        assert cell.value == "'" + name  # core.spreadsheet.escape_cell: shown as the text it is


@pytest.mark.parametrize("name", NASTY)
def test_csv_export_escapes_every_formula_like_cell(client, name):
    OperatorFactory(legal_name=name)
    rows = list(csv.DictReader(io.StringIO(_export(_admin_client(client), "csv").decode("utf-8-sig"))))
    assert rows[0]["legal_name"] == "'" + name


@pytest.mark.parametrize("name", NASTY)
def test_the_portal_refuses_formula_like_names_as_the_importer_does(name):
    form = OperatorForm(operator_post(1, legal_name=name))
    assert not form.is_valid()
    message = f"This holds a formula ({name[:40]}); only plain values are accepted."
    assert form.errors["legal_name"] == [message]

    result = run_import(OperatorResource(), dataset(OPERATOR_HEADERS, [operator_row(1, legal_name=name)]))
    assert result.invalid_rows[0].field_specific_errors["legal_name"] == [message]

    operator = OperatorFactory()
    space_form = SpaceForm(space_post(1, name=name), operator=operator)
    assert not space_form.is_valid() and space_form.errors["name"] == [message]


def test_two_rows_with_one_ntn_are_refused_naming_both_rows():
    rows = [operator_row(1), operator_row(2), operator_row(3, ntn=operator_row(1)["ntn"].replace("-", ""))]
    result = run_import(OperatorResource(), dataset(OPERATOR_HEADERS, rows))
    assert result.has_errors()
    assert "Rows 1 and 3 both have ntn 5000001-1" in str(result.base_errors[0].error)
    assert Operator.objects.count() == 0


def test_two_rows_with_one_space_code_are_refused():
    operator = OperatorFactory()
    rows = [space_row(1, operator.ntn), space_row(1, operator.ntn, name="Copy")]
    result = run_import(SpaceResource(), dataset(SPACE_HEADERS, rows))
    assert "Rows 1 and 2 both have code FSD-501" in str(result.base_errors[0].error)
    assert Space.objects.count() == 0


def test_a_fractional_seat_count_is_refused_not_rounded():
    operator = OperatorFactory()
    result = run_import(SpaceResource(), dataset(SPACE_HEADERS, [space_row(1, operator.ntn, seats_offered="12.5")]))
    assert [row.number for row in result.invalid_rows] == [1]
    assert result.invalid_rows[0].error_dict["seats_offered"] == ["A whole number is needed here, not 12.5."]
    assert Space.objects.count() == 0
    ok = run_import(SpaceResource(), dataset(SPACE_HEADERS, [space_row(1, operator.ntn, seats_offered="12.0")]))
    assert not ok.has_validation_errors() and Space.objects.get().seats_offered == 12


def test_a_file_with_too_many_rows_is_refused_before_any_row(settings):
    settings.REGISTRY_IMPORT_MAX_ROWS = 2
    result = run_import(OperatorResource(), dataset(OPERATOR_HEADERS, [operator_row(n) for n in (1, 2, 3)]))
    assert "This file has 3 rows; a registry import takes at most 2." in str(result.base_errors[0].error)
    assert not result.rows and Operator.objects.count() == 0


def test_a_file_over_the_byte_cap_is_refused_before_the_dry_run(client, settings):
    settings.REGISTRY_IMPORT_MAX_BYTES = 1024
    client = _admin_client(client)
    url = reverse("admin:spaces_operator_import")
    page = client.get(url)
    upload = io.BytesIO(_xlsx(OPERATOR_HEADERS, [operator_row(1)]))
    upload.name = "operators.xlsx"
    response = client.post(url, {"format": _format_value(page, "xlsx"), "import_file": upload, "resource": "0"})
    assert response.status_code == 200
    assert "a registry import takes at most 1 KB" in response.content.decode()
    assert "result" not in response.context or response.context.get("result") is None
