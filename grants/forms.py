"""Forms of the operator portal and the officers' workbench for applications.

Forms check shape only (a field is there, a date is a date, a choice is one of the choices). Every
business rule — limits, tiers, own contribution, bill references, file contents — is the service's,
and its refusal is shown on the form by `show_refusal` (views.py). Amounts are text fields on purpose:
the service reads "1,250,000" as well as "1250000" and names the problem precisely when it cannot.
"""

import django_filters
from django import forms
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.dates import show_date

from .documents import DocumentType
from .models import Application, ApplicationState, Disco, GraceKind, Program

AMOUNT_ATTRS = {"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"}


def amount_field(label, *, help_text="", required=True):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=30,
        widget=forms.TextInput(attrs=AMOUNT_ATTRS),
    )


class StartApplicationForm(forms.Form):
    call = forms.ChoiceField(label=_("Call"), widget=forms.RadioSelect)
    space = forms.ChoiceField(
        label=_("Space"),
        required=False,
        help_text=_("A grant or a soft loan is for one of your spaces. A utility enrolment names its spaces later."),
    )

    def __init__(self, *args, calls, spaces, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls = {call.reference: call for call in calls}
        self.spaces = {str(space.pk): space for space in spaces}
        self.fields["call"].choices = [
            (
                call.reference,
                _("%(call)s — %(program)s (closes %(date)s)")
                % {"call": call.display_title, "program": call.program.display_name, "date": show_date(call.closes_at)},
            )
            for call in calls
        ]
        self.fields["space"].choices = [("", _("Choose a space"))] + [
            (str(space.pk), f"{space.name} ({space.code})") for space in spaces
        ]

    def clean(self):
        data = super().clean()
        call = self.calls.get(data.get("call"))
        data["call_obj"] = call
        data["space_obj"] = self.spaces.get(data.get("space") or "")
        if call is not None and call.program.instrument != "utility_subsidy" and data["space_obj"] is None:
            self.add_error("space", _("Choose the space this application is for."))
        return data


class GrantDetailsForm(forms.Form):
    purpose = forms.CharField(
        label=_("What will the grant pay for?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Say what you will buy or build and how it helps the space's members."),
    )
    amount_requested = amount_field(_("Grant amount you ask for (PKR)"), help_text=_("For example 2,500,000."))
    own_contribution = amount_field(
        _("Your own contribution (PKR)"),
        help_text=_("The money your company puts into the project itself."),
    )


class LoanDetailsForm(forms.Form):
    amount = amount_field(_("Loan amount (PKR)"), help_text=_("The tier and its markup follow from the amount."))
    tenure_months = forms.IntegerField(label=_("Tenure (months)"), min_value=1, max_value=360)
    grace_months = forms.IntegerField(
        label=_("Grace period (months)"),
        min_value=0,
        max_value=120,
        initial=0,
        help_text=_("Months before repayments of the principal begin."),
    )
    grace_kind = forms.ChoiceField(
        label=_("What will you pay during the grace months?"),
        choices=[
            (GraceKind.INTEREST_ONLY, _("The markup only")),
            (GraceKind.NONE, _("Nothing: the markup is added to the loan")),
        ],
        initial=GraceKind.INTEREST_ONLY,
        widget=forms.RadioSelect,
        help_text=_(
            "The markup only: each grace month you pay only that month's markup, and the amount you owe stays "
            "the same. Nothing: you pay nothing during grace, but each month's markup is added to the loan, so "
            "you owe more and your monthly instalments after grace are larger. This matters only if you ask for "
            "grace months."
        ),
    )
    purpose = forms.CharField(
        label=_("What will the loan pay for?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    equity_contribution = amount_field(_("Your own equity (PKR)"))


class RowForm(forms.Form):
    """A row of a repeatable list; a row left entirely blank is ignored."""

    def is_blank(self) -> bool:
        return not any(str(self.data.get(self.add_prefix(name), "")).strip() for name in self.fields)

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self.is_blank():
            self._errors = ErrorDict()
            self.cleaned_data = {}


class BudgetLineForm(RowForm):
    description = forms.CharField(label=_("Item"), max_length=200, required=False)
    amount = amount_field(_("Cost (PKR)"), required=False)


class MilestoneForm(RowForm):
    title = forms.CharField(label=_("Milestone"), max_length=200, required=False)
    amount = amount_field(_("Tranche (PKR)"), required=False)
    due_date = forms.DateField(
        label=_("Due by"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ConnectionForm(RowForm):
    space = forms.ChoiceField(label=_("Space"), required=False)
    disco = forms.ChoiceField(label=_("Electricity company"), required=False)
    bill_reference = forms.CharField(
        label=_("Bill reference number"),
        max_length=20,
        required=False,
        help_text=_("14 digits, printed on the bill (K-Electric: the 13-digit account number)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    average_monthly_bill = amount_field(_("Average monthly bill (PKR)"), required=False)

    def __init__(self, *args, spaces=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["space"].choices = [("", _("Choose a space"))] + [
            (str(space.pk), f"{space.name} ({space.code})") for space in spaces
        ]
        self.fields["disco"].choices = [("", _("Choose the company"))] + list(Disco.choices)


# Blank rows to offer after the saved ones; "Add another row" posts back for one more (no script needed).
BLANK_ROWS = 2
BudgetLineFormSet = forms.formset_factory(BudgetLineForm, extra=BLANK_ROWS, max_num=50, absolute_max=60)
MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=BLANK_ROWS, max_num=50, absolute_max=60)
ConnectionFormSet = forms.formset_factory(ConnectionForm, extra=BLANK_ROWS, max_num=50, absolute_max=60)


def filled_rows(formset) -> list:
    """The rows the person filled in, in order (blank rows dropped)."""
    return [form for form in formset.forms if not form.is_blank()]


class DocumentUploadForm(forms.Form):
    document_type = forms.ChoiceField(label=_("Which document is this?"), choices=DocumentType.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("A PDF, JPEG or PNG, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args, document_types=None, **kwargs):
        super().__init__(*args, **kwargs)
        if document_types:
            self.fields["document_type"].choices = [(doc.value, doc.label) for doc in document_types]


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing?"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: it helps the secretariat improve the program."),
    )


class RequestInformationForm(forms.Form):
    question = forms.CharField(
        label=_("Your question to the operator"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The clock pauses until they answer."),
    )


class ScreenOutForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for screening out"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The operator reads this reason."),
    )


class ScreeningQueueFilter(django_filters.FilterSet):
    """The screening queue's filters, `?program=<slug>&state=<state>`. `form` is what the queue page
    renders; `qs` is what `selectors.screening_queue(filters=...)` returns. A value that is not one of
    the choices is shown as an error on the form and the queue is left unfiltered (not half-filtered)."""

    SCREENING_CHOICES = [
        (ApplicationState.SUBMITTED, ApplicationState.SUBMITTED.label),
        (ApplicationState.SCREENING, ApplicationState.SCREENING.label),
        (ApplicationState.INFO_REQUESTED, ApplicationState.INFO_REQUESTED.label),
    ]

    program = django_filters.ChoiceFilter(
        label=_("Program"), field_name="call__program__slug", empty_label=_("All programs")
    )
    state = django_filters.ChoiceFilter(label=_("State"), choices=SCREENING_CHOICES, empty_label=_("All states"))

    class Meta:
        model = Application
        fields = ["program", "state"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        programs = Program.objects.order_by("name").only("slug", "name", "name_ur")
        self.filters["program"].extra["choices"] = [(program.slug, program.display_name) for program in programs]

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.form.is_valid() else queryset


# --- review and decision (issue 4) -----------------------------------------------------------------


class AssignReviewersForm(forms.Form):
    reviewers = forms.MultipleChoiceField(
        label=_("Reviewers"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Lightest current load first. People who may not review this application are listed below."),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(c.user.pk): c.user for c in candidates}
        self.fields["reviewers"].choices = [
            (
                str(c.user.pk),
                ngettext("%(name)s — %(n)s review open", "%(name)s — %(n)s reviews open", c.load)
                % {"name": c.user.get_full_name() or c.user.email, "n": c.load},
            )
            for c in candidates
            if c.refusal is None
        ]
        self.fields["reviewers"].error_messages["invalid_choice"] = _("Choose people from the list.")

    def chosen(self):
        return [self.people[pk] for pk in self.cleaned_data["reviewers"]]


class DeclarationForm(forms.Form):
    conflict = forms.ChoiceField(
        label=_("Do you have a conflict of interest with this applicant?"),
        choices=[
            ("no", _("No: I have no family, business, financial or employment tie to the company or its people")),
            ("yes", _("Yes: I have a conflict of interest")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("If yes, what is the conflict?"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The program officer reads this; you will be removed from every application of this company."),
    )

    def clean(self):
        data = super().clean()
        if data.get("conflict") == "yes" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say what the conflict of interest is."))
        return data


class ReviewForm(forms.Form):
    """One radio group per rubric criterion (1–5), the recommendation, comments and conditions."""

    recommendation = forms.ChoiceField(label=_("Your recommendation"), widget=forms.RadioSelect)
    comments = forms.CharField(
        label=_("Comments for the board"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    conditions = forms.CharField(
        label=_("Conditions (if you recommend approval with conditions)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, criteria, **kwargs):
        from .models import SCORE_MAX, SCORE_MIN, Recommendation

        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        scale = [(str(n), str(n)) for n in range(SCORE_MIN, SCORE_MAX + 1)]
        for criterion in self.criteria:
            self.fields[f"score_{criterion.code}"] = forms.ChoiceField(
                label=_("%(criterion)s (weight %(weight)s)")
                % {"criterion": criterion.display_title, "weight": f"{criterion.weight.normalize():f}"},
                choices=scale,
                widget=forms.RadioSelect(attrs={"class": "scale"}),
                help_text=criterion.display_guidance,
            )
        self.fields["recommendation"].choices = Recommendation.choices
        self.order_fields([f"score_{c.code}" for c in self.criteria] + ["recommendation", "comments", "conditions"])

    def score_fields(self):
        return [self[f"score_{c.code}"] for c in self.criteria]

    def scores(self) -> dict:
        return {c.code: self.cleaned_data.get(f"score_{c.code}") for c in self.criteria}


class BoardMeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Date of the meeting"), widget=forms.DateInput(attrs={"type": "date"}))
    members_present = forms.MultipleChoiceField(
        label=_("Board members present"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("You, the chair, are counted as present."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(user.pk): user for user in members}
        self.fields["members_present"].choices = [
            (str(user.pk), user.get_full_name() or user.email) for user in members
        ]

    def chosen(self):
        return [self.people[pk] for pk in self.cleaned_data["members_present"]]


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("The board's decision"), widget=forms.RadioSelect)
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0, max_value=99)
    votes_against = forms.IntegerField(label=_("Votes against"), min_value=0, max_value=99)
    votes_abstain = forms.IntegerField(label=_("Abstentions"), min_value=0, max_value=99, initial=0)
    amount = amount_field(
        _("Amount approved (PKR)"),
        required=False,
        help_text=_("At most the amount asked for. Leave empty to approve the amount asked for."),
    )
    conditions = forms.CharField(
        label=_("Conditions (for an approval with conditions)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One condition a line; they are printed on the award letter."),
    )
    reasons = forms.CharField(
        label=_("Reasons (for a rejection or a deferral)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The operator reads the reasons for a rejection."),
    )

    def __init__(self, *args, **kwargs):
        from .models import DecisionOutcome

        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = DecisionOutcome.choices


class DelegatedApprovalForm(forms.Form):
    amount = amount_field(
        _("Amount approved (PKR)"), required=False, help_text=_("Leave empty to approve the amount asked for.")
    )
    conditions = forms.CharField(
        label=_("Conditions"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
