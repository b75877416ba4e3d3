"""Rate limits for the doors that are open without a full sign-in: sign-in pages, e-mailed links, token URLs and API
bearer tokens.

A limit is a number of requests per period for one scope (what is limited) and one key (usually the caller's
address). `settings.RATE_LIMITS` holds each scope's (count, seconds); every scope can be changed from the
environment (`RATE_LIMIT_<SCOPE>=30/15m`, see settings.py and docs/security.md).

The counts live in the "ratelimit" cache. Counting is a sliding window: the current fixed window's count plus the
previous window's count weighted by how much of it still overlaps, so a burst at a window's edge cannot get twice the
limit through. Increments are atomic in local memory (per process) and in Redis or Memcached (shared by every
process); django-ratelimit was not used because it refuses a cache that is not shared, and a clinic's single server
has none.

A refusal answers 429 with Retry-After: JSON under /api/, a plain page elsewhere (with the crisis line on the pages
clients use). The first refusal of a window writes one RATE_LIMITED audit event, holding the scope and the address
and never the key itself (which may be a token or an e-mail address).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

CACHE_ALIAS = "ratelimit"
# Scopes whose callers are clients (questionnaire links, the portal): their refusal page carries the crisis line.
CLIENT_SCOPES = frozenset({"self_report", "portal_login", "portal_invitation"})


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def rate_for(scope: str) -> Rate:
    count, seconds = settings.RATE_LIMITS[scope]
    return Rate(int(count), int(seconds))


def client_address(request: HttpRequest) -> str:
    # The same address the audit trail records; behind a proxy the WSGI server must set REMOTE_ADDR correctly.
    return request.META.get("REMOTE_ADDR") or "unknown"


def _digest(key: str) -> str:
    # Keys may be tokens or e-mail addresses: the cache holds only a digest of them.
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _window_key(scope: str, key: str, window: int) -> str:
    return f"rl:{scope}:{_digest(key)}:{window}"


def _now() -> float:
    return time.time()


def _estimate(scope: str, key: str, rate: Rate, now: float) -> float:
    window = int(now // rate.seconds)
    cache = caches[CACHE_ALIAS]
    counts = cache.get_many([_window_key(scope, key, window), _window_key(scope, key, window - 1)])
    current = counts.get(_window_key(scope, key, window), 0)
    previous = counts.get(_window_key(scope, key, window - 1), 0)
    overlap = 1 - (now % rate.seconds) / rate.seconds
    return current + previous * overlap


def is_limited(scope: str, key: str) -> bool:
    """Whether `key` has used up its requests in `scope` (nothing is counted)."""
    rate = rate_for(scope)
    return _estimate(scope, key, rate, _now()) >= rate.count


def hit(scope: str, key: str) -> None:
    """Count one request of `key` in `scope`."""
    rate = rate_for(scope)
    window = int(_now() // rate.seconds)
    cache_key = _window_key(scope, key, window)
    cache = caches[CACHE_ALIAS]
    # Kept for two windows: the next window still reads this one's count.
    if cache.add(cache_key, 1, timeout=2 * rate.seconds):
        return
    try:
        cache.incr(cache_key)
    except ValueError:
        # Expired between add() and incr(): start again.
        cache.add(cache_key, 1, timeout=2 * rate.seconds)


def retry_after(scope: str) -> int:
    """Seconds until the current window ends: a safe time to try again."""
    rate = rate_for(scope)
    return max(1, math.ceil(rate.seconds - _now() % rate.seconds))


def note_refusal(scope: str, key: str, *, request: HttpRequest | None = None) -> None:
    """One RATE_LIMITED audit event per scope, key and window, however many requests are refused."""
    from iptcare.audit.events import record_event
    from iptcare.audit.models import EventType

    rate = rate_for(scope)
    window = int(_now() // rate.seconds)
    if not caches[CACHE_ALIAS].add(f"rl-noted:{scope}:{_digest(key)}:{window}", 1, timeout=2 * rate.seconds):
        return
    user = getattr(request, "user", None) if request is not None else None
    actor = user if user is not None and user.is_authenticated else None
    record_event(
        EventType.RATE_LIMITED,
        actor=actor,
        extra={"scope": scope, "limit": rate.count, "seconds": rate.seconds},
    )


def too_many_requests(request: HttpRequest, scope: str) -> HttpResponse:
    """The 429 answer: JSON for the API, a page for people."""
    wait = retry_after(scope)
    minutes = max(1, math.ceil(wait / 60))
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": _("Too many requests. Try again in %(minutes)d minutes.") % {"minutes": minutes}}, status=429
        )
    elif scope == "calendar_feed" or scope == "calendar_feed_token":
        response = HttpResponse(
            _("Too many requests. Try again later."), status=429, content_type="text/plain; charset=utf-8"
        )
    else:
        template = "security/rate_limited_client.html" if scope in CLIENT_SCOPES else "security/rate_limited.html"
        response = render(request, template, {"minutes": minutes}, status=429)
    response["Retry-After"] = str(wait)
    response["Cache-Control"] = "no-store"
    return response


def refuse(request: HttpRequest, scope: str, key: str) -> HttpResponse:
    note_refusal(scope, key, request=request)
    return too_many_requests(request, scope)


# ---------------------------------------------------------------------------------------------------- the decorator

KeyFunction = Callable[[HttpRequest, dict[str, Any]], str]
CountIf = Callable[[HttpRequest, HttpResponse | None], bool]


def by_address(request: HttpRequest, _kwargs: dict[str, Any]) -> str:
    return client_address(request)


def every_request(_request: HttpRequest, _response: HttpResponse | None) -> bool:
    return True


def failed_sign_in(request: HttpRequest, response: HttpResponse | None) -> bool:
    """A sign-in POST that did not end in a redirect (a wrong password shows the form again)."""
    return response is None or response.status_code not in (301, 302, 303)


def not_found(_request: HttpRequest, response: HttpResponse | None) -> bool:
    """A token that led nowhere: Http404 was raised, or the answer was 404 or 410."""
    return response is None or response.status_code in (404, 410)


def rate_limit(
    scope: str,
    *,
    key: KeyFunction = by_address,
    methods: Iterable[str] | None = None,
    count_if: CountIf = every_request,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Refuse a view with 429 once `key` has made too many counted requests in `scope`.

    `methods` limits which requests are checked and counted (None: all). `count_if` decides, from the view's
    answer, whether a request counts (None as the answer when the view raised Http404): every request, or only
    failures such as a wrong password or an unknown token.
    """
    limited_methods = frozenset(m.upper() for m in methods) if methods is not None else None

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if limited_methods is not None and request.method not in limited_methods:
                return view(request, *args, **kwargs)
            ident = key(request, kwargs)
            if is_limited(scope, ident):
                return refuse(request, scope, ident)
            try:
                response = view(request, *args, **kwargs)
            except Http404:
                if count_if(request, None):
                    hit(scope, ident)
                raise
            if count_if(request, response):
                hit(scope, ident)
            return response

        return wrapped

    return decorator
