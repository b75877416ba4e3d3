"""Read-only queries shared by the pages and the API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy

from iptcare.clients.models import CareTeamMember, Client, ClientStatus, TeamRole, on_care_team_of, team_user_ids
from iptcare.measures.models import Administration, Alert

if TYPE_CHECKING:
    from iptcare.accounts.models import User

SORTS = {
    "name": (gettext_lazy("Name"), ["family_name", "given_name", "id"]),
    "identifier": (gettext_lazy("Identifier"), ["identifier", "id"]),
    "status": (gettext_lazy("Status"), ["status", "family_name", "given_name", "id"]),
    "recent": (gettext_lazy("Recently updated"), ["-updated_at", "-id"]),
}


def caseload_queryset(
    user: User, *, query: str = "", status: str = "", site: str | int = "", sort: str = "name"
) -> QuerySet[Client]:
    """The caseload: visible clients, the user's own first, with the primary therapist in one extra query.

    `can_open` says whether the record itself may be opened: directors and admins list clients they may not open.
    """
    clients = (
        Client.objects.visible_to(user)
        .select_related("site")
        .annotate(
            is_mine=Exists(CareTeamMember.objects.filter(client=OuterRef("pk"), user=user)),
            can_open=on_care_team_of(team_user_ids(user)),
            has_open_alert=Exists(Alert.objects.open().filter(client=OuterRef("pk"))),
            latest_phq9=_latest_total("PHQ-9"),
            latest_gad7=_latest_total("GAD-7"),
        )
        .prefetch_related(
            Prefetch(
                "care_team",
                queryset=CareTeamMember.objects.filter(team_role=TeamRole.PRIMARY_THERAPIST).select_related("user"),
                to_attr="primary_members",
            )
        )
    )
    # Every word must match a name or the identifier, so "Casey Ashgrove" finds Casey Ashgrove.
    for word in query.split()[:5]:
        clients = clients.filter(
            Q(given_name__icontains=word)
            | Q(family_name__icontains=word)
            | Q(preferred_name__icontains=word)
            | Q(identifier__icontains=word)
        )
    if status in ClientStatus.values:
        clients = clients.filter(status=status)
    if str(site).isdigit():
        clients = clients.filter(site_id=int(site))
    # Safety first: clients with an open alert lead the list, then the user's own clients.
    return clients.order_by("-has_open_alert", "-is_mine", *SORTS.get(sort, SORTS["name"])[1])


def _latest_total(code: str) -> Subquery:
    latest = (
        Administration.objects.current()
        .filter(client=OuterRef("pk"), instrument_code=code, total__isnull=False)
        .order_by("-administered_at", "-id")
        .values("total")[:1]
    )
    return Subquery(latest)


def care_team_in_role_order(client: Client) -> list[CareTeamMember]:
    """The team as people read it: primary therapist first, then the other roles in their usual order."""
    order = {role: index for index, role in enumerate(TeamRole.values)}
    members = client.care_team.select_related("user")
    return sorted(members, key=lambda m: (order.get(m.team_role, len(order)), m.user.full_name))
