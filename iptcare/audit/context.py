"""Where the current request came from, for the audit trail.

The middleware sets it once per request, so actions can write complete audit events without every
function passing the request along. Console commands leave the default (channel "console").
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class RequestOrigin:
    ip_address: str | None = None
    user_agent: str = ""
    channel: str = "console"


_CONSOLE = RequestOrigin()
_current_origin: ContextVar[RequestOrigin] = ContextVar("audit_origin", default=_CONSOLE)


def current_origin() -> RequestOrigin:
    return _current_origin.get()


def origin_from_request(request: HttpRequest) -> RequestOrigin:
    # REMOTE_ADDR is the peer; a deployment behind a proxy sets it correctly in the WSGI server.
    channel = "api" if request.path.startswith("/api/") else "web"
    return RequestOrigin(
        ip_address=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        channel=channel,
    )


class AuditOriginMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_origin.set(origin_from_request(request))
        try:
            return self.get_response(request)
        finally:
            _current_origin.reset(token)
