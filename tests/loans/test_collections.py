"""The bank's collection file: previewed, then imported whole or not at all."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import Workbook

from loans.collections import collection_import, collection_preview
from loans.errors import PermissionDenied, ValidationFailed
from loans.models import CollectionFile, Loan, Repayment

from .conftest import KARACHI, disburse

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 3, 20, 12, 0, tzinfo=KARACHI)


@pytest.fixture
def loans(loan_call, operator, space, people):
    first = disburse(
        loan_call, operator, space, people, amount=Decimal("500000"), months=36, grace=0, on=dt.date(2026, 1, 10)
    )
    second = disburse(
        loan_call, operator, space, people, amount=Decimal("300000"), months=36, grace=0, on=dt.date(2026, 1, 10)
    )
    return first, second


def csv_bytes(*lines):
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_good_csv_posts_every_row_after_a_preview(loans, people):
    first, second = loans
    content = csv_bytes(
        "Sanction Number,Date Received,Amount,Bank Reference",
        f"{first.sanction_number},2026-02-09,13889,COL-1",
        f"{second.sanction_number},10/03/2026,8333.00,COL-2",
    )
    with time_machine.travel(TODAY, tick=False):
        preview = collection_preview(file_name="hbl-2026-03.csv", content=content, actor=people["maker"])
        assert [(p.row.row, p.principal, p.interest) for p in preview.rows] == [
            (2, Decimal("13889.00"), Decimal("0.00")),
            (3, Decimal("8333.00"), Decimal("0.00")),
        ]
        assert preview.total == Decimal("22222.00")
        assert not Repayment.objects.exists() and not CollectionFile.objects.exists()  # the preview kept nothing
        collection = collection_import(file_name="hbl-2026-03.csv", content=content, actor=people["maker"])
    assert collection.row_count == 2 and collection.total == Decimal("22222.00")
    assert Repayment.objects.filter(collection=collection, channel="collection_file").count() == 2
    # The same file again: refused.
    with time_machine.travel(TODAY, tick=False), pytest.raises(ValidationFailed, match="already imported"):
        collection_import(file_name="again.csv", content=content, actor=people["maker"])


def test_good_xlsx(loans, people):
    first, _second = loans
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["sanction_number", "date_received", "amount", "bank_reference"])
    sheet.append([first.sanction_number, dt.datetime(2026, 2, 9), 13889, "COL-X"])  # noqa: DTZ001 — an Excel date
    buffer = io.BytesIO()
    workbook.save(buffer)
    with time_machine.travel(TODAY, tick=False):
        collection_import(file_name="hbl.xlsx", content=buffer.getvalue(), actor=people["checker"])
    assert Repayment.objects.get(bank_reference="COL-X").received_on == dt.date(2026, 2, 9)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            ["sanction_number,date_received,amount,bank_reference,branch", "{a},2026-02-09,100,R1,Lahore"],
            "unknown columns: branch",
        ),
        (["sanction_number,amount,bank_reference", "{a},100,R1"], "missing columns: date_received"),
        (
            ["sanction_number,date_received,amount,bank_reference", '{a},2026-02-09,"13,889",R1'],
            "Row 2, column amount: write 13889 without thousands separators, not 13,889.",
        ),
        (
            ["sanction_number,date_received,amount,bank_reference", "{a},2026-02-09,Rs. 500,R1"],
            "Row 2, column amount: “Rs. 500” is not an amount in rupees",
        ),
        (
            ["sanction_number,date_received,amount,bank_reference", "{a},9th Feb,100,R1"],
            "Row 2, column date_received: “9th Feb” is not a date",
        ),
        (
            ["sanction_number,date_received,amount,bank_reference", "SAN-SL-2026-09999,2026-02-09,100,R1"],
            "Row 2, column sanction_number: no loan has the sanction number SAN-SL-2026-09999.",
        ),
        (
            ["sanction_number,date_received,amount,bank_reference", "{a},2026-02-09,100,R1", "{a},2026-02-10,100,R1"],
            "Row 3, column bank_reference: R1 for {a} is already on row 2 of this file.",
        ),
        (
            ["sanction_number,date_received,amount,bank_reference", "{a},2026-02-09,=1+1,R1"],
            "Row 2, column amount: holds a formula",
        ),
        (
            [
                "sanction_number,date_received,amount,bank_reference",
                "{a},2026-02-09,100,R1",
                "{b},2026-02-09,9999999,R2",
            ],
            "Row 3, column amount: PKR 9,999,999 is more than the loan's whole outstanding balance",
        ),
    ],
)
def test_bad_files_are_refused_whole_with_row_and_column(loans, people, lines, message):
    first, second = loans
    fill = {"a": first.sanction_number, "b": second.sanction_number}
    content = csv_bytes(*[line.format(**fill) for line in lines])
    with time_machine.travel(TODAY, tick=False):
        with pytest.raises(ValidationFailed) as refused:
            collection_preview(file_name="bad.csv", content=content, actor=people["maker"])
        assert message.format(**fill) in refused.value.message
        with pytest.raises(ValidationFailed):
            collection_import(file_name="bad.csv", content=content, actor=people["maker"])
    assert not Repayment.objects.exists() and not CollectionFile.objects.exists()
    assert Loan.objects.get(pk=first.pk).principal_repaid == 0


def test_only_finance_imports(loans, people):
    content = csv_bytes(
        "sanction_number,date_received,amount,bank_reference", f"{loans[0].sanction_number},2026-02-09,1,R"
    )
    for person in (people["officer"], people["chair"], people["operator_user"]):
        with pytest.raises(PermissionDenied):
            collection_import(file_name="c.csv", content=content, actor=person)


def test_upload_preview_confirm_pages(client, loans, people):
    first, _second = loans
    client.force_login(people["maker"])
    content = csv_bytes(
        "sanction_number,date_received,amount,bank_reference", f"{first.sanction_number},2026-02-09,13889,PG-1"
    )
    upload = io.BytesIO(content)
    upload.name = "collections.csv"
    with time_machine.travel(TODAY, tick=False):
        response = client.post(reverse("loans:collection_upload"), {"file": upload})
        assert response.status_code == 200 and "Post these repayments" in response.content.decode()
        token = response.context["confirm"].initial["token"]
        response = client.post(reverse("loans:collection_confirm"), {"token": token, "file_name": "collections.csv"})
    assert response.status_code == 302
    assert Repayment.objects.filter(bank_reference="PG-1").count() == 1
    client.force_login(people["officer"])
    assert client.get(reverse("loans:collection_upload")).status_code == 403
