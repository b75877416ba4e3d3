"""The group note of a held session, its member notes, and signing, which locks both.

Each do_* function is one audited transaction that locks the group row first (see actions.py). Only the group's
facilitators write and sign. A signed note is refused with a ValidationError whose code is "locked"; the database
refuses it too (triggers.py), so no path changes a signed group note or its member notes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.audit.events import diff_fields, record_event
from iptcare.audit.models import EventType
from iptcare.groups.access import check_may_run_group
from iptcare.groups.actions import lock_group_session, locked_message
from iptcare.groups.models import (
    Attendance,
    AttendanceStatus,
    GroupMember,
    GroupNote,
    GroupSession,
    GroupSessionStatus,
    MemberNote,
)
from iptcare.therapy.actions_notes import own_name_message, same_name
from iptcare.therapy.models import NON_IPT_TECHNIQUES, Technique

if TYPE_CHECKING:
    from iptcare.accounts.models import User

GROUP_NOTE_FIELDS = ("worked_on", "themes", "techniques", "observations")
MEMBER_NOTE_FIELDS = ("worked_on", "mood", "risk_flag", "risk_notes")


# ---------------------------------------------------------------------------------------------------- rules


def technique_errors(techniques: list[str]) -> dict[str, str]:
    unknown = [t for t in techniques if t not in Technique.values]
    if unknown:
        return {"techniques": _("Not a technique on the list: %(names)s.") % {"names": ", ".join(unknown)}}
    return {}


def member_note_errors(*, mood: int | None, risk_flag: bool, risk_notes: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if mood is not None and not 0 <= mood <= 10:
        errors["mood"] = _("Mood is 0 (very low) to 10 (very good).")
    if risk_flag and not risk_notes.strip():
        errors["risk_notes"] = _("Say what was noticed and what was done about the risk.")
    return errors


def sign_errors(note: GroupNote) -> dict[str, str]:
    if not note.worked_on.strip():
        return {"worked_on": _("Write what the group worked on before signing.")}
    return {}


def _raise(errors: dict[str, Any]) -> None:
    if errors:
        raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------------- the note


@transaction.atomic
def do_save_group_note_draft(session: GroupSession, data: dict[str, Any], *, acting_user: User) -> GroupNote:
    """Create or change the draft. `data` holds any of GROUP_NOTE_FIELDS; the others keep their value."""
    session = _writable_session(session, acting_user)
    note, created = _draft_of(session, acting_user, save_new=False)
    before = {} if created else _values(note, GROUP_NOTE_FIELDS)
    for name in GROUP_NOTE_FIELDS:
        if name in data:
            setattr(note, name, _ordered(data[name]) if name == "techniques" else (data[name] or "").strip())
    _raise(technique_errors(note.techniques))
    note.flagged_for_supervision = any(t in NON_IPT_TECHNIQUES for t in note.techniques)
    changes = diff_fields(before, _values(note, GROUP_NOTE_FIELDS))
    if not changes and not created:
        return note
    note.updated_at = timezone.now()
    note.save()
    _record(session, acting_user, changes, "note_draft", obj=note, created=created)
    return note


@transaction.atomic
def do_sign_group_note(session: GroupSession, *, signature: str, acting_user: User) -> GroupNote:
    """The facilitator types their own full name; the note and its member notes are then locked."""
    session = _writable_session(session, acting_user)
    note = GroupNote.objects.filter(session=session).first()
    if note is None:
        raise ValidationError(_("Write the group note before signing it."))
    if note.is_signed:
        raise ValidationError(_("The group note is already signed."), code="locked")
    signature = " ".join(signature.split())
    errors = sign_errors(note)
    if not signature:
        errors["signature"] = _("Type your full name to sign.")
    elif not same_name(signature, acting_user.full_name):
        # The typed name stands for the person signed in: it has to be theirs.
        errors["signature"] = own_name_message(acting_user)
    _raise(errors)
    note.signature, note.signed_by, note.signed_at = signature, acting_user, timezone.now()
    note.save(update_fields=["signature", "signed_by", "signed_at"])
    _record(session, acting_user, {"signed_at": [None, note.signed_at.isoformat()]}, "note_signed", obj=note)
    return note


# ---------------------------------------------------------------------------------------------------- member notes


@transaction.atomic
def do_save_member_note(
    session: GroupSession, member: GroupMember, data: dict[str, Any], *, acting_user: User
) -> MemberNote:
    """Create or change the note of one member who attended. `data` holds any of MEMBER_NOTE_FIELDS."""
    session = _writable_session(session, acting_user)
    attended = Attendance.objects.filter(session=session, member_id=member.pk, status=AttendanceStatus.ATTENDED)
    if not attended.exists():
        raise ValidationError(_("A member note is written for a member who attended this session."))
    note, _created = _draft_of(session, acting_user, save_new=True)
    member_note = MemberNote.objects.filter(note=note, member_id=member.pk).first()
    created = member_note is None
    if member_note is None:
        member_note = MemberNote(note=note, member_id=member.pk, written_by=acting_user)
    before = {} if created else _values(member_note, MEMBER_NOTE_FIELDS)
    for name in MEMBER_NOTE_FIELDS:
        if name in data:
            value = data[name]
            setattr(member_note, name, (value or "").strip() if name in ("worked_on", "risk_notes") else value)
    _raise(
        member_note_errors(mood=member_note.mood, risk_flag=member_note.risk_flag, risk_notes=member_note.risk_notes)
    )
    changes = diff_fields(before, _values(member_note, MEMBER_NOTE_FIELDS))
    if not changes and not created:
        return member_note
    member_note.written_by, member_note.updated_at = acting_user, timezone.now()
    member_note.save()
    _record(
        session,
        acting_user,
        changes,
        "member_note",
        obj=member_note,
        client=member.client,
        member_id=member.pk,
    )
    return member_note


# ---------------------------------------------------------------------------------------------------- helpers


def _writable_session(session: GroupSession, acting_user: User) -> GroupSession:
    session = lock_group_session(session)
    check_may_run_group(acting_user, session.group)
    if session.status != GroupSessionStatus.HELD:
        raise ValidationError(_("A note is written for a held session: record its attendance first."))
    return session


def _draft_of(session: GroupSession, acting_user: User, *, save_new: bool) -> tuple[GroupNote, bool]:
    """The session's note, refused when signed; a new draft (saved only when `save_new`) when there is none."""
    note = GroupNote.objects.filter(session=session).first()
    if note is not None:
        if note.is_signed:
            raise ValidationError(locked_message(), code="locked")
        return note, False
    note = GroupNote(session=session, author=acting_user)
    if save_new:
        note.save()
        _record(session, acting_user, None, "note_draft", obj=note, created=True)
    return note, True


def _ordered(techniques: list[str] | None) -> list[str]:
    """The techniques in the order of the list, unknown ones last (and refused by technique_errors)."""
    techniques = list(techniques or [])
    return [t for t in Technique.values if t in techniques] + [t for t in techniques if t not in Technique.values]


def _values(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


def _record(
    session: GroupSession,
    acting_user: User,
    changes: dict[str, list[Any]] | None,
    kind: str,
    *,
    obj: Any,
    client: Any = None,
    **extra: Any,
) -> None:
    record_event(
        EventType.GROUP_CHANGED,
        actor=acting_user,
        client=client,
        obj=obj,
        changes=changes,
        extra={"kind": kind, "group_id": session.group_id, "group_session_id": session.pk, **extra},
    )
