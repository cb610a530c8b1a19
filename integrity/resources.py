"""Bulk import and export of who visits, for data stewards (issue #15 A): departments, their visit
purposes and the officials of departments and associations.

They follow the registry's rules (spaces/resources.py, whose base class they share): every column is
required, a formula-like cell is refused by name, a file over REGISTRY_IMPORT_MAX_BYTES or
REGISTRY_IMPORT_MAX_ROWS or naming one row twice is refused as a whole, the whole file imports in one
transaction, and every exported cell passes core.spreadsheet.escape_cell. Rows are written through
integrity.services.registry, audited like the admin's saves; an official named by a new email gets an
account without a usable password (they set one through the password reset) and their role.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, widgets

from spaces.resources import OperatorByNTNWidget, RegistryResource

from .models import Association, AssociationMembership, Department, Official, VisitPurpose
from .services import registry


class CodeWidget(widgets.ForeignKeyWidget):
    """Finds a department or an association by its short name, and says so plainly when there is none."""

    def __init__(self, model: Any):
        super().__init__(model, field="code")

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if value is None or not str(value).strip():
            return None
        try:
            return super().clean(str(value).strip(), row=row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(
                _("No %(kind)s has the short name %(code)s: import it first.")
                % {"kind": self.model._meta.verbose_name, "code": str(value)[:40]}
            ) from None


class EmailWidget(widgets.CharWidget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        return str(value or "").strip().lower()


class AccountField(fields.Field):
    """A column about the official's account (email, full name): exported from the account, and on
    import handed to the service (which finds or makes the account) instead of set on the official."""

    def save(self, instance: Any, row: Any, is_m2m: bool = False, **kwargs: Any) -> None:
        instance._import_account = getattr(instance, "_import_account", {})
        instance._import_account[self.column_name] = str(self.clean(row, **kwargs) or "").strip()


class DepartmentResource(RegistryResource):
    def write(self, instance, is_create, *, actor):
        return registry.reference_save(actor=actor, obj=instance)

    class Meta:
        model = Department
        import_id_fields = ("code",)
        fields = ("code", "name", "name_ur", "level", "website", "is_active")
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


class TwoColumnKey(RegistryResource):
    """A row named by two columns (a purpose within its department, a company within its association):
    the registry's one-column duplicate check is done here on both; the row cap is the registry's
    (the same message)."""

    key_columns: tuple[str, str]

    def _import_key(self, value) -> str:
        return " ".join(str(value or "").split()).upper()

    def _check_size_and_duplicates(self, dataset) -> None:
        limit = int(settings.REGISTRY_IMPORT_MAX_ROWS)
        if len(dataset) > limit:
            raise ValueError(
                _(
                    "This file has %(rows)s rows; a registry import takes at most %(limit)s. "
                    "Split it into smaller files."
                )
                % {"rows": f"{len(dataset):,}", "limit": f"{limit:,}"}
            )
        first, second = self.key_columns
        seen: dict[tuple[str, str], int] = {}
        for number, pair in enumerate(zip(dataset[first], dataset[second], strict=True), start=1):
            key = (self._import_key(pair[0]), self._import_key(pair[1]))
            if key in seen:
                raise ValueError(
                    _(
                        "Rows %(first)s and %(second)s both have %(column)s %(value)s. A file names each once: "
                        "remove one of the two rows."
                    )
                    % {
                        "first": seen[key],
                        "second": number,
                        "column": f"{first}, {second}",
                        "value": " / ".join(key)[:80],
                    }
                )
            seen[key] = number

    def write(self, instance, is_create, *, actor):
        return registry.reference_save(actor=actor, obj=instance)


class VisitPurposeResource(TwoColumnKey):
    """A department's purposes, one per row: the department's short name, the purpose and its law."""

    key_columns = ("department", "name")
    department = fields.Field(column_name="department", attribute="department", widget=CodeWidget(Department))

    class Meta:
        model = VisitPurpose
        import_id_fields = ("department", "name")
        fields = ("department", "name", "name_ur", "legal_basis", "is_active")
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


class AssociationResource(RegistryResource):
    def write(self, instance, is_create, *, actor):
        return registry.reference_save(actor=actor, obj=instance)

    class Meta:
        model = Association
        import_id_fields = ("code",)
        fields = ("code", "name", "name_ur")
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


class AssociationMembershipResource(TwoColumnKey):
    """Which company belongs to which association: the association's short name and the company's NTN."""

    key_columns = ("association", "operator_ntn")
    association = fields.Field(column_name="association", attribute="association", widget=CodeWidget(Association))
    operator = fields.Field(column_name="operator_ntn", attribute="operator", widget=OperatorByNTNWidget())

    class Meta:
        model = AssociationMembership
        import_id_fields = ("association", "operator")
        fields = ("association", "operator", "member_number", "since")
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


class OfficialResource(RegistryResource):
    """Officials by email: an inspector names their department's short name, a liaison their
    association's; exactly one of the two."""

    email = AccountField(column_name="email", attribute="user__email", widget=EmailWidget())
    full_name = AccountField(column_name="full_name", attribute="user__full_name")
    department = fields.Field(column_name="department", attribute="department", widget=CodeWidget(Department))
    association = fields.Field(column_name="association", attribute="association", widget=CodeWidget(Association))

    def before_import(self, dataset, **kwargs):
        self._actor = kwargs.get("user")
        return super().before_import(dataset, **kwargs)

    def export_field(self, field, instance, **kwargs):
        if field.column_name == "cnic":
            return instance.masked_cnic  # an export leaves the building: the CNIC masked, as in the list
        return super().export_field(field, instance, **kwargs)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # An exported file comes back with the CNIC masked: that cell means "keep the stored CNIC".
        if field.column_name == "cnic" and instance.pk and str(row.get("cnic") or "").strip() == instance.masked_cnic:
            return None
        return super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        one_body = bool(instance.department_id) != bool(instance.association_id)
        if not one_body and "department" not in errors and "association" not in errors:
            errors["department"] = [
                _("Give the short name of a department (an inspector) or of an association (a liaison), not both.")
            ]
        account = getattr(instance, "_import_account", {})
        if instance.user_id is None:
            problem = registry.official_account_problem(actor=getattr(self, "_actor", None), email=account["email"])
            if problem:
                errors["user__email"] = [problem]
        exclude = set(errors) | ({"user"} if instance.user_id is None else set())
        try:
            instance.full_clean(exclude=exclude, validate_unique=validate_unique, validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def write(self, instance, is_create, *, actor):
        account = getattr(instance, "_import_account", {})
        return registry.official_save(
            actor=actor, official=instance, email=account.get("email", ""), full_name=account.get("full_name", "")
        )

    class Meta:
        model = Official
        import_id_fields = ("email",)
        fields = ("email", "full_name", "department", "association", "designation", "service_number", "office", "cnic")
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
