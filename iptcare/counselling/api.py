"""Counselling notes API, under /api/v1/counselling/: list and write a client's notes, read one, change a draft
(409 once signed), sign, discard a draft, and list or add addenda.

The same access rules, forms and actions as the pages (access.py): the author and colleagues named in the client's
counselling-notes consent only, 404 for everyone else. The list never carries the text; reading one note does, and
a colleague's read is recorded as a disclosure (channel "api"). This is the only API that returns counselling notes.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError

from iptcare.clients.api import PageParams
from iptcare.counselling.access import access_counselling, access_note
from iptcare.counselling.actions import (
    channel_of,
    do_add_addendum,
    do_change_note,
    do_create_note,
    do_discard_draft,
    do_sign_note,
    locked_message,
    record_list_read,
    record_note_read,
)
from iptcare.counselling.forms import AddendumForm, NoteForm, SignForm
from iptcare.counselling.models import CounsellingNote, CounsellingNoteAddendum
from iptcare.counselling.schemas import (
    AddendumIn,
    AddendumOut,
    NoteIn,
    NoteOut,
    NotePage,
    NotePatch,
    SignIn,
)
from iptcare.lib.api_errors import FormInvalid

router = Router(tags=["counselling notes"])

NOTES = "clients/{client_id}/notes"
NOTE = NOTES + "/{note_id}"
_API_NAMES = {"session": "session_id"}


def _errors(errors: dict[str, Any]) -> FormInvalid:
    return FormInvalid({_API_NAMES.get(name, name): [str(m) for m in messages] for name, messages in errors.items()})


def _validated(form: Any) -> dict[str, Any]:
    if not form.is_valid():
        raise _errors(form.errors)
    return form.cleaned_data


def _refused(error: ValidationError) -> Exception:
    """A locked (or not yet signed) note answers 409; any other refusal by a rule, 422."""
    if getattr(error, "code", None) in {"locked", "not_signed"}:
        return HttpError(409, " ".join(error.messages))
    if hasattr(error, "error_dict"):
        return _errors(error.message_dict)
    return FormInvalid({NON_FIELD_ERRORS: list(error.messages)})


def _summary(note: CounsellingNote) -> dict[str, Any]:
    return {
        "id": note.pk,
        "client_id": note.client_id,
        "author_id": note.author_id,
        "author_name": note.author.full_name,
        "session_id": note.session_id,
        "held_on": note.held_on,
        "created_at": note.created_at,
        "updated_at": note.updated_at,
        "signed_at": note.signed_at,
        "signature": note.signature,
    }


def _addendum_out(addendum: CounsellingNoteAddendum) -> dict[str, Any]:
    return {
        "id": addendum.pk,
        "text": addendum.text,
        "reason": addendum.reason,
        "author_id": addendum.author_id,
        "author_name": addendum.author.full_name,
        "written_at": addendum.written_at,
    }


def _note_out(note: CounsellingNote) -> dict[str, Any]:
    addenda = note.addenda.select_related("author").order_by("written_at", "id")
    return {**_summary(note), "text": note.text, "addenda": [_addendum_out(a) for a in addenda]}


def _form_data(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "session": payload.get("session_id") or "",
        "held_on": payload.get("held_on") or "",
        "text": payload["text"],
    }


@router.get(NOTES, response=NotePage, summary="The counselling notes you may read, newest first (without their text)")
def list_notes(request: HttpRequest, client_id: int, params: Query[PageParams]) -> dict[str, Any]:
    access = access_counselling(request.user, client_id)
    notes = access.visible_notes()
    items = list(notes[params.offset : params.offset + params.limit])
    record_list_read(access.client, acting_user=request.user, shown=len(items))
    return {"count": notes.count(), "items": [_summary(note) for note in items]}


@router.post(NOTES, response={201: NoteOut}, summary="Write a counselling note (a draft, until signed)")
def create_note(request: HttpRequest, client_id: int, payload: NoteIn) -> Status:
    access = access_counselling(request.user, client_id, write=True)
    cleaned = _validated(NoteForm(data=_form_data(payload.dict()), client=access.client))
    try:
        note = do_create_note(access.client, cleaned, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return Status(201, _note_out(note))


@router.get(NOTE, response=NoteOut, summary="Read one counselling note, with its addenda")
def read_note(request: HttpRequest, client_id: int, note_id: int) -> dict[str, Any]:
    access, note, decision = access_note(request.user, client_id, note_id)
    note.client = access.client
    record_note_read(note, decision, acting_user=request.user, channel=channel_of(request.path))
    return _note_out(note)


@router.patch(NOTE, response=NoteOut, summary="Change a draft; 409 once signed")
def change_note(request: HttpRequest, client_id: int, note_id: int, payload: NotePatch) -> dict[str, Any]:
    access, note, _decision = access_note(request.user, client_id, note_id, write=True)
    note.client = access.client
    if note.is_signed:
        raise HttpError(409, locked_message())
    sent = payload.dict(exclude_unset=True)
    merged = {"session_id": note.session_id, "held_on": None if note.session_id else note.held_on, "text": note.text}
    if "session_id" in sent and "held_on" not in sent:
        # A session sent on its own brings its day; detaching the note from its session keeps the day it had.
        merged["held_on"] = None if sent["session_id"] else note.held_on
    merged |= {name: value for name, value in sent.items() if not (name == "text" and value is None)}
    cleaned = _validated(NoteForm(data=_form_data(merged), client=access.client, note=note))
    try:
        note = do_change_note(note, cleaned, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return _note_out(note)


@router.delete(NOTE, response={204: None}, summary="Discard a draft; 409 once signed (a signed note is never deleted)")
def discard_note(request: HttpRequest, client_id: int, note_id: int) -> Status:
    access, note, _decision = access_note(request.user, client_id, note_id, write=True)
    note.client = access.client
    try:
        do_discard_draft(note, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return Status(204, None)


@router.post(NOTE + "/sign", response=NoteOut, summary="Sign the note with your full name; it is then locked")
def sign_note(request: HttpRequest, client_id: int, note_id: int, payload: SignIn) -> dict[str, Any]:
    access, note, _decision = access_note(request.user, client_id, note_id, write=True)
    note.client = access.client
    if note.is_signed:
        raise HttpError(409, locked_message())
    cleaned = _validated(SignForm(data=payload.dict()))
    try:
        note = do_sign_note(note, signature=cleaned["signature"], acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return _note_out(note)


@router.get(NOTE + "/addenda", response=list[AddendumOut], summary="The addenda of a note, oldest first")
def list_addenda(request: HttpRequest, client_id: int, note_id: int) -> list[dict[str, Any]]:
    access, note, decision = access_note(request.user, client_id, note_id)
    note.client = access.client
    record_note_read(note, decision, acting_user=request.user, channel=channel_of(request.path), view="addenda")
    return [_addendum_out(a) for a in note.addenda.select_related("author").order_by("written_at", "id")]


@router.post(NOTE + "/addenda", response={201: AddendumOut}, summary="Add an addendum to a signed note, 409 if not")
def add_addendum(request: HttpRequest, client_id: int, note_id: int, payload: AddendumIn) -> Status:
    access, note, _decision = access_note(request.user, client_id, note_id, write=True)
    note.client = access.client
    if not note.is_signed:
        raise HttpError(409, _("The note is not signed yet: change it directly."))
    cleaned = _validated(AddendumForm(data=payload.dict()))
    try:
        addendum = do_add_addendum(note, cleaned, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return Status(201, _addendum_out(addendum))
