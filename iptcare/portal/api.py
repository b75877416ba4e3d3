"""/api/v1/me/: the client's side of the API, for an app on the client's phone.

Authenticated only by a client token (`Authorization: Bearer iptme_…`), which is scoped to that client's own data:
there is no client id in any path. Staff tokens and staff sessions are refused here (401), and client tokens are
refused on every staff endpoint (the staff authenticators do not know them). The same actions as the pages, so the
alerts, the audit trail and the "never a score" rule are the same.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import HttpError

from iptcare.lib import ratelimit
from iptcare.lib.api_auth import RateLimitedBearer, refuse_if_limited
from iptcare.lib.api_errors import FormInvalid
from iptcare.measures.instruments import get_instrument
from iptcare.measures.scoring import AnswerError
from iptcare.portal.actions import (
    Outcome,
    do_create_client_token,
    do_portal_check_in,
    do_portal_questionnaire,
    do_revoke_client_token,
    record_portal_view,
)
from iptcare.portal.auth import check_credentials
from iptcare.portal.forms import CheckInForm
from iptcare.portal.models import ClientAccount, ClientApiToken, PortalSettings
from iptcare.portal.schemas import (
    AnswersIn,
    AnswersOut,
    CheckInIn,
    CheckInOut,
    PlanOut,
    QuestionnaireOut,
    TodayOut,
    TokenIn,
    TokenOut,
)
from iptcare.portal.selectors import (
    Line,
    due_questionnaires,
    header_crisis_line,
    plans_for_client,
    session_kind_label,
    today_for,
)

_LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class ClientTokenAuth(RateLimitedBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token.startswith(ClientApiToken.PREFIX):
            return None
        found = (
            ClientApiToken.objects.active()
            .select_related("account__client__organization", "account__client__site")
            .filter(token_digest=ClientApiToken.digest(token))
            .first()
        )
        if found is None or not found.account.is_active:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > _LAST_USED_RESOLUTION:
            ClientApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        account = found.account
        account.portal_settings = PortalSettings.for_organization(account.client.organization_id)  # type: ignore[attr-defined]
        request.client_account = account  # type: ignore[attr-defined]
        request.client_token = found  # type: ignore[attr-defined]
        # The rest of this request speaks the client's language (the next request activates its own).
        translation.activate(account.language)
        return account


router = Router(tags=["client portal"], auth=ClientTokenAuth())


def _account(request: HttpRequest) -> ClientAccount:
    return request.client_account  # type: ignore[attr-defined]


def _line(line: Line) -> dict[str, Any]:
    return {
        "name": line.name,
        "shown": line.shown,
        "number": line.number,
        "can_text": line.can_text,
        "relationship": line.relationship,
        "note": line.note,
    }


def _support(account: ClientAccount, outcome: Outcome, *, after: str) -> dict[str, Any]:
    """The words the pages show after an answer (templates/portal/_support.html), for an app to show."""
    if after == "check_in" and outcome.support:
        lead = _(
            "Thank you for being honest. A lapse is not a failure. If you need someone now, call or text the "
            "crisis line."
        )
    elif outcome.support:
        lead = _(
            "Thank you for telling us. You do not have to face this alone. If you are in danger or thinking of "
            "hurting yourself, call or text the crisis line now."
        )
    else:
        lead = _("Thank you.") if after == "check_in" else _("Thank you. Your answers went to your care team.")
    if outcome.team_will_call and (outcome.support or after == "check_in"):
        tail = _("Your care team will be in touch with you soon.")
    elif outcome.team_will_call:
        # Another alert (e.g. a reliable deterioration): the team looks at it, without the urgency of a safety one.
        tail = _("They may get in touch with you about them.")
    else:
        tail = _("Your care team will see your check-in.") if after == "check_in" else ""
    message = f"{lead} {tail}".strip()
    return {
        "show": outcome.support,
        "team_will_be_in_touch": outcome.team_will_call,
        "message": message,
        "crisis_line": _line(header_crisis_line(account.client.organization)),
    }


@router.post(
    "tokens",
    auth=None,
    response={201: TokenOut},
    summary="Sign in with the portal sign-in name and password; returns a token (30 days)",
)
def create_token(request: HttpRequest, payload: TokenIn) -> Any:
    # Failed sign-ins from one address count together with the portal's sign-in page.
    refuse_if_limited(request, "portal_login")
    result = check_credentials(payload.login_name, payload.password)
    if result.outcome != "ok":
        ratelimit.hit("portal_login", ratelimit.client_address(request))
    if result.outcome == "locked":
        raise HttpError(429, "Too many tries: the account is locked for 15 minutes.")
    if result.outcome != "ok" or result.account is None:
        raise HttpError(401, "The sign-in name or the password is not right.")
    token, raw = do_create_client_token(result.account, name=payload.name)
    return Status(201, {"token": raw, "expires_at": token.expires_at})


@router.delete("tokens/current", response={204: None}, summary="Sign this app out (revoke the token used)")
def revoke_token(request: HttpRequest) -> Any:
    do_revoke_client_token(request.client_token)  # type: ignore[attr-defined]
    return Status(204, None)


@router.get("today", response=TodayOut, summary="What is waiting today, the next session, contacts, crisis line")
def today(request: HttpRequest) -> dict[str, Any]:
    account = _account(request)
    client = account.client
    found = today_for(client)
    record_portal_view(account, "api:today")
    homework = found.homework
    session = found.next_session
    return {
        "crisis_line": _line(header_crisis_line(client.organization)),
        "questionnaires": [{"code": d.code, "questions": d.questions, "overdue": d.overdue} for d in found.due],
        "checked_in_today": found.check_in is not None,
        "homework": {
            "text": homework.text,
            "set_on": homework.set_on,
            "answered": homework.answer is not None,
            "done": homework.answer.done if homework.answer else None,
            "comment": homework.answer.comment if homework.answer else "",
        }
        if homework
        else None,
        "next_session": {
            "starts_at": session.scheduled_start,
            "minutes": session.minutes,
            "kind": session_kind_label(session.kind),
            "therapist": session.therapist.full_name,
        }
        if session
        else None,
        "support_contacts": [_line(line) for line in found.contacts],
        "waiting": found.waiting_count,
    }


@router.post("check-ins", response={201: CheckInOut}, summary="Today's check-in (replaces an earlier one of today)")
def create_check_in(request: HttpRequest, payload: CheckInIn) -> Any:
    account = _account(request)
    data = {
        "mood": "" if payload.mood is None else str(payload.mood),
        "craving": "" if payload.craving is None else str(payload.craving),
        "used": "yes" if payload.used else "no",
        "substances": payload.substances,
        "interpersonal_event": payload.interpersonal_event,
        "person": "" if payload.person_id is None else str(payload.person_id),
    }
    form = CheckInForm(data, client=account.client)
    if not form.is_valid():
        errors = {("person_id" if k == "person" else k): list(v) for k, v in form.errors.items()}
        raise FormInvalid(errors)
    try:
        check_in, outcome = do_portal_check_in(account, form.check_in_data())
    except ValidationError as error:
        raise FormInvalid.from_validation_error(error) from None
    return Status(201, {"date": check_in.date, "support": _support(account, outcome, after="check_in")})


def _waiting_instrument(account: ClientAccount, code: str) -> Any:
    try:
        instrument = get_instrument(code)
    except KeyError:
        raise HttpError(404, "Not found.") from None
    if instrument.code not in {d.code for d in due_questionnaires(account.client)}:
        raise HttpError(404, "This questionnaire is not waiting for you.")
    return instrument


@router.get("questionnaires/{code}", response=QuestionnaireOut, summary="A questionnaire that is waiting")
def get_questionnaire(request: HttpRequest, code: str) -> dict[str, Any]:
    account = _account(request)
    instrument = _waiting_instrument(account, code)
    record_portal_view(account, "api:questionnaire")
    return {
        "code": instrument.code,
        "instructions": instrument.instructions,
        "items": [
            {
                "key": item.key,
                "text": item.text,
                "options": [{"value": o.value, "label": o.label} for o in item.options],
            }
            for item in instrument.items
        ],
    }


@router.post(
    "questionnaires/{code}", response={201: AnswersOut}, summary="Send the answers (the score is never returned)"
)
def answer_questionnaire(request: HttpRequest, code: str, payload: AnswersIn) -> Any:
    account = _account(request)
    instrument = _waiting_instrument(account, code)
    try:
        _administration, outcome = do_portal_questionnaire(account, instrument.code, payload.answers)
    except AnswerError as error:
        raise FormInvalid({"answers": [str(error)]}) from None
    return Status(201, {"received": True, "support": _support(account, outcome, after="questionnaire")})


@router.get("plan", response=list[PlanOut], summary="The relapse-prevention and safety plans as agreed")
def get_plan(request: HttpRequest) -> list[dict[str, Any]]:
    account = _account(request)
    plans = plans_for_client(account.client)
    record_portal_view(account, "api:plan")
    return [
        {
            "kind": p.kind,
            "title": p.title,
            "version": p.version,
            "agreed_on": p.agreed_on,
            "sections": p.sections,
        }
        for p in plans
    ]
