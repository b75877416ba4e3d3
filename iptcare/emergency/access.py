"""Who may break the glass, and who may see, end or review one emergency access (see docs/emergency-access.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from iptcare.accounts.models import Role
from iptcare.clients.models import CareTeamMember, Client
from iptcare.emergency.models import EmergencyAccess

if TYPE_CHECKING:
    from iptcare.accounts.models import User

# Clinicians and the program's leadership may open a record in an emergency. Admins may not: they review the
# accesses, and nobody reviews their own (separation of duties).
BREAK_GLASS_ROLES = (Role.THERAPIST, Role.COUNSELLOR, Role.PHYSICIAN, Role.SUPERVISOR, Role.DIRECTOR)


def may_break_glass(user: User) -> bool:
    """Active staff of an organization with a clinical or director role, and not an admin."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.organization_id
        and user.has_role(*BREAK_GLASS_ROLES)
        and not user.has_role(Role.ADMIN)
    )


def is_admin(user: User) -> bool:
    return bool(user.is_authenticated and user.organization_id and user.has_role(Role.ADMIN))


def find_client(user: User, identifier: str) -> Client | None:
    """The client of the user's own organization with this identifier (capitals ignored); never another's."""
    identifier = identifier.strip()
    if not identifier or not user.organization_id:
        return None
    return Client.objects.filter(organization_id=user.organization_id, identifier__iexact=identifier).first()


def active_grant(user: User, client: Client) -> EmergencyAccess | None:
    """The user's emergency access to the client that is open now, if any."""
    return EmergencyAccess.objects.active().filter(user_id=user.pk, client_id=client.pk).order_by("-expires_at").first()


def access_grant_by_id(user: User, grant_id: int) -> EmergencyAccess:
    """One emergency access, for the person who used it, an admin of the organization, or a member of the client's
    care team; anyone else gets 404, as for a record that does not exist."""
    try:
        grant = EmergencyAccess.objects.select_related("user", "client", "reviewed_by", "ended_by").get(
            pk=grant_id, organization_id=user.organization_id
        )
    except (EmergencyAccess.DoesNotExist, ValueError, TypeError):
        raise Http404("No emergency access found.") from None
    if grant.user_id == user.pk or is_admin(user) or is_on_care_team(user, grant.client_id):
        return grant
    raise Http404("No emergency access found.")


def is_on_care_team(user: User, client_id: int) -> bool:
    return CareTeamMember.objects.filter(client_id=client_id, user_id=user.pk).exists()


def may_end(user: User, grant: EmergencyAccess) -> bool:
    """The person who used it ends it early; an admin may end it too (to stop a misuse at once)."""
    return grant.is_active and (grant.user_id == user.pk or is_admin(user))


def may_review(user: User, grant: EmergencyAccess) -> bool:
    return is_admin(user) and grant.user_id != user.pk and not grant.is_reviewed and not grant.is_active
