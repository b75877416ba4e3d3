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
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from iptcare.accounts.models import Organization, Role, User
from iptcare.clients.models import Client, ClientStatus, TeamRole

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
