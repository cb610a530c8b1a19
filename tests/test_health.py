"""Issue #23: what the load balancer and the monitoring ask of each web process: /healthz, /readyz and
/metrics, answered before host validation and the HTTPS redirect; and one structured log line per request."""

import json
import logging

import pytest
from django.test import override_settings

from subsidy import health

pytestmark = pytest.mark.django_db


def test_healthz_answers_for_any_host_over_plain_http(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["sahulat.punjab.gov.pk"]

    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Cache-Control"] == "no-store"


def test_other_paths_still_refuse_an_unknown_host(client, settings):
    settings.ALLOWED_HOSTS = ["sahulat.punjab.gov.pk"]

    assert client.get("/", HTTP_HOST="10.0.0.7:8000").status_code == 400


def test_readyz_checks_the_database_and_says_the_broker_is_eager_in_the_embedded_setup(client, settings):
    settings.CELERY_BROKER_URL = ""

    response = client.get("/readyz")

    assert response.status_code == 200
    assert json.loads(response.content) == {"ready": True, "database": "ok", "broker": "eager"}


def test_readyz_is_503_naming_an_unreachable_broker(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get("/readyz")

    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["ready"] is False and body["database"] == "ok"
    assert body["broker"].startswith("error: ")


def test_readyz_is_503_naming_a_failing_database(client, monkeypatch):
    def broken() -> str:
        raise ConnectionError("refused")

    monkeypatch.setitem(health.CHECKS, "database", broken)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert json.loads(response.content)["database"] == "error: ConnectionError"


def test_metrics_do_not_exist_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""

    assert client.get("/metrics").status_code == 404


def test_metrics_need_the_bearer_token(client, settings):
    settings.METRICS_TOKEN = "scrape-me-0123456789"

    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401


def test_metrics_count_requests_by_view_and_show_queue_lengths(client, settings):
    settings.METRICS_TOKEN = "scrape-me-0123456789"
    client.get("/")

    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-me-0123456789")

    assert response.status_code == 200
    text = response.content.decode()
    assert "django_http_requests_latency_seconds_by_view_method" in text
    assert "django_http_responses_total_by_status_total" in text
    assert "# TYPE sahulat_celery_queue_length gauge" in text


@pytest.mark.celery_worker
def test_queue_lengths_are_read_from_redis(settings):
    import redis

    from tests.reporting.test_celery_worker import BROKER, _redis_reachable

    if not _redis_reachable():
        pytest.skip(f"Redis is not reachable at {BROKER}; set CELERY_TEST_BROKER_URL (CI starts Redis)")
    settings.CELERY_BROKER_URL = BROKER
    settings.CELERY_REPORTS_QUEUE = "test-health-reports"
    client = redis.Redis.from_url(BROKER)
    client.delete("test-health-reports")
    client.rpush("test-health-reports", "a", "b")
    try:
        assert health.queue_lengths()["test-health-reports"] == 2
    finally:
        client.delete("test-health-reports")


def test_each_request_is_logged_with_its_timings_and_never_its_query_string(caplog):
    from django.test import Client

    with override_settings(REQUEST_LOG=True):
        client = Client()  # a new handler, so the middleware is built with the log on
        with caplog.at_level(logging.INFO, logger="sahulat.requests"):
            client.get("/?q=35202-1234567-1")

    record = next(r for r in caplog.records if r.name == "sahulat.requests")
    assert (record.method, record.path, record.status) == ("GET", "/", 200)
    assert record.ms > 0 and record.queries >= 1 and record.db_ms >= 0
    assert "35202" not in record.getMessage() and "35202" not in record.path


def test_the_json_formatter_writes_the_request_fields():
    from pythonjsonlogger.json import JsonFormatter

    record = logging.LogRecord("sahulat.requests", logging.INFO, __file__, 1, "GET / 200", None, None)
    record.status, record.ms, record.queries = 200, 12.5, 7
    line = json.loads(JsonFormatter("%(levelname)s %(name)s %(message)s").format(record))

    assert (line["status"], line["ms"], line["queries"], line["name"]) == (200, 12.5, 7, "sahulat.requests")
