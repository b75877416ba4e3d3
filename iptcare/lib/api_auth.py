"""How the JSON API knows who is calling: a personal access token, or the browser session.

Bearer tokens are rate-limited per address on failure (RATE_LIMITS["api_token"]): after too many unknown, expired or
revoked tokens, every bearer call from that address answers 429 until the window passes. A token is a possession
factor: the API does not ask for the password again before sensitive calls, as the pages do.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from iptcare.lib import ratelimit

# Writing last_used_at on every call would make each read a write; once a minute is enough to tell.
_LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class RateLimitedBearer(HttpBearer):
    """A bearer authenticator that counts failed tokens per address and refuses (429) past the limit."""

    scope = "api_token"

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header) or ""
        if not header.lower().startswith(f"{self.openapi_scheme} "):
            # No token offered: nothing to count (the session authenticator may still accept the call).
            return None
        refuse_if_limited(request, self.scope)
        found = super().__call__(request)
        if not found:
            ratelimit.hit(self.scope, ratelimit.client_address(request))
        return found


def refuse_if_limited(request: HttpRequest, scope: str) -> None:
    """Raise the API's 429 when the caller's address is over the limit of `scope` (audited once per window)."""
    address = ratelimit.client_address(request)
    if ratelimit.is_limited(scope, address):
        ratelimit.note_refusal(scope, address, request=request)
        minutes = max(1, -(-ratelimit.retry_after(scope) // 60))
        raise HttpError(429, f"Too many failed attempts from your address. Try again in {minutes} minutes.")


class PersonalAccessTokenAuth(RateLimitedBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from iptcare.accounts.models import PersonalAccessToken

        found = (
            PersonalAccessToken.objects.active()
            .select_related("user__organization")
            .filter(token_digest=PersonalAccessToken.digest(token))
            .first()
        )
        if found is None or not found.user.is_active or not found.user.organization_id:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > _LAST_USED_RESOLUTION:
            PersonalAccessToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class StaffSessionAuth(SessionAuth):
    """The signed-in browser session (CSRF-checked on writes), for staff of an organization."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a signed-in staff session there is nothing for CSRF to protect: answer 401 (no valid
        # credentials) rather than the CSRF failure ninja would raise first.
        if not _is_signed_in_staff(request):
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if _is_signed_in_staff(request) else None


def _is_signed_in_staff(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.is_active and user.organization_id)
