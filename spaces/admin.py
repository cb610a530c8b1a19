from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from .models import Operator, Space
from .resources import OperatorResource, SpaceResource
from .selectors import can_see_identifiers


class SpaceInline(admin.TabularInline):
    model = Space
    fields = ("code", "name", "district", "seats_offered", "network_status")
    readonly_fields = fields
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Operator)
class OperatorAdmin(ImportExportModelAdmin):
    resource_classes = [OperatorResource]
    list_filter = ("verification_status", "legal_form")
    search_fields = ("legal_name", "ntn", "secp_registration_number", "contact_email")
    filter_horizontal = ("members",)
    readonly_fields = ("verification_status", "verified_at", "created_at", "updated_at")
    inlines = [SpaceInline]

    def get_list_display(self, request):
        # CNICs and IBANs in full only for staff who need them; everyone else sees the last four.
        if can_see_identifiers(request.user):
            identifiers = ("principal_cnic", "iban")
        else:
            identifiers = ("masked_cnic", "masked_iban")
        return ("legal_name", "ntn", "legal_form", *identifiers, "verification_status")


@admin.register(Space)
class SpaceAdmin(ImportExportModelAdmin):
    resource_classes = [SpaceResource]
    list_display = ("code", "name", "operator", "division", "district", "seats_offered", "network_status")
    list_filter = ("network_status", "division", "power_backup")
    search_fields = ("code", "name", "operator__legal_name", "district")
    list_select_related = ("operator",)
    autocomplete_fields = ("operator",)
