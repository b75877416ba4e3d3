"""Counselling notes are kept apart: their text appears on no other page and in no other API, and the audit trail
records that a note was written, changed, signed or read — never what it says. Only care-team members see the link
to them on the client's record."""

from __future__ import annotations

import json

from django.test import Client as HttpClient

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent
from iptcare.clients.models import Client
from iptcare.counselling.actions import do_add_addendum, do_change_note
from iptcare.counselling.models import CounsellingNote
from iptcare.ipt.models import Episode
from iptcare.therapy.models import TherapySession
from tests.conftest import bearer, sign_in
from tests.counselling.conftest import SECRET, api_note, consent_for, list_url, note_url, write

ADDENDUM = "Later she named the feeling: relief mixed with guilt."


def _everything_happens(fern: Client, alice: User, cody: User, held: TherapySession) -> CounsellingNote:
    """A note written, changed, signed, added to, read by its author and by a consented colleague (page and API)."""
    note = write(fern, alice, "First words.", session=held)
    note = do_change_note(note, {"session": held, "held_on": None, "text": SECRET}, acting_user=alice)
    sign_in(alice).post(note_url(note, "sign/"), {"signature": "Alice Ashby"})
    do_add_addendum(note, {"text": ADDENDUM, "reason": "Said at the door."}, acting_user=alice)
    consent_for(fern, alice)
    assert sign_in(alice).get(note_url(note)).status_code == 200
    assert sign_in(cody).get(note_url(note)).status_code == 200
    assert HttpClient(**bearer(cody)).get(api_note(note)).status_code == 200
    return note


def test_the_text_never_reaches_the_audit_trail(fern: Client, alice: User, cody: User, held: TherapySession) -> None:
    _everything_happens(fern, alice, cody, held)
    events = list(AuditEvent.objects.all())
    assert len(events) > 8
    for event in events:
        stored = json.dumps(event.extra) + event.reason
        for words in (SECRET, "First words.", ADDENDUM, "Said at the door.", "brother", "relief"):
            assert words not in stored, (event.get_event_type_display(), event.extra)
        assert "changes" not in event.extra or event.object_type != "counselling.counsellingnote"


def test_the_text_appears_on_no_other_page(
    fern: Client, alice: User, cody: User, held: TherapySession, episode: Episode
) -> None:
    note = _everything_happens(fern, alice, cody, held)
    pages = [
        f"/clients/{fern.pk}/",
        f"/clients/{fern.pk}/history/",
        f"/clients/{fern.pk}/episodes/",
        f"/clients/{fern.pk}/episodes/{episode.pk}/",
        f"/clients/{fern.pk}/episodes/{episode.pk}/sessions/",
        f"/clients/{fern.pk}/episodes/{episode.pk}/sessions/{held.pk}/note/",
        f"/clients/{fern.pk}/consents/",
        f"/clients/{fern.pk}/consents/disclosures/",
        list_url(fern),
    ]
    for user in (alice, cody):
        http = sign_in(user)
        for url in pages:
            response = http.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            assert SECRET not in body, url
            assert ADDENDUM not in body, url
    # The note's own page is where it is read.
    assert SECRET in sign_in(alice).get(note_url(note)).content.decode()


def test_the_text_appears_in_no_other_api(
    fern: Client, alice: User, cody: User, held: TherapySession, episode: Episode
) -> None:
    _everything_happens(fern, alice, cody, held)
    http = HttpClient(**bearer(alice))
    urls = [
        f"/api/v1/clients/{fern.pk}",
        f"/api/v1/therapy/clients/{fern.pk}/episodes/{episode.pk}/sessions",
        f"/api/v1/therapy/clients/{fern.pk}/episodes/{episode.pk}/sessions/{held.pk}",
        "/api/v1/therapy/notes",
        f"/api/v1/consent/clients/{fern.pk}/disclosures",
        f"/api/v1/counselling/clients/{fern.pk}/notes",
    ]
    for url in urls:
        response = http.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode(), url
        assert ADDENDUM not in response.content.decode(), url


def test_the_audit_trail_page_shows_no_text(
    fern: Client, alice: User, cody: User, held: TherapySession, eve: User
) -> None:
    _everything_happens(fern, alice, cody, held)
    response = sign_in(eve).get("/manage/audit/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Counselling note signed" in body
    assert SECRET not in body
    assert ADDENDUM not in body


def test_the_record_links_to_counselling_notes_for_the_care_team_only(
    fern: Client, alice: User, cody: User, bob: User
) -> None:
    link = f'href="{list_url(fern)}"'
    assert link in sign_in(alice).get(f"/clients/{fern.pk}/").content.decode()
    assert link in sign_in(cody).get(f"/clients/{fern.pk}/").content.decode()
    assert link not in sign_in(bob).get(f"/clients/{fern.pk}/").content.decode()
