from django.contrib import admin

from .models import Application, BudgetAllocation, Call, LoanTier, Program, RubricCriterion, Tranche, UtilityClaim


class LoanTierInline(admin.TabularInline):
    model = LoanTier
    extra = 0


class BudgetAllocationInline(admin.TabularInline):
    model = BudgetAllocation
    extra = 0
    readonly_fields = ("committed",)


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
