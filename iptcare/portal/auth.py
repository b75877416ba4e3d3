"""Who is signed in to the portal: the client's own session key, password checks with lock-out, idle log-off.

The portal never uses django.contrib.auth's login: a client's session holds {"account", "generation", "seen"}
under SESSION_KEY, and `request.user` stays anonymous, so every staff page (require_staff) and the staff API refuse
a client. A staff user signed in through django.contrib.auth is never a client here: portal pages send them to the
portal sign-in, and signing in to the portal ends the staff session in that browser.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation

from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.portal.models import FAILURE_LIMIT, LOCK_MINUTES, ClientAccount, PortalSettings

SESSION_KEY = "portal"
# Set on the request when a session just ended for inactivity, so the sign-in page can say why.
IDLE_FLAG = "portal_idle"


def normalize_login_name(value: str) -> str:
    return value.strip().lower()


@dataclass(frozen=True)
class SignInResult:
    account: ClientAccount | None
    # "ok", "wrong" (unknown name or wrong password: the same answer for both) or "locked".
    outcome: str


@transaction.atomic
def check_credentials(login_name: str, password: str) -> SignInResult:
    """The account for a name and password, counting failures and locking after FAILURE_LIMIT in a row.

    An unknown name costs the same hashing time as a known one and gets the same answer, so answers do not tell
    which names exist. A locked account refuses even the right password until the lock ends.
    """
    name = normalize_login_name(login_name)
    account = (
        ClientAccount.objects.select_for_update()
        .select_related("client__organization")
        .filter(login_name=name, is_active=True)
        .first()
    )
    if account is None:
        make_password(password)
        record_event(EventType.PORTAL_LOGIN_FAILED, actor_label=f"portal:{name[:60]}", extra={"known": False})
        return SignInResult(None, "wrong")
    now = timezone.now()
    if account.is_locked(now):
        record_event(
            EventType.PORTAL_LOGIN_FAILED,
            client=account.client,
            actor_label=account.audit_label,
            extra={"locked": True},
        )
        return SignInResult(account, "locked")
    if account.check_password(password):
        account.failed_logins = 0
        account.locked_until = None
        account.last_login_at = now
        account.save(update_fields=["failed_logins", "locked_until", "last_login_at"])
        return SignInResult(account, "ok")
    account.failed_logins += 1
    fields = ["failed_logins"]
    record_event(EventType.PORTAL_LOGIN_FAILED, client=account.client, actor_label=account.audit_label)
    if account.failed_logins >= FAILURE_LIMIT:
        account.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
        account.failed_logins = 0
        fields.append("locked_until")
        record_event(EventType.PORTAL_LOCKED_OUT, client=account.client, actor_label=account.audit_label)
        account.save(update_fields=fields)
        return SignInResult(account, "locked")
    account.save(update_fields=fields)
    return SignInResult(account, "wrong")


def start_session(request: HttpRequest, account: ClientAccount, *, via: str = "password") -> None:
    """Sign the client in: a fresh session (ending any staff sign-in in this browser) holding only the portal key."""
    request.session.flush()
    rotate_token(request)
    request.session[SESSION_KEY] = {
        "account": account.pk,
        "generation": account.session_generation,
        "seen": time.time(),
    }
    record_event(EventType.PORTAL_LOGIN, client=account.client, actor_label=account.audit_label, extra={"via": via})


def end_session(request: HttpRequest) -> None:
    request.session.flush()


def end_all_sessions(account: ClientAccount) -> None:
    """Every session of the account stops working at its next request (and its API tokens at once)."""
    ClientAccount.objects.filter(pk=account.pk).update(session_generation=F("session_generation") + 1)
    account.refresh_from_db(fields=["session_generation"])
    account.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


def current_account(request: HttpRequest) -> ClientAccount | None:
    """The signed-in client's account, or None. Ends a session that is stale, idle or no longer valid."""
    cached = getattr(request, "_portal_account", False)
    if cached is not False:
        return cached
    request._portal_account = None  # type: ignore[attr-defined]
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return None
    data = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if not isinstance(data, dict):
        return None
    account = (
        ClientAccount.objects.select_related("client__organization", "client__site")
        .filter(pk=data.get("account"), is_active=True)
        .first()
    )
    if account is None or account.session_generation != data.get("generation"):
        end_session(request)
        return None
    portal_settings = PortalSettings.for_organization(account.client.organization_id)
    now = time.time()
    if now - float(data.get("seen", 0)) > portal_settings.idle_minutes * 60:
        record_event(EventType.PORTAL_IDLE_LOGOUT, client=account.client, actor_label=account.audit_label)
        end_session(request)
        setattr(request, IDLE_FLAG, True)
        return None
    request.session[SESSION_KEY] = {**data, "seen": now}
    account.portal_settings = portal_settings  # type: ignore[attr-defined]
    request._portal_account = account  # type: ignore[attr-defined]
    return account


def require_client(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A signed-in client, in their own language; anyone else (staff included) goes to the portal sign-in.

    Pages are never cached: phones are shared, and the back button must not show someone's answers.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        account = current_account(request)
        if account is None:
            query = {"next": request.get_full_path()}
            if getattr(request, IDLE_FLAG, False):
                query["idle"] = "1"
            return redirect(f"{reverse('portal_login')}?{urlencode(query)}")
        request.client_account = account  # type: ignore[attr-defined]
        with translation.override(account.language):
            request.LANGUAGE_CODE = account.language
            response = view(request, *args, **kwargs)
        response["Content-Language"] = account.language
        response["Cache-Control"] = "no-store"
        return response

    return wrapped
