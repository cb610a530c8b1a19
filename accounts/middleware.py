"""Remember the language each signed-in person uses the site in (User.language)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import get_language


class RememberLanguage:
    """After LocaleMiddleware and AuthenticationMiddleware: when a signed-in person's request is in
    another language than the one stored for them, store it (one UPDATE, only on a change). Used by
    notifications.services.notify to write to each recipient in their own language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = getattr(request, "LANGUAGE_CODE", None) or get_language()
            stored = user.language or settings.LANGUAGE_CODE  # empty means the site's default
            if language and stored != language:
                get_user_model().objects.filter(pk=user.pk).update(language=language)
                user.language = language
        return self.get_response(request)
