from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from core.admin_mixins import NoDeletes
from core.errors import PermissionDenied as Refused
from core.errors import ValidationFailed

from . import catalogue, services
from .models import DigestSent, EmailDelivery, Notification, NotificationPreference, NotificationTemplate, ReminderSent


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


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("user", "mode", "updated_at")
    list_filter = ("mode",)


@admin.register(DigestSent)
class DigestSentAdmin(ReadOnlyAdmin):
    list_display = ("user", "day", "notifications", "past_clock", "emailed", "sent_at")
    list_filter = ("emailed",)
    date_hierarchy = "day"


URDU = {"dir": "rtl", "lang": "ur"}


TEMPLATE_FIELDS = ("code", "subject_en", "body_en", "subject_ur", "body_ur")


class NotificationTemplateForm(forms.ModelForm):
    """The steward's texts; the placeholders and the line at fault are checked here (and again by the
    service, which the admin saves through)."""

    code = forms.ChoiceField(label=_("notice"), choices=catalogue.CHOICES)

    class Meta:
        model = NotificationTemplate
        fields = TEMPLATE_FIELDS
        widgets = {
            "subject_en": forms.TextInput(attrs={"size": 90}),
            "body_en": forms.Textarea(attrs={"rows": 6, "cols": 90}),
            "subject_ur": forms.TextInput(attrs={**URDU, "size": 90}),
            "body_ur": forms.Textarea(attrs={**URDU, "rows": 6, "cols": 90}),
        }

    def clean(self):
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        # The admin's form class adds its read-only fields to Meta.fields, and on a change the code is one
        # of them: the draft takes what the form does not carry from the text being changed.
        draft = NotificationTemplate(
            **{name: cleaned.get(name, getattr(self.instance, name)) or "" for name in TEMPLATE_FIELDS}
        )
        for name, problems in services.template_problems(draft).items():
            for problem in problems:
                self.add_error(name if name in self.fields else None, problem)
        return cleaned


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(NoDeletes, admin.ModelAdmin):
    """Texts of notices kept by data stewards: saved through notifications.services (checked, audited);
    each with its placeholders and the code's default shown, and a preview against real cases."""

    form = NotificationTemplateForm
    list_display = ("code", "notice", "updated_at", "preview_link")
    readonly_fields = ("catalogue_help",)
    fieldsets = (
        (None, {"fields": ("code", "catalogue_help")}),
        (_("English"), {"fields": ("subject_en", "body_en")}),
        (_("Urdu"), {"fields": ("subject_ur", "body_ur")}),
    )
    change_form_template = "admin/notifications/notificationtemplate/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        return ("code", "catalogue_help") if obj is not None else ("catalogue_help",)

    @admin.display(description=_("notice"))
    def notice(self, obj):
        return catalogue.BY_CODE[obj.code].label if obj.code in catalogue.BY_CODE else obj.code

    @admin.display(description=_("preview"))
    def preview_link(self, obj):
        url = reverse("admin:notifications_notificationtemplate_preview", args=[obj.code])
        return format_html('<a href="{}">{}</a>', url, _("Preview against a real case"))

    @admin.display(description=_("placeholders and defaults"))
    def catalogue_help(self, obj):
        rows = catalogue.ENTRIES if obj is None or not obj.code else [catalogue.BY_CODE[obj.code]]
        parts = []
        for entry in rows:
            names = format_html_join(", ", "<code>{{{}}}</code> ({})", entry.placeholders.items())
            with override("en"):
                english = (entry.default("subject"), entry.default("body"))
            with override("ur"):
                urdu = (entry.default("subject"), entry.default("body"))
            parts.append(
                format_html(
                    "<p><strong>{}</strong> <code>{}</code>: {}</p><p>{}</p><pre>{}\n\n{}</pre>"
                    '<pre dir="rtl" lang="ur">{}\n\n{}</pre>',
                    entry.label,
                    entry.code,
                    names,
                    _("Leave a field blank to keep the default below. Write {{ and }} for a brace itself."),
                    *english,
                    *urdu,
                )
            )
        return format_html_join("", "{}", ((part,) for part in parts))

    def changelist_view(self, request, extra_context=None):
        kept = set(NotificationTemplate.objects.values_list("code", flat=True))
        rows = [{"code": e.code, "label": e.label, "kept": e.code in kept} for e in catalogue.ENTRIES]
        return super().changelist_view(request, {**(extra_context or {}), "catalogue_rows": rows})

    def save_model(self, request, obj, form, change):
        try:
            services.notification_template_save(actor=request.user, template=obj)
        except Refused as error:
            raise PermissionDenied(str(error)) from None
        except ValidationFailed as error:  # the form checked the same: only a race gets here
            raise PermissionDenied(str(error)) from None

    def get_urls(self):
        own = [
            path(
                "preview/<str:code>/",
                self.admin_site.admin_view(self.preview_view),
                name="notifications_notificationtemplate_preview",
            )
        ]
        return own + super().get_urls()

    def preview_view(self, request, code):
        """The notice rendered, in English and Urdu, with the steward's text (or the default) against a
        real case chosen from the list."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if code not in catalogue.BY_CODE:
            raise Http404
        entry = catalogue.BY_CODE[code]
        template = catalogue.template_for(code)
        cases = entry.load_cases()
        try:
            chosen = int(request.GET.get("case", "0"))
        except ValueError:
            chosen = 0
        chosen = chosen if 0 <= chosen < len(cases) else 0
        rendered = []
        if cases:
            label, params = cases[chosen]
            for language, name in (("en", _("English")), ("ur", _("Urdu"))):
                rendered.append(
                    {"language": language, "name": name, **catalogue.rendered_in(code, template, params, language)}
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Preview: %(notice)s") % {"notice": entry.label},
            "entry": entry,
            "template": template,
            "cases": [(index, label) for index, (label, _params) in enumerate(cases)],
            "chosen": chosen,
            "rendered": rendered,
        }
        return TemplateResponse(request, "admin/notifications/notificationtemplate/preview.html", context)
