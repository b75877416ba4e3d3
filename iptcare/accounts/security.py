"""Who must use a second factor, re-authentication before sensitive actions, and the browser a session belongs to.

- `second_factor_required(user)`: admins always; other roles when their organization says so
  (SecuritySettings, /manage/security/).
- `require_recent_password`: a page decorator for sensitive actions (audit export, consent revocation, role
  changes, security settings). Unless the password (and the second-factor code, for people who have one) was
  confirmed in this session within REAUTH_MAX_AGE_MINUTES, the person goes to /accounts/confirm-password/ first and
  comes back. API calls are not asked: a bearer token is already something the caller has.
- `browser_fingerprint(request)`: a keyed digest of the User-Agent, stored in the session at sign-in; a request from
  another browser with the same session cookie ends the session (SessionBindingMiddleware).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from iptcare.accounts.models import SecuritySettings, User

REAUTH_SESSION_KEY = "reauthenticated_at"
BROWSER_SESSION_KEY = "browser"


def second_factor_required(user: User) -> bool:
    if not user.is_authenticated or not user.roles:
        return False
    if user.is_org_admin:
        return True
    return SecuritySettings.for_organization(user.organization_id).requires_second_factor(user)


# ---------------------------------------------------------------------------------------------------- re-authentication


def mark_reauthenticated(request: HttpRequest) -> None:
    request.session[REAUTH_SESSION_KEY] = time.time()


def recently_reauthenticated(request: HttpRequest, max_age_seconds: float | None = None) -> bool:
    limit = max_age_seconds if max_age_seconds is not None else settings.REAUTH_MAX_AGE_MINUTES * 60
    confirmed_at = request.session.get(REAUTH_SESSION_KEY)
    if not isinstance(confirmed_at, int | float):
        return False
    return 0 <= time.time() - confirmed_at <= limit


def require_recent_password(
    view: Callable[..., HttpResponse] | None = None, *, max_age_seconds: float | None = None
) -> Any:
    """Send the person to confirm their password first, unless they did within `max_age_seconds`
    (default REAUTH_MAX_AGE_MINUTES). Put it under the role decorator, so that refusals stay 403 and 404.

    A POST that arrives too late is not carried out: the person confirms, comes back to the page and submits again.
    """

    def decorator(inner: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(inner)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if recently_reauthenticated(request, max_age_seconds):
                return inner(request, *args, **kwargs)
            if request.method == "POST":
                messages.info(request, _("For your security, confirm your password, then make the change again."))
            # After confirming, the person comes back to the page (a GET), never to a half-sent form.
            query = urlencode({"next": request.get_full_path() if request.method == "GET" else request.path})
            return redirect(f"{reverse('confirm_password')}?{query}")

        return wrapped

    return decorator(view) if view is not None else decorator


# ---------------------------------------------------------------------------------------------------- browser binding


def browser_fingerprint(request: HttpRequest) -> str:
    """A keyed digest of the User-Agent: the session stores no readable browser details."""
    agent = request.META.get("HTTP_USER_AGENT", "")
    return salted_hmac("iptcare.accounts.session-browser", agent).hexdigest()[:32]


def bind_session_to_browser(request: HttpRequest) -> None:
    request.session[BROWSER_SESSION_KEY] = browser_fingerprint(request)
