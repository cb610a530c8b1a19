"""The one-window catalogue in the Django admin, for data stewards (issue #16): services with the
documents and questions each needs, and bundles.

Every save and inline row goes through onewindow.services.catalogue (validated and audited). Nothing is
deleted: requests point at services, and a service leaves the catalogue by being closed ("open for
requests" unticked). Requests and certificates are not registered here: they change only through the
desk pages, and the admin would show every department's cases to anyone holding the view permission
(a desk officer sees only its own department's, onewindow.selectors).
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_mixins import NoDeletes
from spaces.models import Operator

from .models import Bundle, Service, ServiceDocument, ServiceQuestion
from .services import catalogue

URDU = {"dir": "rtl", "lang": "ur"}


class ServiceAdminForm(forms.ModelForm):
    legal_forms = forms.MultipleChoiceField(
        label=_("open to legal forms"),
        choices=Operator.LegalForm.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave all unticked when every legal form may ask."),
    )

    class Meta:
        model = Service
        fields = (
            "department",
            "code",
            "name",
            "name_ur",
            "description",
            "description_ur",
            "legal_forms",
            "is_active",
            "fee",
            "fee_ur",
            "promised_working_days",
            "legal_basis",
            "legal_basis_ur",
            "outcome",
            "validity_months",
        )
        widgets = {
            "name_ur": forms.TextInput(attrs=URDU),
            "description_ur": forms.Textarea(attrs={**URDU, "rows": 4}),
            "fee_ur": forms.TextInput(attrs={**URDU, "size": 60}),
            "legal_basis_ur": forms.TextInput(attrs={**URDU, "size": 60}),
        }

    def clean_legal_forms(self):
        chosen = self.cleaned_data.get("legal_forms") or []
        # In the order the registry lists them, each once.
        return [value for value in Operator.LegalForm.values if value in chosen]

    def clean(self):
        cleaned = super().clean()
        for problem in catalogue.legal_forms_problems(cleaned.get("legal_forms")):
            self.add_error("legal_forms", problem)
        return cleaned


class ServiceQuestionForm(forms.ModelForm):
    class Meta:
        model = ServiceQuestion
        fields = ("order", "key", "label", "label_ur", "kind", "choices", "required")
        widgets = {
            "label_ur": forms.TextInput(attrs=URDU),
            "choices": forms.Textarea(attrs={"rows": 3, "cols": 60}),
        }

    def clean(self):
        cleaned = super().clean()
        if "kind" in cleaned:
            for problem in catalogue.choices_problems(kind=cleaned["kind"], text=cleaned.get("choices") or ""):
                self.add_error("choices", problem)
        return cleaned


class ServiceDocumentInline(NoDeletes, admin.TabularInline):
    model = ServiceDocument
    fields = ("document_type", "required")
    extra = 1
    can_delete = False


class ServiceQuestionInline(NoDeletes, admin.StackedInline):
    model = ServiceQuestion
    form = ServiceQuestionForm
    extra = 0
    can_delete = False


@admin.register(Service)
class ServiceAdmin(NoDeletes, admin.ModelAdmin):
    form = ServiceAdminForm
    list_display = ("name", "code", "department", "promised_working_days", "outcome", "validity_months", "is_active")
    list_filter = ("is_active", "outcome", "department")
    search_fields = ("name", "name_ur", "code", "department__name", "department__code")
    list_select_related = ("department",)
    inlines = [ServiceDocumentInline, ServiceQuestionInline]
    fieldsets = (
        (None, {"fields": ("department", "code", "name", "name_ur", "description", "description_ur")}),
        (_("Who may ask"), {"fields": ("legal_forms", "is_active")}),
        (
            _("Fee, time and outcome"),
            {
                "fields": (
                    "fee",
                    "fee_ur",
                    "promised_working_days",
                    "legal_basis",
                    "legal_basis_ur",
                    "outcome",
                    "validity_months",
                )
            },
        ),
    )

    def save_model(self, request, obj, form, change):
        catalogue.service_save(actor=request.user, service=obj)

    def save_formset(self, request, form, formset, change):
        # Each document and question added or changed on the service's page goes through the service
        # layer (audited); an unchanged row writes nothing.
        for row in formset.save(commit=False):
            if isinstance(row, ServiceDocument):
                catalogue.service_document_save(actor=request.user, document=row)
            else:
                catalogue.service_question_save(actor=request.user, question=row)


class BundleAdminForm(forms.ModelForm):
    class Meta:
        model = Bundle
        fields = ("code", "name", "name_ur", "services")
        widgets = {"name_ur": forms.TextInput(attrs=URDU)}


@admin.register(Bundle)
class BundleAdmin(NoDeletes, admin.ModelAdmin):
    form = BundleAdminForm
    list_display = ("name", "code", "name_ur")
    search_fields = ("name", "name_ur", "code")
    filter_horizontal = ("services",)

    def save_model(self, request, obj, form, change):
        catalogue.bundle_save(actor=request.user, bundle=obj, services=form.cleaned_data["services"])

    def save_related(self, request, form, formsets, change):
        # The services were set, and recorded, by bundle_save: the form's own many-to-many save would
        # write them again outside the audit.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
