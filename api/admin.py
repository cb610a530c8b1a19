"""Registering API clients in the Django admin (a superuser or a data steward): the form asks for the
name, the scopes and an optional throttle; saving calls api.services.api_client_register and answers a
page showing the client id and the secret, once. Nothing else shows the secret again: a lost one is
replaced with the "Issue a new secret" action (shown once too); "Revoke" ends a client's access.

django-oauth-toolkit's own admin (applications, tokens) stays for superusers: an application made
there has no ApiClient, so its tokens carry no scope and every endpoint refuses them (401).
"""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

from . import services
from .models import ApiClient


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=[(name, f"{name}: {label}") for name, label in settings.API_SCOPES.items()],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ApiClient
        fields = ["name", "description", "scopes", "throttle_rate"]


def _secret_page(request: HttpRequest, client: ApiClient, secret: str) -> HttpResponse:
    response = TemplateResponse(
        request,
        "admin/api/apiclient/secret.html",
        {
            **admin.site.each_context(request),
            "title": _("The secret of %(name)s") % {"name": client.name},
            "client": client,
            "client_id": client.application.client_id,
            "secret": secret,
            "opts": ApiClient._meta,
        },
    )
    response["Cache-Control"] = "no-store"  # the secret is never kept by a browser or a proxy
    return response


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientForm
    list_display = ["name", "scope_list", "is_active", "throttle_rate", "created_by", "created_at", "revoked_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "description", "application__client_id"]
    actions = ["revoke", "new_secret"]

    @admin.display(description=_("Scopes"))
    def scope_list(self, client: ApiClient) -> str:
        return " ".join(client.scopes)

    @admin.display(description=_("Client id"))
    def client_id(self, client: ApiClient) -> str:
        return client.application.client_id

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        return [
            "name",
            "client_id",
            "description",
            "scope_list",
            "throttle_rate",
            "account",
            "is_active",
            "created_by",
            "created_at",
            "revoked_at",
        ]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["name", "description", "scopes", "throttle_rate"]
        return self.get_readonly_fields(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # kept for the audit trail; revoke instead

    def has_add_permission(self, request: HttpRequest) -> bool:
        return services.may_register_clients(request.user) and super().has_add_permission(request)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        if request.method == "POST" and self.has_add_permission(request):
            form = ApiClientForm(request.POST)
            if form.is_valid():
                try:
                    client, secret = services.api_client_register(
                        name=form.cleaned_data["name"],
                        description=form.cleaned_data["description"],
                        scopes=form.cleaned_data["scopes"],
                        throttle_rate=form.cleaned_data["throttle_rate"],
                        actor=request.user,
                    )
                except DomainError as error:
                    for field, problems in error.field_errors.items():
                        form.add_error(field if field in form.fields else None, problems)
                    if not error.field_errors:
                        form.add_error(None, error.messages)
                else:
                    return _secret_page(request, client, secret)
            # Shown again with its errors by the admin's own page.
        return super().add_view(request, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Clients are registered in add_view (through the service) and never edited here.
        raise PermissionError("API clients change only through api.services.")

    @admin.action(description=_("Revoke the selected clients (their tokens stop working)"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        for client in queryset:
            try:
                services.api_client_revoke(client=client, actor=request.user)
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
                return
        self.message_user(request, _("Revoked."), messages.SUCCESS)

    @admin.action(description=_("Issue a new secret (shown once; the old one stops working)"))
    def new_secret(self, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("Choose one client at a time."), messages.ERROR)
            return None
        client = queryset.get()
        try:
            secret = services.api_client_new_secret(client=client, actor=request.user)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return None
        return _secret_page(request, client, secret)
