"""Page content in English and Urdu.

Wagtail's own localisation (one page tree per locale) needs WAGTAIL_I18N_ENABLED and a translation
workflow (wagtail-localize) that editors here do not have. Instead every page keeps its Urdu text in
`<field>_ur` fields next to the English ones, on an "Urdu" tab of the same edit form: the editor
translates the page they are looking at, one revision and one moderation step cover both languages,
and nothing can be published in one language only by accident of a second tree.

Templates read `page.i18n.<field>`: the Urdu field while Urdu is active and the field is filled
in, otherwise the English one. `page.i18n.fallback.<field>` is true when English text is shown on
an Urdu page, so the template can mark it `lang="en" dir="ltr"` for screen readers and layout.
A page about a record that has its own Urdu name (a program page's program, a call page's call) falls
back to that name before English: `urdu_from_data()` gives it.
(Not named `localized`: Wagtail's Page.localized, the page in the active locale, keeps its meaning.)
"""

from django.utils.html import strip_tags
from django.utils.translation import get_language

URDU = "ur"


def has_content(value) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(strip_tags(value).strip())
    try:
        return len(value) > 0  # a StreamValue
    except TypeError:
        return bool(value)


def is_urdu() -> bool:
    return (get_language() or "").split("-")[0] == URDU


def _urdu_value(page, name: str):
    urdu = getattr(page, f"{name}_{URDU}", None)
    if not has_content(urdu) and hasattr(page, "urdu_from_data"):
        urdu = page.urdu_from_data().get(name)
    return urdu


class _Fallback:
    def __init__(self, page):
        self._page = page

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if not is_urdu():
            return False
        return not has_content(_urdu_value(self._page, name))


class LocalizedContent:
    """Attribute access that prefers the Urdu field on an Urdu page."""

    def __init__(self, page):
        self._page = page

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if is_urdu():
            urdu = _urdu_value(self._page, name)
            if has_content(urdu):
                return urdu
        return getattr(self._page, name)

    @property
    def fallback(self):
        return _Fallback(self._page)


class Localizable:
    """Mixin for pages with `_ur` fields."""

    @property
    def i18n(self) -> LocalizedContent:
        return LocalizedContent(self)

    def urdu_from_data(self) -> dict[str, str]:
        """Urdu text for a field left empty on the page, taken from the record the page is about."""
        return {}
