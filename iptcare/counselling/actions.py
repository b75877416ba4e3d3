"""Writing, changing, signing, adding to and discarding counselling notes, and recording that one was read.

Each do_* function is one transaction with its audit event. The audit trail records that a note was written, changed,
signed or read, by whom and which fields — never the text (no `changes` with values). A signed note is refused with a
ValidationError whose code is "locked"; the database refuses it as well (triggers.py).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.consent.counselling import record_counselling_notes_disclosure
from iptcare.consent.models import Disclosure
from iptcare.counselling.models import CounsellingNote, CounsellingNoteAddendum
from iptcare.therapy.models import SessionStatus, TherapySession

if TYPE_CHECKING:
    from iptcare.accounts.models import User
    from iptcare.clients.models import Client
    from iptcare.consent.gate import Decision

NOTE_FIELDS = ("session", "held_on", "text")


def locked_message() -> str:
    return _("This counselling note is signed and locked. To correct or add to it, write an addendum.")


def sessions_for_notes(client: Client, *, keep: TherapySession | None = None) -> list[TherapySession]:
    """The client's attended sessions, individual and group, newest first: what a counselling note may refer to
    (and the session a note already refers to, whatever became of it)."""
    sessions = TherapySession.objects.filter(episode__client=client, status=SessionStatus.ATTENDED)
    if keep is not None:
        sessions = sessions | TherapySession.objects.filter(pk=keep.pk)
    return list(sessions.order_by("-scheduled_start", "-id")[:200])


def note_errors(client: Client, data: dict[str, Any], *, current: CounsellingNote | None = None) -> dict[str, str]:
    """What a note may not say, by field (the form and the API show these next to their fields)."""
    errors: dict[str, str] = {}
    session: TherapySession | None = data.get("session")
    held_on: dt.date | None = data.get("held_on")
    if session is not None:
        kept = current is not None and current.session_id == session.pk
        if session.episode.client_id != client.pk or not (session.status == SessionStatus.ATTENDED or kept):
            errors["session"] = _("Choose one of the client's attended sessions, or none.")
        elif held_on is not None and held_on != session_day(session):
            errors["held_on"] = _("The date is the session's (%(day)s): leave it empty, or choose no session.") % {
                "day": session_day(session).isoformat()
            }
    elif held_on is None:
        errors["held_on"] = _("Choose the session, or give the date of the conversation.")
    if held_on is not None and held_on > timezone.localdate():
        errors["held_on"] = _("A counselling note records a conversation that took place: the date cannot be later.")
    if not (data.get("text") or "").strip():
        errors["text"] = _("Write the note.")
    return errors


def session_day(session: TherapySession) -> dt.date:
    return timezone.localtime(session.scheduled_start).date()


def _raise(errors: dict[str, Any]) -> None:
    if errors:
        raise ValidationError(errors)


def _apply(note: CounsellingNote, data: dict[str, Any]) -> list[str]:
    """Put `data` on the note; the names of the fields whose value changed."""
    session: TherapySession | None = data.get("session")
    values = {
        "session_id": session.pk if session is not None else None,
        "held_on": session_day(session) if session is not None else data.get("held_on"),
        "text": data["text"].strip(),
    }
    changed = [name.removesuffix("_id") for name, value in values.items() if getattr(note, name) != value]
    for name, value in values.items():
        setattr(note, name, value)
    return changed


def _check_author(note: CounsellingNote, acting_user: User) -> None:
    if note.author_id != acting_user.pk:
        raise PermissionDenied(_("Only the author changes a counselling note."))


def _locked_for_change(note: CounsellingNote, acting_user: User) -> CounsellingNote:
    """The note's row, locked for the change; refused when signed or not the acting user's."""
    _check_author(note, acting_user)
    current = CounsellingNote.objects.select_for_update().select_related("client").get(pk=note.pk)
    if current.is_signed:
        raise ValidationError(locked_message(), code="locked")
    return current


def _record(event_type: EventType, note: CounsellingNote, acting_user: User, **extra: Any) -> None:
    # Field names and ids only: the text of a counselling note never reaches the audit trail.
    record_event(event_type, actor=acting_user, client=note.client, obj=note, extra=extra)


@transaction.atomic
def do_create_note(client: Client, data: dict[str, Any], *, acting_user: User) -> CounsellingNote:
    _raise(note_errors(client, data))
    note = CounsellingNote(client=client, author=acting_user)
    fields = _apply(note, data)
    note.created_at = note.updated_at = timezone.now()
    note.save()
    _record(EventType.COUNSELLING_NOTE_CREATED, note, acting_user, fields=fields, session_id=note.session_id)
    return note


@transaction.atomic
def do_change_note(note: CounsellingNote, data: dict[str, Any], *, acting_user: User) -> CounsellingNote:
    current = _locked_for_change(note, acting_user)
    _raise(note_errors(current.client, data, current=current))
    changed = _apply(current, data)
    if not changed:
        return current
    current.updated_at = timezone.now()
    current.save(update_fields=["session", "held_on", "text", "updated_at"])
    _record(EventType.COUNSELLING_NOTE_CHANGED, current, acting_user, fields=changed, kind="draft")
    return current


def same_name(typed: str, name: str) -> bool:
    return " ".join(typed.split()).casefold() == " ".join(name.split()).casefold()


@transaction.atomic
def do_sign_note(note: CounsellingNote, *, signature: str, acting_user: User) -> CounsellingNote:
    """The author types their own full name; the note is then locked."""
    current = _locked_for_change(note, acting_user)
    signature = " ".join(signature.split())
    if not signature:
        raise ValidationError({"signature": _("Type your full name to sign.")})
    if not same_name(signature, acting_user.full_name):
        message = _("Type your own full name as it is on your account: %(name)s.") % {"name": acting_user.full_name}
        raise ValidationError({"signature": message})
    current.signature, current.signed_at = signature, timezone.now()
    current.save(update_fields=["signature", "signed_at"])
    _record(EventType.COUNSELLING_NOTE_SIGNED, current, acting_user, signed_at=current.signed_at.isoformat())
    return current


@transaction.atomic
def do_add_addendum(note: CounsellingNote, data: dict[str, Any], *, acting_user: User) -> CounsellingNoteAddendum:
    """A correction or addition to a signed note, by its author; the note stays as signed."""
    _check_author(note, acting_user)
    current = CounsellingNote.objects.select_for_update().select_related("client").get(pk=note.pk)
    if not current.is_signed:
        raise ValidationError(_("The note is not signed yet: change it directly."), code="not_signed")
    text = (data.get("text") or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the addendum.")})
    reason = (data.get("reason") or "").strip()
    addendum = CounsellingNoteAddendum.objects.create(
        note=current, text=text, reason=reason, author=acting_user, written_at=timezone.now()
    )
    fields = ["addendum", "reason"] if reason else ["addendum"]
    event = EventType.COUNSELLING_NOTE_CHANGED
    _record(event, current, acting_user, kind="addendum", addendum_id=addendum.pk, fields=fields)
    return addendum


@transaction.atomic
def do_discard_draft(note: CounsellingNote, *, acting_user: User) -> None:
    """The author throws away a draft they no longer want (started for the wrong client, say). A signed note is never
    deleted."""
    current = _locked_for_change(note, acting_user)
    _record(EventType.COUNSELLING_NOTE_CHANGED, current, acting_user, kind="discarded", fields=["text"])
    current.delete()


def record_note_read(
    note: CounsellingNote, decision: Decision | None, *, acting_user: User, channel: str, view: str = "note"
) -> Disclosure | None:
    """A note was shown. Read by someone other than its author, under the client's consent: a disclosure too."""
    with transaction.atomic():
        disclosure = None
        if decision is not None:
            document = _("SUD counselling note of %(day)s by %(author)s") % {
                "day": note.held_on.isoformat(),
                "author": note.author.full_name,
            }
            disclosure = record_counselling_notes_disclosure(
                note.client, decision, colleague=acting_user, document=document, channel=channel
            )
        extra: dict[str, Any] = {"view": view, "own": decision is None}
        if disclosure is not None:
            extra |= {"consent": disclosure.consent_id, "disclosure": disclosure.pk}
        _record(EventType.COUNSELLING_NOTE_VIEWED, note, acting_user, **extra)
    return disclosure


def record_list_read(client: Client, *, acting_user: User, shown: int, page: int = 1) -> None:
    record_event(
        EventType.COUNSELLING_NOTES_VIEWED, actor=acting_user, client=client, extra={"shown": shown, "page": page}
    )


def channel_of(request_path: str) -> str:
    return Disclosure.Channel.API if request_path.startswith("/api/") else Disclosure.Channel.OTHER
