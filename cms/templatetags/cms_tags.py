"""Template helpers of the public site: the site menu, the language switcher's target, labels."""

from django import template
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

from grants.documents import DocumentType

register = template.Library()


MENU_CACHE_SECONDS = 600


def menu_cache_key() -> str:
    return f"public-menu:{get_language()}"


def forget_public_menu(**_kwargs) -> None:
    """A page published, unpublished, moved or deleted: every language's menu is read again."""
    cache.delete_many([f"public-menu:{code}" for code, _name in settings.LANGUAGES])


def _menu_pages(request) -> list[tuple[str, str, str]]:
    """(url, title, tree path) of the menu's pages: read from the cache, kept for MENU_CACHE_SECONDS
    and forgotten when a page changes (cms/apps.py), since it is on every page of the site."""
    from cms.models import HomePage

    key = menu_cache_key()
    pages = cache.get(key)
    if pages is None:
        home = HomePage.objects.live().first()
        pages = []
        if home is not None:
            for child in home.get_children().live().in_menu().specific():
                title = child.i18n.title if hasattr(child, "i18n") else child.title
                pages.append((child.get_url(request), str(title), child.path))
        cache.set(key, pages, MENU_CACHE_SECONDS)
    return pages


@register.simple_tag(takes_context=True)
def public_menu(context):
    """The live pages under the home page marked "show in menus", as (url, title, is_current)."""
    current = context.get("page")
    current_path = getattr(current, "path", "") if current is not None else ""
    return [
        (url, title, bool(current_path) and current_path.startswith(path))
        for url, title, path in _menu_pages(context.get("request"))
    ]


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
