"""Benchmark of the duplicate checks (issue #20): `python bench/matches.py`. Prints figures; asserts
nothing.

Builds, in a throwaway database (a new PostgreSQL database named after DATABASE_URL's, dropped at the
end; a temporary SQLite file without it), BENCH_OPERATORS operators (100,000), two spaces each
(200,000) in the operator's district, one application each and BENCH_FILES stored files (1,000,000
application documents), bulk-inserted, with a few planted duplicates per rule. Then measures:

  (a) the full sweep (`manage.py find_duplicates`) in its own process: wall time per rule and in all,
      and that process's peak memory (VmHWM);
  (b) the sweep again: it must store nothing (idempotent);
  (c) the check at application submit (`matches_check_application`) on 50 applications: queries and
      the median milliseconds.

The files are all application documents: the sweep's UNION over the three file tables reads the
tranche-evidence and bill tables too, empty here. Targets (issue #20): sweep < 60 s and < 300 MB on
PostgreSQL; the submit check <= 10 queries and <= 50 ms median.
"""

import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "subsidy.settings.test")

import writer_harness  # noqa: E402 — bench/ is on sys.path when a script runs

OPERATORS = int(os.environ.get("BENCH_OPERATORS", "100000"))
SPACES_EACH = 2
FILES = int(os.environ.get("BENCH_FILES", "1000000"))
BATCH = 10_000
WORDS = (
    "indus ravi chenab jhelum sutlej margalla noor zaitoon chinar deodar shalimar anarkali gulberg "
    "johar model cantt township iqbal quaid faisal kohinoor sitara falak tara chand suraj roshan "
    "hunar kaam mehnat taraqqi pehchan naya digital tech code cloud byte pixel startup venture "
    "hub desk studio loft works space lab nest base dock garage foundry forge quarter yard"
).split()


def _name(rng: random.Random) -> str:
    return " ".join(rng.sample(WORDS, 3)).title() + " (Pvt.) Ltd."


def seed() -> dict[str, int]:
    from django.core.management import call_command
    from django.utils import timezone

    from grants.models import Application, ApplicationDocument, Call, Program
    from spaces.geography import DIVISION_OF
    from spaces.models import Operator, Space
    from tests.factories import UserFactory, make_iban

    call_command("migrate", verbosity=0)
    rng = random.Random(20)
    user = UserFactory()
    districts = sorted(DIVISION_OF)
    planted = {"cnic": 0, "iban": 0, "file": 0, "space": 0}
    started = time.perf_counter()
    for start in range(0, OPERATORS, BATCH):
        rows = []
        for i in range(start, min(start + BATCH, OPERATORS)):
            twin = i % 2000 == 1  # every 2,000th shares the previous one's CNIC, every 3,000th its IBAN
            rows.append(
                Operator(
                    legal_name=_name(rng),
                    legal_form="private_limited",
                    ntn=f"{1000000 + i:07d}-{i % 10}",
                    secp_registration_number=f"S{1000000 + i}",
                    principal_name="Bench Principal",
                    principal_cnic=f"35202-{1000000 + (i - 1 if twin else i):07d}-1",
                    contact_email=f"bench{i}@example.pk",
                    contact_mobile=f"0300-{1000000 + i:07d}",
                    bank_account_title="Bench",
                    iban=make_iban(10 + (i - 1 if i % 3000 == 1 else i)),
                    registered_address="Bench Road",
                    verification_status="verified",
                    verified_at=timezone.now(),
                )
            )
            planted["cnic"] += twin
            planted["iban"] += i % 3000 == 1
        Operator.objects.bulk_create(rows, batch_size=BATCH)
    operator_ids = list(Operator.objects.order_by("pk").values_list("pk", flat=True))
    print(f"  operators: {len(operator_ids):,} in {time.perf_counter() - started:.0f} s", flush=True)

    started = time.perf_counter()
    prev_lat, prev_lon = 31.0, 74.0
    for start in range(0, len(operator_ids), BATCH // 2):
        rows = []
        for n, operator_id in enumerate(operator_ids[start : start + BATCH // 2], start=start):
            district = districts[n % len(districts)]
            base_lat, base_lon = 30.0 + (n % len(districts)) * 0.1, 72.0 + (n % 7) * 0.3
            for k in range(SPACES_EACH):
                code = n * SPACES_EACH + k
                lat = base_lat + rng.uniform(-0.05, 0.05)
                lon = base_lon + rng.uniform(-0.05, 0.05)
                if code % 5000 == 2:  # planted: at the spot of the previous operator's space
                    planted["space"] += 1
                    lat, lon = prev_lat + 0.0001, prev_lon
                prev_lat, prev_lon = lat, lon
                rows.append(
                    Space(
                        code=f"B{code:07d}",
                        operator_id=operator_id,
                        name=f"Space {k}",
                        address=f"{rng.randint(1, 999)}-{rng.choice('ABCDEFGH')} {rng.choice(WORDS).title()} Road, "
                        f"{district}",
                        division=DIVISION_OF[district],
                        district=district,
                        latitude=Decimal(f"{lat:.6f}"),
                        longitude=Decimal(f"{lon:.6f}"),
                        seats_offered=40,
                        internet_bandwidth_mbps=100,
                        power_backup="solar",
                        opening_date=dt.date(2022, 1, 1),
                        network_status="active",
                    )
                )
        Space.objects.bulk_create(rows, batch_size=BATCH)
    space_of = dict(Space.objects.order_by("operator_id", "pk").values_list("operator_id", "pk"))
    print(f"  spaces: {Space.objects.count():,} in {time.perf_counter() - started:.0f} s", flush=True)

    program = Program.objects.create(
        name="Bench Grant", slug="bench-grant", code="BG", instrument="grant", max_amount=Decimal("100000000")
    )
    now = timezone.now()
    call = Call.objects.create(
        program=program,
        title="Bench round",
        reference="bench",
        opens_at=now - dt.timedelta(days=30),
        closes_at=now + dt.timedelta(days=30),
        quota=OPERATORS,
    )
    started = time.perf_counter()
    for start in range(0, len(operator_ids), BATCH):
        Application.objects.bulk_create(
            [
                Application(
                    reference=f"BG-2026-{n:06d}",
                    call=call,
                    instrument="grant",
                    operator_id=operator_id,
                    space_id=space_of[operator_id],
                    state="submitted",
                    created_by=user,
                    created_at=now,
                    updated_at=now,
                    state_entered_at=now,
                    submitted_at=now,
                )
                for n, operator_id in enumerate(operator_ids[start : start + BATCH], start=start)
            ],
            batch_size=BATCH,
        )
    application_ids = list(Application.objects.order_by("pk").values_list("pk", flat=True))
    per_application = max(1, FILES // len(application_ids))
    written = 0
    for start in range(0, len(application_ids), BATCH // per_application or 1):
        rows = []
        for application_id in application_ids[start : start + (BATCH // per_application or 1)]:
            for _k in range(per_application):
                n = written
                written += 1
                reused = n % 50000 == per_application + 7  # planted: a file of the previous case
                digest = f"{(n - per_application if reused else n):064x}"
                planted["file"] += reused
                rows.append(
                    ApplicationDocument(
                        application_id=application_id,
                        document_type="cnic_copy",
                        file=f"bench/{n}.pdf",
                        original_filename="document.pdf",
                        size=1000,
                        sha256=digest,
                        content_type="application/pdf",
                        uploaded_by=user,
                        uploaded_at=now,
                    )
                )
        ApplicationDocument.objects.bulk_create(rows, batch_size=BATCH)
    print(f"  applications and files: {written:,} files in {time.perf_counter() - started:.0f} s", flush=True)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return planted


def child_sweep() -> None:
    import django

    django.setup()
    from matches.services.sweep import matches_sweep

    started = time.perf_counter()
    result = matches_sweep()
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": round(seconds, 1),
                "peak_mb": round(writer_harness.peak_mb(), 1),
                "found": result.found,
                "new": result.new,
                "per_rule": result.seconds,
            }
        )
    )


def sweep_in_child() -> dict:
    out = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, __file__, "--child"], capture_output=True, text=True, check=True, env=os.environ
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def submit_check() -> tuple[int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from grants.models import Application
    from matches.services.checks import matches_check_application

    sample = list(Application.objects.select_related("operator").order_by("?")[:50])
    queries, times = [], []
    for application in sample:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            matches_check_application(application=application)
            times.append((time.perf_counter() - started) * 1000)
        queries.append(len(captured))
    return max(queries), statistics.median(times)


def main() -> None:
    os.environ["DATABASE_URL"] = writer_harness.throwaway_database("bench_matches")
    import django

    django.setup()
    from django.db import connection

    print(
        f"Seeding {OPERATORS:,} operators, {OPERATORS * SPACES_EACH:,} spaces, {FILES:,} files ({connection.vendor}) …"
    )
    started = time.perf_counter()
    planted = seed()
    print(f"Seeded in {time.perf_counter() - started:.0f} s; planted {planted}")
    connection.close()
    first = sweep_in_child()
    second = sweep_in_child()
    most_queries, median_ms = submit_check()
    print()
    print(f"Full sweep:        {first['seconds']:.1f} s, peak {first['peak_mb']:.0f} MB (target < 60 s, < 300 MB)")
    for rule, seconds in first["per_rule"].items():
        print(f"  {rule:15} {seconds:7.2f} s  {first['found'][rule]:6d} pairs, {first['new'][rule]:6d} stored")
    print(f"Sweep again:       {second['seconds']:.1f} s, {sum(second['new'].values())} new (idempotent)")
    print(f"Submit-time check: at most {most_queries} queries, median {median_ms:.1f} ms (target <= 10, <= 50 ms)")


if __name__ == "__main__":
    if "--child" in sys.argv:
        child_sweep()
    else:
        main()
