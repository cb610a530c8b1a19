"""Filing utilization returns by uploading the Excel template: the preview names every bad cell,
nothing is written on any error, and a filed month is replaced only after confirmation."""

import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import Workbook

from audit.models import AuditEvent
from spaces.models import UtilizationReturn
from spaces.utilization import utilization_return_file
from spaces.utilization_excel import TEMPLATE_COLUMNS

from .utilization_helpers import SEPTEMBER, TODAY, company, good_figures, upload_bytes, workbook_from

pytestmark = pytest.mark.django_db

FIGURE_COLUMNS = {name: TEMPLATE_COLUMNS.index(name) + 1 for name in TEMPLATE_COLUMNS}


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def setup(client):
    user, operator, spaces = company(2)
    client.force_login(user)
    return client, user, operator, spaces


def template(client, month="2025-09"):
    response = client.get(reverse("portal:utilization_template") + f"?month={month}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="utilization-returns-{month}.xlsx"'
    return workbook_from(response)


def fill(wb, row: int, **figures):
    ws = wb["Returns"]
    for name, value in figures.items():
        ws.cell(row=row, column=FIGURE_COLUMNS[name]).value = value
    return wb


def filled(client, **per_row):
    wb = template(client)
    for row in (2, 3):
        fill(wb, row, **good_figures(**per_row.get(f"row{row}", {})))
    return wb


def upload(client, wb, month="2025-09"):
    return client.post(reverse("portal:utilization_upload"), {"month": month, "file": upload_bytes(wb)})


def errors_of(response) -> list[str]:
    result = response.context["result"]
    return [result.file_error] if result.file_error else result.errors


def test_the_template_has_a_locked_header_one_row_per_space_validation_and_instructions(setup):
    client, _user, operator, spaces = setup
    wb = template(client)
    ws = wb["Returns"]
    assert [c.value for c in ws[1]] == list(TEMPLATE_COLUMNS)
    assert [ws.cell(row=r, column=1).value for r in (2, 3)] == sorted(s.code for s in spaces)
    assert ws.cell(row=2, column=3).value == "2025-09"
    assert ws.cell(row=2, column=FIGURE_COLUMNS["seats_offered"]).value == 60  # from the registry
    assert ws.protection.sheet is True
    assert ws["A1"].protection.locked and not ws.cell(row=2, column=5).protection.locked
    assert ws.freeze_panes == "D2"
    (validation,) = ws.data_validations.dataValidation
    assert (validation.type, validation.operator, validation.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert "Instructions" in wb.sheetnames


def test_a_good_file_is_previewed_without_writing_then_filed_on_confirmation(setup):
    client, user, operator, spaces = setup

    preview = upload(client, filled(client))

    assert preview.status_code == 200
    assert len(preview.context["result"].rows) == 2 and preview.context["result"].errors == []
    assert not UtilizationReturn.objects.exists()
    assert "File 2 returns" in preview.content.decode()

    done = client.post(reverse("portal:utilization_upload_confirm"))

    assert done.status_code == 302
    assert UtilizationReturn.objects.filter(month=SEPTEMBER).count() == 2
    assert set(UtilizationReturn.objects.values_list("filed_by", flat=True)) == {user.pk}
    assert AuditEvent.objects.filter(action="utilization.file").count() == 2


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("drop", "missing columns: seat_days_used"),
        ("add", "unknown columns: notes"),
        ("rename", "missing columns: members; unknown columns: Members"),
    ],
)
def test_a_wrong_template_is_refused_saying_what_is_wrong(setup, change, expected):
    client, *_rest = setup
    wb = filled(client)
    ws = wb["Returns"]
    if change == "drop":
        ws.delete_cols(FIGURE_COLUMNS["seat_days_used"])
    elif change == "add":
        ws.cell(row=1, column=len(TEMPLATE_COLUMNS) + 1, value="notes")
    else:
        ws.cell(row=1, column=FIGURE_COLUMNS["members"], value="Members")

    response = upload(client, wb)

    assert response.status_code == 400
    assert expected in errors_of(response)[0]
    assert "does not follow the utilization returns template" in response.content.decode()
    assert not UtilizationReturn.objects.exists()


def test_a_file_that_is_not_excel_is_refused(setup):
    client, *_rest = setup
    junk = io.BytesIO(b"space_code,month\nLHR-1,2025-09\n")
    junk.name = "returns.xlsx"
    response = client.post(reverse("portal:utilization_upload"), {"month": "2025-09", "file": junk})
    assert response.status_code == 400
    assert "not an Excel workbook" in errors_of(response)[0]


def test_a_file_for_another_month_is_refused_row_by_row(setup):
    client, *_rest = setup
    response = upload(client, filled(client), month="2025-08")
    assert response.status_code == 400
    assert errors_of(response) == [
        "Row 2, column month: this row is for September 2025, but you are uploading returns for August 2025.",
        "Row 3, column month: this row is for September 2025, but you are uploading returns for August 2025.",
    ]
    assert not UtilizationReturn.objects.exists()


def test_negative_numbers_text_and_formulas_in_numeric_cells_are_named_by_cell(setup):
    client, *_rest = setup
    wb = filled(client)
    fill(wb, 2, members=-5)
    fill(wb, 3, seat_days_used="twenty", startups="=1+1")

    response = upload(client, wb)

    assert response.status_code == 400
    assert errors_of(response) == [
        "Row 2, column members: cannot be negative (-5).",
        "Row 3, column seat_days_used: must hold a whole number; it holds “twenty”.",
        "Row 3, column startups: holds a formula (=1+1); only plain values are accepted.",
    ]
    assert "Nothing was filed" in response.content.decode()
    assert not UtilizationReturn.objects.exists()


def test_figures_that_break_the_rules_are_named_by_cell(setup):
    client, *_rest = setup
    response = upload(client, filled(client, row3={"seat_days_used": 1561}))
    assert errors_of(response) == [
        "Row 3, column seat_days_used: Seat-days used (1561) is more than seat-days available (1560)."
    ]
    assert not UtilizationReturn.objects.exists()


def test_duplicate_space_rows_are_refused(setup):
    client, _user, _operator, spaces = setup
    wb = filled(client)
    ws = wb["Returns"]
    ws.append([ws.cell(row=2, column=c).value for c in range(1, len(TEMPLATE_COLUMNS) + 1)])
    code = ws.cell(row=2, column=1).value

    response = upload(client, wb)

    assert errors_of(response) == [
        f"Row 4, column space_code: {code} appears again (first on row 2); give each space one row."
    ]
    assert not UtilizationReturn.objects.exists()


def test_another_companys_space_is_refused(setup):
    client, _user, operator, _spaces = setup
    _stranger, their_operator, (theirs,) = company(1)
    wb = filled(client)
    wb["Returns"].cell(row=3, column=1, value=theirs.code)

    response = upload(client, wb)

    assert errors_of(response) == [
        f"Row 3, column space_code: no space with code {theirs.code} belongs to {operator.legal_name}."
    ]
    assert not UtilizationReturn.objects.exists()


def test_an_empty_row_skips_that_space(setup):
    client, _user, _operator, spaces = setup
    wb = template(client)
    fill(wb, 2, **good_figures())
    fill(wb, 3, seats_offered=None)  # the registry's default cleared: the row is empty

    response = upload(client, wb)

    result = response.context["result"]
    assert (len(result.rows), len(result.skipped), result.errors) == (1, 1, [])
    client.post(reverse("portal:utilization_upload_confirm"))
    assert UtilizationReturn.objects.count() == 1


def test_re_uploading_a_filed_month_replaces_it_only_with_confirmation(setup):
    client, user, _operator, spaces = setup
    first = sorted(spaces, key=lambda s: s.code)[0]
    utilization_return_file(actor=user, space=first, month=SEPTEMBER, figures=good_figures(seat_days_used=900))
    wb = template(client)  # the template carries the filed figures
    assert wb["Returns"].cell(row=2, column=FIGURE_COLUMNS["seat_days_used"]).value == 900
    fill(wb, 2, seat_days_used=1000)
    fill(wb, 3, **good_figures())

    preview = upload(client, wb)
    assert [r.space_id for r in preview.context["result"].existing] == [first.pk]
    assert "These spaces have already filed this month" in preview.content.decode()

    refused = client.post(reverse("portal:utilization_upload_confirm"), follow=True)
    assert "Tick the box to confirm replacing them." in refused.content.decode()
    assert UtilizationReturn.objects.count() == 1
    assert UtilizationReturn.objects.get(space=first).seat_days_used == 900

    upload(client, wb)
    client.post(reverse("portal:utilization_upload_confirm"), {"confirm_replace": "yes"})
    assert UtilizationReturn.objects.count() == 2
    assert UtilizationReturn.objects.get(space=first).seat_days_used == 1000
    assert AuditEvent.objects.filter(action="utilization.replace").count() == 1


def test_a_handmade_workbook_with_the_right_columns_is_accepted(setup):
    client, _user, _operator, spaces = setup
    wb = Workbook()
    ws = wb.active
    ws.append(list(TEMPLATE_COLUMNS))
    ws.append([spaces[0].code, "", "2025-09", *good_figures().values()])
    response = upload(client, wb)
    assert response.status_code == 200 and len(response.context["result"].rows) == 1
