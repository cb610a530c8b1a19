"""Forms of the grievance pages. They check shape; integrity.services.grievances checks the rules
(who may file for which company, who may handle it, the states) and says what is wrong."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import MultipleFileField

from .models import Department, Grievance, GrievanceState
from .selectors.grievances import overdue_q


class EvidenceField(MultipleFileField):
    """Up to five files; each is checked by its bytes in the service (core.uploads.read_upload)."""


class GrievanceForm(forms.Form):
    """What a filer says: the portal's form; the public form and the helpline add the contact fields."""

    category = forms.ChoiceField(
        label=_("What is it about?"), choices=Grievance.Category.choices, widget=forms.RadioSelect
    )
    what_happened = forms.CharField(
        label=_("What happened"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("When and where, who was there, what was asked or done. Write in English or Urdu."),
    )
    department = forms.ModelChoiceField(
        label=_("Department of the official (if you know it)"),
        queryset=Department.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label=_("I don't know / not a department"),
    )
    official_name_text = forms.CharField(
        label=_("Name or designation of the official (if you know it)"), max_length=160, required=False
    )
    application_reference = forms.CharField(
        label=_("Application reference (if it is about one)"), max_length=30, required=False
    )
    stage = forms.CharField(
        label=_("At which stage (e.g. site inspection, screening, payment)"), max_length=160, required=False
    )
    evidence = EvidenceField(
        label=_("Evidence"),
        required=False,
        help_text=_("Up to five PDF, JPEG or PNG files, each within the size limit: a receipt, a photo, a message."),
    )


class PublicGrievanceForm(GrievanceForm):
    contact_name = forms.CharField(label=_("Your name"), max_length=120, required=False)
    contact_phone = forms.CharField(label=_("Your phone"), max_length=30, required=False)
    contact_email = forms.EmailField(label=_("Your email"), required=False)


class HelplineGrievanceForm(PublicGrievanceForm):
    """Typed in by an integrity officer during a helpline call; the caller's contact is what they give."""


class TrackForm(forms.Form):
    reference = forms.CharField(
        label=_("Tracking number"), max_length=20, widget=forms.TextInput(attrs={"placeholder": "GRV-2026-00012"})
    )
    key = forms.CharField(
        label=_("Follow-up key"),
        max_length=40,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("The key you were shown when you filed (four groups of four letters and digits)."),
    )


class AssignForm(forms.Form):
    officer = forms.ChoiceField(label=_("Integrity officer"))

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = [(str(person.pk), str(person)) for person in officers]


class WriteForm(forms.Form):
    text = forms.CharField(label=_("Text"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 4}))


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Grievance.Outcome.choices, widget=forms.RadioSelect)
    action_taken = forms.CharField(
        label=_("Action taken (the filer reads it)"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )


class CloseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Why"), choices=Grievance.CloseKind.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason (the filer reads it)"), max_length=5_000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Grievance.AppealOutcome.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reasons (the filer reads them)"), max_length=5_000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you reopen it?"), max_length=5_000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RateForm(forms.Form):
    RATINGS = [
        (5, _("5 – very good")),
        (4, _("4 – good")),
        (3, _("3 – fair")),
        (2, _("2 – poor (opens an appeal)")),
        (1, _("1 – very poor (opens an appeal)")),
    ]
    rating = forms.TypedChoiceField(
        label=_("How was your grievance handled?"), choices=RATINGS, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=2_000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class GrievanceDeskFilter(django_filters.FilterSet):
    """The integrity desk's filters, `?state=&category=&overdue=1`. An invalid value is shown on the form
    and the list is left unfiltered."""

    state = django_filters.ChoiceFilter(label=_("State"), choices=GrievanceState.choices, empty_label=_("All states"))
    category = django_filters.ChoiceFilter(
        label=_("About"), choices=Grievance.Category.choices, empty_label=_("All categories")
    )
    overdue = django_filters.BooleanFilter(
        label=_("Past its clock"), method="filter_overdue", widget=forms.CheckboxInput
    )
    mine = django_filters.BooleanFilter(label=_("Assigned to me"), method="filter_mine", widget=forms.CheckboxInput)

    class Meta:
        model = Grievance
        fields = ["state", "category", "overdue", "mine"]

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q(timezone.localdate())) if value else queryset

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        return queryset.filter(assigned_to=user) if value and user is not None else queryset

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.form.is_valid() else queryset
