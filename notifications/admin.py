from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "subject", "created_at", "read_at", "emailed_at")
    search_fields = ("recipient__email", "subject")
    readonly_fields = ("recipient", "subject", "body", "texts", "url", "created_at", "read_at", "emailed_at")
