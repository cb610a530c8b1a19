"""Benchmarks: `make bench`. Prints figures; asserts nothing (targets are judged by people).

Issue 3 — the officer's screening queue and an operator's dashboard must cost the same number of SQL
queries with 10,000 applications as with 10, and their median response time over 50 requests must be
no slower than the Django admin change list showing the same 50 applications, measured the same way
in the same run.

Runs against a throwaway database (writer_harness.throwaway_database): a temporary SQLite file by
default, or a new PostgreSQL database named after DATABASE_URL's, with a random suffix, on its server
(`DATABASE_URL=postgres://... make bench`); dropped at the end.
Requests go through Django's test client in this process, so the figures are the application's own
time (URL routing, views, queries, templates), without a web server or network in front.
"""

import datetime as dt
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import writer_harness  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "subsidy.settings.test")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")


os.environ["DATABASE_URL"] = writer_harness.throwaway_database("bench")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "50"))
SIZES = (10, int(os.environ.get("BENCH_APPLICATIONS", "10000")))


def seed_applications(total: int) -> None:
    """Bring the number of applications up to `total`, spread over every operator, space and call.

    Rows are bulk-inserted (the services would take hours for 10,000 and are not what is measured);
    they are valid rows in the screening states the queue shows, and a tenth belong to the demo
    operator, whose dashboard is measured.
    """
    from accounts.models import User
    from grants.models import Application, Call
    from spaces.models import Space

    existing = Application.objects.count()
    if existing >= total:
        return
    officer_operator_user = User.objects.get(email="operator@demo.sahulat.pk")
    own_spaces = list(Space.objects.filter(operator__members=officer_operator_user))
    other_spaces = list(Space.objects.exclude(operator__members=officer_operator_user))
    calls = {c.program.instrument: c for c in Call.objects.select_related("program")}
    creators = {s.operator_id: officer_operator_user for s in own_spaces}
    fallback_creator = User.objects.get(email="operator2@demo.sahulat.pk")
    states = ["submitted", "screening", "info_requested"]
    now = timezone.now()
    rows = []
    for i in range(existing, total):
        mine = i % 10 == 0
        space = (own_spaces if mine else other_spaces)[i % len(own_spaces if mine else other_spaces)]
        instrument = "grant" if i % 2 else "soft_loan"
        call = calls[instrument]
        created = now - dt.timedelta(days=60, minutes=i)
        submitted = created + dt.timedelta(days=1)
        rows.append(
            Application(
                reference=f"{call.program.code}-BENCH-{i:06d}",
                call=call,
                instrument=instrument,
                operator_id=space.operator_id,
                space=space,
                amount_requested=Decimal(500000 + (i % 40) * 25000),
                state=states[i % 3],
                created_by=creators.get(space.operator_id, fallback_creator),
                created_at=created,
                updated_at=submitted,
                state_entered_at=submitted + dt.timedelta(hours=i % 48),
                submitted_at=submitted,
            )
        )
    Application.objects.bulk_create(rows, batch_size=1000)
    # Fresh planner statistics, as autovacuum (PostgreSQL) or a routine ANALYZE would give a live
    # database after a bulk load; every page measured benefits alike.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(client: Client, url: str) -> dict:
    client.get(url)  # warm caches (templates, sessions) so every measured request is alike
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    # Read the count now: every request starts by clearing the connection's query log.
    queries = len(ctx.captured_queries)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}; the benchmark needs 200")
    times = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - start)
    return {"queries": queries, "median_ms": statistics.median(times) * 1000, "bytes": len(response.content)}


def client_for(email: str) -> Client:
    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def main() -> None:
    print(f"Database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; {REQUESTS} requests a page")
    call_command("migrate", verbosity=0)
    from fixtures.demo_network import load_demo_network

    load_demo_network()
    pages = {
        "screening queue (officer)": ("officer@demo.sahulat.pk", "/workbench/"),
        "operator dashboard": ("operator@demo.sahulat.pk", "/portal/"),
        "admin change list, 50 applications": ("admin@demo.sahulat.pk", "/django-admin/grants/application/"),
    }
    results = {}
    for size in SIZES:
        seed_applications(size)
        for name, (email, url) in pages.items():
            results[(name, size)] = measure(client_for(email), url)

    small, large = SIZES
    print()
    print(
        f"{'page':40} {'queries @' + str(small):>12} {'queries @' + str(large):>14} "
        f"{'median ms @' + str(small):>15} {'median ms @' + str(large):>17}"
    )
    for name in pages:
        a, b = results[(name, small)], results[(name, large)]
        print(f"{name:40} {a['queries']:>12} {b['queries']:>14} {a['median_ms']:>15.1f} {b['median_ms']:>17.1f}")
    admin = results[("admin change list, 50 applications", large)]["median_ms"]
    print()
    for name in list(pages)[:2]:
        same = results[(name, small)]["queries"] == results[(name, large)]["queries"]
        ratio = results[(name, large)]["median_ms"] / admin
        print(
            f"{name}: query count constant: {'yes' if same else 'NO'}; "
            f"median at {large} is {ratio:.2f} x the admin change list ({'within' if ratio <= 1 else 'OVER'} target)"
        )


if __name__ == "__main__":
    main()
