"""Optional: keep the staff pages in English now that settings.LANGUAGES offers Spanish for the portal.

LocaleMiddleware picks a language from the browser for every page. Only the portal is translated, so a staff member
whose browser prefers Spanish would get Django's own messages, dates and number formats in Spanish around English
pages. Placed right after LocaleMiddleware, this sets the staff side back to LANGUAGE_CODE and leaves the client's
pages (/me/ and /api/v1/me/) alone. Not in MIDDLEWARE yet: see docs/portal.md, "Languages".
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

CLIENT_PREFIXES = ("/me/", "/api/v1/me/")


class StaffPagesInEnglishMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(CLIENT_PREFIXES):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return self.get_response(request)
