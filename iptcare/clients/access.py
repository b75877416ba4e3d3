"""Who may open which client record: the single place that decides (see docs/access.md).

"Not yours" and "does not exist" raise the same Http404, so a record's existence never leaks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from iptcare.accounts.models import Role
from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.clients.models import CareTeamMember, Client, Person

if TYPE_CHECKING:
    from iptcare.accounts.models import User

# Roles that may open a new client record (intake). Directors look at the program, not at intake.
CLIENT_CREATE_ROLES = (Role.THERAPIST, Role.COUNSELLOR, Role.PHYSICIAN, Role.SUPERVISOR, Role.ADMIN)
# Roles a staff member needs to be put on a care team, and to be its primary therapist.
CARE_TEAM_ROLES = (Role.THERAPIST, Role.COUNSELLOR, Role.PHYSICIAN, Role.SUPERVISOR)
PRIMARY_THERAPIST_ROLES = (Role.THERAPIST, Role.COUNSELLOR)


def access_client_by_id(user: User, client_id: int, *, write: bool = False) -> Client:
    try:
        return Client.objects.openable_by(user, write=write).select_related("site").get(pk=client_id)
    except (Client.DoesNotExist, ValueError, TypeError):
        _record_refusal(user, client_id, write=write)
        raise Http404("No client found.") from None


def _record_refusal(user: User, client_id: object, *, write: bool) -> None:
    """Refusals are audited, so probing for records leaves a trace. The event names the client only when
    it belongs to the person's own organization; another organization's records are never linked."""
    if not (user.is_authenticated and user.organization_id):
        return
    own = (
        Client.objects.filter(organization_id=user.organization_id, pk=client_id).first()
        if str(client_id).isdigit()
        else None
    )
    record_event(
        EventType.CLIENT_ACCESS_REFUSED,
        actor=user,
        client=own,
        extra={"requested_client_id": str(client_id)[:20], "write": write},
    )


def access_person_by_id(user: User, client_id: int, person_id: int, *, write: bool = False) -> Person:
    client = access_client_by_id(user, client_id, write=write)
    try:
        return Person.objects.select_related("client").get(client=client, pk=person_id)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404("No person found.") from None


def access_care_team_member_by_id(user: User, client_id: int, member_id: int, *, write: bool = False) -> CareTeamMember:
    client = access_client_by_id(user, client_id, write=write)
    try:
        return CareTeamMember.objects.select_related("user", "client").get(client=client, pk=member_id)
    except (CareTeamMember.DoesNotExist, ValueError, TypeError):
        raise Http404("No care team member found.") from None


def can_create_clients(user: User) -> bool:
    return bool(user.is_authenticated and user.organization_id and user.has_role(*CLIENT_CREATE_ROLES))
