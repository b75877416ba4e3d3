"""/api/v1/consent/: a client's consents (list, read, record, new version, revoke), the accounting of disclosures,
a check that asks the disclosure gate without disclosing anything, and the organization's notice setting.

The same access functions, forms and actions as the pages, so the rules and the audit trail are the same.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Status

from iptcare.accounts.models import Role
from iptcare.audit.models import EventType
from iptcare.clients.api import PageParams
from iptcare.consent.access import access_consent_by_id, access_consent_history
from iptcare.consent.actions import (
    do_change_consent,
    do_record_consent,
    do_revoke_consent,
    do_save_disclosure_settings,
    record_consent_read,
    record_disclosure_check,
)
from iptcare.consent.forms import ConsentForm, DisclosureRequestForm, RecipientForm, RevocationForm
from iptcare.consent.gate import Recipient, check_disclosure
from iptcare.consent.models import Consent, Disclosure, DisclosureSettings
from iptcare.consent.schemas import (
    CheckIn,
    ConsentIn,
    ConsentOut,
    ConsentPage,
    DecisionOut,
    DisclosurePage,
    DisclosureSettingsIn,
    DisclosureSettingsOut,
    RevocationIn,
)
from iptcare.consent.selectors import ConsentHistory, disclosures_of
from iptcare.consent.summary import consent_summary
from iptcare.lib.api_errors import FormInvalid, validate_form

router = Router(tags=["consent"])


def _consent_out(consent: Consent, history: ConsentHistory) -> dict[str, Any]:
    revocation = history.revocation_of(consent)
    return {
        **{field.attname: getattr(consent, field.attname) for field in Consent._meta.concrete_fields},
        "series": str(consent.series),
        "status": history.status(consent).status,
        "patient_name": history.client.legal_name,
        "named_discloser_ids": sorted(user.pk for user in consent.named_disclosers.all()),
        "recipients": list(consent.recipients.all()),
        "revocation": revocation,
        "summary": consent_summary(consent),
    }


def _disclosure_out(disclosure: Disclosure) -> dict[str, Any]:
    return {
        **{field.attname: getattr(disclosure, field.attname) for field in Disclosure._meta.concrete_fields},
        "disclosed_by": disclosure.disclosed_by.full_name,
        "consent_version": disclosure.consent.version,
    }


def _validated(client: Any, payload: ConsentIn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The consent's cleaned values and recipients, or FormInvalid with every error keyed by field."""
    data = payload.dict()
    errors: dict[str, list[str]] = {}
    recipients: list[dict[str, Any]] | None = []
    for index, item in enumerate(data.pop("recipients")):
        form = RecipientForm(data={**item, "participants": "\n".join(item["participants"])})
        if not form.is_valid():
            recipients = None
            errors |= {f"recipients.{index}.{name}": list(messages) for name, messages in form.errors.items()}
        elif recipients is not None and not form.is_blank():
            recipients.append(form.cleaned_data)
    data["named_disclosers"] = data.pop("named_discloser_ids")
    form = ConsentForm(data=data, organization=client.organization, recipients=recipients)
    if not form.is_valid() or recipients is None:
        for name, messages in form.errors.items():
            errors[{"named_disclosers": "named_discloser_ids"}.get(name, name)] = list(messages)
        raise FormInvalid(errors)
    return form.cleaned_data, recipients


@router.get("clients/{client_id}/consents", response=ConsentPage, summary="List a client's consents, every version")
def list_consents(request: HttpRequest, client_id: int, params: Query[PageParams]) -> dict[str, Any]:
    history = access_consent_history(request.user, client_id)
    record_consent_read(EventType.CONSENTS_VIEWED, history.client, acting_user=request.user)
    items = history.versions[params.offset : params.offset + params.limit]
    return {"count": len(history.versions), "items": [_consent_out(consent, history) for consent in items]}


@router.post("clients/{client_id}/consents", response={201: ConsentOut}, summary="Record a signed consent")
def create_consent(request: HttpRequest, client_id: int, payload: ConsentIn) -> Status:
    history = access_consent_history(request.user, client_id, write=True)
    cleaned, recipients = _validated(history.client, payload)
    consent = do_record_consent(history.client, cleaned, recipients, acting_user=request.user)
    history = ConsentHistory(history.client)
    return Status(201, _consent_out(history.get(consent.pk), history))


@router.get("clients/{client_id}/consents/{consent_id}", response=ConsentOut, summary="Read one consent version")
def read_consent(request: HttpRequest, client_id: int, consent_id: int) -> dict[str, Any]:
    history, consent = access_consent_by_id(request.user, client_id, consent_id)
    record_consent_read(EventType.CONSENT_VIEWED, history.client, acting_user=request.user, obj=consent)
    return _consent_out(consent, history)


@router.post(
    "clients/{client_id}/consents/{consent_id}/versions",
    response={201: ConsentOut},
    summary="Change a consent: record a new, newly signed version; the old one is kept as superseded",
)
def change_consent(request: HttpRequest, client_id: int, consent_id: int, payload: ConsentIn) -> Status:
    history, consent = access_consent_by_id(request.user, client_id, consent_id, write=True)
    cleaned, recipients = _validated(history.client, payload)
    try:
        new = do_change_consent(consent, cleaned, recipients, acting_user=request.user)
    except ValidationError as error:
        raise FormInvalid.from_validation_error(error) from None
    history = ConsentHistory(history.client)
    return Status(201, _consent_out(history.get(new.pk), history))


@router.post(
    "clients/{client_id}/consents/{consent_id}/revoke",
    response=ConsentOut,
    summary="Revoke a consent in writing, from now on",
)
def revoke_consent(request: HttpRequest, client_id: int, consent_id: int, payload: RevocationIn) -> dict[str, Any]:
    history, consent = access_consent_by_id(request.user, client_id, consent_id, write=True)
    cleaned = validate_form(RevocationForm(data=payload.dict(), consent=consent))
    try:
        do_revoke_consent(consent, cleaned, acting_user=request.user)
    except ValidationError as error:
        raise FormInvalid.from_validation_error(error) from None
    history = ConsentHistory(history.client)
    return _consent_out(history.get(consent.pk), history)


@router.get(
    "clients/{client_id}/disclosures",
    response=DisclosurePage,
    summary="The accounting of disclosures, newest first, with the consent each relied on",
)
def list_disclosures(request: HttpRequest, client_id: int, params: Query[PageParams]) -> dict[str, Any]:
    history = access_consent_history(request.user, client_id)
    record_consent_read(EventType.DISCLOSURES_VIEWED, history.client, acting_user=request.user)
    disclosures = disclosures_of(history.client)
    items = disclosures[params.offset : params.offset + params.limit]
    return {"count": disclosures.count(), "items": [_disclosure_out(d) for d in items]}


@router.post(
    "clients/{client_id}/check",
    response=DecisionOut,
    summary="Ask the disclosure gate whether a disclosure would be allowed now; nothing is disclosed",
)
def check(request: HttpRequest, client_id: int, payload: CheckIn) -> dict[str, Any]:
    history = access_consent_history(request.user, client_id)
    cleaned = validate_form(DisclosureRequestForm(data=payload.dict()))
    recipient = Recipient(
        name=cleaned["recipient_name"],
        organization=cleaned["recipient_organization"],
        recipient_class=cleaned["recipient_class"],
        via=cleaned["via"],
    )
    decision = check_disclosure(
        history.client,
        recipient,
        cleaned["purpose"],
        cleaned["categories"],
        discloser=request.user,
        purpose_detail=cleaned["purpose_detail"],
        history=history,
    )
    record_disclosure_check(
        history.client, decision, recipient=recipient, purpose=cleaned["purpose"], acting_user=request.user
    )
    return {
        "allowed": decision.allowed,
        "code": decision.code,
        "reason": decision.reason,
        "consent_id": decision.consent.pk if decision.consent else None,
        "details": list(decision.details),
    }


def _settings_out(organization_id: int) -> dict[str, Any]:
    settings = DisclosureSettings.for_organization(organization_id)
    return {
        "notice_form": settings.notice_form,
        "notice_version": settings.notice.version,
        "notice_text": settings.notice.text,
    }


@router.get("settings", response=DisclosureSettingsOut, summary="The notice your organization stamps on disclosures")
def read_settings(request: HttpRequest) -> dict[str, Any]:
    return _settings_out(request.user.organization_id)


@router.put("settings", response=DisclosureSettingsOut, summary="Choose the short or long notice (admins)")
def update_settings(request: HttpRequest, payload: DisclosureSettingsIn) -> dict[str, Any]:
    if not request.user.has_role(Role.ADMIN):
        raise PermissionDenied("Only an organization admin changes the notice.")
    try:
        do_save_disclosure_settings(request.user.organization_id, payload.notice_form, acting_user=request.user)
    except ValidationError as error:
        raise FormInvalid.from_validation_error(error) from None
    return _settings_out(request.user.organization_id)
