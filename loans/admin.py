"""The loan book in the Django admin: read only (superusers look; every change goes through the
services and the loan pages, where it is checked and audited)."""

from django.contrib import admin

from .models import CollectionFile, DisbursementPart, Loan, Recovery, Repayment, ScheduleVersion, WriteOffProposal


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    list_display = ["sanction_number", "operator", "state", "principal", "outstanding_principal", "arrears_bucket"]
    list_filter = ["state", "arrears_bucket"]
    list_select_related = ["operator"]
    search_fields = ["sanction_number", "operator__legal_name"]


@admin.register(ScheduleVersion)
class ScheduleVersionAdmin(ReadOnlyAdmin):
    list_display = ["loan", "number", "is_current", "cause", "prepayment_choice", "effective_on", "principal", "months"]
    list_select_related = ["loan"]


@admin.register(Repayment)
class RepaymentAdmin(ReadOnlyAdmin):
    list_display = ["loan", "kind", "received_on", "amount", "bank_reference", "posted_by", "posted_at"]
    list_select_related = ["loan", "posted_by"]
    search_fields = ["bank_reference", "loan__sanction_number"]


@admin.register(CollectionFile)
class CollectionFileAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "uploaded_by", "uploaded_at", "row_count", "total"]
    list_select_related = ["uploaded_by"]


@admin.register(DisbursementPart)
class DisbursementPartAdmin(ReadOnlyAdmin):
    list_display = ["loan", "number", "planned_on", "amount", "state", "paid_on"]
    list_select_related = ["loan"]


@admin.register(WriteOffProposal)
class WriteOffProposalAdmin(ReadOnlyAdmin):
    list_display = ["loan", "state", "proposed_by", "proposed_on", "outstanding_principal", "decided_by"]
    list_select_related = ["loan", "proposed_by", "decided_by"]


@admin.register(Recovery)
class RecoveryAdmin(ReadOnlyAdmin):
    list_display = ["loan", "kind", "received_on", "amount", "bank_reference", "posted_by"]
    list_select_related = ["loan", "posted_by"]
    search_fields = ["bank_reference", "loan__sanction_number"]
