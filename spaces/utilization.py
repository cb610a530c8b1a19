"""Monthly utilization returns: the rules a return must meet and the services that file them.

An operator's staff file one return per space per calendar month, by the portal form or by uploading
the Excel template (spaces/utilization_excel.py reads it; nothing here knows about spreadsheets). A
month that is already filed is replaced only when the caller says so (`replace=True`): the person saw
the existing return and confirmed.
"""

import calendar
import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import workflow
from spaces.events import RegistryEvent

from .models import UTILIZATION_BOUNDS, UTILIZATION_FIGURES, Operator, Space, UtilizationReturn

# Spaces that may file: an applicant has no members yet and an exited space no longer reports.
FILING_STATUSES = (Space.NetworkStatus.ACTIVE, Space.NetworkStatus.SUSPENDED)


class UtilizationError(Exception):
    """A business rule refused the return; the message is safe to show the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UtilizationAlreadyFiled(UtilizationError):
    """The month is filed already and the caller did not confirm replacing it."""

    def __init__(self, message: str, existing: list[UtilizationReturn]):
        super().__init__(message)
        self.existing = existing


# --- months ---------------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def last_closed_month(today: dt.date | None = None) -> dt.date:
    """The most recent month that has ended: the one a return is due for now."""
    return add_months(month_start(today or timezone.localdate()), -1)


def parse_month(text: str) -> dt.date | None:
    """'2025-09' (or '2025-09-01') to 1 September 2025; None when it is not a month."""
    try:
        year, month = str(text).strip()[:7].split("-")
        return dt.date(int(year), int(month), 1)
    except (ValueError, TypeError):
        return None


def month_label(month: dt.date) -> str:
    return date_format(month, "F Y")


def days_in(month: dt.date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def recent_months(count: int = 24, today: dt.date | None = None) -> list[dt.date]:
    """The last `count` closed months, newest first (what a month picker offers)."""
    last = last_closed_month(today)
    return [add_months(last, -i) for i in range(count)]


# --- rules ----------------------------------------------------------------------------------------


def field_label(name: str) -> str:
    return str(UtilizationReturn._meta.get_field(name).verbose_name)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def month_problem(space: Space, month: dt.date, today: dt.date | None = None) -> str | None:
    """Why a return for this space and month cannot be filed, or None."""
    if month.day != 1:
        return _("A return is for a whole month.")
    if month > last_closed_month(today):
        return _("%(month)s has not ended yet: a return is filed after the month ends.") % {"month": month_label(month)}
    if month < month_start(space.opening_date):
        return _("%(space)s opened in %(opened)s, after %(month)s.") % {
            "space": space.name,
            "opened": month_label(month_start(space.opening_date)),
            "month": month_label(month),
        }
    if space.network_status not in FILING_STATUSES:
        return _("%(space)s is not active in the network (%(status)s): it files no returns.") % {
            "space": space.name,
            "status": space.get_network_status_display(),
        }
    return None


def figure_problems(figures: dict[str, Any], month: dt.date) -> dict[str, str]:
    """The business rules of a return's figures, as {field: message}. Figures are whole numbers ≥ 0
    already (the form or the spreadsheet reader checks the type); these rules relate them."""
    problems: dict[str, str] = {}
    for name in UTILIZATION_FIGURES:
        value = figures.get(name)
        if value is None:
            problems[name] = _("Enter %(field)s.") % {"field": field_label(name)}
        elif value < 0:
            problems[name] = _("%(field)s cannot be negative (%(value)s).") % {
                "field": _sentence(field_label(name)),
                "value": value,
            }
    if problems:
        return problems
    for part, whole in (*UTILIZATION_BOUNDS, ("freelancers", "members"), ("startups", "members")):
        if figures[part] > figures[whole]:
            problems[part] = _("%(part)s (%(p)s) is more than %(whole)s (%(w)s).") % {
                "part": _sentence(field_label(part)),
                "p": figures[part],
                "whole": field_label(whole),
                "w": figures[whole],
            }
    ceiling = figures["seats_offered"] * days_in(month)
    if "seat_days_available" not in problems and figures["seat_days_available"] > ceiling:
        problems["seat_days_available"] = _(
            "Seat-days available (%(value)s) is more than seats offered × days in %(month)s (%(ceiling)s)."
        ) % {"value": figures["seat_days_available"], "month": month_label(month), "ceiling": ceiling}
    return problems


# The constraints of UtilizationReturn (spaces/models.py Meta.constraints) that the services below
# already enforce before they save, so `full_clean` need not ask the database about each one again
# (a query and a savepoint per constraint per return). The database still enforces all of them on
# write as the backstop.
_CHECKED_BEFORE_SAVE = frozenset(
    {
        # _file_locked reads the month's return under the space's row lock and replaces it in place
        # (or refuses); it inserts only when there is none, and an upload names each space once.
        "utilization_one_return_per_space_month",
        # figure_problems refuses a missing or negative figure (so does the field's own
        # MinValueValidator(0), which full_clean still runs).
        *(f"utilization_{name}_gte_0" for name in UTILIZATION_FIGURES),
        # figure_problems refuses a part above its whole, for every pair of UTILIZATION_BOUNDS (the
        # figures are stored as int(), which keeps part <= whole).
        *(f"utilization_{part}_bounded" for part, _whole in UTILIZATION_BOUNDS),
    }
)
# A constraint added to the model and not to the set above is validated by full_clean again, for
# every return, until its check is added here.
_SKIP_CONSTRAINT_VALIDATION = {c.name for c in UtilizationReturn._meta.constraints} <= _CHECKED_BEFORE_SAVE


def _require_member(actor, operator: Operator) -> None:
    if not operator.members.filter(pk=actor.pk).exists():
        raise PermissionDenied(_("Only the company's own staff file its returns."))


def _file_locked(*, actor, space: Space, month: dt.date, figures: dict[str, int], replace: bool) -> UtilizationReturn:
    """Write one return; the caller holds the space's row lock inside its transaction."""
    existing = UtilizationReturn.objects.select_for_update().filter(space=space, month=month).first()
    if existing is not None and not replace:
        raise UtilizationAlreadyFiled(
            _("%(space)s has already filed its return for %(month)s.")
            % {"space": space.name, "month": month_label(month)},
            [existing],
        )
    before = {name: getattr(existing, name) for name in UTILIZATION_FIGURES} if existing else None
    record = existing or UtilizationReturn(space=space, month=month)
    for name in UTILIZATION_FIGURES:
        setattr(record, name, int(figures[name]))
    record.filed_by = actor
    record.filed_at = timezone.now()
    # The callers ran figure_problems on these figures; see _CHECKED_BEFORE_SAVE.
    record.full_clean(validate_unique=False, validate_constraints=not _SKIP_CONSTRAINT_VALIDATION)
    record.save()
    workflow.record(
        actor=actor,
        event=RegistryEvent.UTILIZATION_REPLACE if existing else RegistryEvent.UTILIZATION_FILE,
        obj=record,
        data={
            "space": space.code,
            "month": month.strftime("%Y-%m"),
            "figures": {name: int(figures[name]) for name in UTILIZATION_FIGURES},
            **({"previous": before} if before else {}),
        },
    )
    return record


def utilization_return_file(
    *, actor, space: Space, month: dt.date, figures: dict[str, int], replace: bool = False
) -> UtilizationReturn:
    """File (or, with replace=True, replace) one space's return for one month.

    Before: the actor is a member of the space's company; the month has ended and is not before the
    space opened; the figures meet `figure_problems`. After: exactly one return for the space and
    month, and an audit event (`utilization.file` or `utilization.replace` with the previous figures).
    Raises ValidationError {field: message}, UtilizationError, or UtilizationAlreadyFiled.
    """
    month = month_start(month)
    with transaction.atomic():
        # The space's row lock serialises two filings of the same month (the unique constraint backs it).
        space = Space.objects.select_for_update().select_related("operator").get(pk=space.pk)
        _require_member(actor, space.operator)
        problem = month_problem(space, month)
        if problem:
            raise UtilizationError(problem)
        problems = figure_problems(figures, month)
        if problems:
            raise ValidationError(problems)
        return _file_locked(actor=actor, space=space, month=month, figures=figures, replace=replace)


def utilization_import_apply(
    *, actor, operator: Operator, month: dt.date, rows: Iterable[dict[str, Any]], replace: bool = False
) -> list[UtilizationReturn]:
    """File the returns of an uploaded template: all of them or none.

    `rows` are {"space_code": ..., <figures>} as the spreadsheet reader produced them after a clean
    preview; every rule is checked again here, because time passed between preview and confirmation.
    Before: the actor is a member of the operator; every space belongs to it. After: one return per
    row, each audited; when any of those months was filed already and replace is False, nothing is
    written and UtilizationAlreadyFiled lists them.
    """
    month = month_start(month)
    rows = list(rows)
    with transaction.atomic():
        operator = Operator.objects.select_for_update().get(pk=operator.pk)
        _require_member(actor, operator)
        codes = [row["space_code"] for row in rows]
        if len(set(codes)) != len(codes):
            raise UtilizationError(_("The upload names a space twice."))
        spaces = {s.code: s for s in Space.objects.select_for_update().filter(operator=operator, code__in=codes)}
        unknown = sorted(set(codes) - set(spaces))
        if unknown:
            raise UtilizationError(
                _("These spaces do not belong to %(company)s: %(codes)s.")
                % {"company": operator.legal_name, "codes": ", ".join(unknown)}
            )
        for row in rows:
            space = spaces[row["space_code"]]
            problem = month_problem(space, month)
            if problem:
                raise UtilizationError(problem)
            problems = figure_problems(row, month)
            if problems:
                raise ValidationError(
                    [f"{space.code}: {message}" for message in problems.values()]  # named per space
                )
        existing = list(
            UtilizationReturn.objects.filter(space__in=spaces.values(), month=month).select_related("space")
        )
        if existing and not replace:
            raise UtilizationAlreadyFiled(
                _("Returns for %(month)s are already filed for: %(spaces)s.")
                % {"month": month_label(month), "spaces": ", ".join(r.space.code for r in existing)},
                existing,
            )
        return [
            _file_locked(actor=actor, space=spaces[row["space_code"]], month=month, figures=row, replace=replace)
            for row in rows
        ]
