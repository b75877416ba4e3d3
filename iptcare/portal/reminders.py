"""Reminder e-mails: who gets one now, and sending it. Run by `iptcare send_reminders` from cron.

The rules: a client gets at most one reminder per day (the clinic's calendar day), only when something waits for
them (a questionnaire due, today's check-in not done, homework not answered), never in the organization's quiet
hours, never when they or their organization turned reminders off, and only to the e-mail address on record. The
e-mail says that something is waiting, never what: anyone may read a client's e-mail.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.clients.models import ClientStatus
from iptcare.measures.schedules import due_by_client
from iptcare.portal.models import ClientAccount, HomeworkAnswer, PortalSettings
from iptcare.substance_use.models import CheckIn
from iptcare.therapy.models import SessionNote

logger = logging.getLogger(__name__)

SENDER_LABEL = "system:send_reminders"


class Skip:
    """Why a client gets no reminder now (each is counted in the command's summary)."""

    OPTED_OUT = "opted out"
    ORGANIZATION_OFF = "reminders off for the organization"
    NO_EMAIL = "no e-mail address"
    QUIET_HOURS = "quiet hours"
    ALREADY_TODAY = "already reminded today"
    NOTHING_WAITING = "nothing waiting"


@dataclass(frozen=True)
class Decision:
    account: ClientAccount
    # How many things wait (0 when skipped for another reason first).
    waiting: int
    # None when a reminder is to be sent.
    skip: str | None


def decide(account: ClientAccount, settings: PortalSettings, *, waiting: int, now: dt.datetime) -> str | None:
    """The reason not to remind this client now, or None: the rules in the order they are checked."""
    if not account.wants_reminders:
        return Skip.OPTED_OUT
    if not settings.reminders_enabled:
        return Skip.ORGANIZATION_OFF
    if not account.client.email:
        return Skip.NO_EMAIL
    if settings.is_quiet(now):
        return Skip.QUIET_HOURS
    if account.last_reminded_at is not None and _day(account.last_reminded_at) == _day(now):
        return Skip.ALREADY_TODAY
    if waiting == 0:
        return Skip.NOTHING_WAITING
    return None


def _day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def candidates() -> list[ClientAccount]:
    """Active accounts of clients still in care (discharged clients are not reminded)."""
    return list(
        ClientAccount.objects.filter(is_active=True)
        .exclude(client__status=ClientStatus.DISCHARGED)
        .select_related("client")
        .order_by("pk")
    )


def waiting_counts(accounts: Iterable[ClientAccount], today: dt.date) -> dict[int, int]:
    """How many things wait for each client today, in five queries whatever the number of clients."""
    clients = [account.client for account in accounts]
    ids = [client.pk for client in clients]
    counts: dict[int, int] = {pk: len(due) for pk, due in due_by_client(clients, today).items()}
    checked_in = set(CheckIn.objects.filter(client_id__in=ids, date=today).values_list("client_id", flat=True))
    for pk in ids:
        counts[pk] = counts.get(pk, 0) + (pk not in checked_in)
    latest: dict[int, tuple[int, str]] = {}
    notes = (
        SessionNote.objects.filter(session__episode__client_id__in=ids, signed_at__isnull=False)
        .annotate(client_id=F("session__episode__client_id"))
        .order_by("client_id", "-session__scheduled_start", "-pk")
        .values_list("client_id", "pk", "homework_set")
    )
    for client_id, note_id, homework in notes:
        latest.setdefault(client_id, (note_id, homework))
    with_homework = {client_id: note_id for client_id, (note_id, text) in latest.items() if text.strip()}
    answered = set(HomeworkAnswer.objects.filter(note_id__in=with_homework.values()).values_list("note_id", flat=True))
    for client_id, note_id in with_homework.items():
        counts[client_id] += note_id not in answered
    return counts


def decisions(now: dt.datetime) -> list[Decision]:
    accounts = candidates()
    today = _day(now)
    counts = waiting_counts(accounts, today)
    organization_ids = {account.client.organization_id for account in accounts}
    stored = {s.organization_id: s for s in PortalSettings.objects.filter(organization_id__in=organization_ids)}
    found = []
    for account in accounts:
        organization_id = account.client.organization_id
        settings = stored.get(organization_id) or PortalSettings(organization_id=organization_id)
        waiting = counts.get(account.client_id, 0)
        found.append(Decision(account, waiting, decide(account, settings, waiting=waiting, now=now)))
    return found


def send_reminder(account: ClientAccount, *, base_url: str, now: dt.datetime) -> bool:
    """E-mail one reminder. The day is claimed first, so two runs at once never send two; a failed send gives the
    day back. Returns whether an e-mail left."""
    start_of_day = timezone.make_aware(dt.datetime.combine(_day(now), dt.time.min))
    previous = account.last_reminded_at
    claimed = (
        ClientAccount.objects.filter(pk=account.pk)
        .filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=start_of_day))
        .update(last_reminded_at=now)
    )
    if not claimed:
        return False
    with translation.override(account.language):
        subject = _("Something is waiting for you")
        body = render_to_string("portal/email/reminder.txt", {"link": base_url.rstrip("/") + "/me/"})
    try:
        send_mail(subject, body, None, [account.client.email], fail_silently=False)
    except Exception:
        logger.exception("Reminder e-mail to client %s failed", account.client_id)
        ClientAccount.objects.filter(pk=account.pk).update(last_reminded_at=previous)
        return False
    with transaction.atomic():
        record_event(
            EventType.PORTAL_REMINDER_SENT,
            client=account.client,
            obj=account,
            actor_label=SENDER_LABEL,
        )
    account.last_reminded_at = now
    return True


def summary(skipped: dict[str, int]) -> str:
    return ", ".join(f"{count} {reason}" for reason, count in sorted(skipped.items())) or "none"


def count_skips(found: Iterable[Decision]) -> dict[str, int]:
    skipped: dict[str, int] = defaultdict(int)
    for decision in found:
        if decision.skip:
            skipped[decision.skip] += 1
    return dict(skipped)
