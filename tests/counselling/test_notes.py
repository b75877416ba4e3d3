"""The author writes a counselling note, changes it while it is a draft, signs it, and adds addenda after signing;
a signed note refuses every change on the pages. Validation errors are clear and on their fields."""

from __future__ import annotations

import datetime as dt

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.counselling.models import EXCLUDED_FROM_COUNSELLING_NOTES, CounsellingNote, CounsellingNoteAddendum
from iptcare.therapy.models import SessionStatus, TherapySession
from tests.conftest import sign_in
from tests.counselling.conftest import SECRET, TODAY, at, list_url, note_url


def test_author_writes_a_note_for_a_session(fern: Client, alice: User, held: TherapySession) -> None:
    http = sign_in(alice)
    form = http.get(list_url(fern) + "new/")
    assert form.status_code == 200
    # The help text says what does not belong in a counselling note.
    assert str(EXCLUDED_FROM_COUNSELLING_NOTES) in form.content.decode()
    assert "medication" in str(EXCLUDED_FROM_COUNSELLING_NOTES)

    response = http.post(list_url(fern) + "new/", {"session": held.pk, "held_on": "", "text": SECRET})
    note = CounsellingNote.objects.get()
    assert response.status_code == 302
    assert response["Location"] == note_url(note)
    assert (note.author, note.client, note.session, note.held_on) == (alice, fern, held, TODAY)
    assert note.text == SECRET
    assert not note.is_signed
    event = AuditEvent.objects.get(event_type=EventType.COUNSELLING_NOTE_CREATED)
    assert event.client == fern
    assert event.object_id == str(note.pk)
    assert event.extra["fields"] == ["session", "held_on", "text"]

    page = http.get(note_url(note))
    assert page.status_code == 200
    assert SECRET in page.content.decode()
    assert "Sign the note" in page.content.decode()


def test_a_note_without_a_session_takes_the_date_typed(fern: Client, alice: User) -> None:
    http = sign_in(alice)
    http.post(list_url(fern) + "new/", {"session": "", "held_on": "2026-03-20", "text": "Talked about work."})
    assert CounsellingNote.objects.get().held_on == dt.date(2026, 3, 20)


def test_validation_errors_are_on_their_fields(fern: Client, alice: User, held: TherapySession, tom: User) -> None:
    http = sign_in(alice)
    url = list_url(fern) + "new/"

    response = http.post(url, {"session": "", "held_on": "", "text": ""})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["text"] == ["Write the note."]
    assert errors["held_on"] == ["Choose the session, or give the date of the conversation."]

    response = http.post(url, {"session": "", "held_on": "2026-04-02", "text": "x"})
    assert "cannot be later" in response.context["form"].errors["held_on"][0]

    response = http.post(url, {"session": held.pk, "held_on": "2026-03-01", "text": "x"})
    assert "The date is the session's (2026-03-31)" in response.context["form"].errors["held_on"][0]

    # A session still to come is not offered, and is refused when posted anyway.
    later = TherapySession.objects.create(
        episode=held.episode, therapist=alice, scheduled_start=at(dt.date(2026, 4, 7)), minutes=50, created_by=alice
    )
    response = http.post(url, {"session": later.pk, "held_on": "", "text": "x"})
    assert "session" in response.context["form"].errors
    assert not CounsellingNote.objects.exists()


def test_only_the_clients_attended_sessions_are_offered(
    fern: Client, alice: User, held: TherapySession, north, north_site
) -> None:
    from tests.conftest import make_client

    other = make_client(north, north_site, primary=alice)
    form = sign_in(alice).get(list_url(fern) + "new/").context["form"]
    offered = list(form.fields["session"].queryset)
    assert offered == [held]
    response = sign_in(alice).get(list_url(other) + "new/")
    assert list(response.context["form"].fields["session"].queryset) == []
    assert held.status == SessionStatus.ATTENDED


def test_author_changes_the_draft(draft: CounsellingNote, alice: User) -> None:
    http = sign_in(alice)
    page = http.get(note_url(draft, "edit/"))
    assert page.status_code == 200
    assert SECRET in page.content.decode()
    response = http.post(note_url(draft, "edit/"), {"session": draft.session_id, "held_on": "", "text": "Changed."})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.text == "Changed."
    event = AuditEvent.objects.get(event_type=EventType.COUNSELLING_NOTE_CHANGED)
    assert event.extra == {"fields": ["text"], "kind": "draft"}


def test_author_signs_with_their_own_name(draft: CounsellingNote, alice: User) -> None:
    http = sign_in(alice)
    page = http.get(note_url(draft, "sign/"))
    assert page.status_code == 200
    assert "Once signed, the note is locked" in page.content.decode()

    response = http.post(note_url(draft, "sign/"), {"signature": "Someone Else"})
    assert response.status_code == 200
    assert "Alice Ashby" in response.context["form"].errors["signature"][0]
    draft.refresh_from_db()
    assert not draft.is_signed

    response = http.post(note_url(draft, "sign/"), {"signature": "  alice   ashby "})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_signed
    assert draft.signature == "alice ashby"
    assert AuditEvent.objects.filter(event_type=EventType.COUNSELLING_NOTE_SIGNED, client=draft.client).count() == 1


def test_a_signed_note_refuses_change_on_the_pages(signed: CounsellingNote, alice: User) -> None:
    http = sign_in(alice)
    response = http.post(note_url(signed, "edit/"), {"session": "", "held_on": "2026-03-30", "text": "Rewritten."})
    assert response.status_code == 302
    assert response["Location"] == note_url(signed)
    response = http.get(note_url(signed, "edit/"), follow=True)
    assert "signed and locked" in response.content.decode()
    assert http.post(note_url(signed, "sign/"), {"signature": "Alice Ashby"}).status_code == 302
    assert http.post(note_url(signed, "discard/")).status_code == 302
    signed.refresh_from_db()
    assert signed.text == SECRET
    assert CounsellingNote.objects.filter(pk=signed.pk).exists()
    page = http.get(note_url(signed)).content.decode()
    assert "Change the draft" not in page
    assert "Add an addendum" in page


def test_addendum_after_signing(signed: CounsellingNote, alice: User) -> None:
    http = sign_in(alice)
    response = http.post(note_url(signed, "addenda/new/"), {"text": "", "reason": ""})
    assert response.context["form"].errors["text"] == ["Write the addendum."]
    response = http.post(note_url(signed, "addenda/new/"), {"text": "She also mentioned her mother.", "reason": ""})
    assert response.status_code == 302
    addendum = CounsellingNoteAddendum.objects.get()
    assert (addendum.note, addendum.author, addendum.text) == (signed, alice, "She also mentioned her mother.")
    page = http.get(note_url(signed)).content.decode()
    assert "She also mentioned her mother." in page
    assert SECRET in page
    event = AuditEvent.objects.filter(event_type=EventType.COUNSELLING_NOTE_CHANGED).get()
    assert event.extra == {"kind": "addendum", "addendum_id": addendum.pk, "fields": ["addendum"]}


def test_no_addendum_to_a_draft(draft: CounsellingNote, alice: User) -> None:
    response = sign_in(alice).post(note_url(draft, "addenda/new/"), {"text": "More.", "reason": ""})
    assert response.status_code == 302
    assert response["Location"] == note_url(draft, "edit/")
    assert not CounsellingNoteAddendum.objects.exists()


def test_author_discards_a_draft_after_confirming(draft: CounsellingNote, alice: User) -> None:
    http = sign_in(alice)
    confirm = http.get(note_url(draft, "discard/"))
    assert confirm.status_code == 200
    assert "cannot be brought back" in confirm.content.decode()
    assert CounsellingNote.objects.filter(pk=draft.pk).exists()
    response = http.post(note_url(draft, "discard/"))
    assert response.status_code == 302
    assert not CounsellingNote.objects.filter(pk=draft.pk).exists()
    event = AuditEvent.objects.get(event_type=EventType.COUNSELLING_NOTE_CHANGED)
    assert event.extra == {"kind": "discarded", "fields": ["text"]}


def test_list_shows_own_notes_newest_first_with_pagination(fern: Client, alice: User, settings) -> None:
    from tests.counselling.conftest import write

    settings.PAGE_SIZE = 2
    old = write(fern, alice, "Zq-first-note-text", held_on=dt.date(2026, 3, 1), sign=True)
    middle = write(fern, alice, "Zq-second-note-text", held_on=dt.date(2026, 3, 10))
    new = write(fern, alice, "Zq-third-note-text", held_on=dt.date(2026, 3, 20))
    http = sign_in(alice)
    first = http.get(list_url(fern))
    assert first.status_code == 200
    assert first.context["notes"] == [new, middle]
    assert "Draft" in first.content.decode()
    second = http.get(list_url(fern) + "?page=2")
    assert second.context["notes"] == [old]
    assert "Signed 2026-03-31" in second.content.decode()
    # The list shows what and when, never the text.
    assert "Zq-" not in first.content.decode()
    assert "Zq-" not in second.content.decode()
    assert AuditEvent.objects.filter(event_type=EventType.COUNSELLING_NOTES_VIEWED).count() == 2


def test_empty_list_explains_the_rule(fern: Client, alice: User) -> None:
    page = sign_in(alice).get(list_url(fern)).content.decode()
    assert "Only the author and colleagues the client named in a counselling-notes consent can read these" in page
    assert "Write a counselling note" in page
