"""Who may read and write a client's SUD counselling notes: a rule of their own, not the record's
(docs/counselling-notes.md).

- The client's record must open to the person through the care team or supervision. Emergency ("break the glass")
  access never opens counselling notes, and neither does an organization-wide role (director, admin).
- The **author** reads their own notes, and writes, signs and adds to them while on the care team.
- **Someone else** reads a note only when they are on the care team themself *and* an active counselling-notes
  consent of the client names them as a person (iptcare/consent/counselling.py). Each such read is a disclosure,
  recorded in the accounting. Colleagues see signed notes only: a draft is its author's.
- Care-team membership alone gives the list page (showing what the person may read, often nothing) and the right to
  write notes of one's own. Supervising the author gives nothing.

Every refusal answers 404, as for a note that does not exist, and is audited (COUNSELLING_NOTE_REFUSED). A person who
may read a note but not change it (a consented colleague) gets 403 on the change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from iptcare.accounts.models import User
from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.clients.models import Client, on_care_team_of, team_user_ids
from iptcare.consent.counselling import counselling_notes_decision
from iptcare.consent.selectors import ConsentHistory
from iptcare.counselling.models import CounsellingNote

if TYPE_CHECKING:
    from iptcare.consent.gate import Decision


@dataclass
class CounsellingAccess:
    """What `user` may do with the counselling notes of `client`; consent decisions are computed once per author."""

    user: User
    client: Client
    on_team: bool
    _history: ConsentHistory | None = None
    _decisions: dict[int, Decision] = field(default_factory=dict)

    @property
    def may_write(self) -> bool:
        return self.on_team

    def history(self) -> ConsentHistory:
        if self._history is None:
            self._history = ConsentHistory(self.client)
        return self._history

    def decision_for(self, author: User) -> Decision:
        """The consent decision for reading notes by `author` (someone else than the user)."""
        if author.pk not in self._decisions:
            self._decisions[author.pk] = counselling_notes_decision(
                self.client, self.user, author=author, history=self.history()
            )
        return self._decisions[author.pk]

    def consented_author_ids(self) -> list[int]:
        """The other authors whose signed notes of this client the user may read under a consent (a care-team member
        only; three to five queries whatever the number of notes)."""
        if not self.on_team:
            return []
        authors = User.objects.filter(
            pk__in=CounsellingNote.objects.filter(client=self.client, signed_at__isnull=False)
            .exclude(author=self.user)
            .values("author_id")
        )
        return [author.pk for author in authors if self.decision_for(author).allowed]

    def visible_notes(self) -> QuerySet[CounsellingNote]:
        """The notes the user may read, newest first: their own (drafts too) and the consented signed ones."""
        allowed = Q(author=self.user)
        consented = self.consented_author_ids()
        if consented:
            allowed |= Q(author_id__in=consented, signed_at__isnull=False)
        return (
            CounsellingNote.objects.filter(client=self.client)
            .filter(allowed)
            .select_related("author", "session")
            .order_by("-held_on", "-created_at", "-id")
        )


def counselling_clients(user: User) -> QuerySet[Client]:
    """The clients whose record opens to `user` through the care team or supervision — never through emergency access
    alone, whatever `openable_by` admits."""
    if not (user.is_authenticated and user.is_active and user.organization_id):
        return Client.objects.none()
    return Client.objects.openable_by(user).filter(on_care_team_of(team_user_ids(user)))


def access_counselling(user: User, client_id: Any, *, write: bool = False) -> CounsellingAccess:
    """The user's access to a client's counselling notes; 404 (audited) when they have none."""
    client = (
        counselling_clients(user)
        .annotate(
            user_on_team=on_care_team_of([user.pk]),
            user_authored=Exists(CounsellingNote.objects.filter(client=OuterRef("pk"), author_id=user.pk)),
        )
        .select_related("site", "organization")
        .filter(pk=client_id if str(client_id).isdigit() else None)
        .first()
    )
    if client is None or not (client.user_on_team or client.user_authored):
        refuse(user, client_id, reason="no_access")
    access = CounsellingAccess(user=user, client=client, on_team=bool(client.user_on_team))
    if write and not access.may_write:
        raise PermissionDenied(_("Only members of the client's care team write counselling notes."))
    return access


def access_note(
    user: User, client_id: Any, note_id: Any, *, write: bool = False
) -> tuple[CounsellingAccess, CounsellingNote, Decision | None]:
    """One note the user may read (write=False) or change as its author (write=True), with the consent decision
    that lets a colleague read it (None for the author). 404 (audited) otherwise."""
    access = access_counselling(user, client_id)
    note = (
        CounsellingNote.objects.filter(client=access.client, pk=note_id if str(note_id).isdigit() else None)
        .select_related("author", "session")
        .first()
    )
    if note is None:
        refuse(user, client_id, note_id=note_id, reason="not_found")
    if note.author_id == user.pk:
        if write and not access.may_write:
            raise PermissionDenied(_("Only members of the client's care team change counselling notes."))
        return access, note, None
    decision = access.decision_for(note.author) if access.on_team and note.is_signed else None
    if decision is None or not decision.allowed:
        code = decision.code if decision is not None else ("draft" if access.on_team else "not_on_care_team")
        refuse(user, client_id, note_id=note_id, reason=code)
    if write:
        raise PermissionDenied(_("Only the author changes a counselling note."))
    return access, note, decision


def refuse(user: User, client_id: Any, *, note_id: Any = None, reason: str) -> NoReturn:
    """Audit the refusal, then answer as if nothing were there. The event names the client only when it belongs to
    the person's own organization."""
    if user.is_authenticated and user.organization_id:
        own = (
            Client.objects.filter(organization_id=user.organization_id, pk=client_id).first()
            if str(client_id).isdigit()
            else None
        )
        extra: dict[str, Any] = {"requested_client_id": str(client_id)[:20], "reason": reason}
        if note_id is not None:
            extra["requested_note_id"] = str(note_id)[:20]
        record_event(EventType.COUNSELLING_NOTE_REFUSED, actor=user, client=own, extra=extra)
    raise Http404("No counselling note found.")
