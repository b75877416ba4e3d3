"""Release API under /api/v1/release/.

Staff (care-team members of the client, with their own token or session): export records for a recipient, and
issue, list or revoke recipient tokens. Outside recipients: `GET records` with `Authorization: Bearer rcp_…`
reads the one client's records the token names — each call asks the disclosure gate again, is recorded in the
accounting of disclosures, and carries the notice, the consent summary and the Part 2 security labels.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer

from iptcare.clients.access import access_client_by_id
from iptcare.consent.actions import DisclosureRefused
from iptcare.lib.api_errors import FormInvalid, form_data_from_api
from iptcare.release.actions import (
    do_create_recipient_token,
    do_export_records,
    do_revoke_recipient_token,
    find_active_token,
    release_to_token_holder,
)
from iptcare.release.forms import ExportForm, RecipientTokenForm
from iptcare.release.models import RecipientToken
from iptcare.release.schemas import ExportIn, ReleasedDocument, TokenCreated, TokenIn, TokenOut

router = Router(tags=["release of records"])


class RecipientTokenAuth(HttpBearer):
    """Only recipient tokens: a staff token or session never reads through the recipients' endpoint."""

    def authenticate(self, request: HttpRequest, token: str) -> RecipientToken | None:
        return find_active_token(token)


def _refused(refusal: DisclosureRefused) -> HttpError:
    return HttpError(403, f"No active consent covers this release: {refusal.decision.reason}")


def _valid(form: ExportForm | RecipientTokenForm) -> ExportForm | RecipientTokenForm:
    if not form.is_valid():
        raise FormInvalid.from_form(form)
    return form


def _token_out(token: RecipientToken) -> dict[str, Any]:
    return {
        "id": token.pk,
        "recipient": token.recipient_label,
        "purpose": token.purpose,
        "categories": token.categories,
        "token_hint": token.token_hint,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
        "active": token.is_active,
    }


@router.get(
    "records",
    auth=RecipientTokenAuth(),
    response=ReleasedDocument,
    summary="For outside recipients: the records your token and the client's consent cover",
)
def read_records(request: HttpRequest) -> dict[str, Any]:
    try:
        return release_to_token_holder(request.auth).as_document()
    except DisclosureRefused as refusal:
        raise _refused(refusal) from None


@router.post(
    "clients/{client_id}/exports",
    response=ReleasedDocument,
    summary="Export a client's records for an outside recipient (asks the gate; recorded as a disclosure)",
)
def export_records(request: HttpRequest, client_id: int, payload: ExportIn) -> dict[str, Any]:
    client = access_client_by_id(request.user, client_id, write=True)
    data = form_data_from_api(payload.dict())
    form = _valid(ExportForm(data={f"export-{k}": v for k, v in data.items()}, prefix="export"))
    try:
        release = do_export_records(client, form.release_request(), acting_user=request.user, file_format="json")
    except DisclosureRefused as refusal:
        raise _refused(refusal) from None
    return release.as_document()


@router.get("clients/{client_id}/tokens", response=list[TokenOut], summary="A client's recipient tokens")
def list_tokens(request: HttpRequest, client_id: int) -> list[dict[str, Any]]:
    client = access_client_by_id(request.user, client_id, write=True)
    return [_token_out(token) for token in RecipientToken.objects.filter(client=client)]


@router.post(
    "clients/{client_id}/tokens",
    response={201: TokenCreated},
    summary="Issue a token for an outside recipient (refused without a consent that covers it); shown once",
)
def create_token(request: HttpRequest, client_id: int, payload: TokenIn) -> Status:
    client = access_client_by_id(request.user, client_id, write=True)
    form = _valid(RecipientTokenForm(data={f"token-{k}": v for k, v in payload.dict().items()}, prefix="token"))
    try:
        token, raw = do_create_recipient_token(
            client, form.release_request(), valid_days=form.cleaned_data["valid_days"], acting_user=request.user
        )
    except DisclosureRefused as refusal:
        raise _refused(refusal) from None
    return Status(201, _token_out(token) | {"token": raw})


@router.post("clients/{client_id}/tokens/{token_id}/revoke", response=TokenOut, summary="Revoke a recipient token")
def revoke_token(request: HttpRequest, client_id: int, token_id: int) -> dict[str, Any]:
    client = access_client_by_id(request.user, client_id, write=True)
    token = RecipientToken.objects.filter(client=client, pk=token_id).first()
    if token is None:
        raise HttpError(404, "Not found.")
    do_revoke_recipient_token(token, acting_user=request.user)
    token.refresh_from_db()
    return _token_out(token)
