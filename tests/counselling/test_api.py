"""/api/v1/counselling/: the same rules as the pages — the author writes, changes a draft (409 once signed), signs
and adds addenda; a consented colleague reads (recorded as a disclosure through the API); everyone else gets 404.
The list and the list page run the same number of queries however many notes there are."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.consent.models import Disclosure
from iptcare.counselling.models import CounsellingNote, CounsellingNoteAddendum
from iptcare.therapy.models import TherapySession
from tests.conftest import bearer, sign_in
from tests.counselling.conftest import SECRET, api_note, api_notes, consent_for, list_url, person, write


def api(user: User) -> HttpClient:
    return HttpClient(**bearer(user))


def send(http: HttpClient, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    return getattr(http, method)(url, data=body or {}, content_type="application/json")


def test_author_writes_changes_signs_and_adds_through_the_api(fern: Client, alice: User, held: TherapySession) -> None:
    http = api(alice)
    created = send(http, "post", api_notes(fern), {"session_id": held.pk, "text": SECRET})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["text"] == SECRET
    assert (body["session_id"], body["held_on"], body["signed_at"], body["addenda"]) == (
        held.pk,
        "2026-03-31",
        None,
        [],
    )
    note = CounsellingNote.objects.get(pk=body["id"])

    listed = http.get(api_notes(fern)).json()
    assert listed["count"] == 1
    assert "text" not in listed["items"][0]
    assert SECRET not in json.dumps(listed)

    assert http.get(api_note(note)).json()["text"] == SECRET
    changed = send(http, "patch", api_note(note), {"text": "Changed words."})
    assert changed.status_code == 200
    assert changed.json()["text"] == "Changed words."
    assert changed.json()["session_id"] == held.pk
    detached = send(http, "patch", api_note(note), {"session_id": None})
    assert (detached.json()["session_id"], detached.json()["held_on"]) == (None, "2026-03-31")
    reattached = send(http, "patch", api_note(note), {"session_id": held.pk})
    assert (reattached.json()["session_id"], reattached.json()["held_on"]) == (held.pk, "2026-03-31")
    send(http, "patch", api_note(note), {"session_id": None, "held_on": "2026-03-20"})
    assert send(http, "patch", api_note(note), {"session_id": held.pk}).json()["held_on"] == "2026-03-31"
    assert send(http, "patch", api_note(note), {"held_on": "2026-04-09"}).status_code == 422

    assert send(http, "post", api_note(note, "/addenda"), {"text": "Too early."}).status_code == 409
    refused = send(http, "post", api_note(note, "/sign"), {"signature": "Bob"})
    assert refused.status_code == 422
    assert "Alice Ashby" in refused.json()["errors"]["signature"][0]
    signed = send(http, "post", api_note(note, "/sign"), {"signature": "Alice Ashby"})
    assert signed.status_code == 200
    assert signed.json()["signature"] == "Alice Ashby"

    assert send(http, "patch", api_note(note), {"text": "Rewritten."}).status_code == 409
    assert send(http, "post", api_note(note, "/sign"), {"signature": "Alice Ashby"}).status_code == 409
    assert http.delete(api_note(note)).status_code == 409
    note.refresh_from_db()
    assert note.text == "Changed words."

    added = send(http, "post", api_note(note, "/addenda"), {"text": "One more thing.", "reason": "Forgot it."})
    assert added.status_code == 201
    assert added.json()["author_name"] == "Alice Ashby"
    assert [a["text"] for a in http.get(api_note(note, "/addenda")).json()] == ["One more thing."]
    assert http.get(api_note(note)).json()["addenda"][0]["reason"] == "Forgot it."


def test_validation_errors_name_the_api_fields(fern: Client, alice: User, held: TherapySession) -> None:
    http = api(alice)
    response = send(http, "post", api_notes(fern), {"text": ""})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["text"] == ["Write the note."]
    assert errors["held_on"] == ["Choose the session, or give the date of the conversation."]
    response = send(http, "post", api_notes(fern), {"session_id": 999999, "text": "x"})
    assert "session_id" in response.json()["errors"]
    response = send(http, "post", api_notes(fern), {"held_on": "2026-03-01", "text": "x", "mood": 3})
    assert response.status_code == 422
    assert not CounsellingNote.objects.exists()


def test_author_discards_a_draft_through_the_api(draft: CounsellingNote, alice: User) -> None:
    assert api(alice).delete(api_note(draft)).status_code == 204
    assert not CounsellingNote.objects.exists()


def test_colleague_reads_through_the_api_only_with_consent(
    signed: CounsellingNote, fern: Client, alice: User, cody: User
) -> None:
    http = api(cody)
    assert http.get(api_note(signed)).status_code == 404
    assert http.get(api_note(signed, "/addenda")).status_code == 404
    assert http.get(api_notes(fern)).json() == {"count": 0, "items": []}
    assert AuditEvent.objects.filter(event_type=EventType.COUNSELLING_NOTE_REFUSED, actor=cody).count() == 2

    consent = consent_for(fern, alice)
    response = http.get(api_note(signed))
    assert response.status_code == 200
    assert response.json()["text"] == SECRET
    assert http.get(api_notes(fern)).json()["count"] == 1
    disclosure = Disclosure.objects.get()
    assert (disclosure.consent, disclosure.channel, disclosure.recipient_name) == (consent, "api", "Cody Clarke")
    # Reading is all: changing stays the author's.
    assert send(http, "patch", api_note(signed), {"text": "Mine."}).status_code == 403
    assert send(http, "post", api_note(signed, "/addenda"), {"text": "Mine."}).status_code == 403
    assert http.delete(api_note(signed)).status_code == 403
    assert not CounsellingNoteAddendum.objects.exists()


@pytest.mark.parametrize("persona", ["bob", "dan", "eve", "carol", "tom"])
def test_no_role_reaches_counselling_notes_through_the_api(
    signed: CounsellingNote, fern: Client, alice: User, persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    consent_for(fern, alice, person(user.full_name))
    http = api(user)
    assert http.get(api_notes(fern)).status_code == 404
    assert send(http, "post", api_notes(fern), {"held_on": "2026-03-01", "text": "x"}).status_code == 404
    assert http.get(api_note(signed)).status_code == 404
    assert send(http, "patch", api_note(signed), {"text": "x"}).status_code == 404
    assert send(http, "post", api_note(signed, "/sign"), {"signature": user.full_name}).status_code == 404
    assert http.get(api_note(signed, "/addenda")).status_code == 404
    assert http.delete(api_note(signed)).status_code == 404
    assert not Disclosure.objects.exists()


# ---------------------------------------------------------------------------------------------------- query counts


def _count(http: HttpClient, url: str) -> int:
    http.get(url)  # a first call may do once-only work (a token's last use, a session's key)
    with CaptureQueriesContext(connection) as queries:
        assert http.get(url).status_code == 200
    return len(queries)


def _more_notes(fern: Client, authors: list[User], number: int) -> None:
    for index in range(number):
        author = authors[index % len(authors)]
        write(fern, author, f"Note {index}.", held_on=dt.date(2026, 3, 1) + dt.timedelta(days=index), sign=True)


@pytest.mark.parametrize("path", ["page", "api"])
def test_the_list_costs_the_same_for_the_author_with_few_or_many_notes(
    fern: Client, alice: User, path: str, django_assert_num_queries: Any
) -> None:
    http = sign_in(alice) if path == "page" else api(alice)
    url = list_url(fern) if path == "page" else api_notes(fern)
    write(fern, alice, "One.", held_on=dt.date(2026, 3, 2))
    few = _count(http, url)
    _more_notes(fern, [alice], 12)
    with django_assert_num_queries(few):
        http.get(url)


@pytest.mark.parametrize("path", ["page", "api"])
def test_the_list_costs_the_same_for_a_consented_colleague_with_few_or_many_notes(
    fern: Client, alice: User, cody: User, pia: User, path: str, django_assert_num_queries: Any
) -> None:
    consent_for(fern, alice, person("Cody Clarke"))
    http = sign_in(cody) if path == "page" else api(cody)
    url = list_url(fern) if path == "page" else api_notes(fern)
    write(fern, alice, "One.", held_on=dt.date(2026, 3, 2), sign=True)
    few = _count(http, url)
    _more_notes(fern, [alice, pia, cody], 12)
    consent_for(fern, alice, person("Someone Else"))
    with django_assert_num_queries(few):
        response = http.get(url)
    shown = response.context["notes"] if path == "page" else response.json()["items"]
    assert len(shown) == 13
