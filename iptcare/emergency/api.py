"""/api/v1/emergency/: break the glass, list emergency accesses (admins: the review queue; others: their own),
end one early, review one (admins), and the organization's duration setting.

The same rules, forms and actions as the pages, so the access, the notices and the audit trail are the same.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.errors import HttpError

from iptcare.clients.models import Client
from iptcare.emergency.access import access_grant_by_id, active_grant, find_client, is_admin, may_break_glass
from iptcare.emergency.actions import (
    REFUSED_ROLE,
    REFUSED_UNKNOWN_CLIENT,
    do_end_emergency_access,
    do_grant_emergency_access,
    do_review_emergency_access,
    do_save_emergency_settings,
    record_refusal,
)
from iptcare.emergency.forms import UNKNOWN_CLIENT_MESSAGE, EmergencyAccessForm, ReviewForm
from iptcare.emergency.models import EmergencyAccess, EmergencyAccessSettings
from iptcare.emergency.schemas import (
    EmergencyAccessIn,
    EmergencyAccessOut,
    EmergencyAccessPage,
    EmergencyListParams,
    EmergencySettingsIn,
    EmergencySettingsOut,
    ReviewIn,
)
from iptcare.emergency.selectors import QUEUE_STATUSES, own_accesses, review_queue
from iptcare.lib.api_errors import FormInvalid, validate_form

router = Router(tags=["emergency access"])


def _out(grant: EmergencyAccess) -> dict[str, Any]:
    return {
        "id": grant.pk,
        "user": grant.user,
        "client_id": grant.client_id,
        "client_identifier": grant.client.identifier,
        "reason": grant.reason,
        "reason_label": str(grant.get_reason_display()),
        "justification": grant.justification,
        "started_at": grant.started_at,
        "expires_at": grant.expires_at,
        "ended_at": grant.ended_at,
        "ended_by_id": grant.ended_by_id,
        "is_active": grant.is_active,
        "reviewed_at": grant.reviewed_at,
        "reviewed_by": grant.reviewed_by,
        "review_outcome": grant.review_outcome,
        "review_note": grant.review_note,
    }


def _reloaded(grant_id: int) -> dict[str, Any]:
    grant = EmergencyAccess.objects.select_related("user", "client", "reviewed_by").get(pk=grant_id)
    return _out(grant)


@router.post(
    "access",
    response={200: EmergencyAccessOut, 201: EmergencyAccessOut},
    summary="Break the glass: open a client's record read-only for a limited time, with a reason",
    description="201 with the new emergency access; 200 with your access that is already open; 409 when you can "
    "open the record anyway; 403 for admins and roles that may not; 422 for missing or short fields and for an "
    "identifier no client of your organization has.",
)
def create_access(request: HttpRequest, payload: EmergencyAccessIn) -> Status:
    user = request.user
    if not may_break_glass(user):
        record_refusal(user, REFUSED_ROLE, identifier=payload.identifier)
        raise PermissionDenied("Your role does not allow emergency access: admins review emergency accesses.")
    cleaned = validate_form(EmergencyAccessForm(data=payload.dict()))
    client = find_client(user, cleaned["identifier"])
    if client is None:
        record_refusal(user, REFUSED_UNKNOWN_CLIENT, identifier=cleaned["identifier"])
        raise FormInvalid({"identifier": [str(UNKNOWN_CLIENT_MESSAGE)]})
    existing = active_grant(user, client)
    if existing is not None:
        return Status(200, _reloaded(existing.pk))
    if Client.objects.openable_by(user).filter(pk=client.pk).exists():
        raise HttpError(
            409, f"You can open this client's record already (id {client.pk}): no emergency access is needed."
        )
    grant = do_grant_emergency_access(
        user,
        client,
        reason=cleaned["reason"],
        justification=cleaned["justification"],
        base_url=request.build_absolute_uri("/")[:-1],
    )
    return Status(201, _reloaded(grant.pk))


@router.get(
    "access",
    response=EmergencyAccessPage,
    summary="Emergency accesses: for admins the organization's review queue (unreviewed first), for others their own",
)
def list_accesses(request: HttpRequest, params: Query[EmergencyListParams]) -> dict[str, Any]:
    user = request.user
    if params.status not in QUEUE_STATUSES:
        raise FormInvalid({"status": ["Use unreviewed, reviewed, or leave it empty."]})
    accesses = review_queue(user.organization_id, params.status) if is_admin(user) else own_accesses(user)
    items = accesses[params.offset : params.offset + params.limit]
    return {"count": accesses.count(), "items": [_out(grant) for grant in items]}


@router.get("access/{grant_id}", response=EmergencyAccessOut, summary="One emergency access")
def read_access(request: HttpRequest, grant_id: int) -> dict[str, Any]:
    return _out(access_grant_by_id(request.user, grant_id))


@router.post("access/{grant_id}/end", response=EmergencyAccessOut, summary="End an emergency access now")
def end_access(request: HttpRequest, grant_id: int) -> dict[str, Any]:
    grant = access_grant_by_id(request.user, grant_id)
    if grant.user_id != request.user.pk and not is_admin(request.user):
        raise PermissionDenied("Only the person who used it or an admin ends an emergency access.")
    try:
        do_end_emergency_access(grant, acting_user=request.user)
    except ValidationError as error:
        raise HttpError(409, error.messages[0]) from None
    return _reloaded(grant.pk)


@router.post(
    "access/{grant_id}/review",
    response=EmergencyAccessOut,
    summary="Mark an emergency access reviewed (admins): appropriate, or not appropriate with a note",
)
def review_access(request: HttpRequest, grant_id: int, payload: ReviewIn) -> dict[str, Any]:
    if not is_admin(request.user):
        raise PermissionDenied("Only an organization admin reviews emergency accesses.")
    grant = access_grant_by_id(request.user, grant_id)
    cleaned = validate_form(ReviewForm(data=payload.dict()))
    try:
        do_review_emergency_access(grant, outcome=cleaned["outcome"], note=cleaned["note"], acting_user=request.user)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise FormInvalid.from_validation_error(error) from None
        raise HttpError(409, error.messages[0]) from None
    return _reloaded(grant.pk)


@router.get("settings", response=EmergencySettingsOut, summary="How long one emergency access lasts")
def read_settings(request: HttpRequest) -> dict[str, Any]:
    return {"duration_minutes": EmergencyAccessSettings.for_organization(request.user.organization_id).duration_minutes}


@router.put("settings", response=EmergencySettingsOut, summary="Change how long one emergency access lasts (admins)")
def update_settings(request: HttpRequest, payload: EmergencySettingsIn) -> dict[str, Any]:
    if not is_admin(request.user):
        raise PermissionDenied("Only an organization admin changes the emergency access settings.")
    try:
        saved = do_save_emergency_settings(
            request.user.organization_id, payload.duration_minutes, acting_user=request.user
        )
    except ValidationError as error:
        raise FormInvalid.from_validation_error(error) from None
    return {"duration_minutes": saved.duration_minutes}
