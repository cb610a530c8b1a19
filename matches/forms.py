from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MatchState
from .rules import RULE_CHOICES


class WorklistFilterForm(forms.Form):
    rule = forms.ChoiceField(label=_("Rule"), choices=[("", _("Every rule")), *RULE_CHOICES], required=False)
    state = forms.ChoiceField(label=_("State"), choices=MatchState.choices, required=False)
    operator = forms.CharField(label=_("Company name contains"), max_length=100, required=False)


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_(
            "Kept with the match and in the audit trail, e.g. “same family, different businesses, checked on site”."
        ),
    )
