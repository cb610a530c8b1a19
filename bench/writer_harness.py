"""What the report-writer benchmarks share (bench/reports.py, bench/disbursements.py): a throwaway
database, one measurement per subprocess (so each peak memory is that process's own), and the table
of figures against the issue's targets. Prints figures; asserts nothing.

A benchmark script defines seed(), measure_a/b/c(rows, out[, prepared]) and plain_rows(rows), then
ends with `writer_harness.main(...)`, which runs either the whole comparison or, in a child process,
one measurement.
"""

import atexit
import json
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    """This process's peak resident memory since it exec'd (VmHWM). Not ru_maxrss: on Linux that
    carries the parent's peak into a child across fork and exec, so every child would report at least
    the seeding parent's peak."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def throwaway_database(label: str) -> str:
    """A database of this run's own, dropped when the process that made it exits (issue #23: benches
    used to drop and recreate fixed names whatever DATABASE_URL said, and left them behind).

    On PostgreSQL: `<DATABASE_URL's database>_<label>_<random>` on the same server; on SQLite (the
    default): a file in a new temporary directory. Only what was created here is removed, only by the
    process that created it (a measurement's child process shares it and leaves it alone)."""
    url = os.environ.get("DATABASE_URL", "")
    owner = os.getpid()
    if url.startswith("postgres"):
        import psycopg

        base, _sep, current = url.rpartition("/")
        current = current.split("?")[0] or "sahulat"
        name = f"{current}_{label}_{secrets.token_hex(3)}".lower()
        admin = f"{base}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

        def drop() -> None:
            if os.getpid() != owner:
                return
            _close_django_connections()
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        atexit.register(drop)
        return f"{base}/{name}"
    directory = tempfile.mkdtemp(prefix=f"sahulat-{label}-")
    atexit.register(lambda: os.getpid() == owner and shutil.rmtree(directory, ignore_errors=True))
    return f"sqlite:///{directory}/bench.sqlite3"


def _close_django_connections() -> None:
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


def _child(kind: str, rows: int, measures: dict[str, Callable], plain_rows: Callable) -> None:
    """One measurement in this (fresh) process; prints a JSON line."""
    import django

    django.setup()
    out = Path(tempfile.mkdtemp(prefix="sahulat-bench-out-")) / f"{kind}.xlsx"
    prepared = plain_rows(rows) if kind == "b" else None
    baseline = rss_mb()
    started = time.perf_counter()
    cpu_started = time.process_time()
    written = measures[kind](rows, out, prepared) if kind == "b" else measures[kind](rows, out)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    print(
        json.dumps(
            {
                "rows": written,
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "peak_mb": peak_mb(),
                "baseline_mb": baseline,
                "file_mb": out.stat().st_size / 2**20,
            }
        )
    )
    shutil.rmtree(out.parent, ignore_errors=True)


def _run(script: str, kind: str, rows: int) -> dict:
    result = subprocess.run(
        [sys.executable, script, "--child", kind, str(rows)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    if result.returncode:
        raise SystemExit(f"measurement {kind} at {rows} rows failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(
    *,
    script: str,
    database: str,
    seeding: str,
    seed: Callable,
    measures: dict[str, Callable],
    plain_rows: Callable,
    label_a: str,
    rows: int,
    small: int,
) -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        _child(sys.argv[2], int(sys.argv[3]), measures, plain_rows)
        return
    os.environ["DATABASE_URL"] = throwaway_database(database)
    import django

    django.setup()
    print(f"Seeding {seeding} into {os.environ['DATABASE_URL']} …")
    started = time.perf_counter()
    seed()
    print(f"  seeded in {time.perf_counter() - started:.1f} s\n")
    results = {(kind, n): _run(script, kind, n) for kind, n in (("a", small), ("a", rows), ("b", rows), ("c", rows))}
    names = {
        "a": label_a,
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
    a, a_small, b, c = results[("a", rows)], results[("a", small)], results[("b", rows)], results[("c", rows)]
    print()
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(
        f"(a) / (b) time: {a['cpu_seconds'] / b['cpu_seconds']:.2f}× in CPU time, "
        f"{a['seconds'] / b['seconds']:.2f}× wall-clock (target ≤ 1.25×; CPU time is the fair one on a busy machine)"
    )
    print(f"(a) peak: {a['peak_mb']:.0f} MB (target < 300 MB)")
    print(f"(a) growth {small:,} → {rows:,} rows: {a['peak_mb'] - a_small['peak_mb']:+.0f} MB peak (target < 50 MB)")
    print(f"(a) peak / (c) peak: {a['peak_mb'] / c['peak_mb']:.2f} (target ≤ 0.20)")
