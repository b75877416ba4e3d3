"""Who may see and change sessions and notes. Built on the episode's rules (iptcare/ipt/access.py), which are the
client record's: reading needs a record the person may open (care team, or supervising a team member); changing the
schedule needs care-team membership. "Missing" and "not yours" both answer 404.

A note is more personal than the schedule: only the session's therapist, or the episode's primary therapist, writes
and signs it (others on the team read it); a supervisor of the therapist who signed it co-signs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from iptcare.accounts.models import SupervisionLink
from iptcare.clients.models import Client
from iptcare.ipt.access import access_episode_by_id
from iptcare.therapy.models import SessionNote, TherapySession

if TYPE_CHECKING:
    from iptcare.accounts.models import User


def access_session_by_id(
    user: User, client_id: int, episode_id: int, session_id: int, *, write: bool = False
) -> TherapySession:
    """The session, with its episode and client attached, when the user may open (or change) the episode."""
    episode = access_episode_by_id(user, client_id, episode_id, write=write)
    try:
        session = TherapySession.objects.select_related("therapist").get(episode=episode, pk=session_id)
    except (TherapySession.DoesNotExist, ValueError, TypeError):
        raise Http404("No session found.") from None
    session.episode = episode
    return session


def note_of(session: TherapySession) -> SessionNote | None:
    note = SessionNote.objects.filter(session=session).select_related("author", "signed_by", "cosigned_by").first()
    if note is not None:
        note.session = session
    return note


def may_write_note(user: User, session: TherapySession) -> bool:
    """The session's therapist or the episode's primary therapist, while on the client's care team."""
    if user.pk not in (session.therapist_id, session.episode.primary_therapist_id):
        return False
    return Client.objects.openable_by(user, write=True).filter(pk=session.episode.client_id).exists()


def check_may_write_note(user: User, session: TherapySession) -> None:
    if not may_write_note(user, session):
        raise PermissionDenied(_("Only the session's therapist or the primary therapist writes and signs this note."))


def supervises(user: User, supervisee_id: int | None) -> bool:
    if supervisee_id is None:
        return False
    return SupervisionLink.objects.filter(supervisor=user, supervisee_id=supervisee_id).exists()


def may_cosign(user: User, note: SessionNote | None) -> bool:
    """A supervisor of the therapist who signed a note that is waiting for its co-signature."""
    return note is not None and note.awaiting_cosignature and supervises(user, note.signed_by_id)


def visible_sessions(user: User) -> QuerySet[TherapySession]:
    """Sessions of the clients whose record the user may open: the one rule for lists of sessions."""
    return TherapySession.objects.filter(episode__client__in=Client.objects.openable_by(user))
