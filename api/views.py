"""The API's endpoints (/api/v1/). Views parse, ask one selector or service, answer; every refusal is a
problem (api/problems.py).

Lists page with a cursor (`?cursor=…&page_size=…`, at most API_MAX_PAGE_SIZE) in ascending id order,
and carry an ETag: send it back as If-None-Match and an unchanged page answers 304 with no body.
"""

import codecs
import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions, generics
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import filters, problems, selectors, serializers, services
from .access import ClientHasScope, ClientRateThrottle, OAuth2Authentication, StableCursorPagination, client_of
from .schema import READ_PROBLEMS, WRITE_PROBLEMS

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="A unique value per change (a UUID). The same key with the same body answers the first "
    "response again (already_applied: true) and changes nothing; with another body it is refused (422).",
)


class DecimalJSONParser(JSONParser):
    """JSON with its numbers with a fraction read as Decimal (never float), NaN and Infinity refused."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            decoded = codecs.getreader(encoding)(stream)
            return json.load(decoded, parse_float=Decimal, parse_constant=_refuse_constant)
        except ValueError as error:
            raise exceptions.ParseError(str(error)) from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


class ClientView(APIView):
    """What every endpoint shares: bearer tokens, scopes, the client's throttle, JSON, problems."""

    authentication_classes = [OAuth2Authentication]
    permission_classes = [ClientHasScope]
    throttle_classes = [ClientRateThrottle]
    parser_classes = [DecimalJSONParser]
    renderer_classes = [JSONRenderer]
    required_scopes: list[str] = []

    def get_exception_handler(self) -> Any:
        return problems.exception_handler

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # Problems' titles and details in the language of Accept-Language (English or Urdu): the site's
        # unprefixed addresses are otherwise always English (i18n_patterns, prefix_default_language=False).
        with translation.override(request_language(request)):
            response = super().dispatch(request, *args, **kwargs)
            response["Content-Language"] = translation.get_language()
            return response


def request_language(request: HttpRequest) -> str:
    header = request.headers.get("Accept-Language", "")
    for part in header.split(","):
        code = part.split(";")[0].strip().lower()
        if not code:
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def etag_response(request: Request, data: Any) -> HttpResponse:
    """The JSON body with a strong ETag; 304 when the client's If-None-Match holds it."""
    body = JSONRenderer().render(data)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    wanted = [tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")]
    if etag in wanted or "*" in wanted:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


class ListView(ClientView, generics.ListAPIView):
    pagination_class = StableCursorPagination
    filter_backends = [DjangoFilterBackend]
    required_scopes = ["reports:read"]

    def serialize(self, page: list[Any]) -> Any:
        return self.get_serializer(page, many=True).data

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        paginator = self.paginator
        assert paginator is not None and page is not None  # noqa: S101 - every list pages
        return etag_response(request, paginator.get_paginated_response(self.serialize(page)).data)


@extend_schema_view(
    get=extend_schema(
        summary="Programs", tags=["reports"], responses={200: serializers.ProgramSerializer(many=True), **READ_PROBLEMS}
    )
)
class ProgramList(ListView):
    serializer_class = serializers.ProgramSerializer
    filterset_class = filters.ProgramFilter

    def get_queryset(self) -> Any:
        return selectors.programs()


@extend_schema_view(
    get=extend_schema(
        summary="Calls for applications",
        tags=["reports"],
        responses={200: serializers.CallSerializer(many=True), **READ_PROBLEMS},
    )
)
class CallList(ListView):
    serializer_class = serializers.CallSerializer
    filterset_class = filters.CallFilter

    def get_queryset(self) -> Any:
        return selectors.calls()


@extend_schema_view(
    get=extend_schema(
        summary="Awards (the 360Giving export's fields)",
        tags=["reports"],
        responses={200: serializers.AwardSerializer(many=True), **READ_PROBLEMS},
    )
)
class AwardList(ListView):
    serializer_class = serializers.AwardSerializer
    filterset_class = filters.AwardFilter

    def get_queryset(self) -> Any:
        return selectors.awards()


@extend_schema_view(
    get=extend_schema(
        summary="Payments", tags=["reports"], responses={200: serializers.PaymentSerializer(many=True), **READ_PROBLEMS}
    )
)
class PaymentList(ListView):
    serializer_class = serializers.PaymentSerializer
    filterset_class = filters.PaymentFilter

    def get_queryset(self) -> Any:
        return selectors.payments()


@extend_schema_view(
    get=extend_schema(
        summary="Monthly utilization returns",
        tags=["reports"],
        responses={200: serializers.UtilizationReturnSerializer(many=True), **READ_PROBLEMS},
    )
)
class UtilizationReturnList(ListView):
    serializer_class = serializers.UtilizationReturnSerializer
    filterset_class = filters.UtilizationReturnFilter

    def get_queryset(self) -> Any:
        return selectors.utilization_returns()


@extend_schema_view(
    get=extend_schema(
        summary="Spaces", tags=["reports"], responses={200: serializers.SpaceSerializer(many=True), **READ_PROBLEMS}
    )
)
class SpaceList(ListView):
    serializer_class = serializers.SpaceSerializer
    filterset_class = filters.SpaceFilter

    def get_queryset(self) -> Any:
        return selectors.spaces()


@extend_schema_view(
    get=extend_schema(
        summary="Loan positions on a day",
        tags=["reports"],
        parameters=[
            OpenApiParameter(
                "as_of", OpenApiTypes.DATE, description="The day of the positions (ISO 8601); default today."
            )
        ],
        responses={200: serializers.LoanPositionSerializer(many=True), **READ_PROBLEMS},
    )
)
class LoanPositionList(ListView):
    serializer_class = serializers.LoanPositionSerializer
    filterset_class = filters.LoanPositionFilter

    def as_of(self) -> dt.date:
        text = self.request.query_params.get("as_of", "")
        if not text:
            return timezone.localdate()
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise exceptions.ValidationError({"as_of": [_("Write the day as 2026-12-31.")]}) from None

    def get_queryset(self) -> Any:
        return selectors.loans(self.as_of())

    def serialize(self, page: list[Any]) -> Any:
        as_of = self.as_of()
        context = {**self.get_serializer_context(), "as_of": as_of, "positions": selectors.loan_positions(page, as_of)}
        return serializers.LoanPositionSerializer(page, many=True, context=context).data


# --- the bank ---------------------------------------------------------------------------------------


def _with_totals(queryset: Any) -> Any:
    live = ~Q(payments__state="cancelled")
    return queryset.annotate(payment_count=Count("payments", filter=live), total=Sum("payments__amount", filter=live))


@extend_schema_view(
    get=extend_schema(
        summary="Payment batches sent to the bank",
        tags=["bank"],
        responses={200: serializers.BankBatchSerializer(many=True), **READ_PROBLEMS},
    )
)
class BankBatchList(ListView):
    required_scopes = ["bank:payments"]
    serializer_class = serializers.BankBatchSerializer
    filterset_class = filters.BatchFilter

    def get_queryset(self) -> Any:
        return _with_totals(selectors.bank_batches())


class BankBatchDetail(ClientView):
    required_scopes = ["bank:payments"]

    @extend_schema(
        summary="A sent batch's payment instructions",
        tags=["bank"],
        responses={200: serializers.BankBatchDetailSerializer, 404: WRITE_PROBLEMS[404], **READ_PROBLEMS},
    )
    def get(self, request: Request, reference: str) -> HttpResponse:
        batch = _with_totals(selectors.bank_batches()).filter(reference=reference).first()
        if batch is None:
            raise exceptions.NotFound(_("No batch sent to the bank has the reference %(ref)s.") % {"ref": reference})
        payments = selectors.bank_batch_payments(batch)
        data = serializers.BankBatchDetailSerializer(batch, context={"payments": payments}).data
        return etag_response(request, data)


class PaymentOutcome(ClientView):
    required_scopes = ["bank:payments"]

    @extend_schema(
        summary="Report a payment's outcome: paid (value date, bank reference) or returned (reason)",
        tags=["bank"],
        parameters=[IDEMPOTENCY_HEADER],
        request=serializers.PaymentOutcomeSerializer,
        responses={200: serializers.PaymentOutcomeResultSerializer, **WRITE_PROBLEMS},
    )
    def post(self, request: Request, reference: str) -> Response:
        client = client_of(request)
        key = services.idempotency.clean_key(request.headers.get("Idempotency-Key"))
        form = serializers.PaymentOutcomeSerializer(data=request.data)
        form.is_valid(raise_exception=True)

        def apply(key: str) -> tuple[int, dict[str, Any]]:
            result = services.bank_payment_outcome(client=client, reference=reference, key=key, **form.validated_data)
            body = serializers.PaymentOutcomeResultSerializer({**result, "already_applied": False}).data
            return 200, dict(body)

        replay = services.idempotent(
            client=client,
            key=key,
            method=request.method or "POST",
            path=request.path,
            payload=request.data,
            apply=apply,
        )
        return _replay_response(replay)


class CollectionsPost(ClientView):
    required_scopes = ["bank:collections"]

    @extend_schema(
        summary="Post repayments the bank collected (all lines or none)",
        tags=["bank"],
        parameters=[IDEMPOTENCY_HEADER],
        request=serializers.CollectionPostSerializer,
        responses={201: serializers.CollectionResultSerializer, **WRITE_PROBLEMS},
    )
    def post(self, request: Request) -> Response:
        client = client_of(request)
        key = services.idempotency.clean_key(request.headers.get("Idempotency-Key"))
        form = serializers.CollectionPostSerializer(data=request.data)
        form.is_valid(raise_exception=True)

        def apply(key: str) -> tuple[int, dict[str, Any]]:
            result = services.bank_collections_post(client=client, lines=form.validated_data["lines"], key=key)
            return 201, dict(serializers.CollectionResultSerializer({**result, "already_applied": False}).data)

        replay = services.idempotent(
            client=client,
            key=key,
            method=request.method or "POST",
            path=request.path,
            payload=request.data,
            apply=apply,
        )
        return _replay_response(replay)


def _replay_response(replay: services.Replay) -> Response:
    headers = {"Idempotent-Replayed": "true"} if replay.replayed else {}
    return Response(replay.body, status=replay.status, headers=headers)


# --- documentation and the rest ---------------------------------------------------------------------


class SchemaView(SpectacularAPIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from our static files (drf-spectacular-sidecar); its start-up script is a separate
    request, so the page runs under the Content-Security-Policy without inline script or style."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    template_name = "api/swagger_ui.html"


def problem_types(request: HttpRequest) -> JsonResponse:
    """The problems the API answers, each `type` with its status and title."""
    with translation.override(request_language(request)):
        return _problem_types()


def _problem_types() -> JsonResponse:
    return JsonResponse(
        {
            "problems": [
                {"type": problems.TYPE_PREFIX + p.slug, "status": p.status, "title": str(p.title)}
                for p in problems.PROBLEMS.values()
            ]
        }
    )


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any other address under /api/v1/: a problem, not the site's HTML page."""
    with translation.override(request_language(request)):
        return _not_found(request)


def _not_found(request: HttpRequest) -> HttpResponse:
    problem = problems.PROBLEMS["not-found"]
    body = {
        "type": problems.TYPE_PREFIX + problem.slug,
        "title": str(problem.title),
        "status": 404,
        "detail": _("The API has no endpoint at %(path)s.") % {"path": request.path},
        "instance": request.path,
    }
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=404, content_type=problems.PROBLEM_CONTENT_TYPE)
