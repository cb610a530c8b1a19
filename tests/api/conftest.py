"""Shared set-up for the API tests: clients registered through api.services by a data steward, tokens
got from the real token endpoint, and payments and loans walked through the services as people would
(the grants, finance and loans tests' helpers)."""

import base64
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import translation

from accounts import roles
from api import services
from tests.factories import UserFactory
from tests.finance.conftest import sent_payment
from tests.grants.factories import CallFactory, GrantProgramFactory, LoanProgramFactory, OperatorFactory, SpaceFactory

SCOPES = ["reports:read", "bank:payments", "bank:collections"]


@pytest.fixture(autouse=True)
def _english_and_fresh_throttle():
    """Messages in English unless a test asks; every test starts with empty throttle buckets."""
    cache.clear()
    with translation.override("en"):
        yield
    cache.clear()


@pytest.fixture
def operator_user(db):
    return UserFactory(roles=[roles.OPERATOR], email="ayesha@indus.example.pk")


@pytest.fixture
def operator(operator_user):
    return OperatorFactory(members=[operator_user], legal_name="Indus Hub Coworking (Pvt.) Ltd.")


@pytest.fixture
def space(operator):
    return SpaceFactory(operator=operator, code="LHR-001", name="Indus Lahore Hub")


@pytest.fixture
def officer(db):
    return UserFactory(roles=[roles.PROGRAM_OFFICER], email="officer@pitb.example.pk", full_name="Hamza Iqbal")


@pytest.fixture
def chair(db):
    return UserFactory(roles=[roles.BOARD_CHAIR], email="chair@pitb.example.pk")


@pytest.fixture
def grant_call(db):
    return CallFactory(program=GrantProgramFactory(code="GR", name="Growth Grant", slug="growth-grant"))


@pytest.fixture
def loan_call(db):
    return CallFactory(program=LoanProgramFactory(code="SL", name="Soft Loan", slug="soft-loan"))


@pytest.fixture
def steward(db):
    return UserFactory(roles=[roles.DATA_STEWARD], email="steward@pitb.example.pk", full_name="Ali Raza", is_staff=True)


@pytest.fixture
def maker(db):
    return UserFactory(roles=[roles.FINANCE_MAKER], email="maker@finance.example.pk", full_name="Usman Tariq")


@pytest.fixture
def checker(db):
    return UserFactory(roles=[roles.FINANCE_CHECKER], email="checker@finance.example.pk", full_name="Nadia Hussain")


def register(steward, name, scopes, **kwargs):
    client, secret = services.api_client_register(name=name, scopes=scopes, actor=steward, **kwargs)
    return client, secret


def token_for(http, client, secret, scope=None) -> str:
    basic = base64.b64encode(f"{client.application.client_id}:{secret}".encode()).decode()
    data = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    response = http.post("/api/v1/oauth/token/", data, HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


class Api:
    """A machine client of the API: a bearer token, JSON bodies, an Idempotency-Key when given."""

    def __init__(self, http, token):
        self.http = http
        self.token = token

    def headers(self, key=None, **extra):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.token}", **extra}
        if key is not None:
            headers["HTTP_IDEMPOTENCY_KEY"] = key
        return headers

    def get(self, path, **extra):
        return self.http.get(path, **self.headers(**extra))

    def post(self, path, body, key=None, raw=False, **extra):
        import json

        data = body if raw else json.dumps(body)
        return self.http.post(path, data, content_type="application/json", **self.headers(key, **extra))


@pytest.fixture
def reports(client, steward):
    api_client, secret = register(steward, "ministry-dashboard", ["reports:read"])
    return Api(client, token_for(client, api_client, secret))


@pytest.fixture
def bank_client(steward):
    return register(steward, "hbl-payments", ["bank:payments"])


@pytest.fixture
def bank(client, bank_client):
    api_client, secret = bank_client
    return Api(client, token_for(client, api_client, secret))


@pytest.fixture
def collections_client(client, steward):
    api_client, secret = register(steward, "hbl-collections", ["bank:collections"])
    return Api(client, token_for(client, api_client, secret))


@pytest.fixture
def sent(space, operator, officer, maker, checker):
    """A payment of PKR 1,250,000.00 in a batch finance marked sent."""
    return sent_payment(space, operator, officer, maker, checker, amount=Decimal("1250000.00"))
