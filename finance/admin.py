"""Read-only views for superusers and data stewards. Payments change only through finance's pages and
services (maker-checker, ledger, audit), never by editing rows here."""

from django.contrib import admin

from .models import BankStatement, LedgerEntry, PaymentBatch, PaymentInstruction, StatementLine


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PaymentInstruction)
class PaymentInstructionAdmin(ReadOnlyAdmin):
    list_display = ["reference", "idempotency_key", "attempt", "payee", "amount", "state", "requested_at"]
    list_filter = ["state"]
    search_fields = ["reference", "idempotency_key", "payee__legal_name"]
    list_select_related = ["payee"]


@admin.register(PaymentBatch)
class PaymentBatchAdmin(ReadOnlyAdmin):
    list_display = ["reference", "value_date", "state", "created_by", "sent_at"]
    list_select_related = ["created_by"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "amount", "idempotency_key", "actor_label"]
    list_filter = ["kind"]


@admin.register(BankStatement)
class BankStatementAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "uploaded_at", "uploaded_by", "line_count"]


@admin.register(StatementLine)
class StatementLineAdmin(ReadOnlyAdmin):
    list_display = ["statement", "line_number", "reference", "amount", "bank_status", "outcome"]
    list_filter = ["outcome"]
