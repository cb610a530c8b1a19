"""Bulk import and export of the registry (operators and spaces) for data stewards.

The Django admin runs these through django-import-export: a dry run shows a preview with every bad
row and the column at fault, and the confirm step is only offered when no row is bad. The import runs
in one transaction, so nothing is written unless every row is good.

Rows are written through spaces.services (operator_create/operator_update, space_create/space_update),
exactly as the portal and the admin write: audited, and an identity or bank change sends a verified
company back for verification and tells its people. A file is refused as a whole when it is over
REGISTRY_IMPORT_MAX_BYTES or REGISTRY_IMPORT_MAX_ROWS, or names one company (NTN) or one space
(code) twice. Every exported cell passes core.spreadsheet.escape_cell.
"""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.widgets import ForeignKeyWidget

from core.spreadsheet import escape_cell, is_formula_like

from . import services
from .models import Operator, Space
from .validators import formula_refused, normalize_ntn


def registry_file_too_big(size: int) -> str:
    """The refusal for a file over REGISTRY_IMPORT_MAX_BYTES, or "" when it is small enough."""
    limit = settings.REGISTRY_IMPORT_MAX_BYTES
    if size > limit:
        return _(
            "This file is %(size)s KB; a registry import takes at most %(limit)s KB. Split it into smaller files."
        ) % {"size": f"{-(-size // 1024):,}", "limit": f"{limit // 1024:,}"}
    return ""


class WholeNumberWidget(widgets.IntegerWidget):
    """A count is a whole number: 12.5 seats is refused, not stored as 12."""

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(_("A whole number is needed here, not %(value)s.") % {"value": str(value)[:40]}) from None
        if number != number.to_integral_value():
            raise ValueError(_("A whole number is needed here, not %(value)s.") % {"value": str(value)[:40]})
        return super().clean(value, row=row, **kwargs)


class RegistryResource(resources.ModelResource):
    """Every column is required, formula-like cells are refused, and models are fully validated."""

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        widget = super().widget_from_django_field(f, default=default)
        if isinstance(widget, type) and issubclass(widget, widgets.IntegerWidget):
            return WholeNumberWidget
        return widget

    def export_field(self, field, instance, **kwargs):
        # One escaping function for every cell (core.spreadsheet): "==HYPERLINK(...)", "@SUM(1)" and
        # "-1+1" become text; import-export's own setting strips one leading "=" only.
        return escape_cell(super().export_field(field, instance, **kwargs))

    def _import_key(self, value) -> str:
        return str(value or "").strip().upper()

    def _check_size_and_duplicates(self, dataset) -> None:
        limit = settings.REGISTRY_IMPORT_MAX_ROWS
        if len(dataset) > limit:
            raise ValueError(
                _(
                    "This file has %(rows)s rows; a registry import takes at most %(limit)s. "
                    "Split it into smaller files."
                )
                % {"rows": f"{len(dataset):,}", "limit": f"{limit:,}"}
            )
        (id_field,) = self._meta.import_id_fields
        column = self.fields[id_field].column_name
        seen: dict[str, int] = {}
        for number, value in enumerate(dataset[column], start=1):
            key = self._import_key(value)
            if not key:
                continue
            if key in seen:
                raise ValueError(
                    _(
                        "Rows %(first)s and %(second)s both have %(column)s %(value)s. A file names each once: "
                        "remove one of the two rows."
                    )
                    % {"first": seen[key], "second": number, "column": column, "value": key[:40]}
                )
            seen[key] = number

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        # A background import (spaces.import_jobs) passes a callable that records how far it got.
        progress = kwargs.get("registry_progress")
        if progress is not None:
            progress(kwargs["row_number"])
        return row_result

    def save_instance(self, instance, is_create, row, **kwargs):
        self.before_save_instance(instance, row, **kwargs)
        saved = self.write(instance, is_create, actor=kwargs.get("user"))
        instance.pk = saved.pk
        self.after_save_instance(instance, row, **kwargs)

    def write(self, instance, is_create, *, actor):
        raise NotImplementedError

    def before_import(self, dataset, **kwargs):
        try:
            self._check_file(dataset)
        except ValueError:
            # import-export goes on to the rows after a failed before_import; a refused file has none.
            del dataset[:]
            raise

    def _check_file(self, dataset):
        expected = [f.column_name for f in self.get_import_fields()]
        headers = [str(h).strip() for h in (dataset.headers or [])]
        missing = [c for c in expected if c not in headers]
        unknown = [h for h in headers if h not in expected]
        problems = []
        if missing:
            problems.append(_("missing columns: %(cols)s") % {"cols": ", ".join(missing)})
        if unknown:
            problems.append(_("unknown columns: %(cols)s") % {"cols": ", ".join(unknown)})
        if problems:
            raise ValueError(
                _(
                    "This file does not follow the %(model)s template (%(problems)s). "
                    "Export the current list to get the template."
                )
                % {"model": self._meta.model._meta.verbose_name_plural, "problems": "; ".join(problems)}
            )
        dataset.headers = headers
        self._check_size_and_duplicates(dataset)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # Widgets raise decimal.InvalidOperation for "twenty" in a number column; turn it into a
        # named error on that column instead of an anonymous failed row.
        try:
            return super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)
        except (ArithmeticError, TypeError):
            raise ValueError(
                _("Column %(col)s must hold a number; it holds %(value)s.")
                % {"col": field.column_name, "value": str(row.get(field.column_name))[:40]}
            ) from None

    def before_import_row(self, row, **kwargs):
        # A cell such as =HYPERLINK(...) is a formula-injection attempt or a copying mistake: refuse it
        # by name rather than storing text that a later export would hand to a spreadsheet.
        errors = {}
        for column, value in row.items():
            if is_formula_like(value):
                field = self.fields.get(column)
                key = field.attribute if field is not None and field.attribute else column
                errors[key] = formula_refused(value)
        if errors:
            raise ValidationError(errors)


class OperatorByNTNWidget(ForeignKeyWidget):
    """Finds a space's operator by NTN, and says so plainly when there is none."""

    def __init__(self):
        super().__init__(Operator, field="ntn")

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row=row, **kwargs)
        except Operator.DoesNotExist:
            raise ValueError(
                _("No operator with NTN %(ntn)s is registered: import or register the operator first.") % {"ntn": value}
            ) from None


class OperatorResource(RegistryResource):
    def _import_key(self, value) -> str:
        try:
            return normalize_ntn(str(value or ""))
        except ValidationError:
            return super()._import_key(value)

    def write(self, instance, is_create, *, actor):
        details = {name: getattr(instance, name) for name in services.OPERATOR_EDITABLE_FIELDS}
        if is_create:
            return services.operator_create(actor=actor, details=details)
        return services.operator_update(actor=actor, operator=instance, details=details)

    class Meta:
        model = Operator
        import_id_fields = ("ntn",)
        fields = (
            "ntn",
            "legal_name",
            "legal_form",
            "secp_registration_number",
            "pseb_registration_number",
            "principal_name",
            "principal_cnic",
            "contact_email",
            "contact_mobile",
            "bank_account_title",
            "iban",
            "registered_address",
        )
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


class SpaceResource(RegistryResource):
    operator = fields.Field(column_name="operator_ntn", attribute="operator", widget=OperatorByNTNWidget())

    def write(self, instance, is_create, *, actor):
        details = {name: getattr(instance, name) for name in services.SPACE_STEWARD_FIELDS}
        if is_create:
            return services.space_create(actor=actor, operator=instance.operator, details=details)
        registered = Space.objects.select_related("operator").get(pk=instance.pk)
        if registered.operator_id != instance.operator_id:
            raise ValueError(
                _("Space %(code)s belongs to %(company)s; an import does not move a space to another company.")
                % {"code": registered.code, "company": registered.operator}
            )
        return services.space_update(actor=actor, space=instance, details=details)

    class Meta:
        model = Space
        import_id_fields = ("code",)
        fields = (
            "code",
            "operator",
            "name",
            "address",
            "division",
            "district",
            "postal_code",
            "latitude",
            "longitude",
            "seats_offered",
            "private_offices",
            "meeting_rooms",
            "internet_bandwidth_mbps",
            "power_backup",
            "opening_date",
            "network_status",
        )
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


# The resource of each kind of registry import job (spaces.models.RegistryImportJob.Kind).
RESOURCES: dict[str, type[RegistryResource]] = {"operators": OperatorResource, "spaces": SpaceResource}


def import_problems(result, *, limit: int = 20) -> tuple[int, str]:
    """The rows an import refused and why, for a person: (how many rows, one line per problem)."""
    lines = [str(error.error) for error in result.base_errors]
    bad_rows = 0
    for number, errors in result.row_errors():
        bad_rows += 1
        lines.extend(_("Row %(row)s: %(error)s") % {"row": number, "error": error.error} for error in errors)
    for invalid in result.invalid_rows:
        bad_rows += 1
        for field, messages in invalid.error_dict.items():
            column = field if field != NON_FIELD_ERRORS else ""
            for message in messages:
                if column:
                    lines.append(
                        _("Row %(row)d, column %(col)s: %(message)s")
                        % {"row": invalid.number, "col": column, "message": message}
                    )
                else:
                    lines.append(_("Row %(row)s: %(error)s") % {"row": invalid.number, "error": message})
    if len(lines) > limit:
        more = len(lines) - limit
        lines = [*lines[:limit], _("… and %(count)s more.") % {"count": f"{more:,}"}]
    return bad_rows, "\n".join(lines)
