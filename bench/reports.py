"""Benchmark of the report writer (issue 6): `python bench/reports.py`. Prints figures; asserts nothing.

The issue asks for a quarter of 250,000 payment rows; payments do not exist yet (issue 5), so the
detail-sheet writer is measured on 250,000 utilization returns (1,000 spaces × 250 months) read from
the database through the report's own code path: `reporting.selectors.detail_rows` streaming the
queryset with `.iterator(chunk_size=…)` into `reporting.utilization_report.write_detail_sheet`
(openpyxl write-only, number formats, safe_text), saved to an .xlsx. Against it, in the same run:

  (b) bare openpyxl write-only writing the same rows (same values) from a Python list;
  (c) the same rows through django-import-export's default export (ModelResource → tablib → xlsx).

Each measurement runs in its own subprocess, so its peak memory (ru_maxrss) is its own; the baseline
is the process's resident size after Django has started, just before the measured work.
Targets: (a) ≤ 1.25 × (b) in time; (a) peak < 300 MB, grows < 50 MB from 25k to 250k rows, ≤ 1/5 of (c).

Runs against a throwaway database: a temporary SQLite file by default, or a fresh PostgreSQL database
`sahulat_bench_reports` on the server named by DATABASE_URL.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "subsidy.settings.test")

SPACES = 1000
ROWS = int(os.environ.get("BENCH_REPORT_ROWS", "250000"))
SMALL = ROWS // 10
FIRST_MONTH = dt.date(2000, 1, 1)


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
            conn.execute("DROP DATABASE IF EXISTS sahulat_bench_reports")
            conn.execute("CREATE DATABASE sahulat_bench_reports")
        return f"{base}/sahulat_bench_reports"
    return f"sqlite:///{tempfile.mkdtemp(prefix='sahulat-bench-reports-')}/bench.sqlite3"


def _months(count: int) -> list[dt.date]:
    from spaces.utilization import add_months

    return [add_months(FIRST_MONTH, i) for i in range(count)]


def seed() -> None:
    """1,000 active spaces and ROWS returns, bulk-inserted (what is measured is the export)."""
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from spaces.geography import DIVISION_OF
    from spaces.models import Operator, Space, UtilizationReturn
    from tests.factories import make_iban

    call_command("migrate", verbosity=0)
    districts = sorted(DIVISION_OF)
    operators = Operator.objects.bulk_create(
        Operator(
            legal_name=f"Bench Coworking {i} (Pvt.) Ltd.",
            legal_form="private_limited",
            ntn=f"{5000000 + i:07d}-{i % 10}",
            secp_registration_number=f"0{200000 + i}",
            principal_name="Bench Principal",
            principal_cnic=f"35202-{2000000 + i:07d}-1",
            contact_email=f"bench{i}@example.pk",
            contact_mobile="0300-1234567",
            bank_account_title=f"Bench Coworking {i}",
            iban=make_iban(100 + i),
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
            opening_date=dt.date(1999, 1, 1),
            network_status="active",
        )
        for i in range(SPACES)
    )
    filed_at = timezone.now()
    months = _months(ROWS // SPACES)
    batch = []
    for month in months:
        for index, space in enumerate(spaces):
            seats = space.seats_offered
            batch.append(
                UtilizationReturn(
                    space=space,
                    month=month,
                    seats_offered=seats,
                    seats_allotted=seats * (55 + index % 40) // 100,
                    seat_days_available=seats * 26,
                    seat_days_used=seats * 26 * (50 + index % 40) // 100,
                    members=seats + 5,
                    women_members=(seats + 5) // 3,
                    freelancers=seats // 2,
                    startups=seats // 8,
                    meeting_room_hours_available=260,
                    meeting_room_hours_booked=130 + index % 100,
                    filed_at=filed_at,
                )
            )
        if len(batch) >= 20000:
            UtilizationReturn.objects.bulk_create(batch, batch_size=2000)
            batch = []
    UtilizationReturn.objects.bulk_create(batch, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _period(rows: int) -> tuple[dt.date, dt.date]:
    months = _months(rows // SPACES)
    return months[0], months[-1]


def measure_a(rows: int, out: Path) -> int:
    """The report job's writer: database → detail sheet → .xlsx (the real code path)."""
    from openpyxl import Workbook

    from reporting import selectors
    from reporting.utilization_report import write_detail_sheet

    start, end = _period(rows)
    wb = Workbook(write_only=True)
    written = write_detail_sheet(wb, selectors.detail_rows(start, end), total=rows)
    wb.save(out)
    return written


def _plain_rows(rows: int) -> list[list]:
    """The same values the report writes, as plain Python lists (built before (b) is timed)."""
    from django.utils import timezone

    from reporting import selectors
    from reporting.excel import safe_text

    start, end = _period(rows)
    result = []
    for values in selectors.detail_rows(start, end):
        month, division, district, code, name, company, offered, allotted, sd_a, sd_u, *rest = values
        *counts, filed_at = rest
        result.append(
            [
                month,
                division,
                district,
                code,
                safe_text(name),
                company,
                offered,
                allotted,
                allotted / offered,
                sd_a,
                sd_u,
                sd_u / sd_a,
                *counts,
                timezone.localtime(filed_at).replace(tzinfo=None),
            ]
        )
    return result


def measure_b(rows: int, out: Path, prepared: list[list]) -> int:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Spaces by month")
    ws.append([f"col{i}" for i in range(19)])
    for row in prepared:
        ws.append(row)
    wb.save(out)
    return len(prepared)


def measure_c(rows: int, out: Path) -> int:
    """What a typical Django project does: a ModelResource's default export, written as xlsx."""
    from import_export import fields, resources
    from import_export.formats.base_formats import XLSX

    from spaces.models import UtilizationReturn

    class UtilizationReturnResource(resources.ModelResource):
        division = fields.Field(attribute="space__division", column_name="division")
        district = fields.Field(attribute="space__district", column_name="district")
        code = fields.Field(attribute="space__code", column_name="space_code")
        name = fields.Field(attribute="space__name", column_name="space")
        company = fields.Field(attribute="space__operator__legal_name", column_name="company")

        class Meta:
            model = UtilizationReturn
            fields = (
                "month",
                "division",
                "district",
                "code",
                "name",
                "company",
                "seats_offered",
                "seats_allotted",
                "seat_days_available",
                "seat_days_used",
                "members",
                "women_members",
                "freelancers",
                "startups",
                "meeting_room_hours_available",
                "meeting_room_hours_booked",
                "filed_at",
            )

    start, end = _period(rows)
    queryset = UtilizationReturn.objects.filter(month__gte=start, month__lte=end).select_related("space__operator")
    dataset = UtilizationReturnResource().export(queryset=queryset)
    out.write_bytes(XLSX().export_data(dataset))
    return len(dataset)


def child(kind: str, rows: int) -> None:
    """One measurement in this (fresh) process; prints a JSON line."""
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
    print(f"Seeding {SPACES:,} spaces and {ROWS:,} utilization returns into {os.environ['DATABASE_URL']} …")
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
        "a": "(a) report job writer (DB → write-only)",
        "b": "(b) bare openpyxl write-only (list)",
        "c": "(c) django-import-export / tablib",
    }
    print(
        f"{'measurement':44} {'rows':>9} {'wall s':>8} {'CPU s':>8} {'rows/CPU s':>10} {'peak MB':>8} "
        f"{'base MB':>8} {'file MB':>8}"
    )
    for (kind, _rows), r in results.items():
        print(
            f"{names[kind]:44} {r['rows']:>9,} {r['seconds']:>8.1f} {r['cpu_seconds']:>8.1f} "
            f"{r['rows'] / r['cpu_seconds']:>10,.0f} {r['peak_mb']:>8.0f} {r['baseline_mb']:>8.0f} {r['file_mb']:>8.1f}"
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
