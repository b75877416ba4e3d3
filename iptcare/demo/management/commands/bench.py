"""`iptcare bench [--clients N]`: time the busiest pages and API calls on a synthetic organization.

Run it on a throwaway database (`make bench` does): it creates an organization of its own with N clients.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext, setup_test_environment

from iptcare.accounts.models import Membership, Organization, Role, Site, User
from iptcare.clients.models import CareTeamMember, Client, Person, TeamRole


class Command(BaseCommand):
    help = "Measure caseload, client record and API list times on a synthetic organization."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, default=2000)
        parser.add_argument("--repeat", type=int, default=20)

    def handle(self, *args: Any, clients: int, repeat: int, **options: Any) -> None:
        setup_test_environment()
        therapist, first_client = self._organization(clients)
        http = HttpClient()
        http.force_login(therapist)
        cases = [
            ("caseload page (25 rows)", "/clients/", {}),
            ("caseload search", "/clients/", {"q": "Family1"}),
            ("client record page", f"/clients/{first_client.pk}/", {}),
            ("API client list (limit=100)", "/api/v1/clients/", {"limit": 100}),
            ("API one client", f"/api/v1/clients/{first_client.pk}", {}),
        ]
        self.stdout.write(f"{clients} clients, {repeat} requests each (median and 95th percentile)")
        self.stdout.write(f"{'request':<30} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
        for label, path, params in cases:
            timings, queries = self._measure(http, path, params, repeat)
            p95 = sorted(timings)[max(0, int(len(timings) * 0.95) - 1)]
            self.stdout.write(f"{label:<30} {statistics.median(timings):>10.1f} {p95:>8.1f} {queries:>8}")

    def _measure(self, http: HttpClient, path: str, params: dict, repeat: int) -> tuple[list[float], int]:
        timings = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = http.get(path, params)
                timings.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")
        return timings, len(captured)

    @transaction.atomic
    def _organization(self, count: int) -> tuple[User, Client]:
        org, _ = Organization.objects.get_or_create(slug="bench", defaults={"name": "Bench Clinic"})
        site, _ = Site.objects.get_or_create(organization=org, name="Bench Site")
        therapist, created = User.objects.get_or_create(
            email="therapist@bench.iptcare.test", defaults={"full_name": "Bench Therapist", "organization": org}
        )
        if created:
            Membership.objects.create(user=therapist, role=Role.THERAPIST)
        existing = Client.objects.filter(organization=org).count()
        batch = []
        for number in range(existing, count):
            batch.append(
                Client(
                    organization=org,
                    site=site,
                    identifier=f"B-{number:06d}",
                    given_name=f"Given{number}",
                    family_name=f"Family{number}",
                    date_of_birth=dt.date(1980, 1, 1) + dt.timedelta(days=number % 9000),
                    sex_at_birth="female" if number % 2 else "male",
                    status="active",
                )
            )
            if len(batch) == 500 or number == count - 1:
                made = Client.objects.bulk_create(batch)
                CareTeamMember.objects.bulk_create(
                    CareTeamMember(client=c, user=therapist, team_role=TeamRole.PRIMARY_THERAPIST) for c in made
                )
                Person.objects.bulk_create(
                    Person(client=c, name=f"Person {i}", relationship_type="friend") for c in made for i in range(3)
                )
                batch = []
                sys.stdout.write(f"\rcreating clients: {number + 1}/{count}")
                sys.stdout.flush()
        sys.stdout.write("\n")
        return therapist, Client.objects.filter(organization=org).order_by("pk").first()
