"""Forms of the visit pages: they check shape; integrity.services.visits checks the rules."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.bilingual import isolated
from spaces.models import Space

from .models import InspectionVisit, VisitPurpose

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class SpaceChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{isolated(obj.name)} — {obj.get_district_display()}"


class VisitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(reference)s: %(department)s, %(date)s %(start)s–%(end)s") % {
            "reference": isolated(obj.reference),
            "department": obj.department.local_name,
            "date": obj.window_date.isoformat(),
            "start": obj.window_start.strftime("%H:%M"),
            "end": obj.window_end.strftime("%H:%M"),
        }


class WindowFields(forms.Form):
    window_date = forms.DateField(label=_("Date"), widget=DATE)
    window_start = forms.TimeField(label=_("From"), widget=TIME)
    window_end = forms.TimeField(label=_("Until"), widget=TIME)


class VisitRequestForm(WindowFields):
    space = SpaceChoice(label=_("Space"), queryset=Space.objects.none())
    purpose = forms.ModelChoiceField(label=_("Purpose"), queryset=VisitPurpose.objects.none())
    urgent = forms.BooleanField(label=_("Urgent (less notice; counted and published)"), required=False)
    urgent_reason = forms.CharField(
        label=_("Why it is urgent"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    joins = VisitChoice(
        label=_("Join a scheduled visit to the same space (optional)"),
        queryset=InspectionVisit.objects.none(),
        required=False,
        help_text=_("Joined visits are one trip: the space's yearly limit counts them once."),
    )

    field_order = ["space", "purpose", "window_date", "window_start", "window_end", "urgent", "urgent_reason", "joins"]

    def __init__(self, *args, purposes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = Space.objects.exclude(network_status=Space.NetworkStatus.EXITED).order_by(
            "name"
        )
        self.fields["purpose"].queryset = purposes
        self.fields["joins"].queryset = InspectionVisit.objects.filter(
            state=InspectionVisit.State.SCHEDULED, joint_with__isnull=True, window_date__gte=timezone.localdate()
        ).select_related("department")


class ScheduleForm(WindowFields):
    joint_with = VisitChoice(
        label=_("Join to another department's scheduled visit (one trip)"),
        queryset=InspectionVisit.objects.none(),
        required=False,
    )

    def __init__(self, *args, joinable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["joint_with"].queryset = joinable


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class OutcomeForm(forms.Form):
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 5}), max_length=10000)
    notice = forms.FileField(
        label=_("Notice issued (PDF, optional)"),
        required=False,
        help_text=_("Only a notice you issued at the visit. There is no fee: nothing is collected at the door."),
    )


class AnswerForm(forms.Form):
    happened_as_registered = forms.TypedChoiceField(
        label=_("Did the visit happen as registered (the same people, the same day and hours)?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        coerce=lambda value: value == "yes",
    )
    asked_for_money = forms.TypedChoiceField(
        label=_("Were you asked for money, a gift or a favour?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        coerce=lambda value: value == "yes",
        help_text=_("Yes files a confidential grievance with the integrity office, filled in from this visit."),
    )
    treatment = forms.TypedChoiceField(
        label=_("How were you treated?"),
        choices=InspectionVisit.Treatment.choices,
        widget=forms.RadioSelect,
        coerce=int,
    )
    comment = forms.CharField(
        label=_("What happened (required if you were asked for anything)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Visit code"),
        max_length=20,
        help_text=_("The code the official shows you, e.g. K7QM-4XP9."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class UnregisteredVisitForm(forms.Form):
    space = forms.ModelChoiceField(label=_("Space"), queryset=Space.objects.none())
    visited_on = forms.DateField(label=_("Date of the visit"), widget=DATE)
    department = forms.CharField(label=_("Department the official said they were from"), required=False, max_length=160)
    official_name = forms.CharField(label=_("Name or description of the official"), required=False, max_length=200)
    what_happened = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 5}), max_length=10000
    )

    def __init__(self, *args, spaces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = spaces

    def clean_visited_on(self):
        day = self.cleaned_data["visited_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date of the visit cannot be in the future."))
        return day
