"""The session's browser, idle log-off and the second-factor gate."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY as STAFF_SESSION_KEY
from django.contrib.auth import logout
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from iptcare.accounts.security import BROWSER_SESSION_KEY, bind_session_to_browser, browser_fingerprint
from iptcare.audit.events import record_event
from iptcare.audit.models import EventType

LAST_ACTIVITY_KEY = "last_activity"
# What makes a session worth stealing: a staff sign-in, a portal sign-in, a portal invitation being redeemed, or a
# reset or staff-invitation link whose token Django keeps in the session while the password is chosen.
_SIGNED_IN_KEYS = (STAFF_SESSION_KEY, "portal", "portal_invitation", INTERNAL_RESET_SESSION_TOKEN)


def _is_signed_in(session: Any) -> bool:
    return any(key in session for key in _SIGNED_IN_KEYS)


class SessionBindingMiddleware:
    """A session works only in the browser that signed in: another User-Agent with the same cookie ends it.

    The fingerprint is stored by the response that signs a person in, staff or portal client (or starts a portal
    invitation), together with the new session key that signing in gives: django.contrib.auth.login cycles the key,
    the portal flushes the session. A signed-in session without a fingerprint (one from before this check existed)
    is bound to the first browser that uses it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is None:
            return self.get_response(request)
        key_before = session.session_key
        stored = session.get(BROWSER_SESSION_KEY)
        moved = stored is not None and not constant_time_compare(stored, browser_fingerprint(request))
        if moved and _is_signed_in(session):
            return self._reject(request)
        response = self.get_response(request)
        if _is_signed_in(session) and (BROWSER_SESSION_KEY not in session or session.session_key != key_before):
            bind_session_to_browser(request)
        return response

    def _reject(self, request: HttpRequest) -> HttpResponse:
        from iptcare.portal.models import ClientAccount

        portal = request.session.get("portal")
        account_id = portal.get("account") if isinstance(portal, dict) else None
        account = ClientAccount.objects.select_related("client").filter(pk=account_id).first() if account_id else None
        user = request.user if request.user.is_authenticated else None
        if account is not None:
            record_event(EventType.SESSION_REJECTED, client=account.client, actor_label=account.audit_label)
        else:
            record_event(EventType.SESSION_REJECTED, actor=user)
        # Marked so the logout signal does not write a second, ordinary sign-out event.
        request._session_rejected = True  # type: ignore[attr-defined]
        logout(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("Your session ended: it was used from another browser.")}, status=401)
        message = _("You were signed out because your session was used from another browser. Please sign in again.")
        messages.warning(request, message)
        if request.path.startswith("/me/"):
            return redirect("portal_login")
        return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")


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
    """The page a signed-in but unverified person must go to, or None when no second factor is needed.

    Someone with an authenticator gives its code; someone whose role needs one (admins always, other roles when
    the organization's security settings say so) sets one up first.
    """
    from django_otp import user_has_device

    from iptcare.accounts.security import second_factor_required

    if user_has_device(user, confirmed=True):
        return "totp_verify"
    if second_factor_required(user):
        return "totp_setup"
    return None
