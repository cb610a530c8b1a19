"""Shared set-up for the notification tests: the SMS outbox emptied for each test, and a fake SMS
gateway (http.server on 127.0.0.1, an ephemeral port) that records what it is sent and answers as told."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from notifications import sms


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


class FakeGateway:
    """`answers` is consumed one per request: an HTTP status, or "slow" (answer after `delay` seconds);
    when it runs out every request gets `default`."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list = []
        self.default = 200
        self.delay = 1.0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                gateway.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
                answer = gateway.answers.pop(0) if gateway.answers else gateway.default
                if answer == "slow":
                    time.sleep(gateway.delay)
                    answer = 200
                payload = json.dumps({"id": f"gw-{len(gateway.requests)}"}).encode()
                try:
                    self.send_response(answer)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings):
    """The HTTP gateway backend pointed at a fake gateway. Eager tasks retry in place only when they do
    not propagate their errors (Celery's eager apply), as a worker on a broker would retry them later."""
    from subsidy.celery import app

    propagates = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    with FakeGateway() as fake:
        settings.SMS_BACKEND = "notifications.sms.HttpGatewayBackend"
        settings.SMS_GATEWAY_URL = fake.url
        settings.SMS_GATEWAY_KEY = "test-key"
        settings.SMS_SENDER_ID = "SAHULAT"
        settings.SMS_GATEWAY_TIMEOUT = 0.3
        try:
            yield fake
        finally:
            app.conf.task_eager_propagates = propagates
