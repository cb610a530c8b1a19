"""A month's utility claims in one upload (issue #22): the sheet and the bills, previewed row by row
with errors naming the row and the column, filed all together or not at all, by the single claim's
own rules; the template; the held files; who may do it."""

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from audit.models import AuditEvent
from grants import claim_upload
from grants.models import UtilityClaim
from grants.services.claim_upload import utility_claims_upload
from tests.factories import UserFactory

from .conftest import unique_pdf
from .payments import accepted_enrolment

pytestmark = pytest.mark.django_db

KHI = ZoneInfo("Asia/Karachi")
ENROLLED = dt.datetime(2026, 7, 10, 11, 0, tzinfo=KHI)
NOW = dt.datetime(2026, 11, 15, 11, 0, tzinfo=KHI)
FIRST, SECOND = "04110000000001", "04110000000002"
HEAD = claim_upload.HEADINGS


@pytest.fixture
def clock():
    with time_machine.travel(ENROLLED, tick=False) as traveller:
        yield traveller


@pytest.fixture
def award(clock, utility_call, operator, space, second_space, operator_user, officer):
    # Two connections' year of subsidy is above the factory program's largest enrolment.
    utility_call.program.max_amount = utility_call.program.delegated_limit = Decimal("5000000")
    utility_call.program.save(update_fields=["max_amount", "delegated_limit"])
    award = accepted_enrolment(utility_call, operator, [space, second_space], operator_user, officer)
    clock.move_to(NOW)
    return award


@pytest.fixture
def enrolment(award):
    return award.application


def sheet_csv(*rows, heading=HEAD) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(heading)
    writer.writerows(rows)
    return out.getvalue().encode()


def sheet_xlsx(*rows, heading=HEAD) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = claim_upload.SHEET
    sheet.append(heading)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def bills(*names):
    return {name: SimpleUploadedFile(name, unique_pdf(name), content_type="application/pdf") for name in names}


GOOD = [
    (FIRST, "2026-10", 3400, "200000", "first-oct.pdf"),
    (SECOND, "2026-10", 2100, "120,000.50", "second-oct.pdf"),
]


def upload(enrolment, actor, rows, files, *, confirm):
    parsed = claim_upload.read_claim_sheet(sheet_csv(*rows), "claims.csv")
    return utility_claims_upload(application=enrolment, actor=actor, rows=parsed, bills=files, confirm=confirm)


def stored_bills() -> set[str]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return {str(p) for p in root.rglob("*") if p.is_file() and "pending" not in p.parts}


# --- the service -------------------------------------------------------------------------------------


def test_a_preview_judges_every_row_and_files_nothing(enrolment, operator_user):
    before = stored_bills()
    outcome = upload(enrolment, operator_user, GOOD, bills("first-oct.pdf", "second-oct.pdf"), confirm=False)
    assert outcome.ok and not outcome.filed
    assert [row.subsidy for row in outcome.rows] == [Decimal("100000.00"), Decimal("60000.25")]
    assert outcome.total_subsidy == Decimal("160000.25")
    assert not UtilityClaim.objects.exists()
    assert not AuditEvent.objects.filter(action="claim.submit").exists()
    assert stored_bills() == before, "a preview left bill files behind"


def test_a_confirmed_upload_files_every_claim_with_its_audit_event(enrolment, operator_user):
    outcome = upload(enrolment, operator_user, GOOD, bills("first-oct.pdf", "second-oct.pdf"), confirm=True)
    assert outcome.filed
    claims = UtilityClaim.objects.order_by("bill_reference")
    assert [(c.bill_reference, c.billing_month, c.units, c.bill_amount) for c in claims] == [
        (FIRST, dt.date(2026, 10, 1), 3400, Decimal("200000.00")),
        (SECOND, dt.date(2026, 10, 1), 2100, Decimal("120000.50")),
    ]
    assert all(c.state == "submitted" and c.file for c in claims)
    assert AuditEvent.objects.filter(action="claim.submit").count() == 2


def test_one_bad_row_stops_the_whole_upload_and_names_its_row_and_column(enrolment, operator_user):
    before = stored_bills()
    rows = [
        GOOD[0],
        (SECOND, "2026-10", "lots", "120000", "second-oct.pdf"),
        (SECOND, "2027-01", 10, "5000", "jan.pdf"),
    ]
    outcome = upload(enrolment, operator_user, rows, bills("first-oct.pdf", "second-oct.pdf", "jan.pdf"), confirm=True)
    assert not outcome.filed and not UtilityClaim.objects.exists()
    assert outcome.rows[0].ok
    assert outcome.rows[1].row.number == 3
    assert outcome.rows[1].errors == {"units": ["Write the units billed as a whole number of kWh, e.g. 1840."]}
    assert list(outcome.rows[2].errors) == ["month"]
    assert "is in the future" in outcome.rows[2].errors["month"][0]
    assert stored_bills() == before, "the good row's bill was left in storage"


def test_the_single_claims_rules_apply_to_each_row(enrolment, operator_user):
    upload(enrolment, operator_user, [GOOD[0]], bills("first-oct.pdf"), confirm=True)
    rows = [
        (FIRST, "2026-10", 3400, "200000", "again.pdf"),  # that bill is already claimed
        ("04119999999999", "2026-10", 10, "1000", "stranger.pdf"),  # not this enrolment's connection
        (SECOND, "2026-10", 10, "-5", "negative.pdf"),
    ]
    outcome = upload(enrolment, operator_user, rows, bills("again.pdf", "stranger.pdf", "negative.pdf"), confirm=True)
    assert not outcome.filed
    assert "already claimed" in outcome.rows[0].errors[""][0]
    assert "is not a connection of enrolment" in outcome.rows[1].errors["connection"][0]
    assert FIRST in outcome.rows[1].errors["connection"][0]
    assert list(outcome.rows[2].errors) == ["amount"]
    assert UtilityClaim.objects.count() == 1


def test_files_and_rows_must_match_one_to_one(enrolment, operator_user):
    rows = [GOOD[0], (SECOND, "2026-10", 10, "1000", "first-oct.pdf"), (SECOND, "2026-09", 10, "1000", "missing.pdf")]
    outcome = upload(enrolment, operator_user, rows, bills("first-oct.pdf", "extra.pdf"), confirm=True)
    assert not outcome.filed
    assert outcome.errors == [
        "The file “extra.pdf” was uploaded but no row of the sheet names it; remove it or add its row."
    ]
    assert "already the bill of row 2" in outcome.rows[1].errors["bill"][0]
    assert outcome.rows[2].errors["bill"] == ["No file named “missing.pdf” was uploaded with the sheet."]


def test_the_same_connection_and_month_twice_in_one_sheet_is_refused(enrolment, operator_user):
    rows = [GOOD[0], (FIRST, "2026-10", 3400, "200000", "copy.pdf")]
    outcome = upload(enrolment, operator_user, rows, bills("first-oct.pdf", "copy.pdf"), confirm=True)
    assert outcome.rows[1].errors["month"] == ["Row 2 already claims this connection's bill for this month."]


def test_a_hostile_bill_is_refused_on_its_row(enrolment, operator_user):
    files = bills("first-oct.pdf")
    files["second-oct.pdf"] = SimpleUploadedFile("second-oct.pdf", b"<script>alert(1)</script>", "application/pdf")
    outcome = upload(enrolment, operator_user, GOOD, files, confirm=True)
    assert not outcome.filed and outcome.rows[0].ok
    assert list(outcome.rows[1].errors) == ["bill"]


def test_someone_outside_the_company_is_refused_for_the_whole_upload(enrolment):
    stranger = UserFactory(roles=["operator"])
    outcome = upload(enrolment, stranger, GOOD, bills("first-oct.pdf", "second-oct.pdf"), confirm=True)
    assert not outcome.filed and outcome.errors and "Only staff of" in outcome.errors[0]


# --- the sheet ---------------------------------------------------------------------------------------


def test_the_wrong_template_is_refused_naming_the_headings():
    with pytest.raises(Exception, match="This is not the claims template") as caught:
        claim_upload.read_claim_sheet(sheet_csv(GOOD[0], heading=["Account", "Month", "kWh"]), "claims.csv")
    assert "Bill file name" in str(caught.value)


def test_other_files_and_empty_sheets_are_refused():
    with pytest.raises(Exception, match=r"an Excel workbook \(\.xlsx\) or a CSV file"):
        claim_upload.read_claim_sheet(b"%PDF-1.4", "claims.pdf")
    with pytest.raises(Exception, match="not an Excel workbook"):
        claim_upload.read_claim_sheet(b"not a zip", "claims.xlsx")
    with pytest.raises(Exception, match="no bill"):
        claim_upload.read_claim_sheet(sheet_csv(), "claims.csv")


def test_too_many_rows_are_refused_unread(settings):
    settings.CLAIM_UPLOAD_MAX_ROWS = 3
    with pytest.raises(Exception, match="more than 3 rows"):
        claim_upload.read_claim_sheet(sheet_csv(*[GOOD[0]] * 5), "claims.csv")


def test_an_excel_sheet_reads_dates_numbers_and_refuses_formulas():
    content = sheet_xlsx(
        (FIRST, dt.datetime(2026, 10, 1), 3400, 200000.5, "first-oct.pdf"),  # noqa: DTZ001 - Excel's dates are naive
        (SECOND, "2026-10", "=1+1", "120000", "second-oct.pdf"),
    )
    first, second = claim_upload.read_claim_sheet(content, "claims.xlsx")
    assert (first.month, first.units, first.amount, first.errors) == (dt.date(2026, 10, 1), 3400, "200000.50", {})
    assert second.errors == {"units": ["A formula is not accepted here; type the value itself."]}


def test_the_columns_may_come_in_another_order():
    heading = list(reversed(HEAD))
    (row,) = claim_upload.read_claim_sheet(sheet_csv(tuple(reversed(GOOD[0])), heading=heading), "claims.csv")
    assert (row.connection, row.units, row.bill) == (FIRST, 3400, "first-oct.pdf")


# --- the pages ---------------------------------------------------------------------------------------


def post_upload(client, enrolment, rows, names, *, content=None):
    files = [SimpleUploadedFile(name, unique_pdf(name), content_type="application/pdf") for name in names]
    return client.post(
        reverse("grants:portal_claims_upload", args=[enrolment.reference]),
        {"sheet": SimpleUploadedFile("claims.csv", content or sheet_csv(*rows), "text/csv"), "bills": files},
    )


def test_the_operator_previews_then_files_in_the_portal(client, enrolment, operator_user):
    client.force_login(operator_user)
    page = client.get(reverse("grants:portal_claims_upload", args=[enrolment.reference]))
    assert page.status_code == 200 and "Download the template" in page.content.decode()
    preview = post_upload(client, enrolment, GOOD, ["first-oct.pdf", "second-oct.pdf"])
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "Check the 2 claims before you file them" in body and "File the 2 claims" in body
    assert not UtilityClaim.objects.exists()
    token = preview.context["token"]
    done = client.post(reverse("grants:portal_claims_upload_confirm", args=[enrolment.reference]), {"token": token})
    assert done.status_code == 302
    assert UtilityClaim.objects.count() == 2
    again = client.post(reverse("grants:portal_claims_upload_confirm", args=[enrolment.reference]), {"token": token})
    assert again.status_code == 302 and UtilityClaim.objects.count() == 2  # the held files are gone: nothing twice


def test_the_preview_shows_each_refusal_by_row_and_column(client, enrolment, operator_user):
    client.force_login(operator_user)
    rows = [GOOD[0], (SECOND, "2026-10", "lots", "120000", "second-oct.pdf")]
    page = post_upload(client, enrolment, rows, ["first-oct.pdf", "second-oct.pdf"])
    assert page.status_code == 400
    body = page.content.decode()
    assert "Nothing was filed" in body and "Row 3, Units:" in body
    assert page.context["token"] == "" and "File the" not in body


def test_a_token_of_another_person_or_a_forged_one_files_nothing(client, enrolment, operator_user, operator):
    client.force_login(operator_user)
    token = post_upload(client, enrolment, GOOD, ["first-oct.pdf", "second-oct.pdf"]).context["token"]
    colleague = UserFactory(roles=["operator"])
    operator.members.add(colleague)
    client.force_login(colleague)
    url = reverse("grants:portal_claims_upload_confirm", args=[enrolment.reference])
    assert client.post(url, {"token": token}).status_code == 302
    assert client.post(url, {"token": "../../etc"}).status_code == 302
    assert not UtilityClaim.objects.exists()


def test_the_template_lists_the_enrolments_connections(client, enrolment, operator_user):
    client.force_login(operator_user)
    response = client.get(reverse("grants:portal_claims_template", args=[enrolment.reference]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == HEAD
    expected = list(enrolment.connections.order_by("space__code").values_list("bill_reference", flat=True))
    assert sorted(expected) == [FIRST, SECOND]
    assert [row[0] for row in rows[1:]] == expected


def test_another_companys_staff_get_404(client, enrolment):
    client.force_login(UserFactory(roles=["operator"]))
    for name in ("grants:portal_claims_upload", "grants:portal_claims_template"):
        assert client.get(reverse(name, args=[enrolment.reference])).status_code == 404


def test_the_page_reads_in_urdu(client, enrolment, operator_user):
    client.force_login(operator_user)
    with translation.override("ur"):
        url = reverse("grants:portal_claims_upload", args=[enrolment.reference])
        heading = translation.gettext("Claim a month's bills in one upload")
    assert url.startswith("/ur/")
    page = client.get(url)
    assert page.status_code == 200 and '<html lang="ur" dir="rtl">' in page.content.decode()
    assert heading in page.content.decode()
