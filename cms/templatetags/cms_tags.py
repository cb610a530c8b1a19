"""Template helpers of the public site: the site menu, the language switcher's target, labels."""

from django import template
from django.conf import settings
from django.utils.translation import get_language

from grants.documents import DocumentType

register = template.Library()


@register.simple_tag(takes_context=True)
def public_menu(context):
    """The live pages under the home page marked "show in menus", as (url, title, is_current)."""
    from cms.models import HomePage

    request = context.get("request")
    home = HomePage.objects.live().first()
    if home is None:
        return []
    current = context.get("page")
    current_path = getattr(current, "path", "") if current is not None else ""
    items = []
    for child in home.get_children().live().in_menu().specific():
        url = child.get_url(request)
        title = child.i18n.title if hasattr(child, "i18n") else child.title
        items.append((url, title, bool(current_path) and current_path.startswith(child.path)))
    return items


@register.simple_tag(takes_context=True)
def language_neutral_path(context):
    """The current path without its language prefix (/ur/programs/ -> /programs/).

    Django's set_language translates `next` by resolving it under the default language (the switcher
    posts to an unprefixed URL). A prefixed path would be read as a Wagtail page path starting "ur/",
    so the switcher sends the neutral path and set_language adds the prefix of the chosen language.
    """
    request = context.get("request")
    if request is None:
        return "/"
    path = request.get_full_path()
    language = get_language() or ""
    if language != settings.LANGUAGE_CODE:
        prefix = f"/{language}/"
        if path.startswith(prefix):
            path = "/" + path[len(prefix) :]
        elif path == prefix.rstrip("/"):
            path = "/"
    return path


@register.filter
def document_label(code):
    try:
        return DocumentType(code).label
    except ValueError:
        return code
