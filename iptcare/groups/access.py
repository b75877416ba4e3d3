"""Who may see and change a group (docs/groups.md). Built on the client record's rules (iptcare/clients/access.py):

- **Opening** a group: its facilitators, the clinical supervisor of a facilitator, and anyone who may open at least
  one member's record. Everyone else in the organization gets 404, like a client record; another organization's
  groups are never found.
- **Listing**: the groups a person may open; directors and admins list the whole organization's groups (as they list
  its clients) but see no members and open none unless one of the rules above lets them.
- **Member names and member notes**: facilitators see every member (they run the group); anyone else sees only
  the members whose record they may open, and a count of the others.
- **Running** the group — members, sessions, attendance, notes — is for its facilitators (403 for others who may
  open it). Adding a client also needs the right to change that client's record (404 otherwise).
- **Editing** the group's details is for its facilitators and their clinical supervisors; creating a group for
  therapists, counsellors and supervisors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from iptcare.accounts.models import Role, SupervisionLink
from iptcare.clients.access import PRIMARY_THERAPIST_ROLES
from iptcare.clients.models import Client
from iptcare.groups.models import GroupMember, GroupSession, TherapyGroup

if TYPE_CHECKING:
    from iptcare.accounts.models import User

GROUP_CREATE_ROLES = (Role.THERAPIST, Role.COUNSELLOR, Role.SUPERVISOR)
# Facilitators hold the members' group sessions, as a therapist holds a client's sessions.
FACILITATOR_ROLES = PRIMARY_THERAPIST_ROLES


def can_create_groups(user: User) -> bool:
    return bool(user.is_authenticated and user.organization_id and user.has_role(*GROUP_CREATE_ROLES))


def is_facilitator(user: User, group: TherapyGroup) -> bool:
    return user.pk in group.facilitator_ids


def supervises_a_facilitator(user: User, group: TherapyGroup) -> bool:
    return SupervisionLink.objects.filter(supervisor=user, supervisee_id__in=group.facilitator_ids).exists()


def may_edit_group(user: User, group: TherapyGroup) -> bool:
    return is_facilitator(user, group) or supervises_a_facilitator(user, group)


def check_may_run_group(user: User, group: TherapyGroup) -> None:
    if not is_facilitator(user, group):
        raise PermissionDenied(_("Only the group's facilitators change its members, sessions and notes."))


def check_may_edit_group(user: User, group: TherapyGroup) -> None:
    if not may_edit_group(user, group):
        raise PermissionDenied(_("Only the group's facilitators and their supervisors change the group."))


def access_group_by_id(user: User, group_id: int, *, write: bool = False) -> TherapyGroup:
    """The group when the user may open it (else 404); with write=True, only for its facilitators (else 403)."""
    try:
        group = (
            TherapyGroup.objects.openable_by(user)
            .select_related("site", "facilitator", "co_facilitator")
            .get(pk=group_id)
        )
    except (TherapyGroup.DoesNotExist, ValueError, TypeError):
        raise Http404("No group found.") from None
    if write:
        check_may_run_group(user, group)
    return group


def access_group_session_by_id(user: User, group_id: int, session_id: int, *, write: bool = False) -> GroupSession:
    group = access_group_by_id(user, group_id, write=write)
    try:
        session = GroupSession.objects.select_related("note").get(group=group, pk=session_id)
    except (GroupSession.DoesNotExist, ValueError, TypeError):
        raise Http404("No group session found.") from None
    session.group = group
    return session


def access_member_by_id(user: User, group_id: int, member_id: int, *, write: bool = False) -> GroupMember:
    """A member the user may see: facilitators see every member, others those whose record they may open."""
    group = access_group_by_id(user, group_id, write=write)
    try:
        member = GroupMember.objects.select_related("client", "episode").get(group=group, pk=member_id)
    except (GroupMember.DoesNotExist, ValueError, TypeError):
        raise Http404("No member found.") from None
    if member.client_id not in shown_client_ids(user, group, [member.client_id]):
        raise Http404("No member found.")
    member.group = group
    return member


def shown_client_ids(user: User, group: TherapyGroup, client_ids: list[int]) -> set[int]:
    """Of these members' clients, those `user` may see by name in the group: all for a facilitator, else the
    records they may open. One query at most."""
    if is_facilitator(user, group):
        return set(client_ids)
    return set(Client.objects.openable_by(user).filter(pk__in=client_ids).values_list("pk", flat=True))


def writable_client_ids(user: User, client_ids: list[int]) -> set[int]:
    """Of these clients, those whose record `user` may change (giving a questionnaire needs it)."""
    return set(Client.objects.openable_by(user, write=True).filter(pk__in=client_ids).values_list("pk", flat=True))
