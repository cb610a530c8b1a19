"""Benchmark of the report writer (issue 6): `python bench/reports.py`. Prints figures; asserts nothing.

The issue asks for a quarter of 250,000 payment rows; payments do not exist yet (issue 5), so the
detail-sheet writer is measured on 250,000 utilization returns (1,000 spaces × 250 months) read from
the database through the report's own code path: `reporting.selectors.detail_rows` streaming the
queryset with `.iterator(chunk_size=…)` into `reporting.utilization_report.write_detail_sheet`
(openpyxl write-only, number formats, safe_text), saved to an .xlsx. Against it, in the same run:

  (b) bare openpyxl write-only writing the same rows (same values) from a Python list;
  (c) the same rows through django-import-export's default export (ModelResource → tablib → xlsx).

Each measurement runs in its own subprocess (bench/writer_harness.py), so its peak memory is its own; the baseline
is the process's resident size after Django has started, just before the measured work.
Targets: (a) ≤ 1.25 × (b) in time; (a) peak < 300 MB, grows < 50 MB from 25k to 250k rows, ≤ 1/5 of (c).

Runs against a throwaway database (writer_harness.throwaway_database): a temporary SQLite file by default,
or a new PostgreSQL database named after DATABASE_URL's, with a random suffix; dropped at the end.
"""

import datetime as dt
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "subsidy.settings.test")

import writer_harness  # noqa: E402 — bench/ is on sys.path when a script runs

SPACES = 1000
ROWS = int(os.environ.get("BENCH_REPORT_ROWS", "250000"))
SMALL = ROWS // 10
FIRST_MONTH = dt.date(2000, 1, 1)


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


if __name__ == "__main__":
    writer_harness.main(
        script=__file__,
        database="bench_reports",
        seeding=f"{SPACES:,} spaces and {ROWS:,} utilization returns",
        seed=seed,
        measures={"a": measure_a, "b": measure_b, "c": measure_c},
        plain_rows=_plain_rows,
        label_a="(a) report job writer (DB → write-only)",
        rows=ROWS,
        small=SMALL,
    )
