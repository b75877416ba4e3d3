"""`iptcare send_reminders`, with time frozen on the clinic's clock (New York): at most once a day, never in quiet
hours, never against the client's or the organization's choice, and never a word about what is waiting."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.ipt.models import Episode
from iptcare.measures.actions import do_add_schedule
from iptcare.portal.models import ClientAccount, HomeworkAnswer, PortalSettings
from iptcare.substance_use.actions import do_record_check_in
from tests.portal.conftest import make_account, signed_note

pytestmark = pytest.mark.django_db

BASE_URL = "https://care.example.org"


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in April 2026 on the clinic's clock."""
    return timezone.make_aware(dt.datetime.combine(dt.date(2026, 4, day), dt.time(hour, minute)))


def run(*args: str, stdout: io.StringIO | None = None) -> str:
    out = stdout or io.StringIO()
    call_command("send_reminders", "--base-url", BASE_URL, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def account(fern: Client) -> Iterator[ClientAccount]:
    """Fern, with an e-mail address and an account; nothing done today, so today's check-in is waiting."""
    with time_machine.travel(at(1, 9), tick=False):
        fern.email = "fern@example.invalid"
        fern.save(update_fields=["email"])
        yield make_account(fern, "fern")


def sends_at(moment: dt.datetime) -> int:
    before = len(mail.outbox)
    with time_machine.travel(moment, tick=False):
        run()
    return len(mail.outbox) - before


def test_it_reminds_at_most_once_a_day(account: ClientAccount) -> None:
    assert sends_at(at(1, 10)) == 1
    assert sends_at(at(1, 15)) == 0
    assert sends_at(at(1, 20, 59)) == 0
    assert sends_at(at(2, 8, 30)) == 1
    events = AuditEvent.objects.filter(event_type=EventType.PORTAL_REMINDER_SENT, client=account.client)
    assert events.count() == 2
    assert {e.actor_label for e in events} == {"system:send_reminders"}


def test_it_respects_the_organization_s_quiet_hours(account: ClientAccount) -> None:
    assert sends_at(at(1, 21, 30)) == 0
    assert sends_at(at(2, 7, 59)) == 0
    assert sends_at(at(2, 8, 0)) == 1
    PortalSettings.objects.create(
        organization=account.client.organization, quiet_from=dt.time(12), quiet_until=dt.time(14)
    )
    assert sends_at(at(3, 13)) == 0
    assert sends_at(at(3, 22)) == 1


def test_it_respects_the_client_s_choice_and_the_organization_s(account: ClientAccount) -> None:
    account.wants_reminders = False
    account.save()
    assert sends_at(at(1, 10)) == 0
    account.wants_reminders = True
    account.save()
    settings = PortalSettings.objects.create(organization=account.client.organization, reminders_enabled=False)
    assert sends_at(at(1, 10)) == 0
    settings.reminders_enabled = True
    settings.save()
    assert sends_at(at(1, 10)) == 1


def test_no_reminder_without_an_address_for_discharged_clients_or_turned_off_accounts(account: ClientAccount) -> None:
    client = account.client
    client.email = ""
    client.save()
    assert sends_at(at(1, 10)) == 0
    client.email = "fern@example.invalid"
    client.status = "discharged"
    client.save()
    assert sends_at(at(1, 10)) == 0
    client.status = "active"
    client.save()
    account.is_active = False
    account.save()
    assert sends_at(at(1, 10)) == 0


def test_no_reminder_when_nothing_is_waiting(account: ClientAccount) -> None:
    with time_machine.travel(at(1, 9, 30), tick=False):
        do_record_check_in(account.client, {"date": timezone.localdate(), "used": False}, acting_user=None)
    assert sends_at(at(1, 10)) == 0
    assert sends_at(at(2, 10)) == 1


def test_questionnaires_and_homework_waiting_count_too(account: ClientAccount, alice: User, episode: Episode) -> None:
    client = account.client
    with time_machine.travel(at(1, 9, 30), tick=False):
        do_record_check_in(client, {"date": timezone.localdate(), "used": False}, acting_user=None)
        note = signed_note(episode, homework="Walk each morning.")
    assert sends_at(at(1, 10)) == 1
    with time_machine.travel(at(2, 9, 30), tick=False):
        do_record_check_in(client, {"date": timezone.localdate(), "used": False}, acting_user=None)
        HomeworkAnswer.objects.create(client=client, note=note, done=True)
    assert sends_at(at(2, 10)) == 0
    with time_machine.travel(at(2, 10, 30), tick=False):
        do_add_schedule(client, "PHQ-9", "every_n_days", interval_days=7, acting_user=alice)
    assert sends_at(at(2, 11)) == 1
    assert sends_at(at(2, 15)) == 0


def test_the_e_mail_says_something_is_waiting_and_nothing_more(
    account: ClientAccount, alice: User, episode: Episode
) -> None:
    with time_machine.travel(at(1, 9, 30), tick=False):
        do_add_schedule(account.client, "PHQ-9", "every_n_days", interval_days=7, acting_user=alice)
        signed_note(episode, homework="Walk each morning.")
    assert sends_at(at(1, 10)) == 1
    message = mail.outbox[0]
    assert message.to == ["fern@example.invalid"]
    assert f"{BASE_URL}/me/" in message.body
    text = (message.subject + message.body).lower()
    for private in (
        "fern",
        "fairweather",
        "north",
        "phq",
        "questionnaire",
        "check-in",
        "homework",
        "walk",
        "mood",
        "alcohol",
        "drug",
        "therapy",
        "session",
        "crisis",
    ):
        assert private not in text, private


def test_a_spanish_speaking_client_gets_the_e_mail_in_spanish(account: ClientAccount) -> None:
    account.language = "es"
    account.save()
    assert sends_at(at(1, 10)) == 1
    assert mail.outbox[0].subject == "Tiene algo pendiente"
    assert "Tiene algo pendiente en su portal" in mail.outbox[0].body


def test_two_runs_at_once_send_one_e_mail(account: ClientAccount) -> None:
    from iptcare.portal.reminders import send_reminder

    with time_machine.travel(at(1, 10), tick=False):
        stale = ClientAccount.objects.select_related("client").get(pk=account.pk)
        assert send_reminder(account, base_url=BASE_URL, now=timezone.now())
        assert not send_reminder(stale, base_url=BASE_URL, now=timezone.now())
    assert len(mail.outbox) == 1


def test_a_dry_run_sends_nothing_and_says_how_many(account: ClientAccount, gus: Client) -> None:
    with time_machine.travel(at(1, 10), tick=False):
        out = run("--dry-run")
    assert "Would send 1 reminder(s). Skipped: 1 no e-mail address." in out
    assert mail.outbox == []


def test_in_a_terminal_it_shows_a_progress_bar(account: ClientAccount, fern: Client) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    other = Client.objects.create(
        organization=fern.organization,
        site=fern.site,
        identifier="N-0002",
        given_name="Hal",
        family_name="Hill",
        date_of_birth=dt.date(1990, 1, 1),
        sex_at_birth="male",
        email="hal@example.invalid",
        status="active",
    )
    make_account(other, "hal")
    with time_machine.travel(at(1, 10), tick=False):
        out = run(stdout=Terminal())
    assert "\r[###############...............] 1/2" in out
    assert "\r[##############################] 2/2" in out
    assert "Sent 2 reminder(s) of 2 due." in out


def test_it_needs_the_site_address_for_the_link(account: ClientAccount, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IPTCARE_BASE_URL", raising=False)
    with pytest.raises(CommandError, match="base-url"):
        call_command("send_reminders", "--base-url", "", stdout=io.StringIO())
