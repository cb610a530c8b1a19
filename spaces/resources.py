"""Bulk import and export of the registry (operators and spaces) for data stewards.

The Django admin runs these through django-import-export: a dry run shows a preview with every bad
row and the column at fault, and the confirm step is only offered when no row is bad. The import runs
in one transaction, so nothing is written unless every row is good.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from core.spreadsheet import is_formula_like

from .models import Operator, Space


class RegistryResource(resources.ModelResource):
    """Every column is required, formula-like cells are refused, and models are fully validated."""

    def before_import(self, dataset, **kwargs):
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
                errors[key] = _("Column %(col)s holds a formula (%(value)s); only plain values are accepted.") % {
                    "col": column,
                    "value": str(value)[:40],
                }
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
