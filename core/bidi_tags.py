"""Isolating text of another direction on Urdu pages, available in every template (a builtin library,
TEMPLATES["OPTIONS"]["builtins"]):

- `|ltr`: a code or reference written left to right ("FY2026-27", "GR-2026-00007") in <bdi dir="ltr">,
  so its parts keep their order inside right-to-left text;
- `|isolate`: what a person typed (a company, space or person's name, an address) in <bdi>, so it takes
  its own direction and a neighbouring full stop or bracket stays where it belongs.

Both give markup: not for <title>, an attribute or an <option> (use plain text there).
"""

from typing import Any

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def ltr(code: Any) -> str:
    if code in (None, ""):
        return ""
    return format_html('<bdi dir="ltr">{}</bdi>', code)


@register.filter
def isolate(text: Any) -> str:
    if text in (None, ""):
        return ""
    return format_html("<bdi>{}</bdi>", text)
