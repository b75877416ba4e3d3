"""Who may open an episode and what is in it: exactly who may open its client (iptcare/clients/access.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from iptcare.clients.access import access_client_by_id
from iptcare.ipt.models import Episode, Goal, ProblemArea, TimelineEvent, Trigger

if TYPE_CHECKING:
    from iptcare.accounts.models import User


def access_episode_by_id(user: User, client_id: int, episode_id: int, *, write: bool = False) -> Episode:
    """The episode, when the user may open (write=False) or change (write=True) its client; else 404."""
    client = access_client_by_id(user, client_id, write=write)
    try:
        return Episode.objects.select_related("client", "primary_therapist").get(client=client, pk=episode_id)
    except (Episode.DoesNotExist, ValueError, TypeError):
        raise Http404("No episode found.") from None


def access_problem_area_by_id(
    user: User, client_id: int, episode_id: int, area_id: int, *, write: bool = False
) -> ProblemArea:
    """The problem area, when the user may open (or change) its episode; else 404."""
    episode = access_episode_by_id(user, client_id, episode_id, write=write)
    try:
        area = ProblemArea.objects.select_related("formulation", "dispute_with").get(
            formulation__episode=episode, pk=area_id
        )
    except (ProblemArea.DoesNotExist, ValueError, TypeError):
        raise Http404("No problem area found.") from None
    area.formulation.episode = episode
    return area


def access_goal_by_id(user: User, client_id: int, episode_id: int, goal_id: int, *, write: bool = False) -> Goal:
    """The goal, when the user may open (or change) its episode; else 404."""
    episode = access_episode_by_id(user, client_id, episode_id, write=write)
    try:
        goal = Goal.objects.select_related("problem_area__formulation").get(
            problem_area__formulation__episode=episode, pk=goal_id
        )
    except (Goal.DoesNotExist, ValueError, TypeError):
        raise Http404("No goal found.") from None
    goal.problem_area.formulation.episode = episode
    return goal


def access_timeline_event_by_id(
    user: User, client_id: int, episode_id: int, event_id: int, *, write: bool = False
) -> tuple[Episode, TimelineEvent]:
    """The episode and one of its client's events, when the user may open (or change) the episode; else 404."""
    episode = access_episode_by_id(user, client_id, episode_id, write=write)
    try:
        event = TimelineEvent.objects.prefetch_related("people").get(client=episode.client, pk=event_id)
    except (TimelineEvent.DoesNotExist, ValueError, TypeError):
        raise Http404("No timeline event found.") from None
    event.client = episode.client
    return episode, event


def access_trigger_by_id(
    user: User, client_id: int, episode_id: int, trigger_id: int, *, write: bool = False
) -> tuple[Episode, Trigger]:
    episode = access_episode_by_id(user, client_id, episode_id, write=write)
    try:
        trigger = Trigger.objects.prefetch_related("people").get(client=episode.client, pk=trigger_id)
    except (Trigger.DoesNotExist, ValueError, TypeError):
        raise Http404("No trigger found.") from None
    trigger.client = episode.client
    return episode, trigger
