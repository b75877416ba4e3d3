"""/api/v1/groups/: groups, members, sessions, attendance and notes.

The same access functions and actions as the pages, so the rules and the audit trail are the same: a group the
caller may not open answers 404; running it (members, sessions, attendance, notes) is for its facilitators (403 for
others who may open it); adding a client needs the right to change the client's record (404 otherwise). A signed
group note answers 409 to every change, of the note, its member notes and the session's attendance.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.errors import HttpError

from iptcare.accounts.models import Site, User
from iptcare.clients.access import access_client_by_id
from iptcare.groups.access import (
    access_group_by_id,
    access_group_session_by_id,
    access_member_by_id,
    can_create_groups,
    shown_client_ids,
)
from iptcare.groups.actions import (
    do_add_member,
    do_create_group,
    do_generate_group_sessions,
    do_leave_group,
    do_record_attendance,
    locked_message,
)
from iptcare.groups.actions_notes import do_save_group_note_draft, do_save_member_note, do_sign_group_note
from iptcare.groups.events import record_group_view, record_groups_listed
from iptcare.groups.models import GroupMember, GroupNote, GroupSession, MemberNote, TherapyGroup
from iptcare.groups.schemas import (
    AttendanceIn,
    AttendanceOut,
    GenerateOut,
    GroupDetailOut,
    GroupIn,
    GroupNoteIn,
    GroupNoteOut,
    GroupPage,
    GroupSessionPage,
    LeaveIn,
    MemberIn,
    MemberNoteIn,
    MemberNoteOut,
    MemberOut,
    group_out,
)
from iptcare.groups.selectors import (
    attendance_of,
    capacity_warning,
    group_members,
    group_sessions,
    numbered_session,
    pregroup_meetings,
    present_members,
    size_warning,
)
from iptcare.lib.api_errors import FormInvalid
from iptcare.therapy.schemas import PageParams, SignatureIn

router = Router(tags=["groups"])

GROUP = "{group_id}"
SESSION = GROUP + "/sessions/{session_id}"


# ---------------------------------------------------------------------------------------------------- helpers


def _refused(error: ValidationError) -> Exception:
    """A locked note answers 409; any other refusal by a rule, 422 in the API's error shape."""
    codes = [getattr(error, "code", None)] + [getattr(e, "code", None) for e in getattr(error, "error_list", [])]
    if "locked" in codes:
        return HttpError(409, " ".join(error.messages))
    if hasattr(error, "error_dict"):
        names = {"site": "site_id", "facilitator": "facilitator_id", "co_facilitator": "co_facilitator_id"}
        return FormInvalid({names.get(k, k): [str(m) for m in v] for k, v in error.message_dict.items()})
    return FormInvalid({NON_FIELD_ERRORS: list(error.messages)})


def _group_detail(request: HttpRequest, group: TherapyGroup) -> dict[str, Any]:
    """The group with the members the caller may see, audited as a view of each of them."""
    members = group_members(group)
    shown = shown_client_ids(request.user, group, [m.client_id for m in members])
    visible = [m for m in members if m.client_id in shown]
    meetings = pregroup_meetings(visible)
    for member in visible:
        member.pregroup = meetings.get(member.episode_id)
    current = sum(1 for m in members if not m.has_left)
    record_group_view(request.user, group, shown, kind="group")
    warnings = [w for w in (size_warning(current), capacity_warning(group.capacity)) if w]
    return group_out(
        group,
        member_count=current,
        can_open=True,
        members=visible,
        members_not_shown=len(members) - len(visible),
        warnings=warnings,
    )


def _staff(organization_id: int, user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id, organization_id=organization_id).first()
    if user is None:
        raise FormInvalid({field: ["Choose an active therapist or counsellor of your organization."]})
    return user


def _note(session: GroupSession, request: HttpRequest) -> GroupNote:
    """The session's note with the member notes the caller may see (404 until written)."""
    note = GroupNote.objects.filter(session=session).first()
    if note is None:
        raise Http404("No note yet.")
    member_notes = list(MemberNote.objects.filter(note=note).select_related("member"))
    shown = shown_client_ids(request.user, session.group, [m.member.client_id for m in member_notes])
    note.shown_member_notes = [m for m in member_notes if m.member.client_id in shown]
    return note


def _writable_note(session: GroupSession) -> None:
    note = GroupNote.objects.filter(session=session).first()
    if note is not None and note.is_signed:
        raise HttpError(409, locked_message())


# ---------------------------------------------------------------------------------------------------- groups


@router.get("", response=GroupPage, summary="The groups you can see (directors and admins: the organization's)")
def list_groups(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    openable = set(TherapyGroup.objects.openable_by(request.user).values_list("pk", flat=True))
    groups = (
        TherapyGroup.objects.visible_to(request.user)
        .select_related("facilitator", "co_facilitator")
        .with_member_count()
    )
    page = list(groups[params.offset : params.offset + params.limit])
    record_groups_listed(request.user, [g.pk for g in page])
    items = [group_out(g, member_count=g.member_count, can_open=g.pk in openable) for g in page]
    return {"count": groups.count(), "items": items}


@router.post("", response={201: GroupDetailOut}, summary="Create a group (therapists, counsellors, supervisors)")
def create_group(request: HttpRequest, payload: GroupIn) -> Status:
    if not can_create_groups(request.user):
        raise PermissionDenied("Therapists, counsellors and supervisors create groups.")
    organization_id = request.user.organization_id
    data = payload.dict()
    site = Site.objects.filter(pk=data.pop("site_id"), organization_id=organization_id).first()
    if site is None:
        raise FormInvalid({"site_id": ["Choose one of your organization's open sites."]})
    data["site"] = site
    data["facilitator"] = _staff(organization_id, data.pop("facilitator_id"), "facilitator_id")
    data["co_facilitator"] = _staff(organization_id, data.pop("co_facilitator_id"), "co_facilitator_id")
    try:
        group = do_create_group(organization_id, data, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return Status(201, _group_detail(request, access_group_by_id(request.user, group.pk)))


@router.get(GROUP, response=GroupDetailOut, summary="One group, with the members you may see")
def read_group(request: HttpRequest, group_id: int) -> dict[str, Any]:
    return _group_detail(request, access_group_by_id(request.user, group_id))


# ---------------------------------------------------------------------------------------------------- members


@router.post(
    GROUP + "/members",
    response={201: MemberOut},
    summary="Add a client whose record you may change; their group episode is linked or opened",
)
def add_member(request: HttpRequest, group_id: int, payload: MemberIn) -> Status:
    group = access_group_by_id(request.user, group_id, write=True)
    client = access_client_by_id(request.user, payload.client_id, write=True)
    try:
        member = do_add_member(
            group,
            client,
            problem_area=payload.problem_area,
            goal=payload.goal,
            joined_on=payload.joined_on,
            acting_user=request.user,
        )
    except ValidationError as error:
        raise _refused(error) from None
    member.client = client
    return Status(201, member)


@router.post(GROUP + "/members/{member_id}/leave", response=MemberOut, summary="The member leaves the group")
def leave_group(request: HttpRequest, group_id: int, member_id: int, payload: LeaveIn) -> GroupMember:
    member = access_member_by_id(request.user, group_id, member_id, write=True)
    try:
        return do_leave_group(
            member, left_on=payload.left_on or timezone.localdate(), reason=payload.reason, acting_user=request.user
        )
    except ValidationError as error:
        raise _refused(error) from None


# ---------------------------------------------------------------------------------------------------- sessions


@router.get(GROUP + "/sessions", response=GroupSessionPage, summary="The group's sessions, numbered, with phases")
def list_sessions(request: HttpRequest, group_id: int) -> dict[str, Any]:
    group = access_group_by_id(request.user, group_id)
    sessions = group_sessions(group)
    record_group_view(request.user, group, [], kind="sessions")
    return {"count": len(sessions), "items": sessions}


@router.post(
    GROUP + "/sessions/generate",
    response={201: GenerateOut},
    summary="Schedule the group's sessions weekly from its first date, up to eight",
)
def generate_sessions(request: HttpRequest, group_id: int) -> Status:
    group = access_group_by_id(request.user, group_id, write=True)
    try:
        result = do_generate_group_sessions(group, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    created_ids = {s.pk for s in result.created}
    created = [s for s in group_sessions(group) if s.pk in created_ids]
    skipped = [{"date": day, "reason": reason} for day, reason in result.skipped]
    return Status(201, {"created": created, "skipped": skipped})


def _attendance_out(request: HttpRequest, session: GroupSession) -> dict[str, Any]:
    members = list(present_members(session))
    shown = shown_client_ids(request.user, session.group, [m.client_id for m in members])
    visible = [m for m in members if m.client_id in shown]
    recorded = attendance_of(session)
    record_group_view(request.user, session.group, shown, kind="attendance", group_session_id=session.pk)
    items = [{"member_id": m.pk, "status": recorded[m.pk].status if m.pk in recorded else ""} for m in visible]
    fresh = GroupSession.objects.select_related("note").get(pk=session.pk)
    fresh.group = session.group
    return {"session": numbered_session(fresh), "items": items, "members_not_shown": len(members) - len(visible)}


@router.get(SESSION + "/attendance", response=AttendanceOut, summary="The attendance of the members you may see")
def read_attendance(request: HttpRequest, group_id: int, session_id: int) -> dict[str, Any]:
    session = access_group_session_by_id(request.user, group_id, session_id)
    return _attendance_out(request, session)


@router.put(
    SESSION + "/attendance",
    response=AttendanceOut,
    summary="Record attended, absent or excused; each member's episode records it too; 409 once the note is signed",
)
def record_attendance(request: HttpRequest, group_id: int, session_id: int, payload: AttendanceIn) -> dict[str, Any]:
    session = access_group_session_by_id(request.user, group_id, session_id, write=True)
    statuses = {item.member_id: str(item.status) for item in payload.items}
    try:
        do_record_attendance(session, statuses, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return _attendance_out(request, session)


# ---------------------------------------------------------------------------------------------------- notes


@router.get(SESSION + "/note", response=GroupNoteOut, summary="The group note (404 until written)")
def read_note(request: HttpRequest, group_id: int, session_id: int) -> GroupNote:
    session = access_group_session_by_id(request.user, group_id, session_id)
    note = _note(session, request)
    shown = [m.member.client_id for m in note.shown_member_notes]
    record_group_view(request.user, session.group, shown, kind="note", group_session_id=session.pk)
    return note


@router.put(SESSION + "/note", response=GroupNoteOut, summary="Save the draft (all its fields); 409 once signed")
def save_note(request: HttpRequest, group_id: int, session_id: int, payload: GroupNoteIn) -> GroupNote:
    session = access_group_session_by_id(request.user, group_id, session_id, write=True)
    _writable_note(session)
    try:
        do_save_group_note_draft(session, payload.dict(), acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return _note(session, request)


@router.post(SESSION + "/note/sign", response=GroupNoteOut, summary="Sign with your typed full name: it locks")
def sign_note(request: HttpRequest, group_id: int, session_id: int, payload: SignatureIn) -> GroupNote:
    session = access_group_session_by_id(request.user, group_id, session_id, write=True)
    try:
        do_sign_group_note(session, signature=payload.signature, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return _note(session, request)


@router.get(SESSION + "/note/members", response=list[MemberNoteOut], summary="The member notes you may see")
def list_member_notes(request: HttpRequest, group_id: int, session_id: int) -> list[MemberNote]:
    session = access_group_session_by_id(request.user, group_id, session_id)
    note = _note(session, request)
    shown = [m.member.client_id for m in note.shown_member_notes]
    record_group_view(request.user, session.group, shown, kind="member_notes", group_session_id=session.pk)
    return note.shown_member_notes


@router.put(
    SESSION + "/note/members/{member_id}",
    response=MemberNoteOut,
    summary="Write one attending member's note (all its fields); 409 once the group note is signed",
)
def save_member_note(
    request: HttpRequest, group_id: int, session_id: int, member_id: int, payload: MemberNoteIn
) -> MemberNote:
    session = access_group_session_by_id(request.user, group_id, session_id, write=True)
    member = access_member_by_id(request.user, group_id, member_id, write=True)
    _writable_note(session)
    try:
        return do_save_member_note(session, member, payload.dict(), acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
