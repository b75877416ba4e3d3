"""The JSON API at /api/v1/: one NinjaAPI, the apps' routers, and one error shape.

Every error answers {"detail": "<message>", "errors": {"<field>": ["<message>", ...]}} (errors only for
validation failures).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from iptcare.lib.api_auth import PersonalAccessTokenAuth, StaffSessionAuth
from iptcare.lib.api_errors import FormInvalid

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="iptcare API",
    version="1",
    description="Clients, care teams and the people in clients' lives. Authenticate with "
    "`Authorization: Bearer <personal access token>`; create tokens on your account settings page or "
    "with `iptcare token create --email E`.",
    auth=[PersonalAccessTokenAuth(), StaffSessionAuth()],
    urls_namespace="api",
)


def _error(request: HttpRequest, detail: str, status: int, errors: dict[str, list[str]] | None = None) -> HttpResponse:
    body: dict[str, Any] = {"detail": detail}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(ValidationError)
def on_schema_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        # loc is like ["body", "payload", "given_name"] or ["query", "limit"]: keep the field's own name.
        loc = [str(part) for part in error.get("loc", []) if part not in ("body", "query", "path", "payload")]
        errors.setdefault(".".join(loc) or "__all__", []).append(error.get("msg", "Invalid value."))
    return _error(request, "The request has invalid fields.", 422, errors)


@api.exception_handler(FormInvalid)
def on_form_invalid(request: HttpRequest, exc: FormInvalid) -> HttpResponse:
    return _error(request, "The request has invalid fields.", 422, exc.errors)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, "Not found.", 404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, "Authentication required: send a valid bearer token.", 401)


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, str(exc) or "Your role does not allow this.", 403)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, str(exc), exc.status_code)


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # DATA_UPLOAD_MAX_MEMORY_SIZE: an answer, not a server error.
    return _error(request, "The request body is too large.", 413)


@api.exception_handler(Exception)
def on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled error in %s %s", request.method, request.path, exc_info=exc)
    return _error(request, "Something went wrong on our side. Please try again, or tell your administrator.", 500)


def api_not_found(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"detail": "Not found."}, status=404)


def _mount_routers() -> None:
    from iptcare.clients.api import router as clients_router
    from iptcare.consent.api import router as consent_router
    from iptcare.counselling.api import router as counselling_router
    from iptcare.emergency.api import router as emergency_router
    from iptcare.groups.api import router as groups_router
    from iptcare.ipt.api import router as ipt_router
    from iptcare.measures.api import router as measures_router
    from iptcare.plans.api import router as plans_router
    from iptcare.portal.api import router as portal_router
    from iptcare.release.api import router as release_router
    from iptcare.substance_use.api import router as substance_use_router
    from iptcare.therapy.api import router as therapy_router

    api.add_router("/clients/", clients_router)
    api.add_router("/measures/", measures_router)
    api.add_router("/ipt/", ipt_router)
    api.add_router("/use/", substance_use_router)
    api.add_router("/therapy/", therapy_router)
    api.add_router("/plans/", plans_router)
    api.add_router("/groups/", groups_router)
    api.add_router("/me/", portal_router)
    api.add_router("/consent/", consent_router)
    api.add_router("/release/", release_router)
    api.add_router("/counselling/", counselling_router)
    api.add_router("/emergency/", emergency_router)


_mount_routers()
