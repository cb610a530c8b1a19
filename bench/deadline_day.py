"""Deadline day (issue #23): `make bench-load`. Prints figures; asserts nothing.

Runs the system as production does on this machine, on loopback, and drives the operator's whole
journey at a few concurrencies:

- a throwaway PostgreSQL database on the server of DATABASE_URL (writer_harness.throwaway_database),
  migrated, with N operators seeded through the services (each: a verified company, one person with
  the operator role, one active space) and one open grant call asking for six documents;
- gunicorn with `subsidy.settings.production` (4 sync workers), a Celery worker on all three queues
  (Redis database 13), and Redis;
- each virtual operator signs in, opens the calls, starts an application, fills the three sections,
  uploads six PDF documents, checks the answers and submits: 33 requests, redirects included.

Plain HTTP on loopback, without weakening production: the client does what the TLS proxy in front of
gunicorn does in production (`X-Forwarded-Proto: https`, which production trusts through
SECURE_PROXY_SSL_HEADER, and `X-Forwarded-For` with each operator's own address), and keeps its
cookies itself, because the session and CSRF cookies are Secure and a stock HTTP client would not
send them over http://. No setting is changed for the test.

Two profiles, side by side in one run: `before` is the settings as issue #23 found them (a new database
connection per request, PBKDF2 with 1,000,000 iterations; bench/settings_before.py) and `after` is
production as it is now. Each profile gets its own fresh database and seed.

Printed per profile and concurrency: per step the count, p50/p95/p99 and errors; journeys per minute;
server CPU per journey by process (gunicorn, Celery, PostgreSQL, Redis; from /proc, so PostgreSQL's
figure includes any other work on the same server during the run: run it on a quiet machine); and
"nothing lost": every submitted application has its six documents, its audit events and the officers'
notification, and the audit chain verifies.

    python bench/deadline_day.py --operators 240 --concurrency 5,10 --profiles before,after
"""

import argparse
import collections
import http.client
import io
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import writer_harness  # noqa: E402

PASSWORD = "Deadline-day-2026!"  # noqa: S105 - a throwaway database's accounts
CALL = "deadline-day-round"
DOCUMENTS = (
    "cnic_copy",
    "ntn_certificate",
    "secp_certificate",
    "lease_agreement",
    "bank_statement",
    "business_plan",
)
PROFILES = {"before": "settings_before", "after": "subsidy.settings.production"}
CLK = os.sysconf("SC_CLK_TCK")
WARM_UP = 60000  # warm-up clients are numbered from here


# --- seeding and checking (run inside Django, in a child process with the profile's settings) -------


def seed(operators: int) -> None:
    import datetime as dt
    from decimal import Decimal

    import django

    django.setup()
    from django.utils import timezone

    from accounts import roles
    from accounts.models import User
    from accounts.services import role_grant
    from grants.models import Call, Program
    from notifications.services import emails_suppressed
    from spaces.models import Space
    from spaces.services import operator_create, operator_member_add, operator_verify, space_create

    def person(email: str, name: str, *, superuser: bool = False) -> User:
        user = User(email=email, full_name=name, is_superuser=superuser, is_staff=superuser)
        user.set_password(PASSWORD)
        user.save()
        return user

    admin = person("admin@load.example.pk", "Load Admin", superuser=True)
    steward = person("steward@load.example.pk", "Load Steward")
    officer = person("officer@load.example.pk", "Load Officer")
    role_grant(actor=admin, user=steward, role=roles.DATA_STEWARD, reason="load test")
    role_grant(actor=admin, user=officer, role=roles.PROGRAM_OFFICER, reason="load test")
    steward = User.objects.get(pk=steward.pk)
    program = Program.objects.create(
        name="Deadline Day Grant",
        slug="deadline-day-grant",
        code="DD",
        instrument=Program.Instrument.GRANT,
        min_amount=Decimal("250000"),
        max_amount=Decimal("5000000"),
        own_contribution_percent=Decimal("20"),
        required_documents=list(DOCUMENTS),
    )
    now = timezone.now()
    Call.objects.create(
        program=program,
        title="Deadline day round",
        reference=CALL,
        opens_at=now - dt.timedelta(days=30),
        closes_at=now + dt.timedelta(days=1),
        quota=operators,
    )
    started = time.perf_counter()
    with emails_suppressed():
        for n in range(operators):
            operator = operator_create(
                actor=steward,
                details={
                    "legal_name": f"Deadline Coworking {n} (Pvt.) Ltd.",
                    "legal_form": "private_limited",
                    "ntn": f"{5000000 + n:07d}-{n % 10}",
                    "secp_registration_number": f"0{200000 + n}",
                    "pseb_registration_number": f"Z-{20000 + n}",
                    "principal_name": f"Principal {n}",
                    "principal_cnic": f"35202-{2000000 + n:07d}-{n % 2 + 1}",
                    "contact_email": f"info{n}@deadline.example.pk",
                    "contact_mobile": f"0301-{2000000 + n:07d}",
                    "bank_account_title": f"Deadline Coworking {n} (Pvt.) Ltd.",
                    "iban": _iban(n),
                    "registered_address": f"{n} Jail Road, Lahore",
                },
            )
            operator_verify(actor=officer, operator=operator, note="load test")
            member = person(f"operator{n}@load.example.pk", f"Operator {n}")
            role_grant(actor=admin, user=member, role=roles.OPERATOR, reason="load test")
            operator_member_add(actor=steward, operator=operator, user=member, reason="load test")
            space_create(
                actor=steward,
                operator=operator,
                details={
                    "code": f"L{chr(65 + n // 26000 % 26)}{chr(65 + n // 1000 % 26)}-{n % 1000:03d}",
                    "name": f"Deadline Space {n}",
                    "address": f"{n} Mall Road, Lahore",
                    "district": "Lahore",
                    "postal_code": "54000",
                    "latitude": Decimal("31.5204") + Decimal(n % 900) / 10000,
                    "longitude": Decimal("74.3587") + Decimal(n // 900) / 10000,
                    "seats_offered": 60,
                    "private_offices": 2,
                    "meeting_rooms": 1,
                    "internet_bandwidth_mbps": 200,
                    "power_backup": Space.PowerBackup.SOLAR,
                    "opening_date": dt.date(2023, 1, 15),
                    "network_status": Space.NetworkStatus.ACTIVE,
                },
            )
    print(json.dumps({"operators": operators, "seconds": round(time.perf_counter() - started, 1)}))


def _iban(n: int) -> str:
    from stdnum import iban

    body = f"HABB{n:016d}"
    return f"PK{iban.calc_check_digits('PK00' + body)}{body}"


def verify() -> None:
    """Nothing lost: every submitted application has its six documents, its audit events and the
    officers' notification; and the audit chain verifies."""
    import django

    django.setup()
    from audit.models import AuditEvent
    from audit.services import audit_verify_chain
    from grants.models import Application
    from notifications.models import Notification

    submitted = list(Application.objects.exclude(state=Application.State.DRAFT).values_list("pk", "reference"))
    documents = collections.Counter(
        Application.objects.exclude(state=Application.State.DRAFT).values_list("documents__application_id", flat=True)
    )
    events = collections.Counter(
        AuditEvent.objects.filter(object_type="grants.application").values_list("object_id", flat=True)
    )
    told = set(Notification.objects.filter(subject__contains="to screen").values_list("subject", flat=True).distinct())
    short = [ref for pk, ref in submitted if documents[pk] != len(DOCUMENTS)]
    unaudited = [ref for pk, ref in submitted if events[str(pk)] == 0]
    untold = [ref for _pk, ref in submitted if not any(ref in subject for subject in told)]
    chain = audit_verify_chain()
    print(
        json.dumps(
            {
                "submitted": len(submitted),
                "drafts": Application.objects.filter(state=Application.State.DRAFT).count(),
                "missing_documents": short[:5],
                "unaudited": unaudited[:5],
                "untold": untold[:5],
                "audit_events": AuditEvent.objects.count(),
                "chain_ok": bool(chain.ok),
            }
        )
    )


# --- the virtual operator ------------------------------------------------------------------------


class Refused(Exception):
    pass


class Operator:
    """One person's browser: cookies kept by hand (Secure cookies over loopback HTTP), the TLS proxy's
    headers, redirects followed, each request timed under its step's name."""

    def __init__(self, port: int, number: int, timings: dict, errors: collections.Counter) -> None:
        self.port = port
        self.number = number
        self.cookies: dict[str, str] = {}
        self.timings = timings
        self.errors = errors
        self.address = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
        self.requests = 0

    def _send(self, step: str, method: str, path: str, body: bytes = b"", content_type: str = "") -> tuple:
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            "Referer": f"https://127.0.0.1:{self.port}{path}",
            # The warm-up's requests are not the journey's: --profile leaves them out.
            "User-Agent": "sahulat-warm-up" if self.number >= WARM_UP else "sahulat-deadline-day",
            "Accept-Language": "en",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            content = response.read()
        except OSError as error:
            self.errors[step] += 1
            raise Refused(f"{step}: {error}") from error
        finally:
            connection.close()
        self.timings[step].append(time.perf_counter() - started)
        self.requests += 1
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _sep, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.status >= 400:
            self.errors[step] += 1
            raise Refused(f"{step}: HTTP {response.status} on {path}")
        return response.status, response.getheader("Location") or "", content.decode("utf-8", "replace")

    def get(self, step: str, path: str) -> str:
        status, location, text = self._send(step, "GET", path)
        while status in (301, 302, 303):
            status, location, text = self._send(step + " (redirect)", "GET", _path(location))
        return text

    def post(self, step: str, path: str, fields: dict, files: dict | None = None, page: str = "") -> str:
        fields = {"csrfmiddlewaretoken": _csrf(page), **fields}
        if files:
            body, content_type = _multipart(fields, files)
        else:
            body, content_type = urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded"
        status, location, text = self._send(step, "POST", path, body, content_type)
        if status not in (301, 302, 303):
            raise Refused(f"{step}: the form was not accepted ({status}): {_first_error(text)}")
        return self.get(step + " (next page)", _path(location))


def _path(location: str) -> str:
    parts = urllib.parse.urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _csrf(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not found:
        raise Refused("no CSRF token on the page")
    return found.group(1)


def _first_error(page: str) -> str:
    found = re.search(r'class="[^"]*error[^"]*"[^>]*>\s*([^<]{3,200})', page)
    return found.group(1).strip() if found else page[:200]


def _multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content) in files.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: application/pdf\r\n\r\n".encode()
        )
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def _rows(prefix: str, items: list[dict]) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(items)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for number, item in enumerate(items):
        for key, value in item.items():
            data[f"{prefix}-{number}-{key}"] = value
    return data


def pdf(title: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=A4)
    document.drawString(72, 800, title)
    document.showPage()
    document.save()
    return buffer.getvalue()


def journey(operator: Operator, files: dict[str, bytes]) -> str:
    """The whole operator journey; returns the application's reference."""
    import datetime as dt

    page = operator.get("sign-in page", "/accounts/login/")
    operator.post(
        "sign-in",
        "/accounts/login/",
        {"username": f"operator{operator.number}@load.example.pk", "password": PASSWORD},
        page=page,
    )
    operator.get("calls", "/portal/applications/calls/")
    page = operator.get("start page", f"/portal/applications/start/?call={CALL}")
    space = re.search(r'<option value="(\d+)"', page)
    if not space:
        raise Refused("start page: no space to choose")
    tasks = operator.post("start", "/portal/applications/start/", {"call": CALL, "space": space.group(1)}, page=page)
    found = re.search(r"/portal/applications/([A-Z]+-\d{4}-\d{5})/", tasks)
    if not found:
        raise Refused("start: no reference on the task list")
    ref = found.group(1)
    base = f"/portal/applications/{ref}"
    due = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=90)
    sections = {
        "grant_details": {
            "purpose": "Forty more seats",
            "amount_requested": "4,000,000",
            "own_contribution": "1,000,000",
        },
        "budget": _rows(
            "lines",
            [
                {"description": "Furniture for 40 seats", "amount": "2,000,000"},
                {"description": "Solar system 15 kW", "amount": "3,000,000"},
            ],
        ),
        "milestones": _rows(
            "milestones",
            [
                {"title": "Seats installed", "amount": "2000000", "due_date": due.isoformat()},
                {
                    "title": "Solar commissioned",
                    "amount": "2000000",
                    "due_date": (due + dt.timedelta(days=90)).isoformat(),
                },
            ],
        ),
    }
    for code, fields in sections.items():
        page = operator.get(f"section {code}", f"{base}/sections/{code}/")
        operator.post(f"section {code} save", f"{base}/sections/{code}/", fields, page=page)
    page = operator.get("documents page", f"{base}/documents/")
    for code in DOCUMENTS:
        page = operator.post(
            "document upload",
            f"{base}/documents/",
            {"document_type": code},
            {"file": (f"{code}.pdf", files[code])},
            page=page,
        )
    page = operator.get("check answers", f"{base}/check/")
    page = operator.post("submit", f"{base}/submit/", {}, page=page)
    if "Application submitted" not in page:
        raise Refused("submit: no confirmation page")
    return ref


# --- processes and their CPU ----------------------------------------------------------------------


def _cpu(pid: int, children: bool = False) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLK


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


def _by_name(name: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _tree_cpu(root: int) -> float:
    """A process, its reaped children, and its live children with theirs."""
    return _cpu(root, children=True) + sum(_tree_cpu(child) for child in _children(root))


def _postmaster() -> int:
    pids = [pid for pid in _by_name("postgres") if pid not in sum((_children(p) for p in _by_name("postgres")), [])]
    return min(pids) if pids else 0


def cpu_now(gunicorn: int, worker: int) -> dict[str, float]:
    postmaster = _postmaster()
    return {
        "gunicorn": _tree_cpu(gunicorn),
        "celery": _tree_cpu(worker),
        "postgresql": _tree_cpu(postmaster) if postmaster else 0.0,
        "redis": sum(_cpu(pid) for pid in _by_name("redis-server")),
    }


# --- one profile --------------------------------------------------------------------------------


def run_profile(name: str, args: argparse.Namespace) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"sahulat-load-{name}-"))
    database = writer_harness.throwaway_database(f"load_{name}")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "EMAIL_"))},
        "DJANGO_SETTINGS_MODULE": PROFILES[name],
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(BENCH)]),
        "DATABASE_URL": database,
        "SECRET_KEY": secrets.token_urlsafe(64),
        "AUDIT_HMAC_KEY": secrets.token_urlsafe(48),
        "IDENTIFIER_DIGEST_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{args.port}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/13",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "SMS_BACKEND": "notifications.sms.ConsoleBackend",
        "MEDIA_ROOT": str(workdir / "media"),
        "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
        "REPORTS_ROOT": str(workdir / "reports"),
        "STATIC_ROOT": str(workdir / "static"),
        "AUDIT_HEAD_FILE": str(workdir / "heads.jsonl"),
        "STAFF_2FA_REQUIRED": "0",
        "LOG_LEVEL": "INFO" if args.request_log else "WARNING",
        "REQUEST_LOG": "1" if args.request_log else "0",
        "AXES_ADDRESS_FAILURE_LIMIT": "1000",
    }
    profiling = Path(args.profile) / name if args.profile else None
    if profiling:
        profiling.mkdir(parents=True, exist_ok=True)
        env["SAHULAT_PROFILE_DIR"] = str(profiling.resolve())
    python = sys.executable
    manage = [python, str(ROOT / "manage.py")]
    processes: list[subprocess.Popen] = []
    try:
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
        redis_flush()
        seeded = subprocess.run(
            [python, __file__, "--seed", str(args.operators)],
            env=env,
            check=True,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        print(f"  [{name}] seeded: {seeded.stdout.strip().splitlines()[-1]}", flush=True)
        log = open(workdir / "server.log", "w")  # noqa: SIM115 - closed with the processes
        gunicorn = subprocess.Popen(
            [
                str(Path(python).parent / "gunicorn"),
                "subsidy.wsgi",
                "--workers",
                str(args.workers),
                "--bind",
                f"127.0.0.1:{args.port}",
                "--timeout",
                "120",
                *(["--config", str(BENCH / "gunicorn_profile.py")] if profiling else []),
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        processes.append(gunicorn)
        worker = subprocess.Popen(
            [
                str(Path(python).parent / "celery"),
                "-A",
                "subsidy",
                "worker",
                "-Q",
                "celery,notifications,reports",
                "--concurrency",
                "1",
                "--loglevel",
                "WARNING",
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        processes.append(worker)
        _wait_ready(args.port)
        _warm_up(args.port, args.workers)
        files = {}
        results = []
        number = 0
        for concurrency in args.concurrency:
            count = args.journeys or max(concurrency * 4, args.operators // len(args.concurrency))
            count = min(count, args.operators - number)
            if count <= 0:
                break
            operators = list(range(number, number + count))
            number += count
            for n in operators:
                files[n] = {code: pdf(f"Deadline Coworking {n}: {code}") for code in DOCUMENTS}
            results.append(run_level(name, concurrency, operators, files, args.port, gunicorn.pid, worker.pid))
        _drain_queue()
        if args.request_log:
            log.flush()
            _print_views(workdir / "server.log")
        checked = subprocess.run(
            [python, __file__, "--verify"], env=env, check=True, cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        return {"levels": results, "verify": json.loads(checked.stdout.strip().splitlines()[-1])}
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if profiling:
            _print_profile(profiling, args.profile_top)
        shutil.rmtree(workdir, ignore_errors=True)
        redis_flush()


def _print_views(path: Path) -> None:
    """Per view, from the request log (subsidy/request_log.py): requests, mean queries, mean ms and
    mean database ms. Where the CPU goes, page by page."""
    views: dict[str, list[dict]] = collections.defaultdict(list)
    for line in path.read_text().splitlines():
        if line.startswith("{") and '"sahulat.requests"' in line:
            record = json.loads(line)
            views[f"{record['method']} {record['view']}"].append(record)
    print(f"\n  {'view (request log)':58} {'count':>6} {'queries':>8} {'ms':>7} {'db ms':>7}")
    for view, records in sorted(views.items(), key=lambda item: -sum(r["ms"] for r in item[1])):
        n = len(records)
        print(
            f"  {view:58} {n:>6} {sum(r['queries'] for r in records) / n:>8.1f} "
            f"{sum(r['ms'] for r in records) / n:>7.1f} {sum(r['db_ms'] for r in records) / n:>7.1f}"
        )


def _print_profile(directory: Path, top: int) -> None:
    """The workers' cProfile files (bench/gunicorn_profile.py), merged per step: the requests' CPU under
    the profiler (which roughly doubles it: compare steps with each other, not with the CPU above), and
    the functions with the most time of their own and the most time beneath them."""
    import pstats

    steps: dict[str, dict] = {}
    for key_file in sorted(directory.glob("*.key")):
        key, count, cpu = key_file.read_text().splitlines()
        step = steps.setdefault(key, {"count": 0, "cpu": 0.0, "files": []})
        step["count"] += int(count)
        step["cpu"] += float(cpu)
        step["files"].append(str(key_file.with_suffix(".prof")))
    if not steps:
        print(f"\n  no profiles in {directory}")
        return
    total = sum(step["cpu"] for step in steps.values())
    print(f"\n  Profiled CPU by step ({directory}; pstats files kept there):")
    print(f"  {'step':58} {'count':>6} {'ms each':>8} {'share':>6}")
    for key, step in sorted(steps.items(), key=lambda item: -item[1]["cpu"]):
        print(f"  {key:58} {step['count']:>6} {step['cpu'] / step['count'] * 1000:>8.1f} {step['cpu'] / total:>6.0%}")
    everything = pstats.Stats(*[f for step in steps.values() for f in step["files"]], stream=sys.stdout)
    for order in ("tottime", "cumulative"):
        print(f"\n  All steps, top {top} functions by {order}:")
        everything.sort_stats(order).print_stats(top)


def redis_flush() -> None:
    import redis

    redis.Redis.from_url("redis://127.0.0.1:6379/13").flushdb()


def _drain_queue(timeout: float = 120) -> None:
    """Wait for the worker to finish what the journeys queued (emails, SMS): part of their cost."""
    import redis

    client = redis.Redis.from_url("redis://127.0.0.1:6379/13")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sum(client.llen(q) for q in ("celery", "notifications", "reports")) == 0:
            time.sleep(2)  # the task in hand
            return
        time.sleep(0.5)


def _warm_up(port: int, workers: int) -> None:
    """Each gunicorn worker loads its code, templates and translations on its first requests: not what
    is measured. Sign the steward in and read a few pages, several times per worker."""
    timings: dict[str, list[float]] = collections.defaultdict(list)
    for n in range(workers * 3):
        person = Operator(port, WARM_UP + n, timings, collections.Counter())
        page = person.get("warm-up", "/accounts/login/")
        person.post(
            "warm-up", "/accounts/login/", {"username": "steward@load.example.pk", "password": PASSWORD}, page=page
        )
        person.get("warm-up", "/")


def _wait_ready(port: int) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not become ready in 90 s")


def run_level(
    profile: str, concurrency: int, numbers: list[int], files: dict, port: int, gunicorn: int, worker: int
) -> dict:
    timings: dict[str, list[float]] = collections.defaultdict(list)
    errors: collections.Counter = collections.Counter()
    failures: list[str] = []
    done: list[str] = []
    queue = list(numbers)
    lock = threading.Lock()
    requests = [0]

    def run() -> None:
        while True:
            with lock:
                if not queue:
                    return
                number = queue.pop(0)
            operator = Operator(port, number, timings, errors)
            try:
                ref = journey(operator, files[number])
                with lock:
                    done.append(ref)
            except Refused as error:
                with lock:
                    failures.append(str(error))
            with lock:
                requests[0] += operator.requests

    _drain_queue()
    cpu_before = cpu_now(gunicorn, worker)
    started = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    _drain_queue()
    cpu_after = cpu_now(gunicorn, worker)
    cpu = {key: cpu_after[key] - cpu_before[key] for key in cpu_before}
    journeys = max(len(done), 1)
    level = {
        "profile": profile,
        "concurrency": concurrency,
        "journeys": len(done),
        "failed": len(failures),
        "failures": failures[:3],
        "requests": requests[0],
        "seconds": seconds,
        "per_minute": len(done) / seconds * 60,
        "cpu_per_journey": {key: value / journeys for key, value in cpu.items()},
        "steps": {step: _stats(values, errors[step]) for step, values in timings.items()},
        "all": _stats([v for values in timings.values() for v in values], sum(errors.values())),
    }
    _print_level(level)
    return level


def _stats(values: list[float], errors: int) -> dict:
    values = sorted(values)

    def pct(p: float) -> float:
        return values[min(len(values) - 1, int(p * len(values)))] * 1000 if values else 0.0

    return {"count": len(values), "p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99), "errors": errors}


def _print_level(level: dict) -> None:
    cpu = level["cpu_per_journey"]
    print(
        f"\n[{level['profile']}] {level['concurrency']} concurrent operators: {level['journeys']} journeys "
        f"({level['failed']} failed), {level['requests']} requests in {level['seconds']:.0f} s, "
        f"{level['per_minute']:.1f} submissions a minute"
    )
    print(
        f"  server CPU per journey: {sum(cpu.values()):.2f} s (gunicorn {cpu['gunicorn']:.2f}, "
        f"PostgreSQL {cpu['postgresql']:.2f}, Celery {cpu['celery']:.2f}, Redis {cpu['redis']:.2f})"
    )
    for failure in level["failures"]:
        print(f"  failure: {failure}")
    print(f"  {'step':34} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for step, s in sorted(level["steps"].items(), key=lambda item: -item[1]["p95"]):
        print(f"  {step:34} {s['count']:>6} {s['p50']:>8.0f} {s['p95']:>8.0f} {s['p99']:>8.0f} {s['errors']:>6}")
    s = level["all"]
    print(f"  {'all requests':34} {s['count']:>6} {s['p50']:>8.0f} {s['p95']:>8.0f} {s['p99']:>8.0f} {s['errors']:>6}")


def summary(results: dict[str, dict]) -> None:
    print("\nSummary (per profile and concurrency)")
    print(
        f"{'profile':8} {'conc.':>5} {'journeys':>8} {'failed':>6} {'subm./min':>9} {'CPU s/journey':>13} "
        f"{'sign-in p95 ms':>14} {'all p95 ms':>10}"
    )
    for name, result in results.items():
        for level in result["levels"]:
            sign_in = level["steps"].get("sign-in", {}).get("p95", 0.0)
            print(
                f"{name:8} {level['concurrency']:>5} {level['journeys']:>8} {level['failed']:>6} "
                f"{level['per_minute']:>9.1f} {sum(level['cpu_per_journey'].values()):>13.2f} {sign_in:>14.0f} "
                f"{level['all']['p95']:>10.0f}"
            )
        v = result["verify"]
        lost = v["missing_documents"] or v["unaudited"] or v["untold"] or not v["chain_ok"]
        print(
            f"  [{name}] nothing lost: {'NO' if lost else 'yes'}: {v['submitted']} submitted, {v['drafts']} drafts, "
            f"{v['audit_events']} audit events, chain {'verified' if v['chain_ok'] else 'BROKEN'}"
            + (
                f"; missing documents {v['missing_documents']}, unaudited {v['unaudited']}, untold {v['untold']}"
                if lost
                else ""
            )
        )
    print(f"\nmachine: {os.cpu_count()} CPUs; load average now {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--operators", type=int, default=240, help="operators seeded per profile (each submits once)")
    parser.add_argument("--concurrency", default="5,10", help="concurrent operators, comma-separated levels")
    parser.add_argument("--journeys", type=int, default=0, help="journeys per level (default: operators / levels)")
    parser.add_argument("--profiles", default="before,after", help="before, after or both")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=8077)
    parser.add_argument("--request-log", action="store_true", help="per view: queries and ms, from the request log")
    parser.add_argument("--profile", metavar="DIR", help="cProfile the journey in gunicorn; pstats in DIR")
    parser.add_argument("--profile-top", type=int, default=40, help="functions listed per ordering with --profile")
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--verify", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed is not None:
        seed(args.seed)
        return
    if args.verify:
        verify()
        return
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/sahulat"
    args.concurrency = [int(item) for item in args.concurrency.split(",")]
    results = {}
    for name in args.profiles.split(","):
        print(f"\nProfile {name}: {PROFILES[name]}", flush=True)
        results[name] = run_profile(name, args)
    summary(results)


if __name__ == "__main__":
    main()
