"""`iptcare demo --password P`: load the demo clinic (synthetic data only). Safe to run again."""

from __future__ import annotations

import base64
import datetime as dt
import random
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

DEMO_DOMAIN = "demo.iptcare.test"
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
