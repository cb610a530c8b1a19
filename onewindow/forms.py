"""Forms of the one-window pages: they check shape; onewindow.services checks the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grants.documents import DocumentType

from .models import ServiceQuestion

DATE = forms.DateInput(attrs={"type": "date"})


class AnswersForm(forms.Form):
    """One field per question of the service, in the reader's language; the service checks each."""

    def __init__(self, *args, service, initial_answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        answers = initial_answers or {}
        for question in service.questions.all():
            name = f"q_{question.key}"
            common = {"label": question.local_label, "required": False, "initial": answers.get(question.key, "")}
            if question.kind == ServiceQuestion.Kind.CHOICE:
                field: forms.Field = forms.ChoiceField(choices=[("", "—"), *question.options()], **common)
            elif question.kind == ServiceQuestion.Kind.YES_NO:
                field = forms.ChoiceField(choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))], **common)
            elif question.kind == ServiceQuestion.Kind.DATE:
                field = forms.CharField(widget=DATE, **common)
            elif question.kind == ServiceQuestion.Kind.NUMBER:
                field = forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
            else:
                field = forms.CharField(max_length=2000, **common)
            if question.required:
                field.label = f"{question.local_label} *"
            self.fields[name] = field

    def answers(self) -> dict[str, str]:
        return {name.removeprefix("q_"): value for name, value in self.cleaned_data.items()}


class AttachForm(forms.Form):
    document_type = forms.ChoiceField(label=_("Document"), choices=DocumentType.choices)
    upload = forms.FileField(label=_("File (PDF, JPEG or PNG)"), required=False)
    reuse = forms.ChoiceField(label=_("Or one you filed before"), required=False)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE)

    def __init__(self, *args, reusable=(), document_types=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reuse"].choices = [("", "—")] + [
            (item.key, f"{item.label} — {item.source}, {item.filed_on.isoformat()}") for item in reusable
        ]
        if document_types:
            self.fields["document_type"].choices = [
                (value, label) for value, label in DocumentType.choices if value in document_types
            ]


class TextForm(forms.Form):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["text"].label = label


class IssueForm(forms.Form):
    number = forms.CharField(label=_("Certificate or registration number"), max_length=80)
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE)
    valid_until = forms.DateField(label=_("Valid until (if it expires)"), required=False, widget=DATE)
    pdf = forms.FileField(label=_("The certificate (PDF)"))


class CorrectForm(IssueForm):
    reason = forms.CharField(label=_("What is corrected"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("Why it is refused"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    rule = forms.CharField(label=_("The rule it is refused under"), max_length=250)


class BundleForm(forms.Form):
    space = forms.ModelChoiceField(label=_("For which space"), queryset=None, required=False)

    def __init__(self, *args, spaces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = spaces
