"""Voucher rounds in the Django admin, for superusers: the round's terms, the spaces taking part and the
division quotas, each saved through vouchers.services.rounds (validated and audited). Vouchers, claims
and freelancers' profiles are not here: they change only through the pages, by the people the rules
name, and a freelancer's profile is personal data."""

from django import forms
from django.contrib import admin

from core.admin_mixins import NoDeletes

from .models import DivisionQuota, RoundSpace, VoucherRound
from .services.rounds import offer_problems, round_part_save, round_problems


class ChecksForm(forms.ModelForm):
    """Shows the service's own checks on the admin form, per field, before anything is saved."""

    checks = staticmethod(lambda obj: {})

    def clean(self):
        cleaned = super().clean()
        candidate = self._meta.model(**{k: v for k, v in cleaned.items() if k in self._model_fields()})
        if self.instance.pk:
            candidate.pk = self.instance.pk
        if getattr(self.instance, "round_id", None) and not getattr(candidate, "round_id", None):
            candidate.round_id = self.instance.round_id
        for field, problems in self.checks(candidate).items():
            for problem in problems:
                self.add_error(field if field in self.fields else None, problem)
        return cleaned

    def _model_fields(self):
        return {f.name for f in self._meta.model._meta.concrete_fields}


class VoucherRoundForm(ChecksForm):
    checks = staticmethod(round_problems)

    class Meta:
        model = VoucherRound
        fields = (
            "program",
            "reference",
            "title",
            "opens_at",
            "closes_at",
            "last_start_date",
            "age_on",
            "min_age",
            "max_age",
            "domiciles",
            "subsidy_share",
            "months",
            "monthly_cap",
            "seat_types",
            "students_allowed",
            "start_within_working_days",
        )


class RoundSpaceForm(ChecksForm):
    checks = staticmethod(offer_problems)

    class Meta:
        model = RoundSpace
        fields = ("space", "seats", "hot_desk_fee", "dedicated_desk_fee")


class RoundSpaceInline(NoDeletes, admin.TabularInline):
    model = RoundSpace
    form = RoundSpaceForm
    fields = ("space", "seats", "hot_desk_fee", "dedicated_desk_fee")
    autocomplete_fields = ("space",)
    extra = 1
    can_delete = False


class DivisionQuotaInline(NoDeletes, admin.TabularInline):
    model = DivisionQuota
    fields = ("division", "vouchers")
    extra = 1
    can_delete = False


@admin.register(VoucherRound)
class VoucherRoundAdmin(NoDeletes, admin.ModelAdmin):
    form = VoucherRoundForm
    list_display = ("title", "reference", "program", "opens_at", "closes_at", "subsidy_share", "months", "monthly_cap")
    search_fields = ("title", "reference")
    inlines = [RoundSpaceInline, DivisionQuotaInline]

    def save_model(self, request, obj, form, change):
        round_part_save(actor=request.user, obj=obj)

    def save_formset(self, request, form, formset, change):
        for row in formset.save(commit=False):
            round_part_save(actor=request.user, obj=row)
