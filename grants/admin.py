from django.contrib import admin

from .models import BudgetAllocation, Call, LoanTier, Program


class LoanTierInline(admin.TabularInline):
    model = LoanTier
    extra = 0


class BudgetAllocationInline(admin.TabularInline):
    model = BudgetAllocation
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "instrument", "max_amount", "is_active")
    list_filter = ("instrument", "is_active")
    search_fields = ("name", "code")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [LoanTierInline, BudgetAllocationInline]


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("title", "program", "opens_at", "closes_at", "quota")
    list_filter = ("program",)
    search_fields = ("title", "reference")
