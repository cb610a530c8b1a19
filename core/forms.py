"""Form fields every app shares: typed values out of what people type."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .money import parse_money

AMOUNT_ATTRS = {"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"}


class MoneyField(forms.Field):
    """An amount in PKR as people type it (`900,000`, `15,00,000`, `1250000.50`, Urdu digits) cleaned
    to a Decimal with two places by the project's one parser, with its specific messages."""

    def __init__(self, *, positive: bool = False, **kwargs: Any) -> None:
        self.positive = positive
        kwargs.setdefault("widget", forms.TextInput(attrs=AMOUNT_ATTRS))
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "maxlength": str(self.max_length)}

    max_length = 40

    def to_python(self, value: Any) -> Decimal | None:
        text = value.strip() if isinstance(value, str) else value
        if text in self.empty_values:
            return None
        if isinstance(text, str) and len(text) > self.max_length:
            raise forms.ValidationError(
                _("%(label)s is too long to be an amount.") % {"label": self.label or _("The amount")}, code="invalid"
            )
        amount, problem = parse_money(text, str(self.label or _("The amount")), positive=self.positive)
        if problem:
            raise forms.ValidationError(problem, code="invalid")
        return amount


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (each file is checked by its bytes in the service,
    core.uploads.read_upload)."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def show_domain_error(form: forms.Form, error: Any) -> None:
    """A service's refusal (core.errors.DomainError) on the form: each field's messages next to the
    field, the rest at the top; nothing is lost and nothing is shown twice."""
    shown = set()
    for field, field_messages in error.field_errors.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)
            shown.add(str(message))
    for message in error.messages:
        if str(message) not in shown:
            form.add_error(None, message)
