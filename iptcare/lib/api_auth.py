"""How the JSON API knows who is calling: a personal access token, or the browser session."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

# Writing last_used_at on every call would make each read a write; once a minute is enough to tell.
_LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class PersonalAccessTokenAuth(HttpBearer):
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
