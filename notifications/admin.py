from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, unquote
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

from . import catalogue, previews, services
from .kinds import Kind
from .models import DigestSent, EmailDelivery, Notification, NotificationPreference, NotificationTemplate, ReminderSent


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "subject", "kind", "notice", "created_at", "read_at", "emailed_at", "sms_at")
    list_filter = ("kind",)
    search_fields = ("recipient__email", "subject", "notice")
    readonly_fields = (
        "recipient",
        "subject",
        "body",
        "texts",
        "notice",
        "params",
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

    code = forms.ChoiceField(label=_("notice"), choices=catalogue.choices)

    class Meta:
        model = NotificationTemplate
        fields = TEMPLATE_FIELDS
        widgets = {
            "subject_en": forms.TextInput(attrs={"size": 90}),
            "body_en": forms.Textarea(attrs={"rows": 6, "cols": 90}),
            "subject_ur": forms.TextInput(attrs={**URDU, "size": 90}),
            "body_ur": forms.Textarea(attrs={**URDU, "rows": 6, "cols": 90}),
        }

    def draft(self) -> NotificationTemplate:
        """The texts as typed, not saved. The admin's form class adds its read-only fields to
        Meta.fields, and on a change the code is one of them: the draft takes what the form does not
        carry from the text being changed."""
        cleaned = self.cleaned_data
        return NotificationTemplate(
            **{name: cleaned.get(name, getattr(self.instance, name)) or "" for name in TEMPLATE_FIELDS}
        )

    def clean(self):
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        for name, problems in services.template_problems(self.draft()).items():
            for problem in problems:
                self.add_error(name if name in self.fields else None, problem)
        return cleaned


def notice_help(code: str) -> str:
    """The notice's placeholders, what each is, and its defaults in English and Urdu (for the form)."""
    if code not in catalogue.BY_CODE:
        return ""
    entry = catalogue.BY_CODE[code]
    names = format_html_join(", ", "<code>{{{}}}</code> ({})", entry.placeholders.items())
    with override("en"):
        english = (entry.default("subject"), entry.default("body"))
    with override("ur"):
        urdu = (entry.default("subject"), entry.default("body"))
    required = (
        format_html(
            "<p>{}</p>",
            _("The message must keep %(names)s: what a person typed.")
            % {"names": ", ".join(f"{{{name}}}" for name in sorted(entry.required))},
        )
        if entry.required
        else ""
    )
    return format_html(
        "<p><strong>{}</strong> <code>{}</code> ({}): {}</p>{}<p>{}</p><pre>{}\n\n{}</pre>"
        '<pre dir="rtl" lang="ur">{}\n\n{}</pre>',
        entry.label,
        entry.code,
        Kind(entry.kind).label,
        names or "—",
        required,
        _("Leave a field blank to keep the default below. Write {{ and }} for a brace itself."),
        *english,
        *urdu,
    )


def previewed(code: str, draft: NotificationTemplate | None, cases: catalogue.Cases, chosen: int) -> list[dict]:
    """The notice rendered from `draft` (a steward's text, saved or not; None: the defaults) against
    case `chosen`, in English and Urdu."""
    if not cases:
        return []
    _label, params = cases[chosen]
    return [
        {"language": language, "name": name, **catalogue.rendered_in(code, draft, params, language)}
        for language, name in (("en", _("English")), ("ur", _("Urdu")))
    ]


def _chosen(value: str | None, cases: list) -> int:
    try:
        chosen = int(value or "0")
    except ValueError:
        chosen = 0
    return chosen if 0 <= chosen < len(cases) else 0


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(NoDeletes, admin.ModelAdmin):
    """Texts of notices kept by data stewards: saved through notifications.services (checked, audited);
    each with its placeholders and the code's default shown; "Preview" renders the texts as typed,
    unsaved, against a real case; the list previews any notice's saved text."""

    form = NotificationTemplateForm
    list_display = ("code", "notice", "updated_at", "preview_link")
    fieldsets = (
        (None, {"fields": ("code",)}),
        (_("English"), {"fields": ("subject_en", "body_en")}),
        (_("Urdu"), {"fields": ("subject_ur", "body_ur")}),
    )
    change_form_template = "admin/notifications/notificationtemplate/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj is not None else ()

    @admin.display(description=_("notice"))
    def notice(self, obj):
        return catalogue.BY_CODE[obj.code].label if obj.code in catalogue.BY_CODE else obj.code

    @admin.display(description=_("preview"))
    def preview_link(self, obj):
        url = reverse("admin:notifications_notificationtemplate_preview", args=[obj.code])
        return format_html('<a href="{}">{}</a>', url, _("Preview against a real case"))

    def changelist_view(self, request, extra_context=None):
        kept = set(NotificationTemplate.objects.values_list("code", flat=True))
        rows = [
            {"code": e.code, "label": e.label, "kind": Kind(e.kind).label, "kept": e.code in kept}
            for e in catalogue.ENTRIES
        ]
        return super().changelist_view(request, {**(extra_context or {}), "catalogue_rows": rows})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and "_preview" in request.POST:
            return self.preview_draft_view(request, object_id, form_url)
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        code = obj.code if obj is not None else request.POST.get("code") or request.GET.get("code", "")
        context = {**(extra_context or {}), "notice_help": notice_help(code)}
        return super().changeform_view(request, object_id, form_url, context)

    def preview_draft_view(self, request, object_id, form_url):
        """The texts as typed rendered against a case, in English and Urdu, nothing saved: the form is
        checked as on save (an unknown placeholder or broken markup is refused with its line) and shown
        again with the preview under it."""
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if object_id and obj is None:
            raise Http404
        add = obj is None
        if not (self.has_add_permission(request) if add else self.has_change_permission(request, obj)):
            raise PermissionDenied
        fieldsets = self.get_fieldsets(request, obj)
        form_class = self.get_form(request, obj, change=not add, fields=flatten_fieldsets(fieldsets))
        form = form_class(request.POST, instance=obj)
        code = obj.code if obj is not None else request.POST.get("code", "")
        cases: catalogue.Cases = []
        chosen = 0
        rendered: list[dict] = []
        if form.is_valid():
            draft = form.draft()  # never saved: a fresh instance with the texts as typed
            cases = previews.cases_for(catalogue.BY_CODE[draft.code])
            chosen = _chosen(request.POST.get("_case"), cases)
            rendered = previewed(draft.code, draft, cases, chosen)
        admin_form = helpers.AdminForm(
            form, list(fieldsets), {}, self.get_readonly_fields(request, obj), model_admin=self
        )
        title = _("Add %s") if add else _("Change %s")
        context = {
            **self.admin_site.each_context(request),
            "title": title % self.opts.verbose_name,
            "subtitle": str(obj) if obj else None,
            "adminform": admin_form,
            "object_id": object_id,
            "original": obj,
            "is_popup": False,
            "to_field": None,
            "media": self.media + admin_form.media,
            "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
            "notice_help": notice_help(code),
            "preview": {
                "cases": [(index, label) for index, (label, _params) in enumerate(cases)],
                "chosen": chosen,
                "rendered": rendered,
                "valid": not form.errors,
            },
        }
        return self.render_change_form(request, context, add=add, change=not add, obj=obj, form_url=form_url)

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
        """The notice rendered, in English and Urdu, with the steward's saved text (or the default)
        against a case chosen from the list."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if code not in catalogue.BY_CODE:
            raise Http404
        entry = catalogue.BY_CODE[code]
        template = catalogue.template_for(code)
        cases = previews.cases_for(entry)
        chosen = _chosen(request.GET.get("case"), cases)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Preview: %(notice)s") % {"notice": entry.label},
            "entry": entry,
            "template": template,
            "cases": [(index, label) for index, (label, _params) in enumerate(cases)],
            "chosen": chosen,
            "rendered": previewed(code, template, cases, chosen),
        }
        return TemplateResponse(request, "admin/notifications/notificationtemplate/preview.html", context)
