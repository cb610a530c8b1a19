"""OpenAPI: only the API's own endpoints are documented (the Wagtail admin's REST views are not the API),
and every endpoint lists the problems it may answer."""

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

PREFIX = "/api/v1/"


def only_api_endpoints(endpoints: list[tuple[Any, ...]], **kwargs: Any) -> list[tuple[Any, ...]]:
    """drf-spectacular's preprocessing hook (SPECTACULAR_SETTINGS["PREPROCESSING_HOOKS"])."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(PREFIX)]


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, served as application/problem+json."""

    type = serializers.CharField(help_text="A URI reference naming the kind of problem (see /api/v1/problems/).")
    title = serializers.CharField(help_text="The kind of problem, in the request's language.")
    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="What went wrong this time, in the request's language.")
    instance = serializers.CharField(required=False)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text='Messages per field at fault ("lines.0.amount"); "" for the body as a whole.',
    )
    required_scopes = serializers.ListField(child=serializers.CharField(), required=False)


def problem(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ProblemSerializer, description=description)


READ_PROBLEMS = {
    400: problem("A query parameter is not valid"),
    401: problem("No valid bearer token"),
    403: problem("The token lacks the scope"),
    429: problem("Too many requests from this client"),
}
WRITE_PROBLEMS = {
    **READ_PROBLEMS,
    400: problem("Malformed JSON, a field of the wrong type, a negative or over-precise amount, no Idempotency-Key"),
    404: problem("Unknown reference"),
    409: problem("The record's state does not allow the change (or it was already made under another key)"),
    422: problem("A rule refuses the change, or the Idempotency-Key was used for another request"),
}
