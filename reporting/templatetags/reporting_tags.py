from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()


@register.filter
def pct(value):
    """A share 0..1 as '72.4%'; a dash when there is nothing to divide."""
    if value is None:
        return "–"
    return f"{value * 100:.1f}%"


@register.filter
def thousands(value):
    return intcomma(value if value is not None else 0, use_l10n=False)
