"""No client data in logs or e-mails, over a realistic day: intake, a questionnaire link, a portal invitation, the
client's answers raising a safety alert, a reminder, and things going wrong (a refused e-mail, a server error, a dead
link). Every log record of 'django' and 'iptcare' at DEBUG and every e-mail is searched for the client's details.
"""

from __future__ import annotations

import logging
import re
import smtplib
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError
from django.test import Client as HttpClient
from django.test import override_settings
from django.utils import timezone

from iptcare.accounts.models import Site, User
from iptcare.clients.models import Client
from iptcare.lib.log_privacy import WITHHELD, redact_tokens, withheld_traceback
from iptcare.measures.models import Alert
from iptcare.portal.models import ClientAccount
from iptcare.portal.reminders import send_reminder
from tests.conftest import sign_in
from tests.test_client_pages import new_client_data

GIVEN, FAMILY, IDENTIFIER = "Zephyrine", "Quillfeather", "ZQ-7781"
EMAIL, PHONE = "zephyrine.q@example.invalid", "555 013 4477"
BIRTH = ("1979-11-23", "11/23/1979", "Nov. 23, 1979", "November 23, 1979", "23/11/1979")
PRIVATE = (GIVEN, FAMILY, IDENTIFIER, EMAIL, PHONE, PHONE.replace(" ", ""), *BIRTH)


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that refuses the recipient, naming the address as real servers do."""

    def send_messages(self, email_messages: Any) -> int:
        recipients = {address: (550, b"5.1.1 mailbox unavailable") for m in email_messages for address in m.to}
        raise smtplib.SMTPRecipientsRefused(recipients)


def found_in(text: str) -> list[str]:
    lowered = text.lower()
    return [value for value in PRIVATE if value.lower() in lowered]


def logged_text(records: list[logging.LogRecord]) -> str:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in records)


def test_a_day_with_a_client_leaves_nothing_of_theirs_in_logs_or_e_mails(
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
    north_site: Site,
    alice: User,
) -> None:
    caplog.set_level(logging.DEBUG, logger="django")
    caplog.set_level(logging.DEBUG, logger="iptcare")
    staff = sign_in(alice)

    # Intake.
    data = new_client_data(north_site, alice, identifier=IDENTIFIER, given_name=GIVEN, family_name=FAMILY)
    data.update(date_of_birth=BIRTH[0], email=EMAIL, phone=PHONE)
    assert staff.post("/clients/new/", data).status_code == 302
    client = Client.objects.get(identifier=IDENTIFIER)
    assert staff.get(f"/clients/?q={GIVEN}").status_code == 200
    assert staff.get(f"/clients/{client.pk}/").status_code == 200

    # A questionnaire link and a portal invitation, both e-mailed to the client.
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"/clients/{client.pk}/measures/links/", {"link-instrument": "PHQ-9", "link-send_email": "on"})
        staff.post(f"/clients/{client.pk}/portal/", {"method": "email"})
    link = re.search(r"http://testserver(/r/\S+?/)", mail.outbox[0].body).group(1)
    invitation = re.search(r"http://testserver(/me/start/\S+?/)", mail.outbox[1].body).group(1)

    # The client sets up the portal, then answers the questionnaire with item 9 positive: the team is alerted.
    portal = HttpClient()
    portal.get(invitation)
    password = {"new_password": "a long quiet river walk", "new_password_again": "a long quiet river walk"}
    assert portal.post("/me/start/set-up/", {"login_name": EMAIL, "language": "en", **password}).status_code == 302
    answers = {str(n): "1" for n in range(1, 9)} | {"9": "2"}
    with django_capture_on_commit_callbacks(execute=True):
        assert HttpClient().post(link, answers).status_code == 200
    assert Alert.objects.filter(client=client).exists()

    # A reminder, and one the client's mail server refuses.
    account = ClientAccount.objects.get(client=client)
    assert send_reminder(account, base_url="http://testserver", now=timezone.now())
    account.refresh_from_db()
    account.last_reminded_at = None
    account.save(update_fields=["last_reminded_at"])
    with override_settings(EMAIL_BACKEND=f"{__name__}.RefusingBackend"):
        assert not send_reminder(account, base_url="http://testserver", now=timezone.now())

    # A server error whose exception quotes the record, as a database's "duplicate key" does; and a dead link.
    def failing(*args: Any, **kwargs: Any) -> Client:
        raise IntegrityError(f"duplicate key value violates unique constraint DETAIL: Key (email)=({EMAIL}) exists")

    monkeypatch.setattr("iptcare.clients.views.access_client_by_id", failing)
    broken = sign_in(alice)
    broken.raise_request_exception = False
    assert broken.get(f"/clients/{client.pk}/").status_code == 500
    assert HttpClient().get(link).status_code == 410

    # What was written: the errors are there, with their type and stack, but not the values.
    text = logged_text(caplog.records)
    assert "Internal Server Error" in text and "IntegrityError" in text and WITHHELD in text
    assert "SMTPRecipientsRefused" in text
    assert "Gone: /r/[token]/" in text and link not in text
    assert found_in(text) == []

    sent_to_client = {EMAIL}
    assert len(mail.outbox) >= 4
    for message in mail.outbox:
        assert set(message.to) <= sent_to_client | {alice.email}
        headers = " ".join(f"{k}: {v}" for k, v in message.extra_headers.items())
        assert found_in(" ".join([message.subject, message.body, headers, *message.cc, *message.bcc])) == []
    alert_notice = [m for m in mail.outbox if m.to == [alice.email]]
    assert alert_notice and "safety alert" in alert_notice[0].subject


def test_tracebacks_keep_types_and_frames_and_withhold_messages() -> None:
    try:
        try:
            raise ValueError(f"invalid literal for int() with base 10: '{GIVEN}'")
        except ValueError as inner:
            raise IntegrityError(f"Key (identifier)=({IDENTIFIER}) already exists") from inner
    except IntegrityError as outer:
        text = withheld_traceback((type(outer), outer, outer.__traceback__))
    assert found_in(text) == []
    assert "ValueError: " + WITHHELD in text
    assert "django.db.utils.IntegrityError: " + WITHHELD in text
    assert "The above exception was the direct cause of the following exception:" in text
    assert "test_tracebacks_keep_types_and_frames_and_withhold_messages" in text


def test_paths_lose_their_tokens_and_keep_the_rest() -> None:
    assert redact_tokens("Gone: /r/YWJj:1tQz5e:9xk2_Qp-Lr8mZk3aVbN0/") == "Gone: /r/[token]/"
    assert redact_tokens("/sessions/feed/AbC123xyzAbC123xyzAbC123xyz.ics") == "/sessions/feed/[token]"
    assert redact_tokens("Not Found: /clients/12/counselling-notes/3/") == "Not Found: /clients/12/counselling-notes/3/"
    assert redact_tokens("/me/settings/sign-out-everywhere/") == "/me/settings/sign-out-everywhere/"


@pytest.mark.django_db
def test_logs_are_never_e_mailed() -> None:
    handlers = logging.getLogger("django").handlers + logging.getLogger("django.request").handlers
    assert not [handler for handler in handlers if "AdminEmailHandler" in type(handler).__name__]
