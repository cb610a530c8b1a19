"""Who visits, in the Django admin, for data stewards (issue #15 A): departments with their visit
purposes, associations and their members, and the officials of both, each with import and export.

Every save, inline row and imported row goes through integrity.services.registry (validated and
audited; an official's account and role go with them). Nothing is deleted: visits and grievances
point at these rows, and their history must stay. Officials' CNICs are listed masked.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from spaces.admin import RegistryImportForm

from .models import Association, AssociationMembership, Department, Official, VisitPurpose
from .resources import (
    AssociationMembershipResource,
    AssociationResource,
    DepartmentResource,
    OfficialResource,
    VisitPurposeResource,
)
from .services import registry


class KeptByStewards(ImportExportModelAdmin):
    """Import and export like the registry (the same file-size check), saves through the service, no
    deletes."""

    import_form_class = RegistryImportForm

    def save_model(self, request, obj, form, change):
        registry.reference_save(actor=request.user, obj=obj)

    def delete_model(self, request, obj):
        raise PermissionDenied

    def has_delete_permission(self, request, obj=None):
        return False  # visits and grievances point at these rows: history stays


class VisitPurposeInline(admin.TabularInline):
    model = VisitPurpose
    fields = ("name", "name_ur", "legal_basis", "is_active")
    extra = 1
    can_delete = False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Department)
class DepartmentAdmin(KeptByStewards):
    resource_classes = [DepartmentResource]
    list_display = ("name", "code", "name_ur", "level", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("name", "code", "name_ur")
    inlines = [VisitPurposeInline]

    def save_formset(self, request, form, formset, change):
        # Each purpose added or changed on the department's page goes through the service (audited).
        for purpose in formset.save(commit=False):
            registry.reference_save(actor=request.user, obj=purpose)


@admin.register(VisitPurpose)
class VisitPurposeAdmin(KeptByStewards):
    resource_classes = [VisitPurposeResource]
    list_display = ("name", "department", "legal_basis", "is_active")
    list_filter = ("is_active", "department")
    search_fields = ("name", "name_ur", "legal_basis", "department__name", "department__code")
    list_select_related = ("department",)


@admin.register(Association)
class AssociationAdmin(KeptByStewards):
    resource_classes = [AssociationResource]
    list_display = ("name", "code", "name_ur")
    search_fields = ("name", "code", "name_ur")


@admin.register(AssociationMembership)
class AssociationMembershipAdmin(KeptByStewards):
    resource_classes = [AssociationMembershipResource]
    list_display = ("operator", "association", "member_number", "since")
    list_filter = ("association",)
    search_fields = ("operator__legal_name", "operator__ntn", "member_number")
    list_select_related = ("operator", "association")
    autocomplete_fields = ("operator",)


class OfficialAdminForm(forms.ModelForm):
    """A new official is named by their email: the account of that address, or a new one (they set a
    password through the password reset). The account stays theirs once linked."""

    actor: Any = None  # the steward, set per request by OfficialAdmin.get_form

    email = forms.EmailField(label=_("email address"), required=False)
    full_name = forms.CharField(
        label=_("full name"),
        max_length=150,
        required=False,
        help_text=_("For a new account; an existing one keeps its name."),
    )

    class Meta:
        model = Official
        fields = ("department", "association", "designation", "service_number", "office", "cnic")

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("department")) == bool(cleaned.get("association")):
            raise forms.ValidationError(_("Give a department (an inspector) or an association (a liaison), not both."))
        if self.instance.pk is None:
            email = cleaned.get("email") or ""
            if not email:
                self.add_error("email", _("A new official needs an email address."))
            else:
                problem = registry.official_account_problem(actor=self.actor, email=email)
                if problem:
                    self.add_error("email", problem)
        return cleaned


@admin.register(Official)
class OfficialAdmin(KeptByStewards):
    resource_classes = [OfficialResource]
    form = OfficialAdminForm
    list_display = ("name", "email", "designation", "department", "association", "service_number", "masked_cnic")
    list_filter = ("department", "association")
    search_fields = ("user__full_name", "user__email", "designation", "service_number", "office")
    list_select_related = ("user", "department", "association")

    def get_fields(self, request, obj=None):
        base = ["department", "association", "designation", "service_number", "office", "cnic"]
        return (["email", "full_name"] if obj is None else ["account"]) + base

    def get_readonly_fields(self, request, obj=None):
        return ("account",) if obj is not None else ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    @admin.display(description=_("name"), ordering="user__full_name")
    def name(self, obj):
        return obj.user.full_name

    @admin.display(description=_("email address"), ordering="user__email")
    def email(self, obj):
        return obj.user.email

    @admin.display(description=_("account"))
    def account(self, obj):
        return f"{obj.user.full_name} <{obj.user.email}>"

    @admin.display(description=_("CNIC"))
    def masked_cnic(self, obj):
        return obj.masked_cnic

    def save_model(self, request, obj, form, change):
        registry.official_save(
            actor=request.user,
            official=obj,
            email=form.cleaned_data.get("email") or "",
            full_name=form.cleaned_data.get("full_name") or "",
        )
