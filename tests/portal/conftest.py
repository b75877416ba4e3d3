"""Shared by the portal tests: Fern's portal account, a second North client (Gus) and a South client (Sol).

Fern (North, Alice's client) signs in with "fern@example.invalid" and CLIENT_PASSWORD. Gus is another of Alice's
clients, with an account of his own; Sol is Carol's client at South. Fern must see nothing of theirs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from iptcare.accounts.models import User
from iptcare.clients.models import Client
from iptcare.ipt.actions import do_open_episode
from iptcare.ipt.models import Episode
from iptcare.measures.actions import do_add_schedule
from iptcare.measures.models import MeasureSchedule
from iptcare.plans.actions import do_finalise_plan, do_save_plan_section, do_start_plan_version
from iptcare.portal.models import ClientAccount, PortalSettings
from iptcare.therapy.models import SessionNote, SessionStatus, TherapySession
from tests.conftest import make_client

CLIENT_PASSWORD = "blue kettle morning walk"


def make_account(client: Client, login_name: str, **fields: Any) -> ClientAccount:
    account = ClientAccount(client=client, login_name=login_name, **fields)
    account.set_password(CLIENT_PASSWORD)
    account.save()
    return account


def portal_sign_in(account: ClientAccount, http: HttpClient | None = None) -> HttpClient:
    """A browser signed in to the portal through the sign-in page."""
    http = http or HttpClient()
    response = http.post("/me/login/", {"login_name": account.login_name, "password": CLIENT_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return http


@pytest.fixture
def fern_account(fern: Client) -> ClientAccount:
    fern.email = "fern@example.invalid"
    fern.save(update_fields=["email"])
    return make_account(fern, "fern@example.invalid")


@pytest.fixture
def fern_http(fern_account: ClientAccount) -> HttpClient:
    return portal_sign_in(fern_account)


@pytest.fixture
def gus(fern: Client, alice: User) -> Client:
    client = make_client(fern.organization, fern.site, primary=alice, given_name="Gus", family_name="Grey")
    make_account(client, "gus")
    return client


@pytest.fixture
def sol(carol: User, south_site: Any) -> Client:
    client = make_client(south_site.organization, south_site, primary=carol, given_name="Sol", family_name="South")
    make_account(client, "sol")
    return client


def open_unscheduled_episode(client: Client, alice: User) -> Episode:
    """An episode without the usual questionnaire schedule that opening one adds: these tests say what is due."""
    episode = do_open_episode(client, format_="individual", primary_therapist=alice, acting_user=alice)
    MeasureSchedule.objects.filter(client=client).delete()
    return episode


@pytest.fixture
def episode(fern: Client, alice: User) -> Episode:
    return open_unscheduled_episode(fern, alice)


@pytest.fixture
def phq9_due(fern: Client, alice: User) -> None:
    do_add_schedule(fern, "PHQ-9", "every_n_days", interval_days=7, acting_user=alice)


@pytest.fixture
def progress_on(fern: Client) -> PortalSettings:
    return PortalSettings.objects.create(organization=fern.organization, show_progress=True)


def signed_note(episode: Episode, *, homework: str, days_ago: int = 2) -> SessionNote:
    """An attended session with a signed note that sets homework (stored directly: the note's own rules are tested
    in tests/therapy)."""
    when = timezone.now() - dt.timedelta(days=days_ago)
    session = TherapySession.objects.create(
        episode=episode,
        therapist=episode.primary_therapist,
        scheduled_start=when,
        minutes=50,
        status=SessionStatus.ATTENDED,
        created_by=episode.primary_therapist,
    )
    return SessionNote.objects.create(
        session=session,
        author=episode.primary_therapist,
        homework_set=homework,
        signature=episode.primary_therapist.full_name,
        signed_by=episode.primary_therapist,
        signed_at=when + dt.timedelta(hours=1),
    )


def upcoming_session(episode: Episode, *, days: int = 3) -> TherapySession:
    return TherapySession.objects.create(
        episode=episode,
        therapist=episode.primary_therapist,
        scheduled_start=timezone.now() + dt.timedelta(days=days),
        minutes=50,
        created_by=episode.primary_therapist,
    )


def final_relapse_plan(episode: Episode, user: User) -> Any:
    plan = do_start_plan_version("relapse_prevention", episode, acting_user=user)
    do_save_plan_section(
        plan,
        "triggers",
        [{"category": "halt", "description": "Lonely Sunday evenings", "coping": "Call my sister."}],
        acting_user=user,
    )
    do_save_plan_section(plan, "reasons", ["My daughter", "Feeling well in the mornings"], acting_user=user)
    return do_finalise_plan(plan, acting_user=user)
