"""Benchmark of the disbursements report (issue 6): `python bench/disbursements.py`. Prints figures;
asserts nothing.

Builds a quarter of 250,000 paid payments (Q1 FY2025-26) and one of 25,000 (Q2), bulk-inserted over
1,000 spaces, 2,000 approved applications with their budget commitments, then measures:

  (a) the report job's writer, `reporting.disbursements_report.build_disbursements_xlsx`: the whole
      workbook (summary queries, by space, every payment streamed from the database with
      `.iterator(chunk_size=…)` into openpyxl write-only, returned payments), at 25,000 and 250,000;
  (b) bare openpyxl write-only writing the same Payments rows (same values) from a Python list;
  (c) the same payments through django-import-export's default export (ModelResource → tablib → xlsx).

Each measurement runs in its own subprocess (bench/writer_harness.py), so its peak memory is its own.
Targets: (a) ≤ 1.25 × (b) in time; (a) peak < 300 MB, grows < 50 MB from 25k to 250k rows, ≤ 1/5 of (c).
The utilization writer (1,000 spaces, 250,000 returns) has its own benchmark, bench/reports.py.

Runs against a throwaway database (writer_harness.throwaway_database): a temporary SQLite file by default,
or a new PostgreSQL database named after DATABASE_URL's, with a random suffix; dropped at the end.
"""

import datetime as dt
import os
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "subsidy.settings.test")

import writer_harness  # noqa: E402 — bench/ is on sys.path when a script runs

SPACES = 1000
APPLICATIONS = 2000
ROWS = int(os.environ.get("BENCH_PAYMENT_ROWS", "250000"))
SMALL = ROWS // 10
FISCAL_YEAR = 2025  # Q1 FY2025-26 holds ROWS payments, Q2 holds SMALL


def _quarter(rows: int):
    from grants.fiscal import FiscalYear

    return FiscalYear(FISCAL_YEAR).quarter(1 if rows == ROWS else 2)


def seed() -> None:
    """Spaces, programs, approved applications with commitments, and paid payments, bulk-inserted
    (valid rows in the states the services would leave them in; what is measured is the export)."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from accounts import roles
    from finance.models import PaymentBatch, PaymentInstruction
    from grants.models import Application, BudgetAllocation, BudgetCommitment, Call, Program
    from grants.services.budget import budget_allocation_set
    from reporting.disbursement_selectors import quarter_bounds
    from spaces.geography import DIVISION_OF
    from spaces.models import Operator, Space
    from tests.factories import UserFactory, make_iban

    call_command("migrate", verbosity=0)
    maker = UserFactory(roles=[roles.FINANCE_MAKER])
    checker = UserFactory(roles=[roles.FINANCE_CHECKER])
    districts = sorted(DIVISION_OF)
    operators = Operator.objects.bulk_create(
        Operator(
            legal_name=f"Bench Coworking {i} (Pvt.) Ltd.",
            legal_form="private_limited",
            ntn=f"{6000000 + i:07d}-{i % 10}",
            secp_registration_number=f"0{300000 + i}",
            principal_name="Bench Principal",
            principal_cnic=f"35202-{3000000 + i:07d}-1",
            contact_email=f"bench{i}@example.pk",
            contact_mobile="0300-1234567",
            bank_account_title=f"Bench Coworking {i}",
            iban=make_iban(200 + i),
            registered_address="Bench Road, Lahore",
            verification_status="verified",
            verified_at=timezone.now(),
        )
        for i in range(20)
    )
    spaces = Space.objects.bulk_create(
        Space(
            code=f"BEN-{i:04d}",
            operator=operators[i % len(operators)],
            name=f"Bench Space {i}" if i % 100 else f'=HYPERLINK("http://x.example","Space {i}")',
            address="Bench Road",
            division=DIVISION_OF[districts[i % len(districts)]],
            district=districts[i % len(districts)],
            latitude=Decimal("31.5"),
            longitude=Decimal("74.3"),
            seats_offered=40 + i % 60,
            internet_bandwidth_mbps=100,
            power_backup="solar",
            opening_date=dt.date(2020, 1, 1),
            network_status="active",
        )
        for i in range(SPACES)
    )
    programs = [
        Program.objects.create(
            name=name, slug=code.lower(), code=code, instrument=instrument, max_amount=Decimal("100000000")
        )
        for name, code, instrument in (("Bench Grant", "BG", "grant"), ("Bench Soft Loan", "BL", "soft_loan"))
    ]
    decided = dt.datetime(2025, 6, 20, 10, tzinfo=dt.UTC)
    calls = [
        Call.objects.create(
            program=p,
            title="Bench round",
            reference=f"bench-{p.code}",
            opens_at=decided - dt.timedelta(days=60),
            closes_at=decided - dt.timedelta(days=10),
            quota=APPLICATIONS,
        )
        for p in programs
    ]
    award_amount = Decimal("50000000.00")
    # The allocation through its service (the general ledger holds it, issue #22); the bench's commitments
    # below are bulk rows for volume, so their running total is set in one update.
    allocations = [
        budget_allocation_set(
            program=p,
            fiscal_year=FISCAL_YEAR - 1,
            amount=award_amount * APPLICATIONS,
            actor="bench/disbursements.py",
            reason="Benchmark data.",
        )
        for p in programs
    ]
    BudgetAllocation.objects.filter(pk__in=[a.pk for a in allocations]).update(
        committed=award_amount * (APPLICATIONS // 2)
    )
    applications = Application.objects.bulk_create(
        Application(
            reference=f"{programs[i % 2].code}-2025-{i:05d}",
            call=calls[i % 2],
            instrument=programs[i % 2].instrument,
            operator_id=spaces[i % SPACES].operator_id,
            space=spaces[i % SPACES],
            amount_requested=award_amount,
            state="approved",
            created_by=maker,
            created_at=decided - dt.timedelta(days=30),
            updated_at=decided,
            state_entered_at=decided,
            submitted_at=decided - dt.timedelta(days=29),
            decided_at=decided,
            closed_at=decided,
        )
        for i in range(APPLICATIONS)
    )
    BudgetCommitment.objects.bulk_create(
        BudgetCommitment(
            allocation=allocations[i % 2],
            application=app,
            kind="commitment",
            amount=award_amount,
            created_by=maker,
            created_at=decided,
        )
        for i, app in enumerate(applications)
    )
    batch = PaymentBatch.objects.create(
        reference="BENCH-1",
        value_date=dt.date(2025, 7, 1),
        state="sent",
        created_by=maker,
        created_at=decided,
        sent_by=maker,
        sent_at=decided,
    )
    source_type = ContentType.objects.get_for_model(Application)
    operator_names = {o.pk: o.legal_name for o in operators}
    number = 0
    for rows in (ROWS, SMALL):
        start, end = quarter_bounds(_quarter(rows))
        step = (end - start) / rows
        batch_rows = []
        for i in range(rows):
            app = applications[i % APPLICATIONS]
            paid_at = start + step * i
            batch_rows.append(
                PaymentInstruction(
                    idempotency_key=f"bench.payment:{number}",
                    attempt=1,
                    reference=f"SHL-BENCH{number:08d}-1",
                    source_type=source_type,
                    source_id=str(number),
                    payee_id=app.operator_id,
                    application=app,
                    space_id=app.space_id,
                    amount=Decimal(1000 + number % 5000) + Decimal("0.50"),
                    narration=f"Tranche {number} for {app.reference}" if number % 500 else "=SUM(A1:A9) tranche",
                    payee_name_snapshot=operator_names[app.operator_id],
                    iban_snapshot=make_iban(number % 50),
                    state="reconciled" if number % 3 else "paid",
                    requested_at=paid_at - dt.timedelta(days=3),
                    prepared_by=maker,
                    prepared_at=paid_at - dt.timedelta(days=2),
                    approved_by=checker,
                    approved_at=paid_at - dt.timedelta(days=2),
                    batch=batch,
                    sent_at=paid_at - dt.timedelta(days=1),
                    paid_at=paid_at,
                    reconciled_at=paid_at if number % 3 else None,
                )
            )
            number += 1
            if len(batch_rows) >= 20000:
                PaymentInstruction.objects.bulk_create(batch_rows, batch_size=2000)
                batch_rows = []
        PaymentInstruction.objects.bulk_create(batch_rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure_a(rows: int, out: Path) -> int:
    """The report job's writer: the whole workbook, from the database."""
    from reporting import disbursement_selectors as selectors
    from reporting.disbursements_report import build_disbursements_xlsx

    quarter = _quarter(rows)
    build_disbursements_xlsx(quarter, out)
    return selectors.detail_count(*selectors.quarter_bounds(quarter))


def _plain_rows(rows: int) -> list[list]:
    """The Payments sheet's values as plain Python lists (built before (b) is timed)."""
    from reporting import disbursement_selectors as selectors
    from reporting.disbursements_report import instrument_label, state_label
    from reporting.excel import local_date, safe_text

    start, end = selectors.quarter_bounds(_quarter(rows))
    result = []
    for values in selectors.detail_rows(start, end):
        reference, paid_at, payee, code, name, district, division, program, instrument, application, sanction, *rest = (
            values
        )
        narration, state, amount = rest
        result.append(
            [
                reference,
                local_date(paid_at),
                payee,
                code,
                safe_text(name),
                district,
                division,
                program,
                instrument_label(instrument),
                application,
                sanction,
                safe_text(narration),
                state_label(state),
                amount,
            ]
        )
    return result


def measure_b(rows: int, out: Path, prepared: list[list]) -> int:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Payments")
    ws.append([f"col{i}" for i in range(14)])
    for row in prepared:
        ws.append(row)
    wb.save(out)
    return len(prepared)


def measure_c(rows: int, out: Path) -> int:
    """What a typical Django project does: a ModelResource's default export, written as xlsx."""
    from import_export import fields, resources
    from import_export.formats.base_formats import XLSX

    from finance.models import PaymentInstruction
    from reporting import disbursement_selectors as selectors

    class PaymentResource(resources.ModelResource):
        payee_name = fields.Field(attribute="payee__legal_name", column_name="payee")
        space_code = fields.Field(attribute="space__code", column_name="space_code")
        space_name = fields.Field(attribute="space__name", column_name="space")
        district = fields.Field(attribute="space__district", column_name="district")
        division = fields.Field(attribute="space__division", column_name="division")
        program = fields.Field(attribute="application__call__program__name", column_name="program")
        instrument = fields.Field(attribute="application__instrument", column_name="instrument")
        application_ref = fields.Field(attribute="application__reference", column_name="application")

        class Meta:
            model = PaymentInstruction
            fields = (
                "reference",
                "paid_at",
                "payee_name",
                "space_code",
                "space_name",
                "district",
                "division",
                "program",
                "instrument",
                "application_ref",
                "narration",
                "state",
                "amount",
            )

    start, end = selectors.quarter_bounds(_quarter(rows))
    queryset = selectors.payments_paid_between(start, end).select_related(
        "payee", "space", "application__call__program"
    )
    dataset = PaymentResource().export(queryset=queryset)
    out.write_bytes(XLSX().export_data(dataset))
    return len(dataset)


if __name__ == "__main__":
    writer_harness.main(
        script=__file__,
        database="bench_disbursements",
        seeding=f"{SPACES:,} spaces, {APPLICATIONS:,} applications and {ROWS + SMALL:,} paid payments",
        seed=seed,
        measures={"a": measure_a, "b": measure_b, "c": measure_c},
        plain_rows=_plain_rows,
        label_a="(a) disbursements job writer (DB → workbook)",
        rows=ROWS,
        small=SMALL,
    )
