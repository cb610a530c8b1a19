"""Helpers the grants views share: refusals shown on forms or as messages, and the role-checking decorators.

The page modules import from here; this module imports none of them."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404
from django.shortcuts import redirect

from accounts import roles

from ..errors import PermissionDenied
from ..forms import (
    filled_rows,
)
from ..models import (
    Application,
)
from ..selectors import (
    application_detail,
)

# --- helpers ---------------------------------------------------------------------------------------


def show_refusal(form, error) -> None:
    """Put a service's refusal on a form: each message next to the field it names, the rest above."""
    placed = []
    for field, field_messages in error.field_errors.items():
        form.add_error(field if field in form.fields else None, list(field_messages))
        placed.extend(field_messages)
    for message in error.messages:
        if message not in placed:
            form.add_error(None, message)


def rows_refusal(formset, error, prefix: str) -> list[dict]:
    """A service's refusal of a list of rows: messages for `lines-3` go on the third filled row.
    Returns the error summary's entries ({text, anchor})."""
    rows = filled_rows(formset)
    summary = []
    for key, field_messages in error.field_errors.items():
        anchor = ""
        number = key.removeprefix(f"{prefix}-")
        if number.isdigit() and 0 < int(number) <= len(rows):
            row = rows[int(number) - 1]
            row.add_error(None, list(field_messages))
            anchor = f"row-{row.prefix}"
        summary += [{"text": message, "anchor": anchor} for message in field_messages]
    placed = {str(entry["text"]) for entry in summary}
    summary += [{"text": message, "anchor": ""} for message in error.messages if str(message) not in placed]
    return summary


def formset_summary(formset) -> list[dict]:
    """Shape errors of a formset (e.g. a date that is not a date) as error summary entries."""
    summary = [{"text": error, "anchor": ""} for error in formset.non_form_errors()]
    for form in formset.forms:
        for field, errors in form.errors.items():
            anchor = f"id_{form.prefix}-{field}" if field != "__all__" else f"row-{form.prefix}"
            summary += [{"text": error, "anchor": anchor} for error in errors]
    return summary


def workbench_view(view):
    """Signed in, with the program officer role; everyone else gets 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.has_role(roles.PROGRAM_OFFICER):
            raise Forbidden
        return view(request, *args, **kwargs)

    return wrapped


def role_view(*allowed):
    """Signed in with one of the roles; everyone else gets 403."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(request.user.has_role(role) for role in allowed):
                raise Forbidden
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


reviewer_view = role_view(roles.BOARD_REVIEWER)
chair_view = role_view(roles.BOARD_CHAIR)
officer_view = role_view(roles.PROGRAM_OFFICER)


def _refused(request, error, to):
    if isinstance(error, PermissionDenied):
        raise Forbidden(error.message)
    for message in error.messages:
        messages.error(request, message)
    return redirect(to)


def _officer_application(request, reference) -> Application:
    try:
        return application_detail(user=request.user, reference=reference).application
    except Application.DoesNotExist:
        raise Http404 from None
