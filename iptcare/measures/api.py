"""/api/v1/measures/: instruments, scoring without storing, a client's administrations and alerts."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.clients.access import access_client_by_id
from iptcare.lib.api_errors import FormInvalid
from iptcare.measures.actions import do_close_alert, do_record_administration
from iptcare.measures.instruments import INSTRUMENTS, get_instrument
from iptcare.measures.models import Administration, Alert
from iptcare.measures.schemas import (
    AdministrationIn,
    AdministrationOut,
    AdministrationPage,
    AlertOut,
    AlertPage,
    CloseAlertIn,
    InstrumentOut,
    ScoreIn,
    ScoreOut,
)
from iptcare.measures.scoring import AnswerError, score

router = Router(tags=["measures"])


class ListParams(Schema):
    limit: int = Field(25, ge=1, le=100)
    offset: int = Field(0, ge=0)
    instrument: str = ""


def _instrument_or_422(code: str) -> Any:
    try:
        return get_instrument(code)
    except KeyError:
        raise FormInvalid({"instrument": [f"Unknown instrument {code!r}; known: {', '.join(INSTRUMENTS)}."]}) from None


@router.get("instruments", response=list[InstrumentOut], summary="The instruments and their items")
def list_instruments(request: HttpRequest) -> list:
    return list(INSTRUMENTS.values())


@router.post("score", response=ScoreOut, summary="Score answers without storing anything")
def score_answers(request: HttpRequest, payload: ScoreIn) -> dict[str, Any]:
    instrument = _instrument_or_422(payload.instrument)
    try:
        result = score(instrument, payload.answers, sex=payload.sex)
    except AnswerError as error:
        raise FormInvalid({"answers": [str(error)]}) from None
    return result.as_dict()


@router.get("clients/{client_id}/administrations", response=AdministrationPage, summary="A client's questionnaires")
def list_administrations(request: HttpRequest, client_id: int, params: Query[ListParams]) -> dict[str, Any]:
    client = access_client_by_id(request.user, client_id)
    administrations = Administration.objects.filter(client=client)
    if params.instrument:
        administrations = administrations.filter(instrument_code=_instrument_or_422(params.instrument).code)
    record_event(EventType.MEASURES_VIEWED, actor=request.user, client=client, obj=client)
    page = list(administrations[params.offset : params.offset + params.limit])
    return {"count": administrations.count(), "items": page}


@router.get(
    "clients/{client_id}/administrations/{administration_id}", response=AdministrationOut, summary="One questionnaire"
)
def read_administration(request: HttpRequest, client_id: int, administration_id: int) -> Administration:
    client = access_client_by_id(request.user, client_id)
    administration = Administration.objects.filter(client=client, pk=administration_id).first()
    if administration is None:
        raise Http404("No such administration.")
    record_event(EventType.MEASURES_VIEWED, actor=request.user, client=client, obj=administration)
    return administration


@router.post("clients/{client_id}/administrations", response={201: AdministrationOut}, summary="Record a questionnaire")
def create_administration(request: HttpRequest, client_id: int, payload: AdministrationIn) -> Status:
    client = access_client_by_id(request.user, client_id, write=True)
    instrument = _instrument_or_422(payload.instrument)
    if payload.administered_at and timezone.is_naive(payload.administered_at):
        raise FormInvalid({"administered_at": ["Give a time zone, e.g. 2026-03-02T10:00:00-05:00."]})
    if payload.administered_at and payload.administered_at > timezone.now():
        raise FormInvalid({"administered_at": ["Cannot be in the future."]})
    corrects = None
    if payload.corrects_id is not None:
        corrects = Administration.objects.filter(client=client, pk=payload.corrects_id).first()
        if corrects is None:
            raise FormInvalid({"corrects_id": ["No such administration for this client."]})
    try:
        administration = do_record_administration(
            client,
            instrument.code,
            payload.answers,
            acting_user=request.user,
            administered_at=payload.administered_at,
            corrects=corrects,
            correction_reason=payload.correction_reason,
        )
    except AnswerError as error:
        raise FormInvalid({"answers": [str(error)]}) from None
    except ValidationError as error:
        raise FormInvalid.from_validation_error(error) from None
    return Status(201, administration)


@router.get("clients/{client_id}/alerts", response=AlertPage, summary="A client's alerts, open first")
def list_alerts(request: HttpRequest, client_id: int, params: Query[ListParams]) -> dict[str, Any]:
    client = access_client_by_id(request.user, client_id)
    alerts = Alert.objects.filter(client=client).open_first()
    record_event(EventType.MEASURES_VIEWED, actor=request.user, client=client, obj=client, extra={"kind": "alerts"})
    return {"count": alerts.count(), "items": list(alerts[params.offset : params.offset + params.limit])}


@router.post(
    "clients/{client_id}/alerts/{alert_id}/close", response=AlertOut, summary="Close an alert with a disposition"
)
def close_alert(request: HttpRequest, client_id: int, alert_id: int, payload: CloseAlertIn) -> Alert:
    client = access_client_by_id(request.user, client_id, write=True)
    alert = Alert.objects.filter(client=client, pk=alert_id).first()
    if alert is None:
        raise Http404("No such alert.")
    cssrs = None
    if payload.cssrs_administration_id is not None:
        cssrs = Administration.objects.filter(client=client, pk=payload.cssrs_administration_id).first()
    try:
        return do_close_alert(
            alert, disposition=payload.disposition, cssrs_administration=cssrs, acting_user=request.user
        )
    except ValidationError as error:
        raise FormInvalid.from_validation_error(error) from None
