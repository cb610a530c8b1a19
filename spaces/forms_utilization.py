"""Forms for utilization returns: the monthly return, the month picker and the template upload.

They check shape (whole numbers, 0 or more); the relations between figures are the service's rules
(spaces.utilization.figure_problems), shown here on the field they concern.
"""

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .models import UTILIZATION_FIGURES, UtilizationReturn
from .utilization import figure_problems, month_label, parse_month, recent_months

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


def month_choices():
    return [(m.strftime("%Y-%m"), month_label(m)) for m in recent_months()]


class UtilizationReturnForm(forms.Form):
    def __init__(self, *args, month, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.month = month
        for name in UTILIZATION_FIGURES:
            model_field = UtilizationReturn._meta.get_field(name)
            label = str(model_field.verbose_name)
            self.fields[name] = forms.IntegerField(
                label=label[:1].upper() + label[1:],
                help_text=model_field.help_text,
                min_value=0,
                max_value=10_000_000,
                error_messages={
                    "required": _("Enter %(field)s.") % {"field": label},
                    "invalid": _("Enter %(field)s as a whole number.") % {"field": label},
                    "min_value": _("%(field)s cannot be negative.") % {"field": label[:1].upper() + label[1:]},
                },
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            )
        if existing is not None:
            self.fields["confirm_replace"] = forms.BooleanField(
                label=_("Yes, replace the return filed on %(date)s")
                % {"date": date_format(timezone.localtime(existing.filed_at), "j F Y")},
                required=True,
                error_messages={"required": _("Confirm that you want to replace the return already filed.")},
            )

    def clean(self):
        cleaned = super().clean()
        if all(cleaned.get(name) is not None for name in UTILIZATION_FIGURES):
            for name, message in figure_problems(cleaned, self.month).items():
                self.add_error(name, message)
        return cleaned

    def figures(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in UTILIZATION_FIGURES}


class MonthForm(forms.Form):
    month = forms.ChoiceField(label=_("Month"), choices=month_choices)

    def clean_month(self):
        return parse_month(self.cleaned_data["month"])


class UtilizationUploadForm(MonthForm):
    file = forms.FileField(
        label=_("Filled-in template (.xlsx)"),
        help_text=_("The Excel template you downloaded for this month, with your figures."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
        error_messages={"required": _("Choose the filled-in template to upload.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB; the template for your spaces is far smaller."))
        return upload
