"""Errors as RFC 9457 problem details (`application/problem+json`): every 4xx the API answers.

    {"type": "/api/v1/problems/invalid-fields", "title": "Some fields are not valid", "status": 400,
     "detail": "...", "instance": "/api/v1/bank/payments/SHL-…/outcome/",
     "errors": {"amount": ["Ensure that there are no more than 2 decimal places."]}}

`type` names one entry of PROBLEMS (listed at /api/v1/problems/); `title` and `detail` are in the
language of the request's Accept-Language (English or Urdu); `errors` maps each field at fault to its
messages (nested fields with dots: `lines.0.amount`). The services have rolled their transaction back
by the time a problem is answered: nothing is written on any error.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from core.errors import DomainError, InvalidTransition, PermissionDenied, ValidationFailed

from .errors import IdempotencyKeyMissing, IdempotencyKeyReused, UnknownReference

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "/api/v1/problems/"


@dataclass(frozen=True)
class Problem:
    slug: str
    status: int
    title: str | Promise


PROBLEMS = {
    p.slug: p
    for p in [
        Problem("malformed-body", 400, _("The body is not valid JSON")),
        Problem("invalid-fields", 400, _("Some fields are not valid")),
        Problem("idempotency-key-missing", 400, _("An Idempotency-Key header is needed")),
        Problem("not-authenticated", 401, _("A valid bearer token is needed")),
        Problem("missing-scope", 403, _("The token does not carry the scope this needs")),
        Problem("not-permitted", 403, _("This client may not do this")),
        Problem("not-found", 404, _("Not found")),
        Problem("method-not-allowed", 405, _("This method is not allowed here")),
        Problem("not-acceptable", 406, _("This response format cannot be given")),
        Problem("state-conflict", 409, _("The record's state does not allow this change")),
        Problem("unsupported-media-type", 415, _("Send the body as application/json")),
        Problem("rule-refused", 422, _("The change breaks a rule")),
        Problem("idempotency-key-reused", 422, _("This Idempotency-Key belongs to another request")),
        Problem("throttled", 429, _("Too many requests from this client")),
    ]
}


def problem_response(
    slug: str,
    *,
    detail: Any = "",
    errors: dict[str, list[str]] | None = None,
    instance: str = "",
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    problem = PROBLEMS[slug]
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + problem.slug,
        "title": str(problem.title),
        "status": problem.status,
        "detail": str(detail or problem.title),
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    body.update(extra or {})
    return Response(body, status=problem.status, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """REST framework's nested error detail as {"field": [...], "lines.0.amount": [...]}; errors not
    about one field are under "" (the body as a whole)."""
    result: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "__all__") else str(key)
            for field, messages in flatten_errors(
                value, f"{prefix}.{name}" if prefix and name else prefix or name
            ).items():
                result.setdefault(field, []).extend(messages)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            result.setdefault(prefix, []).extend(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                if item:
                    for field, messages in flatten_errors(item, f"{prefix}.{index}" if prefix else str(index)).items():
                        result.setdefault(field, []).extend(messages)
    elif detail not in (None, ""):
        result.setdefault(prefix, []).append(str(detail))
    return result


def _domain_problem(exc: DomainError) -> str:
    if isinstance(exc, UnknownReference):
        return "not-found"
    if isinstance(exc, IdempotencyKeyMissing):
        return "idempotency-key-missing"
    if isinstance(exc, IdempotencyKeyReused):
        return "idempotency-key-reused"
    if isinstance(exc, InvalidTransition):
        return "state-conflict"
    if isinstance(exc, PermissionDenied):
        return "not-permitted"
    if isinstance(exc, ValidationFailed):
        return "rule-refused"
    return "rule-refused"


def _api_problem(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ParseError):
        return "malformed-body"
    if isinstance(exc, exceptions.ValidationError):
        return "invalid-fields"
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return "not-authenticated" if getattr(exc, "auth_header", None) else "not-permitted"
    if isinstance(exc, exceptions.PermissionDenied):
        return "missing-scope" if getattr(exc, "missing_scopes", None) else "not-permitted"
    return {
        status.HTTP_404_NOT_FOUND: "not-found",
        status.HTTP_405_METHOD_NOT_ALLOWED: "method-not-allowed",
        status.HTTP_406_NOT_ACCEPTABLE: "not-acceptable",
        status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "unsupported-media-type",
        status.HTTP_429_TOO_MANY_REQUESTS: "throttled",
    }.get(exc.status_code, "invalid-fields")


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST framework's exception handler for the API's views: a problem for every refusal, None (a
    500, logged) for anything else."""
    request = context.get("request")
    instance = request.path if request is not None else ""
    if isinstance(exc, DomainError):
        errors = {field: [str(m) for m in messages] for field, messages in exc.field_errors.items()}
        return problem_response(_domain_problem(exc), detail=exc.message, errors=errors, instance=instance)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    slug = _api_problem(exc)
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    extra: dict[str, Any] = {}
    if getattr(exc, "missing_scopes", None):
        extra["required_scopes"] = list(exc.missing_scopes)
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        detail = " ".join(
            f"{field}: {' '.join(messages)}" if field else " ".join(messages) for field, messages in errors.items()
        )
        return problem_response(slug, detail=detail, errors=errors, instance=instance, headers=headers)
    message: Any = exc.detail if isinstance(exc.detail, str) else PROBLEMS[slug].title
    if slug == "malformed-body":
        message = _("The body could not be read as JSON: %(reason)s") % {"reason": exc.detail}
    return problem_response(slug, detail=message, instance=instance, headers=headers, extra=extra)
