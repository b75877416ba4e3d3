"""`iptcare demo --password P`: load the demo clinic (synthetic data only). Safe to run again."""

from __future__ import annotations

import base64
import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from iptcare.accounts.models import Membership, Organization, Site, SupervisionLink, User
from iptcare.clients.actions import do_add_care_team_member, do_add_person, do_create_client
from iptcare.clients.models import (
    Client,
    ClientStatus,
    Condition,
    GenderIdentity,
    SexAtBirth,
    Substance,
    TeamRole,
)
from iptcare.demo import data
from iptcare.measures.actions import do_apply_standard_schedule, do_record_administration
from iptcare.measures.models import Administration
from iptcare.substance_use.actions import DayEntry, SubstanceEntry, do_record_use_days
from iptcare.substance_use.models import DayStatus, Unit, UseDay

DEMO_DOMAIN = "demo.iptcare.test"
# Weekly (PHQ-9, GAD-7) totals: improving, flat, worsening (a reliable deterioration), and a slow improvement.
DEMO_COURSES = [
    [(19, 15), (17, 14), (15, 12), (12, 10), (10, 8), (8, 7), (6, 5), (5, 4)],
    [(11, 9), (12, 9), (11, 10), (12, 9), (11, 9), (12, 10)],
    [(8, 6), (9, 7), (11, 8), (13, 10), (15, 11)],
    [(14, 12), (14, 11), (13, 11), (12, 10), (11, 9), (10, 8), (9, 8)],
]


def _use_day(day: dt.date, days_ago: int, pattern: str) -> DayEntry | None:
    """One synthetic Timeline Followback day; None leaves the day missing (every tenth day)."""
    if days_ago % 10 == 0:
        return None
    drinks = 0
    if pattern == "weekly" and days_ago % 7 in (1, 4):
        drinks = 3
    elif pattern == "rising" and days_ago <= 18 and days_ago % 3 == 0:
        drinks = 6 if days_ago <= 6 else 4
    elif pattern == "lapse" and days_ago == 2:
        drinks = 7
    if not drinks:
        return DayEntry(day, DayStatus.NO_USE, (SubstanceEntry(Substance.ALCOHOL, used=False),))
    alcohol = SubstanceEntry(Substance.ALCOHOL, used=True, amount=Decimal(drinks), unit=Unit.STANDARD_DRINKS)
    return DayEntry(day, DayStatus.USED, (alcohol,))


def _answers_for(total: int, items: int) -> dict[str, int]:
    """Answers 0-3 adding up to `total`, spread over the items with the last item (PHQ-9 item 9) kept at 0."""
    answers = {str(n): 0 for n in range(1, items + 1)}
    left = total
    for n in range(1, items):
        answers[str(n)] = min(3, left)
        left -= answers[str(n)]
    return answers


ORG_NAME = "Demo Recovery Services"
CLIENT_COUNT = 40


def demo_email(role: str) -> str:
    return f"{role}@{DEMO_DOMAIN}"


class Command(BaseCommand):
    help = "Create or refresh the demo organization, its staff (one per role) and about 40 synthetic clients."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", required=True, help="Password for every demo staff account.")
        parser.add_argument("--quiet", action="store_true", help="Print only the logins.")

    def handle(self, *args: Any, password: str, quiet: bool, **options: Any) -> None:
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError("The demo password is too weak: " + " ".join(error.messages)) from None
        with transaction.atomic():
            org, sites = self._organization()
            staff = self._staff(org, sites, password)
            created = self._clients(org, sites, staff)
            self._measures(org, staff)
            self._use(org, staff)
        admin_key = base64.b32encode(TOTPDevice.objects.get(user=staff["admin"]).bin_key).decode()
        if not quiet:
            self.stdout.write(
                f"Demo organization '{org.name}': {created} new clients, "
                f"{Client.objects.filter(organization=org).count()} in all."
            )
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {password})"))
        for role, _name in data.STAFF:
            self.stdout.write(f"  {role:<11} {demo_email(role)}")
        self.stdout.write(
            f"  The admin signs in with a second factor: add the key {admin_key} to an authenticator app,\n"
            f"  or print the current code with: iptcare demo_otp_code {demo_email('admin')}"
        )

    def _organization(self) -> tuple[Organization, list[Site]]:
        org, _ = Organization.objects.get_or_create(slug="demo", defaults={"name": ORG_NAME})
        sites = []
        for name, address, phone in data.SITES:
            site, _ = Site.objects.get_or_create(
                organization=org, name=name, defaults={"address": address, "phone": phone}
            )
            sites.append(site)
        return org, sites

    def _staff(self, org: Organization, sites: list[Site], password: str) -> dict[str, User]:
        staff = {}
        for index, (role, full_name) in enumerate(data.STAFF):
            user, _ = User.objects.get_or_create(
                email=demo_email(role),
                defaults={"full_name": full_name, "organization": org, "home_site": sites[index % 2]},
            )
            user.set_password(password)
            user.is_active = True
            user.save(update_fields=["password", "is_active"])
            Membership.objects.get_or_create(user=user, role=role)
            staff[role] = user
        for supervisee in ("therapist", "counsellor"):
            SupervisionLink.objects.get_or_create(supervisor=staff["supervisor"], supervisee=staff[supervisee])
        # Admins must use a second factor; the demo admin gets a ready device so the demo can be tried at once.
        TOTPDevice.objects.get_or_create(
            user=staff["admin"], defaults={"name": "Demo authenticator", "confirmed": True}
        )
        return staff

    def _clients(self, org: Organization, sites: list[Site], staff: dict[str, User]) -> int:
        rng = random.Random(2026)
        statuses = (
            [ClientStatus.ACTIVE] * 5 + [ClientStatus.REFERRED] * 2 + [ClientStatus.ON_HOLD, ClientStatus.DISCHARGED]
        )
        created = 0
        today = timezone.localdate()
        for number in range(1, CLIENT_COUNT + 1):
            identifier = f"DEMO-{number:04d}"
            # Drawn before the existence check, so a re-run produces the same clients in the same order.
            facts = self._client_facts(rng, number, sites, statuses, today)
            if Client.objects.filter(organization=org, identifier=identifier).exists():
                continue
            primary = staff["therapist"] if number % 2 else staff["counsellor"]
            client = do_create_client(
                organization=org,
                data={"identifier": identifier, **facts["client"]},
                primary_therapist=primary,
                acting_user=staff["admin"],
            )
            if number % 3 == 0:
                do_add_care_team_member(client, staff["physician"], TeamRole.PHYSICIAN, acting_user=staff["admin"])
            if number % 2 == 0 and number % 4 == 0:
                do_add_care_team_member(client, staff["therapist"], TeamRole.THERAPIST, acting_user=staff["admin"])
            for person in facts["people"]:
                do_add_person(client, person, acting_user=staff["admin"])
            created += 1
        return created

    def _measures(self, org: Organization, staff: dict[str, User]) -> None:
        """Weekly PHQ-9 and GAD-7 histories: improving, flat and worsening courses, and one open item-9 alert."""
        if Administration.objects.filter(organization=org).exists():
            return
        today = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0)
        clients = Client.objects.filter(organization=org, status=ClientStatus.ACTIVE).order_by("identifier")
        for index, client in enumerate(clients):
            course = DEMO_COURSES[index % len(DEMO_COURSES)]
            therapist = staff["therapist"] if int(client.identifier[-4:]) % 2 else staff["counsellor"]
            do_apply_standard_schedule(client, acting_user=therapist)
            for week, (phq9_total, gad7_total) in enumerate(course):
                when = today - dt.timedelta(weeks=len(course) - 1 - week)
                do_record_administration(
                    client,
                    "PHQ-9",
                    _answers_for(phq9_total, 9),
                    acting_user=therapist,
                    administered_at=when,
                    notify=False,
                )
                do_record_administration(
                    client,
                    "GAD-7",
                    _answers_for(gad7_total, 7),
                    acting_user=therapist,
                    administered_at=when,
                    notify=False,
                )
        first = clients.first()
        if first is not None:
            # One client answered item 9 with "several days" this week: an open alert waits for a C-SSRS screener.
            answers = _answers_for(9, 9) | {"9": 1}
            do_record_administration(first, "PHQ-9", answers, acting_user=staff["therapist"], notify=False)

    def _use(self, org: Organization, staff: dict[str, User]) -> None:
        """28 days of use per active client: abstinent, twice-weekly drinking, rising drinking, and one lapse."""
        if UseDay.objects.filter(organization=org).exists():
            return
        today = timezone.localdate()
        clients = list(Client.objects.filter(organization=org, status=ClientStatus.ACTIVE).order_by("identifier"))
        for index, client in enumerate(clients):
            pattern = "lapse" if index == 1 else ("abstinent", "weekly", "rising", "abstinent")[index % 4]
            entries = [_use_day(today - dt.timedelta(days=back), back, pattern) for back in range(28, 0, -1)]
            do_record_use_days(
                client, [e for e in entries if e is not None], acting_user=staff["therapist"], notify=False
            )

    def _client_facts(
        self, rng: random.Random, number: int, sites: list[Site], statuses: list[str], today: dt.date
    ) -> dict[str, Any]:
        sex = rng.choice([SexAtBirth.FEMALE, SexAtBirth.MALE, SexAtBirth.FEMALE, SexAtBirth.MALE, SexAtBirth.INTERSEX])
        gender = {
            SexAtBirth.FEMALE: GenderIdentity.WOMAN,
            SexAtBirth.MALE: GenderIdentity.MAN,
        }.get(sex, GenderIdentity.NON_BINARY)
        given = rng.choice(data.GIVEN_NAMES)
        family = rng.choice(data.FAMILY_NAMES)
        born = today - dt.timedelta(days=rng.randint(19 * 365, 67 * 365))
        substances = rng.sample(
            [
                Substance.ALCOHOL,
                Substance.ALCOHOL,
                Substance.OPIOIDS,
                Substance.COCAINE,
                Substance.CANNABIS,
                Substance.METHAMPHETAMINE,
                Substance.SEDATIVES,
            ],
            k=rng.randint(1, 2),
        )
        conditions = rng.sample(
            [Condition.DEPRESSION, Condition.DEPRESSION, Condition.ANXIETY, Condition.PTSD],
            k=rng.randint(1, 2),
        )
        people = []
        for group in rng.sample(data.PEOPLE, k=rng.randint(2, 6)):
            relationship, names = group
            is_support = relationship not in ("using_associate",) and rng.random() < 0.6
            people.append(
                {
                    "name": rng.choice(names),
                    "relationship_type": relationship,
                    "phone": f"555 01{rng.randint(0, 9)} {rng.randint(1000, 9999)}" if is_support else "",
                    "is_support_contact": is_support,
                    "notes": "",
                }
            )
        return {
            "client": {
                "given_name": given,
                "family_name": family,
                "preferred_name": "",
                "date_of_birth": born,
                "sex_at_birth": sex,
                "gender_identity": gender,
                "pronouns": {GenderIdentity.WOMAN: "she/her", GenderIdentity.MAN: "he/him"}.get(gender, "they/them"),
                "email": f"client{number:02d}@example.invalid",
                "phone": f"555 02{rng.randint(0, 9)} {rng.randint(1000, 9999)}",
                "address": "",
                "site": sites[number % len(sites)],
                "status": rng.choice(statuses),
                "status_since": today - dt.timedelta(days=rng.randint(0, 200)),
                "primary_substances": sorted({str(s) for s in substances}),
                "co_occurring_conditions": sorted({str(c) for c in conditions}),
            },
            "people": people,
        }
