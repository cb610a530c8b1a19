"""Who may call what: the scope × endpoint matrix (no token 401, a token without the scope 403, with
it 200), clients registered only by a superuser or a data steward with their secret shown once and
kept hashed, revoked clients shut out, and a throttle per client."""

import pytest
from django.test import override_settings
from oauth2_provider.models import AccessToken, Application

from accounts import roles
from api import services
from api.errors import PermissionDenied, ValidationFailed
from api.models import ApiClient
from audit.models import AuditEvent
from tests.factories import UserFactory

from .conftest import SCOPES, Api, register, token_for

pytestmark = pytest.mark.django_db

# Every GET endpoint and the scope it needs; a cell not listed is refused.
ENDPOINTS = {
    "/api/v1/programs/": "reports:read",
    "/api/v1/calls/": "reports:read",
    "/api/v1/awards/": "reports:read",
    "/api/v1/payments/": "reports:read",
    "/api/v1/utilization-returns/": "reports:read",
    "/api/v1/loan-positions/": "reports:read",
    "/api/v1/spaces/": "reports:read",
    "/api/v1/bank/batches/": "bank:payments",
}
POSTS = {
    "/api/v1/bank/payments/SHL-NONE-1/outcome/": "bank:payments",
    "/api/v1/bank/collections/": "bank:collections",
}


@pytest.fixture
def tokens(client, steward):
    result = {}
    for scope in SCOPES:
        api_client, secret = register(steward, f"client-{scope.replace(':', '-')}", [scope])
        result[scope] = token_for(client, api_client, secret)
    return result


def test_scope_by_endpoint_matrix(client, tokens):
    for path, needed in ENDPOINTS.items():
        response = client.get(path)
        assert response.status_code == 401, path
        assert response["Content-Type"] == "application/problem+json"
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert client.get(path, HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401
        for scope, token in tokens.items():
            response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
            expected = 200 if scope == needed else 403
            assert response.status_code == expected, (path, scope, response.content)
            if expected == 403:
                problem = response.json()
                assert problem["type"] == "/api/v1/problems/missing-scope"
                assert problem["required_scopes"] == [needed]
    for path, needed in POSTS.items():
        assert client.post(path, "{}", content_type="application/json").status_code == 401
        for scope, token in tokens.items():
            response = client.post(
                path,
                "{}",
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
                HTTP_IDEMPOTENCY_KEY="k",
            )
            # With the scope the request gets past access and is refused for its empty body (400).
            assert response.status_code == (400 if scope == needed else 403), (path, scope, response.content)


def test_a_token_asks_for_a_scope_its_client_does_not_hold_and_gets_none(client, steward):
    api_client, secret = register(steward, "ministry", ["reports:read"])
    basic = __import__("base64").b64encode(f"{api_client.application.client_id}:{secret}".encode()).decode()
    response = client.post(
        "/api/v1/oauth/token/",
        {"grant_type": "client_credentials", "scope": "bank:payments"},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_scope"
    wrong = __import__("base64").b64encode(f"{api_client.application.client_id}:wrong".encode()).decode()
    assert (
        client.post(
            "/api/v1/oauth/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {wrong}"
        ).status_code
        == 401
    )
    raw = token_for(client, api_client, secret)
    token = AccessToken.objects.get(application=api_client.application)
    assert token.scope == "reports:read"
    assert raw not in token.token  # stored as a checksum only (RFC 9700)
    assert (token.expires - token.created).total_seconds() <= 900 + 1


def test_only_a_superuser_or_a_data_steward_registers_and_the_secret_is_kept_hashed(steward):
    for role in (roles.FINANCE_CHECKER, roles.PROGRAM_OFFICER, roles.MINISTRY_VIEWER):
        with pytest.raises(PermissionDenied):
            services.api_client_register(
                name=f"x-{role}".replace("_", "-"), scopes=["reports:read"], actor=UserFactory(roles=[role])
            )
    admin = UserFactory(is_superuser=True, is_staff=True)
    api_client, secret = services.api_client_register(name="ministry", scopes=["reports:read"], actor=admin)
    stored = Application.objects.get(pk=api_client.application_id).client_secret
    assert secret not in stored and stored.count("$") >= 2  # a password hash, never the secret
    account = api_client.account
    assert not account.has_usable_password() and str(account) == "api-client:ministry"
    assert not account.has_role(roles.BANK_CLIENT)
    bank, _secret = services.api_client_register(name="hbl", scopes=["bank:payments"], actor=steward)
    assert bank.account.has_role(roles.BANK_CLIENT)
    event = AuditEvent.objects.get(action="api.client_register", object_id=str(bank.pk))
    assert event.actor == steward and event.data["scopes"] == ["bank:payments"]
    with pytest.raises(ValidationFailed) as refused:
        services.api_client_register(name="Not a name!", scopes=["bank:everything"], actor=steward)
    assert set(refused.value.field_errors) == {"name", "scopes"}


def test_the_admin_shows_the_secret_once(client, steward):
    client.force_login(steward)
    response = client.post(
        "/django-admin/api/apiclient/add/",
        {"name": "pitb-data-office", "description": "PITB", "scopes": ["reports:read"], "throttle_rate": ""},
    )
    assert response.status_code == 200
    registered = ApiClient.objects.get(name="pitb-data-office")
    secret = response.context["secret"]
    assert secret in response.content.decode() and "no-store" in response["Cache-Control"]
    token_for(client, registered, secret)
    page = client.get(f"/django-admin/api/apiclient/{registered.pk}/change/").content.decode()
    assert registered.application.client_id in page and secret not in page


def test_a_revoked_client_is_shut_out_at_once(client, steward):
    api_client, secret = register(steward, "ministry", ["reports:read"])
    api = Api(client, token_for(client, api_client, secret))
    assert api.get("/api/v1/programs/").status_code == 200
    services.api_client_revoke(client=api_client, actor=steward)
    assert api.get("/api/v1/programs/").status_code == 401
    basic = __import__("base64").b64encode(f"{api_client.application.client_id}:{secret}".encode()).decode()
    assert (
        client.post(
            "/api/v1/oauth/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
        ).status_code
        == 401
    )


@override_settings(API_CLIENT_THROTTLE_RATE="3/minute")
def test_each_client_has_its_own_throttle(client, steward):
    first, first_secret = register(steward, "first", ["reports:read"])
    second, second_secret = register(steward, "second", ["reports:read"], throttle_rate="5/minute")
    one = Api(client, token_for(client, first, first_secret))
    two = Api(client, token_for(client, second, second_secret))
    assert [one.get("/api/v1/programs/").status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = one.get("/api/v1/programs/")
    assert refused.json()["type"] == "/api/v1/problems/throttled" and int(refused["Retry-After"]) > 0
    # The other client's bucket is its own, at its own rate.
    assert [two.get("/api/v1/programs/").status_code for _ in range(6)] == [200] * 5 + [429]
