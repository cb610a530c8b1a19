"""Matches in the Django admin: read-only for superusers and data stewards (a decision is taken on the
workbench, through the services, so it is audited)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.admin_mixins import NoDeletes

from .models import Match


@admin.register(Match)
class MatchAdmin(NoDeletes, admin.ModelAdmin):
    list_display = ("reference", "rule", "kind", "left_operator", "right_operator", "state", "found_at")
    list_filter = ("rule", "kind", "state")
    search_fields = ("left_operator__legal_name", "right_operator__legal_name")
    ordering = ("found_at",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Match._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
