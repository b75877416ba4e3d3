"""The optional middleware that keeps staff pages in English (docs/portal.md, "Languages")."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import translation

from iptcare.portal.middleware import StaffPagesInEnglishMiddleware


def language_seen(path: str) -> str:
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(translation.get_language())
        return HttpResponse()

    request = RequestFactory().get(path)
    with translation.override("es"):
        StaffPagesInEnglishMiddleware(view)(request)
    return seen[0]


@pytest.mark.parametrize(
    ("path", "language"),
    [("/clients/", "en"), ("/api/v1/clients/", "en"), ("/me/", "es"), ("/me/login/", "es"), ("/api/v1/me/today", "es")],
)
def test_staff_pages_stay_english_and_the_portal_keeps_the_client_s_language(path: str, language: str) -> None:
    assert language_seen(path) == language
