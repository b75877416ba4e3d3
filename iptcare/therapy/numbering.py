"""Session numbers (IPT-DOMAIN §1: the phase follows from the session number).

A session's number is its place among the episode's IPT sessions that were held or are still expected: attended
and scheduled ones, in order of time. Cancelled and missed sessions have no number and do not count, so the
number of an attended session is its ordinal among the attended ones once every earlier session is recorded, and a
scheduled session shows the number it will have if it is held. Pre-group meetings and booster sessions are not
numbered: they are outside the contracted course. A group-format episode's course is its group sessions (one row
per session the member was recorded at, see iptcare/groups), numbered the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from iptcare.therapy.models import NUMBERED_KINDS, SessionStatus, TherapySession

if TYPE_CHECKING:
    from iptcare.ipt.models import Episode

NUMBERED_STATUSES = (SessionStatus.SCHEDULED, SessionStatus.ATTENDED)


def annotate_numbers(queryset: QuerySet[TherapySession]) -> QuerySet[TherapySession]:
    """Each session with `number` (None for a session without one), computed in the same query."""
    earlier = (
        TherapySession.objects.filter(
            episode=OuterRef("episode"), kind__in=NUMBERED_KINDS, status__in=NUMBERED_STATUSES
        )
        .filter(
            Q(scheduled_start__lt=OuterRef("scheduled_start"))
            | Q(scheduled_start=OuterRef("scheduled_start"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("episode")
        .annotate(count=Count("pk"))
        .values("count")
    )
    numbered = Q(kind__in=NUMBERED_KINDS, status__in=NUMBERED_STATUSES)
    return queryset.annotate(
        number=Case(
            When(numbered, then=Coalesce(Subquery(earlier, output_field=IntegerField()), Value(0)) + 1),
            default=None,
            output_field=IntegerField(),
        )
    )


def session_numbers(episode: Episode) -> dict[int, int | None]:
    """{session id: number or None} for every session of the episode, in one query."""
    return dict(TherapySession.objects.filter(episode=episode).with_numbers().values_list("pk", "number"))


def held_count(episode: Episode) -> int:
    """How many IPT sessions of the episode were attended (group sessions too, for a group-format episode)."""
    return TherapySession.objects.filter(
        episode=episode, kind__in=NUMBERED_KINDS, status=SessionStatus.ATTENDED
    ).count()
