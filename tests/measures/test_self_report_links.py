"""Questionnaire links a client answers on a phone without signing in."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient
from django.utils import timezone

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.measures.links import do_create_link
from iptcare.measures.models import Administration, Alert, SelfReportLink
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

PHQ9_LOW = {f"item_{n}": "0" for n in range(1, 10)}


def new_link(client: Client, user: User, code: str = "PHQ-9") -> str:
    _link, url = do_create_link(client, code, acting_user=user, base_url="http://testserver")
    return url.removeprefix("http://testserver")


def test_it_creates_a_link_shows_it_once_and_e_mails_it_without_clinical_words(
    fern: Client, alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    fern.email = "fern@example.invalid"
    fern.save()
    http = sign_in(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(
            f"/clients/{fern.pk}/measures/links/", {"link-instrument": "PHQ-9", "link-send_email": "on"}, follow=True
        )
    url = re.search(r"http://testserver/r/\S+?/", response.content.decode()).group(0)
    assert url not in http.get(f"/clients/{fern.pk}/measures/").content.decode()
    link = SelfReportLink.objects.get()
    assert (link.instrument_code, link.created_by, link.sent_to) == ("PHQ-9", alice, "fern@example.invalid")
    assert link.expires_at - link.created_at == dt.timedelta(hours=72)
    assert url in mail.outbox[0].body
    for private in ("PHQ", "depress", "Fern", "Fairweather"):
        assert private not in mail.outbox[0].body + mail.outbox[0].subject
    assert AuditEvent.objects.filter(event_type=EventType.LINK_SENT, client=fern).exists()


def test_it_opens_without_sign_in_shows_the_crisis_line_and_not_the_client(fern: Client, alice: User) -> None:
    response = HttpClient().get(new_link(fern, alice))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="tel:988"' in html
    assert "Little interest or pleasure in doing things" in html
    assert "Fern" not in html and fern.identifier not in html
    assert AuditEvent.objects.filter(event_type=EventType.LINK_OPENED, client=fern).count() == 1


def test_it_records_the_answers_once_and_then_refuses_the_link(fern: Client, alice: User) -> None:
    path = new_link(fern, alice)
    http = HttpClient()
    done = http.post(path, PHQ9_LOW)
    assert "Your answers were sent to your care team" in done.content.decode()
    assert "score" not in done.content.decode().lower()
    administration = Administration.objects.get()
    assert (administration.answered_by, administration.total, administration.administered_by) == (
        "client_link",
        0,
        None,
    )
    assert SelfReportLink.objects.get().administration == administration
    assert http.post(path, PHQ9_LOW).status_code == 410
    assert http.get(path).status_code == 410
    assert Administration.objects.count() == 1


def test_it_offers_crisis_help_and_alerts_the_team_when_item_9_is_positive(fern: Client, alice: User) -> None:
    done = HttpClient().post(new_link(fern, alice), {**PHQ9_LOW, "item_9": "2"})
    html = done.content.decode()
    assert "call or text 988" in html
    assert "care team will see your answers" in html
    assert Alert.objects.get().rule == "phq9_item9"


def test_it_shows_the_score_only_when_the_program_allows(fern: Client, alice: User) -> None:
    fern.organization.show_scores_to_clients = True
    fern.organization.save()
    done = HttpClient().post(new_link(fern, alice), {**PHQ9_LOW, "item_1": "3", "item_2": "3"})
    assert "Your score: 6 (Mild)" in done.content.decode()


def test_it_expires_after_72_hours_for_a_link_never_opened(fern: Client, alice: User) -> None:
    path = new_link(fern, alice)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=73)):
        assert HttpClient().get(path).status_code == 410
        assert HttpClient().post(path, PHQ9_LOW).status_code == 410
    assert not Administration.objects.exists()


def test_it_keeps_answers_sent_late_from_a_link_opened_in_time(fern: Client, alice: User) -> None:
    path = new_link(fern, alice)
    start = timezone.now()
    with time_machine.travel(start + dt.timedelta(hours=71, minutes=55)):
        assert HttpClient().get(path).status_code == 200
    with time_machine.travel(start + dt.timedelta(hours=72, minutes=5)):
        # Opened in time, sent just after the deadline, with item 9 positive: kept, and the team alerted.
        assert HttpClient().get(path).status_code == 410
        done = HttpClient().post(path, {**PHQ9_LOW, "item_9": "3"})
    assert done.status_code == 200
    assert Administration.objects.get().answers["9"] == 3
    assert Alert.objects.get().rule == "phq9_item9"


def test_it_refuses_late_answers_after_the_grace_day(fern: Client, alice: User) -> None:
    path = new_link(fern, alice)
    start = timezone.now()
    with time_machine.travel(start + dt.timedelta(hours=70)):
        HttpClient().get(path)
    with time_machine.travel(start + dt.timedelta(hours=97)):
        assert HttpClient().post(path, PHQ9_LOW).status_code == 410
    assert not Administration.objects.exists()


def test_it_withdraws_a_link_and_hides_the_program(fern: Client, alice: User) -> None:
    path = new_link(fern, alice)
    assert fern.organization.name not in HttpClient().get(path).content.decode()
    link = SelfReportLink.objects.get()
    sign_in(alice).post(f"/clients/{fern.pk}/measures/links/{link.pk}/withdraw/")
    assert SelfReportLink.objects.get().state == "withdrawn"
    assert HttpClient().post(path, PHQ9_LOW).status_code == 410
    assert not Administration.objects.exists()


def test_it_refuses_a_tampered_token(fern: Client, alice: User) -> None:
    path = new_link(fern, alice)
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    assert HttpClient().get(tampered).status_code == 410
    assert HttpClient().get("/r/not-a-token/").status_code == 410


def test_it_lets_only_the_care_team_create_links(fern: Client, bob: User, carol: User) -> None:
    for user in (bob, carol):
        assert (
            sign_in(user).post(f"/clients/{fern.pk}/measures/links/", {"link-instrument": "PHQ-9"}).status_code == 404
        )
    assert not SelfReportLink.objects.exists()
