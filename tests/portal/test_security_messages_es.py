"""The client-facing security messages (too many tries, a session used from another browser) speak Spanish too."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext


def test_the_too_many_tries_page_is_in_spanish() -> None:
    request = RequestFactory().get("/me/login/")
    with translation.override("es"):
        page = render_to_string("security/rate_limited_client.html", {"minutes": 5}, request=request)
    assert "Demasiados intentos" in page
    assert "espere 5 minutos" in page


def test_the_session_messages_are_in_spanish() -> None:
    with translation.override("es"):
        assert gettext("Your session ended: it was used from another browser.") == (
            "Su sesión terminó: se usó desde otro navegador."
        )
        assert gettext("Too many requests. Try again later.") == "Demasiadas solicitudes. Inténtelo de nuevo más tarde."
