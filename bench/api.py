"""Benchmark of the HTTP API (issue #21): `python bench/api.py [ROWS]` (default 1,000,000; also
BENCH_API_ROWS). Prints figures; asserts nothing.

Seeds ROWS payments paid in Q1 FY2025-26 (and ROWS/10 in Q2) with bulk_create, over 1,000 spaces and
2,000 approved applications (bench/disbursements.py's seeding: a benchmark, not the services), then a
reports:read client pulls the quarter's payments page by page (`/api/v1/payments/?fiscal_quarter=
FY2025-26-Q1&page_size=1000`) through Django's test client in this process, following `next` to the
end: SQL queries per page, each page's time (median, 90th percentile, first and last), and the
process's resident memory along the way (flat when the pages stream). Then the same quarter as the
quarterly disbursements workbook (the report job's writer) in its own process, for comparison.

Runs against a throwaway database: a temporary SQLite file by default, or a fresh PostgreSQL database
`sahulat_bench_api` on the server named by DATABASE_URL; dropped at the end.
"""

import base64
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "subsidy.settings.test")

ARGS = [a for a in sys.argv[1:] if not a.startswith("--database=")]
ROWS = int(ARGS[0]) if ARGS else int(os.environ.get("BENCH_API_ROWS", "1000000"))
# --database=URL: a database an interrupted run seeded with the same ROWS (its URL was printed); it is
# measured without seeding again, and dropped at the end like a fresh one.
SEEDED = next((a.removeprefix("--database=") for a in sys.argv[1:] if a.startswith("--database=")), "")
PAGE = 1000
DATABASE = "sahulat_bench_api"
os.environ["BENCH_PAYMENT_ROWS"] = str(ROWS)  # bench/disbursements.py seeds this many in Q1

import writer_harness  # noqa: E402 — bench/ is on sys.path


def rss_mb() -> float:
    return writer_harness.rss_mb()


def drop(url: str) -> None:
    if url.startswith("sqlite"):
        shutil.rmtree(Path(url.removeprefix("sqlite:///")).parent, ignore_errors=True)
        return
    import psycopg
    from django.db import connections

    connections.close_all()
    base, _sep, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def pull(http, new_token) -> dict:
    """Every page of the quarter, as a client would take them: a new token when the last one expires
    (API_TOKEN_SECONDS), the page asked again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    path = f"/api/v1/payments/?fiscal_quarter=FY2025-26-Q1&page_size={PAGE}"
    token = new_token()
    times, queries, rss, rows, renewals = [], [], [], 0, 0
    started = time.perf_counter()
    while path:
        with CaptureQueriesContext(connection) as captured:
            t0 = time.perf_counter()
            response = http.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
            body = response.json()
            elapsed = time.perf_counter() - t0
        if response.status_code == 401:
            token, renewals = new_token(), renewals + 1
            continue
        if response.status_code != 200:
            raise SystemExit(f"page {len(times) + 1}: {response.status_code} {body}")
        times.append(elapsed)
        queries.append(len(captured))
        rows += len(body["results"])
        rss.append(rss_mb())
        path = body["next"]
    return {
        "rows": rows,
        "seconds": time.perf_counter() - started,
        "times": times,
        "queries": queries,
        "rss": rss,
        "renewals": renewals,
    }


def excel(url: str) -> dict:
    """The quarter as the disbursements workbook, in its own process (bench/disbursements.py --child a)."""
    import json

    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "disbursements.py"), "--child", "a", str(ROWS)],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": url},
        check=False,
    )
    if result.returncode:
        raise SystemExit(f"the workbook failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    url = SEEDED or writer_harness.throwaway_database(DATABASE)
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    import disbursements
    from django.test import Client

    from accounts.models import User
    from api import services
    from api.models import ApiClient

    vendor = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    try:
        if SEEDED:
            print(f"Measuring {ROWS:,} + {ROWS // 10:,} paid payments already seeded in {vendor} ({url}) …")
        else:
            print(f"Seeding {ROWS:,} + {ROWS // 10:,} paid payments into {vendor} ({url}) …")
            started = time.perf_counter()
            disbursements.seed()
            print(f"  seeded in {time.perf_counter() - started:.1f} s")
        admin, _created = User.objects.get_or_create(
            email="bench-admin@example.pk", defaults={"is_superuser": True, "is_staff": True}
        )
        client = ApiClient.objects.filter(name="bench-ministry").first()
        if client is None:
            client, secret = services.api_client_register(
                name="bench-ministry", scopes=["reports:read"], actor=admin, throttle_rate="999999/minute"
            )
        else:
            secret = services.api_client_new_secret(client=client, actor=admin)
        http = Client(SERVER_NAME="localhost")
        basic = base64.b64encode(f"{client.application.client_id}:{secret}".encode()).decode()

        def new_token() -> str:
            return http.post(
                "/api/v1/oauth/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
            ).json()["access_token"]

        base = rss_mb()
        result = pull(http, new_token)
        times = sorted(result["times"])
        pages = len(times)
        workbook = excel(url)
        print()
        print(f"| measure ({vendor}) | figure |")
        print("| --- | --- |")
        print(f"| payments pulled | {result['rows']:,} in {pages:,} pages of {PAGE:,} |")
        print(f"| SQL queries per page | {min(result['queries'])}–{max(result['queries'])} |")
        print(f"| page time, median | {statistics.median(times) * 1000:.0f} ms |")
        print(f"| page time, 90th percentile | {times[int(pages * 0.9) - 1 if pages > 1 else 0] * 1000:.0f} ms |")
        print(f"| first page, last page | {result['times'][0] * 1000:.0f} ms, {result['times'][-1] * 1000:.0f} ms |")
        print(
            f"| whole pull | {result['seconds']:.1f} s ({result['rows'] / result['seconds']:,.0f} rows/s; "
            f"{result['renewals']} new tokens on the way) |"
        )
        rss = result["rss"]
        print(
            f"| resident memory: before, page 10, page {pages // 2:,}, last (max) | {base:.0f}, "
            f"{rss[min(9, pages - 1)]:.0f}, {rss[pages // 2]:.0f}, {rss[-1]:.0f} ({max(rss):.0f}) MB |"
        )
        print(
            f"| the quarter's disbursements workbook (report job) | {workbook['rows']:,} rows in "
            f"{workbook['seconds']:.1f} s, peak {workbook['peak_mb']:.0f} MB |"
        )
        print(f"\nload average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    finally:
        drop(url)


if __name__ == "__main__":
    main()
