"""Idle log-off and the second-factor gate."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from iptcare.audit.events import record_event
from iptcare.audit.models import EventType

LAST_ACTIVITY_KEY = "last_activity"


class IdleLogoutMiddleware:
    """Signs a person out after IDLE_TIMEOUT_MINUTES without a request (HIPAA automatic log-off)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            last = request.session.get(LAST_ACTIVITY_KEY)
            if last is not None and now - last > settings.IDLE_TIMEOUT_MINUTES * 60:
                user = request.user
                record_event(EventType.IDLE_LOGOUT, actor=user)
                # Marked so the logout signal does not write a second, ordinary sign-out event.
                request._idle_logout = True
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("Your session ended after inactivity.")}, status=401)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)d minutes without activity.")
                    % {"minutes": settings.IDLE_TIMEOUT_MINUTES},
                )
                return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
            request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


# Pages reachable before the second factor is given: giving or enrolling it, and leaving. Nothing else,
# in particular not removing the authenticator, which would make the password alone enough.
_OPEN_BEFORE_SECOND_FACTOR = ("/accounts/2fa/verify/", "/accounts/2fa/setup/", "/accounts/logout/", "/static/")


class SecondFactorMiddleware:
    """After the password, a person with an authenticator must give its code; an admin must set one up."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        needed = second_factor_step(user) if user.is_authenticated and not user.is_verified() else None
        # Kept for the page header, which shows no navigation while a code is still owed.
        request.second_factor_pending = needed is not None
        if needed and not request.path.startswith(_OPEN_BEFORE_SECOND_FACTOR):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("Give your second-factor code first.")}, status=401)
            return redirect(f"{reverse(needed)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def second_factor_step(user) -> str | None:
    """The page a signed-in but unverified person must go to, or None when no second factor is needed."""
    from django_otp import user_has_device

    if user_has_device(user, confirmed=True):
        return "totp_verify"
    if user.is_org_admin:
        return "totp_setup"
    return None
