"""Counselling-note pages under /clients/<client_id>/counselling-notes/: the list, writing a note, reading one,
changing a draft, signing it, adding an addendum, discarding a draft.

Access is decided in access.py (author and consented colleagues only; 404 otherwise, audited). A colleague's read of
a note is recorded as a disclosure under the client's counselling-notes consent.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from iptcare.accounts.access import require_staff
from iptcare.counselling.access import CounsellingAccess, access_counselling, access_note
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
from iptcare.counselling.models import CounsellingNote
from iptcare.lib.paging import paginate, query_without_page


def _add_errors(form: Any, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, problems in error.message_dict.items():
        form.add_error(name if name in form.fields else None, problems)


def _to_note(note: CounsellingNote) -> HttpResponse:
    return redirect("counselling_note_detail", client_id=note.client_id, note_id=note.pk)


def _base(access: CounsellingAccess, **context: Any) -> dict[str, Any]:
    return {"client": access.client, "may_write": access.may_write, **context}


@require_staff
def note_list(request: HttpRequest, client_id: int) -> HttpResponse:
    access = access_counselling(request.user, client_id)
    page = paginate(request, access.visible_notes(), settings.PAGE_SIZE)
    notes = list(page.object_list)
    record_list_read(access.client, acting_user=request.user, shown=len(notes), page=page.number)
    context = _base(access, page=page, notes=notes, page_query=query_without_page(request))
    return render(request, "counselling/note_list.html", context)


@require_staff
def note_create(request: HttpRequest, client_id: int) -> HttpResponse:
    access = access_counselling(request.user, client_id, write=True)
    form = NoteForm(request.POST or None, client=access.client)
    if request.method == "POST" and form.is_valid():
        try:
            note = do_create_note(access.client, form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The counselling note is saved as a draft. Sign it when it is complete."))
            return _to_note(note)
    return render(request, "counselling/note_form.html", _base(access, form=form, note=None))


@require_staff
def note_detail(request: HttpRequest, client_id: int, note_id: int) -> HttpResponse:
    access, note, decision = access_note(request.user, client_id, note_id)
    note.client = access.client
    disclosure = record_note_read(note, decision, acting_user=request.user, channel=channel_of(request.path))
    is_author = note.author_id == request.user.pk
    context = _base(
        access,
        note=note,
        addenda=list(note.addenda.select_related("author")),
        is_author=is_author,
        may_change=is_author and access.may_write and not note.is_signed,
        may_add=is_author and access.may_write and note.is_signed,
        disclosure=disclosure,
    )
    return render(request, "counselling/note_detail.html", context)


@require_staff
def note_edit(request: HttpRequest, client_id: int, note_id: int) -> HttpResponse:
    access, note, _decision = access_note(request.user, client_id, note_id, write=True)
    note.client = access.client
    if note.is_signed:
        messages.error(request, locked_message())
        return _to_note(note)
    form = NoteForm(request.POST or None, client=access.client, note=note)
    if request.method == "POST" and form.is_valid():
        try:
            do_change_note(note, form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            if getattr(error, "code", None) == "locked":
                messages.error(request, locked_message())
                return _to_note(note)
            _add_errors(form, error)
        else:
            messages.success(request, _("The draft is saved."))
            return _to_note(note)
    if request.method != "POST":
        record_note_read(note, None, acting_user=request.user, channel=channel_of(request.path), view="edit")
    return render(request, "counselling/note_form.html", _base(access, form=form, note=note))


@require_staff
def note_sign(request: HttpRequest, client_id: int, note_id: int) -> HttpResponse:
    access, note, _decision = access_note(request.user, client_id, note_id, write=True)
    note.client = access.client
    if note.is_signed:
        messages.info(request, _("The note is already signed."))
        return _to_note(note)
    form = SignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_sign_note(note, signature=form.cleaned_data["signature"], acting_user=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The counselling note is signed and locked."))
            return _to_note(note)
    if request.method != "POST":
        record_note_read(note, None, acting_user=request.user, channel=channel_of(request.path), view="sign")
    return render(request, "counselling/note_sign.html", _base(access, form=form, note=note))


@require_staff
def note_addendum(request: HttpRequest, client_id: int, note_id: int) -> HttpResponse:
    access, note, _decision = access_note(request.user, client_id, note_id, write=True)
    note.client = access.client
    if not note.is_signed:
        messages.info(request, _("The note is not signed yet: change it directly."))
        return redirect("counselling_note_edit", client_id=note.client_id, note_id=note.pk)
    form = AddendumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_add_addendum(note, form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The addendum is added; the note stays as signed."))
            return _to_note(note)
    return render(request, "counselling/note_addendum.html", _base(access, form=form, note=note))


@require_staff
def note_discard(request: HttpRequest, client_id: int, note_id: int) -> HttpResponse:
    access, note, _decision = access_note(request.user, client_id, note_id, write=True)
    note.client = access.client
    if note.is_signed:
        messages.error(request, _("A signed note is never deleted. To correct it, write an addendum."))
        return _to_note(note)
    if request.method == "POST":
        try:
            do_discard_draft(note, acting_user=request.user)
        except ValidationError:
            messages.error(request, locked_message())
            return _to_note(note)
        messages.success(request, _("The draft is discarded."))
        return redirect("counselling_note_list", client_id=access.client.pk)
    record_note_read(note, None, acting_user=request.user, channel=channel_of(request.path), view="discard")
    return render(request, "counselling/note_discard.html", _base(access, note=note))
