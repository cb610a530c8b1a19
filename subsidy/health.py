"""What the load balancer and the monitoring ask of each web process (issue #23).

- `GET /healthz`: the process is up and serving (no database, no broker): 200 "ok".
- `GET /readyz`: this process can do its work: the database answers `SELECT 1` and, when a broker is
  configured, Redis answers PING. 200 with each check's result, or 503 naming the one that failed, so
  the load balancer takes the node out of rotation while its database or broker is unreachable.
- `GET /metrics`: Prometheus's text format (django-prometheus: requests, latencies by view, responses
  by status, database errors; and the Celery queues' lengths), only with
  `Authorization: Bearer <METRICS_TOKEN>`; without METRICS_TOKEN set, it does not exist (404).

The middleware sits first, before host validation, the HTTPS redirect and the language prefix: a probe
sent to the node's own address over plain HTTP gets its answer, and nothing else does.
"""

import contextlib
import hmac
import json
import os
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse

PROBES = ("/healthz", "/readyz", "/metrics")


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _broker() -> str:
    url = settings.CELERY_BROKER_URL
    if not url:
        return "eager"  # the embedded default: tasks run in the web process
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


CHECKS: dict[str, Callable[[], str]] = {"database": _database, "broker": _broker}


def readiness() -> tuple[bool, dict[str, str]]:
    results: dict[str, str] = {}
    ready = True
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as error:  # noqa: BLE001 - any failure means "not ready", named in the answer
            results[name] = f"error: {type(error).__name__}"
            ready = False
    return ready, results


def queue_lengths() -> dict[str, int]:
    """Messages waiting in each Celery queue (Redis lists named as the queues); empty when eager."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return {}
    import redis

    names = {settings.CELERY_TASK_DEFAULT_QUEUE, settings.CELERY_NOTIFICATIONS_QUEUE, settings.CELERY_REPORTS_QUEUE}
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        return {name: int(client.llen(name)) for name in sorted(names)}
    finally:
        client.close()


class QueueCollector:
    """A Prometheus collector reading the queues' lengths at each scrape."""

    def describe(self) -> Iterator[object]:
        from prometheus_client.core import GaugeMetricFamily

        yield GaugeMetricFamily("sahulat_celery_queue_length", "Tasks waiting in a Celery queue", labels=["queue"])

    def collect(self) -> Iterator[object]:
        from prometheus_client.core import GaugeMetricFamily

        gauge = GaugeMetricFamily("sahulat_celery_queue_length", "Tasks waiting in a Celery queue", labels=["queue"])
        try:
            lengths = queue_lengths()
        except Exception:  # noqa: BLE001 - an unreachable broker shows as a missing series, not a failed scrape
            lengths = {}
        for name, length in lengths.items():
            gauge.add_metric([name], length)
        yield gauge


def _metrics(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if not token:
        return HttpResponse(status=404)
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return HttpResponse(status=401, headers={"WWW-Authenticate": "Bearer"})
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
    from prometheus_client import REGISTRY as registry

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Several gunicorn workers: each writes its figures to the directory; the scrape sums them.
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(QueueCollector())  # type: ignore[arg-type]
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def _answer(request: HttpRequest) -> HttpResponse:
    if request.path == "/healthz":
        return HttpResponse("ok\n", content_type="text/plain")
    if request.path == "/readyz":
        ready, results = readiness()
        return HttpResponse(
            json.dumps({"ready": ready, **results}), status=200 if ready else 503, content_type="application/json"
        )
    return _metrics(request)


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import REGISTRY

            # Registered once per process (a second instance of the middleware finds it there).
            with contextlib.suppress(ValueError):
                REGISTRY.register(QueueCollector())  # type: ignore[arg-type]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path in PROBES and request.method in ("GET", "HEAD"):
            response = _answer(request)
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)
