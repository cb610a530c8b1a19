"""The HTTP API for machine clients (issue #21): Django REST framework, OpenAPI 3 (drf-spectacular) and
OAuth 2.0 client credentials (django-oauth-toolkit). Imported by base.py; everything here is the API's.

REST framework's defaults are left alone on purpose (Wagtail's admin API is a REST framework view that
authenticates with the session): the API's authentication, permission, throttle, parser, renderer and
error handler are set on its own views (api/views/base.py), never globally.
"""

import os

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Amounts are decimal strings ("1250000.00"), never floats; times ISO 8601 with their offset.
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
}

# Scopes a client may hold. A token carries the scopes asked for (all the client's when none are asked).
# The labels are translated where they are shown (the admin's registration form); OAuth and the schema
# take them in English (settings load before translations can).
API_SCOPES = {
    "reports:read": "Read programs, calls, awards, payments, utilization returns, loan positions and spaces",
    "bank:payments": "Read sent payment batches and report each payment's outcome",
    "bank:collections": "Post loan repayments the bank collected",
}

# django-oauth-toolkit's application model, named so the API client's migration can point at it.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "SCOPES": dict(API_SCOPES),
    "DEFAULT_SCOPES": [],
    # A client's tokens carry only the scopes its registration gives it (api/scopes.py).
    "SCOPES_BACKEND_CLASS": "api.scopes.ClientScopes",
    # Short-lived bearer tokens: a client asks for a new one when it expires (client credentials issue
    # no refresh token).
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(os.environ.get("API_TOKEN_SECONDS", "900")),
    # Secrets are stored hashed (Application.hash_client_secret) and shown once at registration.
    "CLIENT_SECRET_HASHER": "default",
    "ERROR_RESPONSE_WITH_SCOPES": True,
    # RFC 9700 (the OAuth 2.0 security best practice), every recommendation taken: only client
    # credentials are used, tokens travel only in the Authorization header and are stored as
    # checksums (never the usable value), no implicit or password grant, no plain PKCE, https only.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}

# Requests per client (each OAuth application has its own bucket, whatever address it calls from).
# A client's registration may set its own rate (ApiClient.throttle_rate). Counted in Django's cache:
# the default in-process cache counts per worker process; give production a shared cache for one count.
API_CLIENT_THROTTLE_RATE = os.environ.get("API_CLIENT_THROTTLE_RATE", "600/minute")
# Page sizes of the list endpoints (cursor pagination).
API_PAGE_SIZE = int(os.environ.get("API_PAGE_SIZE", "100"))
API_MAX_PAGE_SIZE = int(os.environ.get("API_MAX_PAGE_SIZE", "1000"))
# Loan repayments one collection post may carry (the collection file's own cap is COLLECTION_MAX_ROWS).
API_MAX_COLLECTION_LINES = int(os.environ.get("API_MAX_COLLECTION_LINES", "500"))

SPECTACULAR_SETTINGS = {
    "TITLE": "Sahulat API",
    "DESCRIPTION": (
        "Machine access to Sahulat for the ministry's systems and the banks. OAuth 2.0 client credentials "
        "(POST /api/v1/oauth/token/); errors are RFC 9457 problem details; every POST takes an "
        "Idempotency-Key header."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Only /api/v1/ is the API (Wagtail's admin has REST views of its own).
    "PREPROCESSING_HOOKS": ["api.schema.only_api_endpoints"],
    # The documentation page's JavaScript and CSS come from our static files (no CDN), so the
    # Content-Security-Policy holds.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "OAUTH2_FLOWS": ["clientCredentials"],
    "OAUTH2_TOKEN_URL": "/api/v1/oauth/token/",
    "OAUTH2_SCOPES": dict(API_SCOPES),
    "ENUM_NAME_OVERRIDES": {
        "PaymentStateEnum": "finance.models.PaymentState",
        "BatchStateEnum": "finance.models.PaymentBatch.State",
        "LoanStateEnum": "loans.models.LoanState",
    },
}
