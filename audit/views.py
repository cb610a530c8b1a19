"""The chain's head in public: anyone may save it and later check the chain against it."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .services import audit_head


@require_GET
@never_cache
def audit_head_json(request):
    """The current head (last event id, count, hash, time) as one JSON object: the shape of one line
    of AUDIT_HEAD_FILE, so saved copies can be given to `manage.py verify_audit --against`."""
    response = JsonResponse(audit_head())
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return response
