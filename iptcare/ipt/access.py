"""Who may open an episode: exactly who may open its client (iptcare/clients/access.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from iptcare.clients.access import access_client_by_id
from iptcare.ipt.models import Episode

if TYPE_CHECKING:
    from iptcare.accounts.models import User


def access_episode_by_id(user: User, client_id: int, episode_id: int, *, write: bool = False) -> Episode:
    """The episode, when the user may open (write=False) or change (write=True) its client; else 404."""
    client = access_client_by_id(user, client_id, write=write)
    try:
        return Episode.objects.select_related("client", "primary_therapist").get(client=client, pk=episode_id)
    except (Episode.DoesNotExist, ValueError, TypeError):
        raise Http404("No episode found.") from None
