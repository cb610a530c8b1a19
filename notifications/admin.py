from django.contrib import admin

from .models import Notification, NotificationPreference, ReminderSent


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "subject", "kind", "created_at", "read_at", "emailed_at", "sms_at")
    list_filter = ("kind",)
    search_fields = ("recipient__email", "subject")
    readonly_fields = (
        "recipient",
        "subject",
        "body",
        "texts",
        "url",
        "kind",
        "created_at",
        "read_at",
        "by_email",
        "emailed_at",
        "by_sms",
        "sms_at",
        "sms_claimed_at",
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by notifications.services only: shown, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdmin):
    """Who was reminded of what, and when (officers' view of the reminders)."""

    list_display = ("code", "content_type", "object_id", "due_on", "offset_days", "recipients", "sent_at")
    list_filter = ("code",)
    date_hierarchy = "sent_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ("user", "kind", "channel", "enabled", "updated_at")
    list_filter = ("kind", "channel", "enabled")
    search_fields = ("user__email",)
