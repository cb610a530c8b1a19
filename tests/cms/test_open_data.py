"""The 360Giving open data: the package validates against the copied schema, its totals match the
awards, and the CSV/XLSX carry the same rows with formula-like text written as text."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker
from openpyxl import load_workbook
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from cms import open_data
from cms.selectors import public_awards
from fixtures.demo_applications import load_demo_applications
from fixtures.demo_network import load_demo_network
from fixtures.demo_reviews import load_demo_reviews
from grants.models import Award

pytestmark = pytest.mark.django_db

GRANT_SCHEMA_URLS = [
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json",
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.3/schema/360-giving-schema.json",
]


def _date_time_checker():
    """The standard's dates are oneOf a date-time or a YYYY-MM-DD pattern, so "date-time" must really
    be checked (jsonschema ignores it without the optional rfc3339-validator): a plain date is not one."""
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def is_date_time(value):
        if not isinstance(value, str):
            return True
        if "T" not in value.upper():
            raise ValueError("not a date-time")
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        return parsed.tzinfo is not None

    return checker


def package_validator():
    """A validator of the copied package schema, the grant schema it refers to resolved locally."""
    package_schema = json.loads((open_data.SCHEMA_DIR / "360-giving-package-schema.json").read_text())
    grant_schema = json.loads((open_data.SCHEMA_DIR / "360-giving-schema.json").read_text())
    # The schemas name their dialect "http://json-schema.org/draft/2020-12/schema" (http, not the
    # registered https URI), so the dialect is given here rather than read from "$schema".
    grant = DRAFT202012.create_resource(grant_schema)
    registry = Registry().with_resources([(url, grant) for url in GRANT_SCHEMA_URLS])
    assert package_schema["$schema"].startswith("http://json-schema.org/draft/2020-12/")
    return Draft202012Validator(package_schema, registry=registry, format_checker=_date_time_checker())


@pytest.fixture
def awards(db):
    load_demo_network()
    load_demo_applications()
    load_demo_reviews()
    awards = list(public_awards(sort="date_asc"))
    assert len(awards) >= 3
    return awards


def test_package_validates_and_totals_match_the_awards(awards):
    package = open_data.package()
    errors = sorted(package_validator().iter_errors(package), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]

    grants = package["grants"]
    assert len(grants) == Award.objects.count() == len(awards)
    assert sum(Decimal(str(g["amountAwarded"])) for g in grants) == sum(a.amount for a in Award.objects.all())
    by_id = {g["id"]: g for g in grants}
    for award in awards:
        item = by_id[f"360G-sahulat-{award.sanction_number}"]
        operator = award.application.operator
        assert item["recipientOrganization"] == [
            {"id": "PK-NTN-" + operator.ntn.replace("-", ""), "name": operator.legal_name}
        ]
        assert item["currency"] == "PKR"
        assert item["awardDate"] == timezone.localtime(award.offered_at).date().isoformat()
        assert item["grantProgramme"][0]["title"] == award.application.call.program.name
        assert item["beneficiaryLocation"] and all(loc["countryCode"] == "PK" for loc in item["beneficiaryLocation"])
    assert all(g["recipientOrganization"][0]["id"][len("PK-NTN-") :].isdigit() for g in grants)


def test_the_schema_catches_a_broken_grant(awards):
    package = open_data.package()
    del package["grants"][0]["recipientOrganization"]
    package["grants"][1]["currency"] = "RUPEES"
    assert len(list(package_validator().iter_errors(package))) >= 2


def test_csv_and_xlsx_carry_the_same_rows_and_formula_like_names_as_text(awards, client):
    operator = awards[0].application.operator
    operator.legal_name = '=HYPERLINK("http://evil.example","Click")'
    operator.save(update_fields=["legal_name"])
    grants = open_data.package()["grants"]

    response = client.get("/open-data/awards.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == open_data.HEADER
    assert [row[0] for row in rows[1:]] == [g["id"] for g in grants]
    name_col = open_data.HEADER.index("Recipient Org:Name")
    assert rows[1][name_col] == "'" + operator.legal_name

    response = client.get("/open-data/awards.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True)["grants"]
    xrows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert xrows[0] == open_data.HEADER
    assert [row[0] for row in xrows[1:]] == [g["id"] for g in grants]
    assert xrows[1][name_col] == "'" + operator.legal_name
    amount_col = open_data.HEADER.index("Amount Awarded")
    assert sum(Decimal(str(r[amount_col])) for r in xrows[1:]) == sum(a.amount for a in Award.objects.all())
    cell = load_workbook(io.BytesIO(response.content))["grants"].cell(row=2, column=name_col + 1)
    assert cell.data_type == "s"


def test_json_url_and_command_write_the_same_package(awards, client, tmp_path):
    response = client.get("/open-data/awards.json")
    assert response.status_code == 200
    served = response.json()
    assert not list(package_validator().iter_errors(served))
    assert client.get("/ur/open-data/awards.json").json()["grants"] == served["grants"]  # English data on /ur/ too

    target = tmp_path / "awards.json"
    call_command("export_360giving", "--output", str(target), stderr=io.StringIO())
    written = json.loads(target.read_text(encoding="utf-8"))
    assert written["grants"] == served["grants"]
    assert not list(package_validator().iter_errors(written))
