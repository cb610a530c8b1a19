"""The registry in the Django admin, for data stewards.

A file with more than REGISTRY_IMPORT_BACKGROUND_ROWS rows is previewed as usual, but its confirm
queues a RegistryImportJob (spaces.import_jobs) instead of importing in the request; the steward is
taken to the job's page, which refreshes itself until the job ends.

Every save and every import goes through spaces.services (audited; an identity or bank change sends a
verified company back for verification and tells its people). The IBAN and the members are read-only
here: a company changes its IBAN in the portal (or a steward's import does, through the same service),
and membership changes only through the audited "Members" page of a company.
"""

import os
import re

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ImportForm

from accounts import roles

from . import import_jobs, services
from .models import Operator, RegistryImportJob, Space
from .resources import OperatorResource, SpaceResource, registry_file_too_big
from .selectors import can_see_identifiers


class RegistryImportForm(ImportForm):
    """The import form refuses a file over REGISTRY_IMPORT_MAX_BYTES before anything is read."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        message = registry_file_too_big(upload.size)
        if message:
            raise ValidationError(message)
        return upload


class RegistryAdmin(ImportExportModelAdmin):
    import_form_class = RegistryImportForm
    registry_kind: str  # a RegistryImportJob.Kind

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        result = context.get("result")
        limit = import_jobs.background_rows()
        if context.get("confirm_form") is not None and result is not None and result.total_rows > limit:
            messages.info(
                request,
                gettext(
                    "This file has %(rows)s rows, more than %(limit)s: when you confirm, it is imported in the "
                    "background and you follow it on the import job's page."
                )
                % {"rows": f"{result.total_rows:,}", "limit": f"{limit:,}"},
            )
        return response

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """The confirm step: a file over REGISTRY_IMPORT_BACKGROUND_ROWS rows becomes a background job
        (security issue #14: a big import must not hold a web worker); a smaller one imports here."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        confirm_form = self.create_confirm_form(request)
        if not confirm_form.is_valid():
            return super().process_import(request, **kwargs)
        input_format = self.get_import_formats()[int(confirm_form.cleaned_data["format"])](encoding=self.from_encoding)
        tmp_storage = self.get_tmp_storage_class()(
            name=confirm_form.cleaned_data["import_file_name"],
            encoding=None,
            read_mode="rb",
            **self.get_tmp_storage_class_kwargs(),
        )
        content = tmp_storage.read()
        if isinstance(content, str):  # a cache storage keeps text formats as text
            content = content.encode("utf-8")
        rows = len(input_format.create_dataset(content))
        if rows <= import_jobs.background_rows():
            return super().process_import(request, **kwargs)
        original = os.path.basename(confirm_form.cleaned_data["original_file_name"])
        job = import_jobs.registry_import_job_queue(
            actor=request.user,
            kind=self.registry_kind,
            content=content,
            file_name=re.sub(r"[^\w.\- ]", "_", original)[:200],
            extension=input_format.get_extension(),
            rows=rows,
        )
        tmp_storage.remove()
        messages.success(
            request,
            gettext("The file (%(rows)s rows) is queued for import. This page shows how far it has got.")
            % {"rows": f"{rows:,}"},
        )
        return redirect("admin:spaces_registryimportjob_change", job.pk)

    def delete_model(self, request, obj):
        raise PermissionDenied

    def has_delete_permission(self, request, obj=None):
        return False  # registry rows are referenced by applications and payments; never deleted here


class SpaceInline(admin.TabularInline):
    model = Space
    fields = ("code", "name", "district", "seats_offered", "network_status")
    readonly_fields = fields
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MemberForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address of the operator account"), required=False, help_text=_("To give access.")
    )
    remove = forms.ModelChoiceField(
        label=_("Member to remove"), queryset=get_user_model().objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("Reason for the record"),
        max_length=500,
        help_text=_("E.g. the company's letter asking for the change."),
    )

    def __init__(self, *args, operator, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remove"].queryset = operator.members.all()

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("email")) == bool(cleaned.get("remove")):
            raise ValidationError(_("Give either an account to add or a member to remove."))
        return cleaned


@admin.register(Operator)
class OperatorAdmin(RegistryAdmin):
    resource_classes = [OperatorResource]
    registry_kind = RegistryImportJob.Kind.OPERATORS
    list_filter = ("verification_status", "legal_form")
    search_fields = ("legal_name", "ntn", "secp_registration_number", "contact_email")
    inlines = [SpaceInline]
    fields = (
        "legal_name",
        "legal_form",
        "ntn",
        "secp_registration_number",
        "pseb_registration_number",
        "principal_name",
        "principal_cnic",
        "contact_email",
        "contact_mobile",
        "bank_account_title",
        "iban_display",
        "registered_address",
        "verification_status",
        "verified_at",
        "members_display",
        "created_at",
        "updated_at",
    )
    readonly_fields = (
        "iban_display",
        "members_display",
        "verification_status",
        "verified_at",
        "created_at",
        "updated_at",
    )

    def get_list_display(self, request):
        # CNICs and IBANs in full only for staff who need them; everyone else sees the last four.
        if can_see_identifiers(request.user):
            identifiers = ("principal_cnic", "iban")
        else:
            identifiers = ("masked_cnic", "masked_iban")
        return ("legal_name", "ntn", "legal_form", *identifiers, "verification_status")

    def get_fields(self, request, obj=None):
        if obj is None:  # a new company: its IBAN is typed once, then only the portal or an import change it
            return tuple("iban" if f == "iban_display" else f for f in self.fields if f != "members_display")
        return self.fields

    @admin.display(description=_("bank IBAN"))
    def iban_display(self, obj):
        if obj is None or not obj.pk:
            return ""
        return format_html(
            "{}<br><span class='help'>{}</span>",
            obj.iban,
            gettext(
                "Read-only: the company changes its IBAN in the portal, which sends it back for verification. "
                "As verified: %(iban)s"
            )
            % {"iban": obj.verified_iban or "—"},
        )

    @admin.display(description=_("staff with portal access"))
    def members_display(self, obj):
        if obj is None or not obj.pk:
            return ""
        people = format_html_join(", ", "{}", ((str(person),) for person in obj.members.all())) or "—"
        link = reverse("admin:spaces_operator_members", args=[obj.pk])
        return format_html('{}<br><a href="{}">{}</a>', people, link, gettext("Change members (audited)"))

    def save_model(self, request, obj, form, change):
        details = {name: getattr(obj, name) for name in form.fields if name in services.OPERATOR_EDITABLE_FIELDS}
        if change:
            saved = services.operator_update(actor=request.user, operator=obj, details=details)
        else:
            saved = services.operator_create(actor=request.user, details=details)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # Nothing related is written from this page: members change on the audited page only, and the
        # spaces inline is read-only (each space is changed on its own page, through the service).
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def get_urls(self):
        own = [
            path(
                "<int:pk>/members/",
                self.admin_site.admin_view(self.members_view),
                name="spaces_operator_members",
            )
        ]
        return own + super().get_urls()

    def members_view(self, request, pk):
        operator = get_object_or_404(Operator, pk=pk)
        if not services.is_steward(request.user):
            raise PermissionDenied
        form = MemberForm(request.POST or None, operator=operator)
        if request.method == "POST" and form.is_valid():
            try:
                if form.cleaned_data["email"]:
                    person = (
                        get_user_model()
                        .objects.filter(email__iexact=form.cleaned_data["email"], groups__name=roles.OPERATOR)
                        .first()
                    )
                    if person is None:
                        raise services.RegistryError(_("No operator account has this email address."))
                    services.operator_member_add(
                        actor=request.user, operator=operator, user=person, reason=form.cleaned_data["reason"]
                    )
                else:
                    services.operator_member_remove(
                        actor=request.user,
                        operator=operator,
                        user=form.cleaned_data["remove"],
                        reason=form.cleaned_data["reason"],
                    )
            except services.RegistryError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, gettext("The change is saved and recorded in the audit log."))
                return redirect("admin:spaces_operator_members", pk=operator.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": operator,
            "title": gettext("Members of %(company)s") % {"company": operator},
            "form": form,
            "members": operator.members.all(),
        }
        return TemplateResponse(request, "admin/spaces/operator/members.html", context)


@admin.register(Space)
class SpaceAdmin(RegistryAdmin):
    resource_classes = [SpaceResource]
    registry_kind = RegistryImportJob.Kind.SPACES
    list_display = ("code", "name", "operator", "division", "district", "seats_offered", "network_status")
    list_filter = ("network_status", "division", "power_backup")
    search_fields = ("code", "name", "operator__legal_name", "district")
    list_select_related = ("operator",)
    autocomplete_fields = ("operator",)
    exclude = ("division",)

    def get_readonly_fields(self, request, obj=None):
        # A space's company and code identify it in returns and payments: fixed once given. A space
        # applying to join (or declined) changes status only by an officer's admission decision.
        if obj is None:
            return ("division",)
        if obj.network_status in services.ADMISSION_STATES:
            return ("operator", "code", "division", "network_status")
        return ("operator", "code", "division")

    def save_model(self, request, obj, form, change):
        details = {name: getattr(obj, name) for name in form.fields if name in services.SPACE_STEWARD_FIELDS}
        if change:
            saved = services.space_update(actor=request.user, space=obj, details=details)
        else:
            saved = services.space_create(actor=request.user, operator=obj.operator, details=details)
        obj.pk = saved.pk
        obj.refresh_from_db()


@admin.register(RegistryImportJob)
class RegistryImportJobAdmin(admin.ModelAdmin):
    """Read-only: the worker writes these (spaces.import_jobs). Data stewards and superusers see them."""

    list_display = ("pk", "kind", "file_name", "rows", "state", "progress", "requested_by", "created_at")
    list_filter = ("state", "kind")
    list_select_related = ("requested_by",)
    fields = (
        "kind",
        "state",
        "progress_display",
        "file_name",
        "sha256",
        "rows",
        "new_count",
        "updated_count",
        "skipped_count",
        "error_count",
        "error",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
        "attempts",
    )
    readonly_fields = fields
    change_form_template = "admin/spaces/registryimportjob/change_form.html"

    @admin.display(description=_("progress"))
    def progress_display(self, obj):
        return format_html(
            '<progress max="100" value="{}">{}%</progress> {}%', obj.progress, obj.progress, obj.progress
        )

    def has_module_permission(self, request):
        return import_jobs.is_registry_importer(request.user)

    def has_view_permission(self, request, obj=None):
        return import_jobs.is_registry_importer(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
