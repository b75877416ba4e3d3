"""The console commands: the demo clinic, API tokens, and demo second-factor codes."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client as HttpClient
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from iptcare.accounts.models import Organization, Role, User
from iptcare.clients.models import Client, ClientStatus, TeamRole
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db
DEMO_PASSWORD = "a demo password for tests"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_it_loads_the_demo_clinic_once_however_often_it_runs() -> None:
    output = run("demo", "--password", DEMO_PASSWORD)
    run("demo", "--password", DEMO_PASSWORD)
    org = Organization.objects.get(slug="demo")
    assert org.sites.count() == 2
    for role in Role.values:
        user = User.objects.get(email=f"{role}@demo.iptcare.test")
        assert role in user.roles
        assert user.check_password(DEMO_PASSWORD)
        assert f"{role}@demo.iptcare.test" in output
    clients = Client.objects.filter(organization=org)
    assert clients.count() == 40
    assert set(Counter(clients.values_list("status", flat=True))) == set(ClientStatus.values)
    for client in clients.prefetch_related("people", "care_team"):
        assert 2 <= len(client.people.all()) <= 6
        assert [m.team_role for m in client.care_team.all()].count(TeamRole.PRIMARY_THERAPIST) == 1
    assert all(c.email.endswith("@example.invalid") for c in clients)


def test_it_refuses_a_weak_demo_password() -> None:
    with pytest.raises(CommandError, match="too weak"):
        run("demo", "--password", "short")
    assert not Organization.objects.exists()


def test_it_lets_the_demo_therapist_sign_in_and_see_their_caseload() -> None:
    run("demo", "--password", DEMO_PASSWORD)
    http = HttpClient()
    http.post("/accounts/login/", {"username": "therapist@demo.iptcare.test", "password": DEMO_PASSWORD})
    page = http.get("/clients/")
    assert page.status_code == 200
    therapist = User.objects.get(email="therapist@demo.iptcare.test")
    on_team = Client.objects.filter(care_team__user=therapist).count()
    assert on_team == 30  # primary for the 20 odd-numbered clients, second therapist for 10 more
    assert page.context["page"].paginator.count == on_team


def test_the_demo_client_signs_in_to_the_portal_and_sees_their_plan() -> None:
    output = run("demo", "--password", DEMO_PASSWORD)
    assert "Client portal: /me/login/ as client@demo.iptcare.test" in output
    http = HttpClient()
    response = http.post("/me/login/", {"login_name": "client@demo.iptcare.test", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert http.get("/me/").status_code == 200
    plan = http.get("/me/plan/").content.decode()
    assert "Agreed with your therapist on" in plan and "A lapse is not a failure." in plan


def test_it_prints_the_demo_admins_current_code_and_only_for_demo_accounts() -> None:
    run("demo", "--password", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__email="admin@demo.iptcare.test")
    # Frozen time: the code must not roll over between printing and checking it.
    with time_machine.travel(dt.datetime(2026, 5, 4, 10, 0, 5, tzinfo=dt.UTC), tick=False):
        printed = run("demo_otp_code", "admin@demo.iptcare.test").strip()
        assert printed == f"{totp(device.bin_key):06d}"
    with pytest.raises(CommandError, match="Only accounts"):
        run("demo_otp_code", "someone@clinic.example")


def test_it_creates_a_working_token_on_the_command_line_and_revokes_it(alice: User) -> None:
    raw = run("token", "create", "--email", alice.email, "--name", "script").strip()
    assert raw.startswith("ipt_")
    assert HttpClient().get("/api/v1/clients/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    listing = run("token", "list", "--email", alice.email)
    token_id = listing.split("\t")[0]
    assert "script\tactive" in listing
    run("token", "revoke", "--email", alice.email, token_id)
    assert HttpClient().get("/api/v1/clients/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    with pytest.raises(CommandError, match="No active staff account"):
        run("token", "create", "--email", "ghost@north.test")


def test_it_gives_the_demo_clients_measure_histories_and_one_open_item_9_alert() -> None:
    from iptcare.measures.models import Administration, Alert, AlertRule
    from iptcare.measures.selectors import progress

    run("demo", "--password", DEMO_PASSWORD)
    run("demo", "--password", DEMO_PASSWORD)
    assert Alert.objects.filter(rule=AlertRule.PHQ9_ITEM9, status="open").count() == 1
    assert Alert.objects.filter(rule=AlertRule.LAPSE, status="open").count() == 1
    verdicts = {
        progress(client, "PHQ-9").change.verdict
        for client in Client.objects.filter(administrations__isnull=False).distinct()
        if progress(client, "PHQ-9")
    }
    assert {"improved", "no reliable change", "deteriorated"} <= verdicts
    first_run = Administration.objects.count()
    run("demo", "--password", DEMO_PASSWORD)
    assert Administration.objects.count() == first_run


def ipt_counts() -> dict[str, int]:
    from iptcare.clients.models import Person
    from iptcare.ipt import models as ipt
    from iptcare.plans import models as plans
    from iptcare.therapy import models as therapy

    tables = [
        Person,
        ipt.Episode,
        ipt.EpisodeStatusChange,
        ipt.Assessment,
        ipt.SubstanceHistory,
        ipt.InventoryEntry,
        ipt.TimelineEvent,
        ipt.Trigger,
        ipt.Formulation,
        ipt.ProblemArea,
        ipt.Goal,
        ipt.Contract,
        ipt.Modality,
        therapy.TherapySession,
        therapy.SessionNote,
        therapy.InterpersonalIncident,
        therapy.NoteAmendment,
        plans.RelapsePreventionPlan,
        plans.SafetyPlan,
        plans.EpisodeClosure,
    ]
    return {table.__name__: table.objects.count() for table in tables}


def test_it_gives_every_active_demo_client_one_realistic_ipt_episode_once() -> None:
    from iptcare.ipt.actions_inventory import inventory_of
    from iptcare.ipt.circle import ring_changes
    from iptcare.ipt.guidance import guidance_for
    from iptcare.ipt.models import OPEN_STATUSES, Contract, Episode, EpisodeStatus, Format, Formulation

    run("demo", "--password", DEMO_PASSWORD)
    org = Organization.objects.get(slug="demo")
    active = Client.objects.filter(organization=org, status=ClientStatus.ACTIVE).prefetch_related("care_team")
    assert active.count() >= 10
    # Individual or brief, or the maintenance that follows one (a group episode is the group cycle's).
    for client in active:
        episodes = list(client.episodes.filter(status__in=OPEN_STATUSES).exclude(format=Format.GROUP))
        assert len(episodes) == 1
        primary = [m.user_id for m in client.care_team.all() if m.team_role == TeamRole.PRIMARY_THERAPIST]
        assert episodes[0].primary_therapist_id == primary[0]
        assert 3 <= client.timeline_events.count() <= 6
        assert 2 <= client.triggers.count() <= 4
    # Clients who are not active have no open individual course: the discharged ones have a closed one.
    acute = (Format.INDIVIDUAL, Format.BRIEF)
    not_active = Episode.objects.exclude(client__status=ClientStatus.ACTIVE)
    assert not not_active.filter(status__in=OPEN_STATUSES, format__in=acute).exists()

    # The acute courses: the maintenance episode that follows one carries its work over.
    episodes = list(Episode.objects.filter(organization=org, format__in=acute).select_related("client"))
    changed = 0
    for episode in episodes:
        entries = inventory_of(episode)
        assert 3 <= len({entry.person_id for entry in entries}) <= 8
        changed += len(ring_changes(entries))
        assert episode.start_date < timezone.localdate()
        assert episode.assessment.is_started and episode.substance_histories.exists()
    assert changed >= len(episodes) // 2

    # In treatment: the middle phase, or its last sessions (the termination phase, status "closure").
    in_treatment = [e for e in episodes if e.status in (EpisodeStatus.TREATMENT, EpisodeStatus.CLOSURE)]
    in_assessment = [e for e in episodes if e.status == EpisodeStatus.ASSESSMENT]
    closed = [e for e in episodes if e.status == EpisodeStatus.COMPLETED]
    assert in_treatment and in_assessment and closed
    assert len(in_treatment) + len(in_assessment) + len(closed) == len(episodes)
    for episode in in_treatment + closed:
        formulation = Formulation.objects.get(episode=episode)
        areas = list(formulation.problem_areas.all())
        assert formulation.is_accepted and formulation.sick_role_given_on and 1 <= len(areas) <= 2
        assert all(area.goals.exists() for area in areas)
        contract = Contract.objects.get(episode=episode)
        assert contract.is_signed and contract.sessions == episode.planned_sessions
        assert contract.therapist_signature == episode.primary_therapist.full_name
        # Everything of the initial phase is done but the screening: the demo's measures predate its episodes.
        if episode.is_open:
            assert {task.key for task in guidance_for(episode).open_tasks} <= {"screening"}
    for episode in in_assessment:
        assert not Formulation.objects.filter(episode=episode).exists()
        assert not Contract.objects.filter(episode=episode).exists()
    overdue = [e for e in in_assessment if guidance_for(e).overdue]
    assert 1 <= len(overdue) < len(in_assessment)

    first_run = ipt_counts()
    run("demo", "--password", DEMO_PASSWORD)
    assert ipt_counts() == first_run


def test_the_demo_episodes_pages_open_for_their_therapist() -> None:
    from iptcare.ipt.models import Episode, EpisodeStatus, Format
    from iptcare.therapy.models import SessionNote

    run("demo", "--password", DEMO_PASSWORD)
    for status in (EpisodeStatus.TREATMENT, EpisodeStatus.ASSESSMENT, EpisodeStatus.COMPLETED):
        episode = (
            Episode.objects.filter(status=status, format__in=(Format.INDIVIDUAL, Format.BRIEF))
            .select_related("primary_therapist")
            .first()
        )
        http = sign_in(episode.primary_therapist)
        base = f"/clients/{episode.client_id}/episodes/{episode.pk}/"
        note = SessionNote.objects.filter(session__episode=episode, signed_at__isnull=False).first()
        pages = ["", "assessment/", "inventory/", "inventory/circle/", "timeline/", "triggers/", "formulation/"]
        pages += ["sessions/", f"sessions/{note.session_id}/note/"]
        if status != EpisodeStatus.ASSESSMENT:
            pages += ["contract/", "plan/", "safety-plan/"]
        if status == EpisodeStatus.COMPLETED:
            pages += ["closure/", "plan/print/"]
        for page in pages:
            assert http.get(base + page).status_code == 200, page
        assert http.get(f"/clients/{episode.client_id}/").status_code == 200
    maintenance = Episode.objects.select_related("primary_therapist").get(format=Format.MAINTENANCE)
    http = sign_in(maintenance.primary_therapist)
    for page in ("", "sessions/", "contract/"):
        url = f"/clients/{maintenance.client_id}/episodes/{maintenance.pk}/{page}"
        assert http.get(url).status_code == 200, page
    assert http.get(f"/clients/{maintenance.client_id}/").status_code == 200
    http = sign_in(User.objects.get(email="therapist@demo.iptcare.test"))
    for page in ("/sessions/", "/sessions/week/"):
        assert http.get(page).status_code == 200, page
