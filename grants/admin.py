from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from accounts import roles

from .errors import GrantsError
from .models import (
    Application,
    BudgetAllocation,
    BudgetAllocationChange,
    Call,
    FiscalYearClose,
    LoanTier,
    Program,
    RubricCriterion,
    Tranche,
    UtilityClaim,
)
from .money import pkr


class LoanTierInline(admin.TabularInline):
    model = LoanTier
    extra = 0


class BudgetAllocationForm(forms.ModelForm):
    """An allocation's amount as a steward sets it; saved by grants.services.budget.budget_allocation_set
    (ProgramAdmin.save_formset), which posts the change to the general ledger and audits it."""

    reason = forms.CharField(
        label=_("reason for the change"), required=False, max_length=500, widget=forms.TextInput(attrs={"size": 30})
    )

    class Meta:
        model = BudgetAllocation
        fields = ("fiscal_year", "amount")

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        if instance.pk and "fiscal_year" in self.changed_data:
            self.add_error("fiscal_year", _("An allocation's fiscal year does not change; add the other year's."))
        if "amount" in self.changed_data and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Say why the allocation changes (it is recorded in the ledger)."))
        amount = cleaned.get("amount")
        if instance.pk and amount is not None and amount < instance.committed:
            self.add_error(
                "amount",
                _("%(committed)s is already committed of this allocation; it cannot be set below that.")
                % {"committed": pkr(instance.committed)},
            )
        return cleaned


def _is_steward(request) -> bool:
    return request.user.is_superuser or request.user.has_role(roles.DATA_STEWARD)


class BudgetAllocationInline(admin.TabularInline):
    """Allocations are never deleted, and their amount changes only through the service (audited, posted
    to the general ledger); `committed` is the commitment ledger's running total."""

    model = BudgetAllocation
    form = BudgetAllocationForm
    extra = 0
    can_delete = False
    readonly_fields = ("committed",)

    def has_add_permission(self, request, obj=None):
        return _is_steward(request)

    def has_change_permission(self, request, obj=None):
        return _is_steward(request)

    def has_delete_permission(self, request, obj=None):
        return False


class RubricCriterionInline(admin.TabularInline):
    """The program's review rubric: criteria and their relative weights. Submitted reviews keep the
    weights they were scored with, so a change applies to reviews submitted afterwards."""

    model = RubricCriterion
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "instrument", "max_amount", "is_active")
    list_filter = ("instrument", "is_active")
    search_fields = ("name", "code")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [LoanTierInline, BudgetAllocationInline, RubricCriterionInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not BudgetAllocation:
            return super().save_formset(request, form, formset, change)
        from .services.budget import budget_allocation_set

        for row in formset.forms:
            if not row.has_changed() or not row.cleaned_data:
                continue
            try:
                budget_allocation_set(
                    program=form.instance,
                    fiscal_year=row.cleaned_data["fiscal_year"],
                    amount=row.cleaned_data["amount"],
                    actor=request.user,
                    reason=row.cleaned_data.get("reason", ""),
                )
            except GrantsError as error:
                for message in error.messages:
                    messages.error(request, message)
        return None


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("title", "program", "opens_at", "closes_at", "quota")
    list_filter = ("program",)
    search_fields = ("title", "reference")


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-only for data stewards and superusers: applications change only through their services
    (state is protected, and every change must be audited)."""

    list_display = ("reference", "operator", "space", "instrument", "state", "amount_requested", "submitted_at")
    list_filter = ("state", "instrument", "call__program")
    search_fields = ("reference", "operator__legal_name")
    list_select_related = ("operator", "space")
    list_per_page = 50
    ordering = ("-created_at",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Tranches and claims change only through grants/services/payments.py and utility_claims.py (audited,
    paid by finance)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Tranche)
class TrancheAdmin(ReadOnlyAdmin):
    list_display = ("award", "position", "title", "amount", "due_date", "state", "requested_at", "paid_at")
    list_filter = ("state",)
    search_fields = ("award__sanction_number", "award__application__reference")
    list_select_related = ("award",)
    list_per_page = 50


@admin.register(UtilityClaim)
class UtilityClaimAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "connection", "bill_amount", "subsidy_amount", "state", "submitted_at", "paid_at")
    list_filter = ("state", "disco")
    search_fields = ("bill_reference", "connection__application__reference")
    list_select_related = ("connection__space",)
    list_per_page = 50


@admin.register(BudgetAllocationChange)
class BudgetAllocationChangeAdmin(ReadOnlyAdmin):
    """Every change of an allocation's amount, as budget_allocation_set recorded it."""

    list_display = ("allocation", "previous_amount", "amount", "reason", "changed_by", "changed_at")
    list_filter = ("allocation__fiscal_year", "allocation__program")
    list_select_related = ("allocation__program", "changed_by")


@admin.register(FiscalYearClose)
class FiscalYearCloseAdmin(ReadOnlyAdmin):
    list_display = ("fiscal_year_label", "closed_at", "closed_by", "lapsed", "carried_forward")
