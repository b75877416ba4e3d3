"""A scripted day at North Clinic through the HTTP layer, and a check that the audit trail and the accounting of
disclosures are complete for it.

Alice signs in, opens her caseload and Fern's record, gives a PHQ-9 (from a tablet, through the API), schedules and
holds a session, writes and signs its note, edits one of Fern's people, records Fern's consent and prints her plan
for Dr Rhea Reyes under it. Bob, her supervisor, reads and co-signs the note; Eve, the admin, reads the audit trail;
Tom, who is not on Fern's team, is refused her record; Alice signs out.

Every request is a step with the events it must write — type, actor, client, object and channel — and no other:
an extra event is double-logging, a missing one a gap. Every request that read or changed Fern's data wrote at
least one event about Fern. At the end the accounting lists exactly the one disclosure, with its notice and the
consent summary.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.db import models
from django.test import Client as HttpClient
from django.utils import timezone
from django.utils.html import escape
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from iptcare.accounts.actions import do_create_token
from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client, Person
from iptcare.consent.models import Consent, Disclosure, DisclosureSettings
from iptcare.consent.summary import consent_summary
from iptcare.ipt.actions import do_open_episode
from iptcare.ipt.actions_formulation import do_save_contract
from iptcare.ipt.models import Episode
from iptcare.measures.models import Administration
from iptcare.plans.actions import do_save_plan_section, do_start_plan_version
from iptcare.therapy.actions_notes import do_save_note_settings
from iptcare.therapy.models import SessionNote, TherapySession
from tests.conftest import PASSWORD
from tests.consent.conftest import rhea_recipients, single_values
from tests.consent.test_elements import page_data

MORNING = dt.datetime(2026, 3, 31, 13, 0, tzinfo=dt.UTC)  # 09:00 in New York, a Tuesday
DAY = dt.date(2026, 3, 31)
CHANNELS = {"page": "web", "api": "api"}


@dataclass(frozen=True)
class Expect:
    """One event a request must write: its type, whether it is about Fern, and the object it names (a callable, as
    the object may not exist before the request; None for no object)."""

    event_type: EventType
    about_fern: bool = True
    obj: Callable[[], models.Model] | None = None


@dataclass
class Request:
    actor: User
    method: str
    path: str
    channel: str
    status: int
    at: dt.datetime
    expected: list[Expect]
    events: list[AuditEvent]


class Day:
    """The day's browsers, and every request made with the events it must write and those it wrote."""

    def __init__(self, clock: time_machine.Coordinates) -> None:
        self.clock = clock
        self.requests: list[Request] = []
        self.browsers: dict[int, HttpClient] = {}

    def send(
        self,
        user: User,
        method: str,
        path: str,
        data: Any = None,
        *,
        expect: list[Expect],
        api_token: str = "",
        status: int = 200,
    ) -> Any:
        """One request a minute; the events it wrote are those written between its start and its end."""
        self.clock.shift(dt.timedelta(minutes=1))
        last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        if api_token:
            http = HttpClient(HTTP_AUTHORIZATION=f"Bearer {api_token}")
            body = json.dumps(data) if data is not None else ""
            response = http.generic(method, path, body, content_type="application/json")
        else:
            browser = self.browsers.setdefault(user.pk, HttpClient())
            response = browser.get(path, data) if method == "GET" else browser.post(path, data or {})
        assert response.status_code == status, (method, path, response.status_code)
        events = list(AuditEvent.objects.filter(id__gt=last).order_by("id"))
        channel = "api" if api_token else "page"
        self.requests.append(Request(user, method, path, channel, status, timezone.now(), expect, events))
        return response

    def sign_in(self, user: User) -> None:
        """Through the sign-in form, with the password (the second factor, when there is one, is a step of its own)."""
        credentials = {"username": user.email, "password": PASSWORD}
        self.send(user, "POST", "/accounts/login/", credentials, status=302, expect=[Expect(EventType.LOGIN, False)])


def token_for(user: User) -> str:
    _token, raw = do_create_token(user, name="tablet", acting_user=user)
    return raw


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(MORNING - dt.timedelta(days=1), tick=False) as traveller:
        yield traveller


@pytest.fixture
def before_the_day(
    clock: time_machine.Coordinates, fern: Client, alice: User, bob: User, eve: User, tom: User
) -> dict[str, Any]:
    """What Fern's record held yesterday: an episode with its contract and a draft plan; co-signature required."""
    episode = do_open_episode(
        fern, format_="individual", primary_therapist=alice, acting_user=alice, start_date=dt.date(2026, 3, 3)
    )
    do_save_contract(
        episode,
        {
            "sessions": 12,
            "session_minutes": 50,
            "frequency": "weekly",
            "start_date": dt.date(2026, 3, 3),
            "focus": "Role dispute with her sister.",
        },
        modalities=[],
        acting_user=alice,
    )
    plan = do_start_plan_version("relapse_prevention", episode, acting_user=alice)
    do_save_plan_section(plan, "reasons", ["My children"], acting_user=alice)
    do_save_note_settings(alice.organization_id, require_cosign_for_supervised=True, acting_user=eve)
    tokens = {"alice": token_for(alice), "bob": token_for(bob)}
    clock.move_to(MORNING)
    return {"episode": episode, "plan": plan, "tokens": tokens}


def test_a_day_of_work_is_completely_audited(
    clock: time_machine.Coordinates,
    before_the_day: dict[str, Any],
    fern: Client,
    alice: User,
    bob: User,
    eve: User,
    tom: User,
) -> None:
    episode: Episode = before_the_day["episode"]
    plan = before_the_day["plan"]
    tokens = before_the_day["tokens"]
    sister = Person.objects.get(client=fern, name="Big sister")
    started_after = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    day = Day(clock)
    record = f"/clients/{fern.pk}/"
    episode_url = f"{record}episodes/{episode.pk}/"

    def session() -> TherapySession:
        return TherapySession.objects.get(episode=episode)

    def note() -> SessionNote:
        return SessionNote.objects.get(session__episode=episode)

    # Alice's morning: her caseload, Fern's record, a PHQ-9 from the tablet (the API), a session held and its note.
    day.sign_in(alice)
    day.send(alice, "GET", "/clients/", expect=[Expect(EventType.CLIENT_LIST_VIEWED, obj=lambda: fern)])
    day.send(alice, "GET", record, expect=[Expect(EventType.CLIENT_VIEWED, obj=lambda: fern)])
    phq9 = {"instrument": "PHQ-9", "answers": {str(n): 1 for n in range(1, 10)} | {"9": 0}}
    day.send(
        alice,
        "POST",
        f"/api/v1/measures/clients/{fern.pk}/administrations",
        phq9,
        api_token=tokens["alice"],
        status=201,
        expect=[Expect(EventType.MEASURE_RECORDED, obj=lambda: Administration.objects.get(client=fern))],
    )
    slot = {"date": DAY.isoformat(), "time": "09:06", "minutes": "50", "kind": "session", "therapist": alice.pk}
    day.send(
        alice,
        "POST",
        f"{episode_url}sessions/new/",
        slot,
        status=302,
        expect=[Expect(EventType.SESSION_CHANGED, obj=session)],
    )
    session_url = f"{episode_url}sessions/{session().pk}/"
    day.send(
        alice, "POST", f"{session_url}attended/", status=302, expect=[Expect(EventType.SESSION_CHANGED, obj=session)]
    )
    # Before the note exists, reading its page names the session.
    day.send(alice, "GET", f"{session_url}note/", expect=[Expect(EventType.NOTE_VIEWED, obj=session)])
    draft = {
        "interval_history": "Row with her sister on Friday; no drinking since.",
        "mood": "5",
        "use_days": "0",
        "use_summary": "",
        "problem_area": "",
        "dispute_stage": "",
        "techniques": ["communication_analysis"],
        "homework_reviewed": "",
        "homework_set": "Ask her sister for one thing she needs.",
        "risk_review": "none",
        "risk_notes": "",
        "next_session_plan": "Role play the conversation.",
    }
    day.send(alice, "POST", f"{session_url}note/", draft, status=302, expect=[Expect(EventType.NOTE_CHANGED, obj=note)])
    day.send(
        alice,
        "POST",
        f"{session_url}note/sign/",
        {"signature": "Alice Ashby"},
        status=302,
        expect=[Expect(EventType.NOTE_SIGNED, obj=note)],
    )

    # Fern's sister has a new number; Fern signs a consent and her plan is printed for Dr Reyes under it.
    person = {"name": "Big sister", "relationship_type": "sibling", "phone": "555 010 4321", "email": "", "notes": ""}
    day.send(
        alice,
        "POST",
        f"{record}people/{sister.pk}/",
        person | {"is_support_contact": "on"},
        status=302,
        expect=[Expect(EventType.PERSON_UPDATED, obj=lambda: sister)],
    )
    values = single_values(
        categories=["treatment_plan", "relationships"], signed_on=DAY, expires_on=dt.date(2026, 9, 30)
    )

    def consent() -> Consent:
        return Consent.objects.get(client=fern)

    def disclosure() -> Disclosure:
        return Disclosure.objects.get(client=fern)

    day.send(
        alice,
        "POST",
        f"{record}consents/new/",
        page_data(values, rhea_recipients()),
        status=302,
        expect=[Expect(EventType.CONSENT_RECORDED, obj=consent)],
    )
    plan_print = f"{episode_url}plan/print/"
    day.send(alice, "GET", plan_print, expect=[Expect(EventType.PLAN_VIEWED, obj=lambda: plan)])
    rhea = {
        "disclose": "1",
        "disclose-recipient_name": "Dr Rhea Reyes",
        "disclose-recipient_organization": "Valley Clinic",
        "disclose-purpose": "treatment",
    }
    printed = day.send(
        alice, "POST", plan_print, rhea, status=302, expect=[Expect(EventType.DISCLOSURE_RECORDED, obj=disclosure)]
    )
    printout = day.send(alice, "GET", printed["Location"], expect=[Expect(EventType.PLAN_VIEWED, obj=lambda: plan)])

    # Bob reads and co-signs the note; Eve reads the audit trail; Tom is refused Fern's record.
    day.sign_in(bob)
    day.send(bob, "GET", f"{session_url}note/", expect=[Expect(EventType.NOTE_VIEWED, obj=note)])
    api_note = f"/api/v1/therapy/clients/{fern.pk}/episodes/{episode.pk}/sessions/{session().pk}/note"
    day.send(
        bob,
        "POST",
        f"{api_note}/cosign",
        {"signature": "Bob Brennan"},
        api_token=tokens["bob"],
        expect=[Expect(EventType.NOTE_SIGNED, obj=note)],
    )
    day.sign_in(eve)
    device = TOTPDevice.objects.get(user=eve)
    authenticator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    authenticator.time = time.time() + 60  # the code on Eve's phone when the next request arrives, a minute on
    day.send(
        eve,
        "POST",
        "/accounts/2fa/verify/",
        {"code": f"{authenticator.token():06d}"},
        status=302,
        expect=[Expect(EventType.TOTP_VERIFIED, about_fern=False)],
    )
    trail = day.send(eve, "GET", "/manage/audit/", expect=[Expect(EventType.AUDIT_VIEWED, about_fern=False)])
    # She sees the morning in it: the disclosure and the co-signature among the newest events.
    shown = trail.content.decode()
    assert str(EventType.DISCLOSURE_RECORDED.label) in shown and str(EventType.NOTE_SIGNED.label) in shown
    day.sign_in(tom)
    day.send(tom, "GET", record, status=404, expect=[Expect(EventType.CLIENT_ACCESS_REFUSED)])

    # The accounting, on the page and through the API; then Alice signs out.
    accounting = day.send(alice, "GET", f"{record}consents/disclosures/", expect=[Expect(EventType.DISCLOSURES_VIEWED)])
    listed = day.send(
        bob,
        "GET",
        f"/api/v1/consent/clients/{fern.pk}/disclosures",
        api_token=tokens["bob"],
        expect=[Expect(EventType.DISCLOSURES_VIEWED)],
    )
    day.send(alice, "POST", "/accounts/logout/", status=302, expect=[Expect(EventType.LOGOUT, about_fern=False)])

    # Each request wrote exactly the events expected, in order, with the right actor, client, object and channel.
    for request in day.requests:
        where = f"{request.actor.email} {request.method} {request.path}"
        written = [
            (
                EventType(e.event_type),
                e.actor_id,
                e.client_id,
                (e.object_type, e.object_id),
                e.channel,
                e.created_at,
            )
            for e in request.events
        ]
        wanted = [
            (
                x.event_type,
                request.actor.pk,
                fern.pk if x.about_fern else None,
                (x.obj()._meta.label_lower, str(x.obj().pk)) if x.obj else ("", ""),
                CHANNELS[request.channel],
                request.at,
            )
            for x in request.expected
        ]
        assert written == wanted, where
    # No read or change of Fern's data went unrecorded: every request about her wrote an event about her.
    for request in day.requests:
        if f"/clients/{fern.pk}/" in request.path:
            assert any(e.client_id == fern.pk and e.actor_id == request.actor.pk for e in request.events), request.path
    # Nothing was written outside the requests, and nothing twice.
    day_events = AuditEvent.objects.filter(id__gt=started_after)
    assert day_events.count() == sum(len(r.expected) for r in day.requests) == 25
    assert Counter(EventType(e) for e in day_events.values_list("event_type", flat=True)) == Counter(
        x.event_type for r in day.requests for x in r.expected
    )

    # The accounting lists exactly the one disclosure, with the notice and the consent's summary it carried.
    only = Disclosure.objects.get(client=fern)
    notice = DisclosureSettings.for_organization(fern.organization_id).notice
    summary = consent_summary(consent())
    assert (only.consent, only.disclosed_by, only.document) == (consent(), alice, "Relapse-prevention plan, version 1")
    assert (only.notice_version, only.notice_text, only.consent_summary) == (notice.version, notice.text, summary)
    assert list(accounting.context["page"].object_list) == [only]
    assert "Dr Rhea Reyes (Valley Clinic)" in accounting.content.decode()
    items = listed.json()["items"]
    assert listed.json()["count"] == 1 and [item["id"] for item in items] == [only.pk]
    assert (items[0]["notice_text"], items[0]["consent_summary"]) == (notice.text, summary)
    page = printout.content.decode()
    assert escape(notice.text) in page and escape(summary) in page
