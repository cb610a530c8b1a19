"""The OpenAPI schema: valid OpenAPI 3, every endpoint of /api/v1/ in it, scopes on each; the
documentation page served from our static files under the Content-Security-Policy."""

import pytest
import yaml
from django.urls import URLPattern, get_resolver
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

# Served by django-oauth-toolkit (OAuth's own format, RFC 6749) or describing the API itself.
NOT_IN_SCHEMA = {"oauth/token/", "oauth/revoke/", "schema/", "docs/", "problems/"}


def api_routes() -> set[str]:
    """Every route of api/urls.py, as OpenAPI writes paths ({reference})."""
    resolver = get_resolver("api.urls")
    routes = set()
    for pattern in resolver.url_patterns:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern)
        if route.startswith("^"):
            continue  # the catch-all 404 problem
        routes.add(route.replace("<str:reference>", "{reference}"))
    return routes


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_the_schema_is_valid_openapi_and_lists_every_endpoint(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.")
    paths = {path.removeprefix("/api/v1/") for path in schema["paths"]}
    assert paths == api_routes() - NOT_IN_SCHEMA
    # The Wagtail admin's own REST views are not the API.
    assert all(path.startswith("/api/v1/") for path in schema["paths"])


def test_each_operation_names_its_scope_and_its_problems(schema):
    flows = schema["components"]["securitySchemes"]["oauth2"]["flows"]
    assert flows["clientCredentials"]["tokenUrl"] == "/api/v1/oauth/token/"
    assert set(flows["clientCredentials"]["scopes"]) == {"reports:read", "bank:payments", "bank:collections"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            scopes = {scope for requirement in operation["security"] for scope in requirement.get("oauth2", [])}
            expected = (
                "bank:collections" if "collections" in path else "bank:payments" if "/bank/" in path else "reports:read"
            )
            assert scopes == {expected}, (method, path)
            assert {"401", "403"} <= set(operation["responses"]), (method, path)
            if method == "post":
                assert "Idempotency-Key" in {p["name"] for p in operation["parameters"]}
                assert {"400", "404", "409", "422"} <= set(operation["responses"])
    payment = schema["components"]["schemas"]["Payment"]["properties"]
    assert payment["amount"]["type"] == "string" and payment["amount"]["format"] == "decimal"
    assert payment["paid_at"]["format"] == "date-time"


def test_the_documentation_page_uses_our_static_files_and_no_inline_script(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower() and "<style" not in page
    assert "<script>" not in page  # every script has a src
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "/api/v1/schema/" in script.content.decode()


def test_problem_types_are_listed(client):
    listed = client.get("/api/v1/problems/").json()["problems"]
    assert {"type": "/api/v1/problems/state-conflict", "status": 409} in [
        {"type": p["type"], "status": p["status"]} for p in listed
    ]
