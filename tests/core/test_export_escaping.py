"""Security issue #14, finding 3: no export hands a spreadsheet a formula.

Every free-text field a person types that reaches an export is planted with each formula prefix
(`=`, `==`, `+`, `-`, `@`, tab, carriage return), the data made through the services (factories for
the registry rows, as the registry tests do). Then every file each export writes is opened and read
cell by cell: no xlsx cell is a formula, no text cell or CSV field is formula-like unless it starts
with the apostrophe that core.spreadsheet.escape_cell adds, and every planted value is found, escaped,
in every file that carries its column (otherwise a dropped column would pass unnoticed).

All seven prefixes are planted at once, one company (operator, space, loan program) per prefix, so
each export is built once and every column is checked with every prefix.
"""

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts import roles
from core.spreadsheet import is_formula_like
from finance import services as finance
from finance.models import PaymentInstruction
from spaces.models import Operator, Space
from spaces.resources import OperatorResource, SpaceResource
from spaces.utilization import utilization_return_file
from tests.factories import OperatorFactory, SpaceFactory, UserFactory
from tests.grants.factories import CallFactory, LoanProgramFactory
from tests.loans.conftest import disburse
from tests.reporting.disbursement_helpers import at, pay
from tests.spaces.test_registry_import import _admin_client, _format_value
from tests.spaces.utilization_helpers import AUGUST, SEPTEMBER, TODAY, good_figures

pytestmark = pytest.mark.django_db

PREFIXES = ['=HYPERLINK("http://x")', "==1+1", "+1+1", "-1+1", "@SUM(1)", "\t=1", "\r=1"]
PREFIX_IDS = ["HYPERLINK", "double-equals", "plus", "minus", "at", "tab", "CR"]


def hostile(prefix: str, what: str) -> str:
    """The planted text: the prefix, then the field's name, so a value found says which column it came from."""
    return f"{prefix} {what}"


# --- reading what an export wrote ---------------------------------------------------------------------


def _xml_text(value: str) -> str:
    # An xlsx is XML: a parser reads a carriage return in a text node back as a line feed.
    return value.replace("\r\n", "\n").replace("\r", "\n")


def xlsx_texts(content: bytes, where: str) -> set[str]:
    """Every text cell of every sheet; fails on any formula cell or any unescaped formula-like text."""
    workbook = load_workbook(io.BytesIO(content), data_only=False)
    texts, problems = set(), []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    problems.append(f"{where} {sheet.title}!{cell.coordinate} is a formula: {cell.value!r}")
                elif isinstance(cell.value, str):
                    if is_formula_like(cell.value):
                        problems.append(f"{where} {sheet.title}!{cell.coordinate} is unescaped: {cell.value!r}")
                    texts.add(_xml_text(cell.value))
    assert not problems, problems
    return texts


def csv_texts(content: bytes | str, where: str) -> set[str]:
    """Every field of every row; fails on any unescaped formula-like field."""
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    texts, problems = set(), []
    for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        for column, field in enumerate(row, start=1):
            if is_formula_like(field):
                problems.append(f"{where} row {number}, column {column} is unescaped: {field!r}")
            texts.add(field)
    assert not problems, problems
    return texts


def assert_escaped(texts: set[str], planted: dict[str, str], where: str, *, xlsx: bool) -> None:
    """Every planted value is in the file, once escaped: the column was exported, and as text."""
    assert planted, f"{where}: nothing planted"
    missing = []
    for label, value in planted.items():
        assert is_formula_like(value), f"{label} was stored as {value!r}: nothing hostile left to escape"
        expected = "'" + value
        if (_xml_text(expected) if xlsx else expected) not in texts:
            missing.append(f"{label} = {value!r}")
    assert not missing, f"{where} lacks these planted values, escaped: {missing}"


def check_xlsx(content: bytes, planted: dict[str, str], where: str) -> None:
    assert_escaped(xlsx_texts(content, where), planted, where, xlsx=True)


def check_csv(content: bytes | str, planted: dict[str, str], where: str) -> None:
    assert_escaped(csv_texts(content, where), planted, where, xlsx=False)


def build_report(kind: str, tmp_path) -> bytes:
    path = tmp_path / f"{kind}.xlsx"
    with time_machine.travel(TODAY, tick=False):
        call_command("build_report", "--report", kind, "--fy", "2025-26", "--quarter", "1", "--output", str(path))
    return path.read_bytes()


# --- the hostile data ---------------------------------------------------------------------------------


@pytest.fixture
def companies(db):
    """One company per prefix, every free-text registry field planted: [(prefix, person, operator, space)]."""
    out = []
    for index, prefix in enumerate(PREFIXES):
        person = UserFactory(roles=[roles.OPERATOR])
        operator = OperatorFactory(
            members=[person],
            legal_name=hostile(prefix, "legal name"),
            principal_name=hostile(prefix, "principal name"),
            bank_account_title=hostile(prefix, "account title"),
            registered_address=hostile(prefix, "registered address"),
        )
        space = SpaceFactory(
            operator=operator,
            code=f"HST-{901 + index}",
            name=hostile(prefix, "space name"),
            address=hostile(prefix, "space address"),
        )
        out.append((prefix, person, operator, space))
    return out


def stored(companies, model, field: str) -> dict[str, str]:
    """What the database holds for `field` of each company's operator or space, by label."""
    objects = {Operator: lambda c: c[2], Space: lambda c: c[3]}[model]
    return {
        f"{model.__name__}.{field} [{PREFIX_IDS[i]}]": getattr(model.objects.get(pk=objects(c).pk), field)
        for i, c in enumerate(companies)
    }


@pytest.fixture
def finance_people(db):
    return {
        "officer": UserFactory(roles=[roles.PROGRAM_OFFICER]),
        "maker": UserFactory(roles=[roles.FINANCE_MAKER]),
        "checker": UserFactory(roles=[roles.FINANCE_CHECKER]),
        "chair": UserFactory(roles=[roles.BOARD_CHAIR]),
    }


@pytest.fixture
def loan_book(companies, finance_people):
    """Per company, through the services: a soft loan under a program with a planted name, disbursed in
    Q1 FY2025-26; a payment with a planted narration paid in Q1; a payment the bank returned with a
    planted reason (the bank's remarks become this reason when a statement is reconciled)."""
    people = finance_people
    returned = []
    for index, (prefix, person, operator, space) in enumerate(companies):
        program = LoanProgramFactory(
            code=f"H{chr(65 + index)}", name=hostile(prefix, "loan program"), slug=f"hostile-loan-{index}"
        )
        disburse(
            CallFactory(program=program),
            operator,
            space,
            {**people, "operator_user": person},
            amount=Decimal("1000000"),
            months=12,
            grace=0,
            on=dt.date(2025, 7, 10 + index),
        )
        pay(
            space,
            payee=operator,
            amount=Decimal("50000.00"),
            people=people,
            when=at(2025, 8, 1 + index, 10),
            space=space,
            narration=hostile(prefix, "narration"),
        )
        bounced = pay(
            operator, payee=operator, amount=Decimal("75000.00"), people=people, when=at(2025, 9, 2 + index, 9)
        )
        with time_machine.travel(at(2025, 9, 20, 9), tick=False):
            bounced = finance.payment_fail(
                instruction=bounced, actor=people["checker"], reason=hostile(prefix, "bank's reason")
            )
        returned.append(bounced)
    programs = {f"Program.name [{PREFIX_IDS[i]}]": hostile(prefix, "loan program") for i, prefix in enumerate(PREFIXES)}
    narrations = {
        f"PaymentInstruction.narration [{PREFIX_IDS[i]}]": narration
        for i, narration in enumerate(
            PaymentInstruction.objects.filter(source_type__model="space")
            .order_by("pk")
            .values_list("narration", flat=True)
        )
    }
    reasons = {
        f"PaymentInstruction.failure_reason [{PREFIX_IDS[i]}]": PaymentInstruction.objects.get(pk=p.pk).failure_reason
        for i, p in enumerate(returned)
    }
    assert len(narrations) == len(PREFIXES)
    return {"programs": programs, "narrations": narrations, "reasons": reasons}


# --- the registry (django-import-export, the Django admin) --------------------------------------------


def _registry_export(client, resource, url_name, extension) -> bytes:
    url = reverse(url_name)
    page = client.get(url)
    prefix = resource.__name__.lower()
    response = client.post(
        url,
        {
            "format": _format_value(page, extension),
            "resource": "0",
            **{f"{prefix}_{name}": "on" for name in resource.Meta.fields},
        },
    )
    assert response.status_code == 200
    return response.content


@pytest.mark.parametrize("extension", ["xlsx", "csv"])
def test_the_registry_export_escapes_every_planted_column(client, companies, extension):
    client = _admin_client(client)
    operators = {}
    for field in ("legal_name", "principal_name", "bank_account_title", "registered_address"):
        operators |= stored(companies, Operator, field)
    spaces = stored(companies, Space, "name") | stored(companies, Space, "address")
    check = check_xlsx if extension == "xlsx" else check_csv
    exported = _registry_export(client, OperatorResource, "admin:spaces_operator_export", extension)
    check(exported, operators, f"operators.{extension}")
    exported = _registry_export(client, SpaceResource, "admin:spaces_space_export", extension)
    check(exported, spaces, f"spaces.{extension}")


# --- the bank upload file -----------------------------------------------------------------------------


def test_the_bank_file_escapes_payee_and_narration(client, companies, finance_people):
    people = finance_people
    approved = []
    for prefix, _person, operator, space in companies:
        instruction = finance.payment_request(
            source=space,
            payee=operator,
            amount=Decimal("125000.00"),
            narration=hostile(prefix, "narration"),
            actor=people["officer"],
            space=space,
        )
        instruction = finance.payment_prepare(instruction=instruction, actor=people["maker"], amount=instruction.amount)
        approved.append(finance.payment_approve(instruction=instruction, actor=people["checker"]))
    batch = finance.batch_create(actor=people["maker"], value_date=timezone.localdate(), instructions=approved)
    planted = {}
    for index, instruction in enumerate(PaymentInstruction.objects.filter(batch=batch).order_by("pk")):
        planted[f"payee_name_snapshot [{PREFIX_IDS[index]}]"] = instruction.payee_name_snapshot
        planted[f"narration [{PREFIX_IDS[index]}]"] = instruction.narration
    assert len(planted) == 2 * len(PREFIXES)

    client.force_login(people["maker"])
    xlsx = client.get(reverse("finance:batch_file", args=[batch.pk, "xlsx"]))
    csv_file = client.get(reverse("finance:batch_file", args=[batch.pk, "csv"]))
    assert xlsx.status_code == csv_file.status_code == 200
    check_xlsx(xlsx.content, planted, "bank file .xlsx")
    check_csv(csv_file.content, planted, "bank file .csv")


# --- the 360Giving open data --------------------------------------------------------------------------


def test_the_open_data_escapes_names_in_csv_and_xlsx_and_keeps_json_plain(client, companies, loan_book):
    legal_names = stored(companies, Operator, "legal_name")
    planted = dict(legal_names) | loan_book["programs"]
    # "Title" is "<program>: <company>", so it starts with the program's planted name.
    for i, name in enumerate(legal_names.values()):
        planted[f"Title [{PREFIX_IDS[i]}]"] = f"{hostile(PREFIXES[i], 'loan program')}: {name}"

    csv_file = client.get("/open-data/awards.csv")
    xlsx = client.get("/open-data/awards.xlsx")
    assert csv_file.status_code == xlsx.status_code == 200
    check_csv(csv_file.content, planted, "awards.csv")
    check_xlsx(xlsx.content, planted, "awards.xlsx")

    # JSON is data, not a spreadsheet: the names are there exactly as typed, never apostrophe-escaped.
    response = client.get("/open-data/awards.json")
    grants = json.loads(response.content.decode("utf-8"))["grants"]
    recipients = {g["recipientOrganization"][0]["name"] for g in grants}
    programmes = {g["grantProgramme"][0]["title"] for g in grants}
    assert set(legal_names.values()) <= recipients
    assert set(loan_book["programs"].values()) <= programmes
    assert not any(text.startswith("'") for text in recipients | programmes)


# --- the three quarterly report workbooks ---------------------------------------------------------------


def test_the_disbursements_report_escapes_every_planted_column(companies, loan_book, tmp_path):
    planted = (
        stored(companies, Operator, "legal_name")
        | stored(companies, Space, "name")
        | loan_book["programs"]
        | loan_book["narrations"]
        | loan_book["reasons"]
    )
    check_xlsx(build_report("disbursements", tmp_path), planted, "disbursements report")


def test_the_loans_report_escapes_every_planted_column(companies, loan_book, tmp_path):
    planted = stored(companies, Operator, "legal_name") | stored(companies, Space, "name") | loan_book["programs"]
    check_xlsx(build_report("loans", tmp_path), planted, "loans report")


def test_the_utilization_report_escapes_every_planted_column(companies, tmp_path):
    # July and August filed by a member of each company; September missed (the "Did not file" sheet).
    with time_machine.travel(TODAY, tick=False):
        for _prefix, person, _operator, space in companies:
            for month in (dt.date(2025, 7, 1), AUGUST):
                utilization_return_file(actor=person, space=space, month=month, figures=good_figures())
    planted = stored(companies, Operator, "legal_name") | stored(companies, Space, "name")
    check_xlsx(build_report("utilization", tmp_path), planted, "utilization report")


# --- the utilization returns template -------------------------------------------------------------------


def test_the_utilization_template_escapes_the_space_names(client, companies):
    names = stored(companies, Space, "name")
    with time_machine.travel(TODAY, tick=False):
        for (label, name), (_prefix, person, _operator, _space) in zip(names.items(), companies, strict=True):
            client.force_login(person)
            response = client.get(reverse("portal:utilization_template") + f"?month={SEPTEMBER:%Y-%m}")
            assert response.status_code == 200
            check_xlsx(response.content, {label: name}, f"utilization template of {label}")


# --- the loan schedule CSV ------------------------------------------------------------------------------


def test_the_loan_schedule_csv_has_no_text_column_to_plant():
    """Its columns are the month number, an ISO date and amounts, all computed from the command's
    arguments (numbers and a date, each parsed): no text a person typed reaches it."""
    out = io.StringIO()
    call_command(
        "loan_schedule",
        *("--principal", "1,000,000", "--annual-rate", "5", "--months", "24", "--grace-months", "6"),
        *("--first-due", "2026-08-01"),
        stdout=out,
    )
    rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert rows[0] == ["month", "due_date", "instalment", "principal", "interest", "balance"]
    assert len(rows) == 25
    csv_texts(out.getvalue(), "loan_schedule")
    for month, due, *amounts in rows[1:]:
        assert month.isdigit() and dt.date.fromisoformat(due)
        assert all(Decimal(amount) >= 0 for amount in amounts)
