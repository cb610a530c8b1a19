"""Benchmark of the disbursements report (issue 6): `python bench/disbursements.py`. Prints figures;
asserts nothing.

Builds a quarter of 250,000 paid payments (Q1 FY2025-26) and one of 25,000 (Q2), bulk-inserted over
1,000 spaces, 2,000 approved applications with their budget commitments, then measures:

  (a) the report job's writer, `reporting.disbursements_report.build_disbursements_xlsx`: the whole
      workbook (summary queries, by space, every payment streamed from the database with
      `.iterator(chunk_size=…)` into openpyxl write-only, returned payments), at 25,000 and 250,000;
  (b) bare openpyxl write-only writing the same Payments rows (same values) from a Python list;
  (c) the same payments through django-import-export's default export (ModelResource → tablib → xlsx).

Each measurement runs in its own subprocess, so its peak memory (ru_maxrss) is its own.
Targets: (a) ≤ 1.25 × (b) in time; (a) peak < 300 MB, grows < 50 MB from 25k to 250k rows, ≤ 1/5 of (c).
The utilization writer (1,000 spaces, 250,000 returns) has its own benchmark, bench/reports.py.

Runs against a throwaway database: a temporary SQLite file by default, or a fresh PostgreSQL database
`sahulat_bench_disbursements` on the server named by DATABASE_URL.
"""

import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "subsidy.settings.test")

SPACES = 1000
APPLICATIONS = 2000
ROWS = int(os.environ.get("BENCH_PAYMENT_ROWS", "250000"))
SMALL = ROWS // 10
FISCAL_YEAR = 2025  # Q1 FY2025-26 holds ROWS payments, Q2 holds SMALL


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    """This process's peak resident memory since it exec'd (VmHWM). Not ru_maxrss: on Linux that
    carries the parent's peak into a child across fork and exec, so every child would report at least
    the seeding parent's peak."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base, _sep, _name = url.rpartition("/")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS sahulat_bench_disbursements")
            conn.execute("CREATE DATABASE sahulat_bench_disbursements")
        return f"{base}/sahulat_bench_disbursements"
    return f"sqlite:///{tempfile.mkdtemp(prefix='sahulat-bench-disb-')}/bench.sqlite3"


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
    allocations = [
        BudgetAllocation.objects.create(
            program=p,
            fiscal_year=FISCAL_YEAR - 1,
            amount=award_amount * APPLICATIONS,
            committed=award_amount * (APPLICATIONS // 2),
        )
        for p in programs
    ]
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


def child(kind: str, rows: int) -> None:
    import django

    django.setup()
    out = Path(tempfile.mkdtemp(prefix="sahulat-bench-out-")) / f"{kind}.xlsx"
    prepared = _plain_rows(rows) if kind == "b" else None
    baseline = _rss_mb()
    started = time.perf_counter()
    cpu_started = time.process_time()
    if kind == "a":
        written = measure_a(rows, out)
    elif kind == "b":
        written = measure_b(rows, out, prepared)
    else:
        written = measure_c(rows, out)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    print(
        json.dumps(
            {
                "rows": written,
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "peak_mb": _peak_mb(),
                "baseline_mb": baseline,
                "file_mb": out.stat().st_size / 2**20,
            }
        )
    )
    shutil.rmtree(out.parent, ignore_errors=True)


def run(kind: str, rows: int) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(rows)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    if result.returncode:
        raise SystemExit(f"measurement {kind} at {rows} rows failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    os.environ["DATABASE_URL"] = _database_url()
    import django

    django.setup()
    print(
        f"Seeding {SPACES:,} spaces, {APPLICATIONS:,} applications and {ROWS + SMALL:,} paid payments "
        f"into {os.environ['DATABASE_URL']} …"
    )
    started = time.perf_counter()
    seed()
    print(f"  seeded in {time.perf_counter() - started:.1f} s\n")
    results = {
        ("a", SMALL): run("a", SMALL),
        ("a", ROWS): run("a", ROWS),
        ("b", ROWS): run("b", ROWS),
        ("c", ROWS): run("c", ROWS),
    }
    names = {
        "a": "(a) disbursements job writer (DB → workbook)",
        "b": "(b) bare openpyxl write-only (list)",
        "c": "(c) django-import-export / tablib",
    }
    print(
        f"{'measurement':46} {'rows':>9} {'wall s':>8} {'CPU s':>8} {'rows/s':>9} {'rows/CPU s':>10} "
        f"{'peak MB':>8} {'base MB':>8} {'file MB':>8}"
    )
    for (kind, _rows), r in results.items():
        print(
            f"{names[kind]:46} {r['rows']:>9,} {r['seconds']:>8.1f} {r['cpu_seconds']:>8.1f} "
            f"{r['rows'] / r['seconds']:>9,.0f} {r['rows'] / r['cpu_seconds']:>10,.0f} {r['peak_mb']:>8.0f} "
            f"{r['baseline_mb']:>8.0f} {r['file_mb']:>8.1f}"
        )
    a, a_small, b, c = results[("a", ROWS)], results[("a", SMALL)], results[("b", ROWS)], results[("c", ROWS)]
    print()
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(
        f"(a) / (b) time: {a['cpu_seconds'] / b['cpu_seconds']:.2f}× in CPU time, "
        f"{a['seconds'] / b['seconds']:.2f}× wall-clock (target ≤ 1.25×; CPU time is the fair one on a busy machine)"
    )
    print(f"(a) peak: {a['peak_mb']:.0f} MB (target < 300 MB)")
    print(f"(a) growth {SMALL:,} → {ROWS:,} rows: {a['peak_mb'] - a_small['peak_mb']:+.0f} MB peak (target < 50 MB)")
    print(f"(a) peak / (c) peak: {a['peak_mb'] / c['peak_mb']:.2f} (target ≤ 0.20)")
    if os.environ["DATABASE_URL"].startswith("sqlite:///"):
        shutil.rmtree(Path(os.environ["DATABASE_URL"].removeprefix("sqlite:///")).parent, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]))
    else:
        main()
