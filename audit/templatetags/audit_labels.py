"""Timeline labels for every concern: `{{ e.action|event_label }}` and
`{{ e.to_state|state_label:e.object_type }}` show the translated names of the codes the audit log stores
(core.labels finds each app's catalogue)."""

from django import template

from core import labels

register = template.Library()


@register.filter
def event_label(code: str) -> str:
    return labels.event_label(code)


@register.filter
def state_label(code: str, object_type: str = "") -> str:
    return labels.state_label(code, object_type)
