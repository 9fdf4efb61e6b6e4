from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

SESSION_LANGUAGE_KEY = "preferred_language"


class UserLanguageMiddleware:
    """Makes a signed-in user's preferred language win over the browser's.

    The login view stores the preference in the session; LocaleMiddleware, which runs
    next, reads the language cookie, so the preference is put there when the browser
    has no explicit choice of its own.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.cookie_name = settings.LANGUAGE_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.session.get(SESSION_LANGUAGE_KEY)
        if (
            isinstance(language, str)
            and self.cookie_name not in request.COOKIES
            and translation.check_for_language(language)
        ):
            request.COOKIES[self.cookie_name] = language
        return self.get_response(request)
