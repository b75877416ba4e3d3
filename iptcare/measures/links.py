"""Self-report links: create, resolve and answer. A link works once, expires, and never shows who it is for."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.measures.actions import do_record_administration
from iptcare.measures.instruments import get_instrument
from iptcare.measures.models import Administration, AnsweredBy, SelfReportLink

if TYPE_CHECKING:
    from iptcare.accounts.models import User
    from iptcare.clients.models import Client

_SALT = "iptcare.measures.self-report-link"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def do_create_link(
    client: Client, code: str, *, acting_user: User, base_url: str, email_to: str = ""
) -> tuple[SelfReportLink, str]:
    """A new link and its full URL (shown once; only a digest is kept). E-mails it when `email_to` is given."""
    instrument = get_instrument(code)
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    link = SelfReportLink.objects.create(
        organization_id=client.organization_id,
        client=client,
        instrument_code=instrument.code,
        token_digest=_digest(raw),
        created_by=acting_user,
        created_at=now,
        expires_at=now + SelfReportLink.DEFAULT_VALID_FOR,
        sent_to=email_to,
    )
    url = base_url + reverse("self_report", kwargs={"token": signing.TimestampSigner(salt=_SALT).sign(raw)})
    record_event(
        EventType.LINK_SENT,
        actor=acting_user,
        client=client,
        obj=link,
        extra={"instrument": instrument.code, "emailed": bool(email_to)},
    )
    if email_to:
        # The message names no questionnaire and no condition: anyone may read a client's e-mail.
        body = _(
            "Your care team asks you to answer a few short questions. Open this link on your phone or computer:\n\n"
            "%(url)s\n\nThe link works once and expires in 72 hours. If you are in crisis, call or text 988."
        ) % {"url": url}
        transaction.on_commit(
            lambda: send_mail(_("A few questions from your care team"), body, None, [email_to], fail_silently=False)
        )
    return link, url


def resolve_link(token: str, *, for_answers: bool = False) -> SelfReportLink | None:
    """The link behind a URL token, or None (tampered, unknown, used, withdrawn or expired).

    `for_answers` also accepts a link that expired after it was opened, within the late-answer grace.
    """
    try:
        raw = signing.TimestampSigner(salt=_SALT).unsign(token)
    except signing.BadSignature:
        return None
    links = SelfReportLink.objects.answerable() if for_answers else SelfReportLink.objects.usable()
    return links.select_related("client", "organization").filter(token_digest=_digest(raw)).first()


def record_link_opened(link: SelfReportLink) -> None:
    if link.opened_at is None:
        SelfReportLink.objects.filter(pk=link.pk, opened_at__isnull=True).update(opened_at=timezone.now())
    record_event(
        EventType.LINK_OPENED,
        client=link.client,
        obj=link,
        actor_label="client by link",
        organization=link.organization,
    )


@transaction.atomic
def do_answer_link(link: SelfReportLink, answers: dict[str, Any]) -> Administration:
    """Store the client's answers once; a second submission of the same link is refused."""
    locked = SelfReportLink.objects.select_for_update().filter(pk=link.pk).answerable().first()
    if locked is None:
        raise LinkUsed
    administration = do_record_administration(
        link.client, link.instrument_code, answers, answered_by=AnsweredBy.CLIENT_LINK, acting_user=None
    )
    locked.used_at = timezone.now()
    locked.administration = administration
    locked.save(update_fields=["used_at", "administration"])
    return administration


@transaction.atomic
def do_withdraw_link(link: SelfReportLink, *, acting_user: User) -> SelfReportLink:
    """Stop a link from working (e.g. sent to the wrong address). Answered links stay as they are."""
    if link.used_at is None and link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        record_event(EventType.LINK_SENT, actor=acting_user, client=link.client, obj=link, extra={"withdrawn": True})
    return link


class LinkUsed(Exception):
    """The link was answered, withdrawn or expired between opening and submitting it."""
