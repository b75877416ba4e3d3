"""`iptcare demo --password P`: load the demo clinic (synthetic data only). Safe to run again."""

from __future__ import annotations

import base64
import datetime as dt
import random
from collections import Counter
from decimal import Decimal
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from iptcare.accounts.models import Membership, Organization, Role, Site, SupervisionLink, User
from iptcare.audit.events import record_event
from iptcare.audit.models import EventType as AuditEventType
from iptcare.clients.actions import do_add_care_team_member, do_add_person, do_create_client
from iptcare.clients.models import (
    Client,
    ClientStatus,
    Condition,
    GenderIdentity,
    Person,
    SexAtBirth,
    Substance,
    TeamRole,
)
from iptcare.demo import data, data_sessions
from iptcare.demo.closures import answers_for, close_course
from iptcare.demo.emergency import build_emergency_accesses
from iptcare.demo.sessions import Diary, EpisodeStory, SessionHistory, Slot, Specials
from iptcare.groups.demo import build_group_cycle
from iptcare.ipt.actions import do_change_episode_status, do_open_episode
from iptcare.ipt.actions_assessment import do_save_assessment, do_save_substance_history
from iptcare.ipt.actions_formulation import (
    do_add_goal,
    do_add_problem_area,
    do_save_contract,
    do_save_formulation,
    do_sign_contract,
    suggested_end_date,
    suggested_focus,
)
from iptcare.ipt.actions_inventory import ENTRY_FIELDS, do_record_inventory_entry
from iptcare.ipt.actions_timeline import do_add_timeline_event, do_add_trigger
from iptcare.ipt.models import (
    DisputeStage,
    Episode,
    EpisodeStatus,
    Format,
    Frequency,
    InventoryEntry,
    ModalityKind,
    ProblemArea,
    TimelineEvent,
    Trigger,
)
from iptcare.measures.actions import do_apply_standard_schedule, do_record_administration
from iptcare.measures.models import Administration
from iptcare.portal.actions import do_change_password, do_invite_client, do_set_up_account
from iptcare.portal.models import ClientAccount, InvitationMethod
from iptcare.substance_use.actions import DayEntry, SubstanceEntry, do_record_use_days
from iptcare.substance_use.models import DayStatus, Unit, UseDay
from iptcare.therapy.models import TherapySession

DEMO_DOMAIN = "demo.iptcare.test"
DEMO_CLIENT_LOGIN = f"client@{DEMO_DOMAIN}"
# Weekly (PHQ-9, GAD-7) totals: improving, flat, worsening (a reliable deterioration), and a slow improvement.
DEMO_COURSES = [
    [(19, 15), (17, 14), (15, 12), (12, 10), (10, 8), (8, 7), (6, 5), (5, 4)],
    [(11, 9), (12, 9), (11, 10), (12, 9), (11, 9), (12, 10)],
    [(8, 6), (9, 7), (11, 8), (13, 10), (15, 11)],
    [(14, 12), (14, 11), (13, 11), (12, 10), (11, 9), (10, 8), (9, 8)],
]
# The same courses as the mood the session notes record.
MOOD_COURSES = ["improving", "flat", "worsening", "slow"]


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


ORG_NAME = "Demo Recovery Services"
CLIENT_COUNT = 40
# With at least this many active clients, the last one is the maintenance client: their acute course closed with
# the decision "maintenance" and a monthly maintenance episode follows (see iptcare/demo/closures.py).
MIN_ACTIVE_FOR_MAINTENANCE = 4


def demo_email(role: str) -> str:
    return f"{role}@{DEMO_DOMAIN}"


def maintenance_client(active: list[Client]) -> Client | None:
    """The active client (of those, ordered by identifier) whose acute course is over: the last one."""
    return active[-1] if len(active) >= MIN_ACTIVE_FOR_MAINTENANCE else None


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
        # Loading past data sends no mail: every action that could raise an alert is called with notify=False.
        with transaction.atomic():
            org, sites = self._organization()
            staff = self._staff(org, sites, password)
            created = self._clients(org, sites, staff)
            self._measures(org, staff)
            self._use(org, staff)
            self._episodes(org, staff)
            self._group_cycle(org, staff)
            build_emergency_accesses(org, staff)
            portal = self._portal_account(org, staff, password)
        admin_key = base64.b32encode(TOTPDevice.objects.get(user=staff["admin"]).bin_key).decode()
        if not quiet:
            self.stdout.write(
                f"Demo organization '{org.name}': {created} new clients, "
                f"{Client.objects.filter(organization=org).count()} in all; "
                f"{Episode.objects.filter(organization=org).count()} IPT episodes, "
                f"{TherapySession.objects.filter(episode__organization=org).count()} sessions."
            )
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {password})"))
        for role, _name in data.STAFF:
            self.stdout.write(f"  {role:<11} {demo_email(role)}")
        self.stdout.write(
            f"  The admin signs in with a second factor: add the key {admin_key} to an authenticator app,\n"
            f"  or print the current code with: iptcare demo_otp_code {demo_email('admin')}"
        )
        if portal is not None:
            self.stdout.write(
                f"  Client portal: /me/login/ as {portal.login_name} ({portal.client.display_name}), same password"
            )

    @staticmethod
    def _portal_account(org: Organization, staff: dict[str, User], password: str) -> ClientAccount | None:
        """A portal account for the maintenance client (a final relapse-prevention plan, homework, sessions to
        come), set up from a printed code as a client would; the demo password, like the staff accounts."""
        account = ClientAccount.objects.filter(client__organization=org).select_related("client").first()
        if account is not None:
            if not account.check_password(password):
                do_change_password(account, password)
            return account
        active = list(Client.objects.filter(organization=org, status=ClientStatus.ACTIVE).order_by("identifier"))
        client = maintenance_client(active)
        if client is None:
            return None
        member = client.care_team.filter(team_role=TeamRole.PRIMARY_THERAPIST).select_related("user").first()
        therapist = member.user if member else staff["therapist"]
        invitation, _code = do_invite_client(
            client, InvitationMethod.CODE, acting_user=therapist, base_url="http://127.0.0.1:8000"
        )
        return do_set_up_account(invitation, login_name=DEMO_CLIENT_LOGIN, password=password, language="en")

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
        # The maintenance client's measures follow their closed course (iptcare/demo/closures.py).
        skipped = maintenance_client(list(clients))
        for index, client in enumerate(clients):
            if client == skipped:
                continue
            course = DEMO_COURSES[index % len(DEMO_COURSES)]
            therapist = staff["therapist"] if int(client.identifier[-4:]) % 2 else staff["counsellor"]
            do_apply_standard_schedule(client, acting_user=therapist)
            for week, (phq9_total, gad7_total) in enumerate(course):
                when = today - dt.timedelta(weeks=len(course) - 1 - week)
                do_record_administration(
                    client,
                    "PHQ-9",
                    answers_for(phq9_total, 9),
                    acting_user=therapist,
                    administered_at=when,
                    notify=False,
                )
                do_record_administration(
                    client,
                    "GAD-7",
                    answers_for(gad7_total, 7),
                    acting_user=therapist,
                    administered_at=when,
                    notify=False,
                )

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

    def _episodes(self, org: Organization, staff: dict[str, User]) -> None:
        """An IPT episode for every active client: every other one still in assessment (two of those overdue),
        the others in treatment with an accepted formulation and a signed contract; each with its sessions and
        notes (iptcare/demo/sessions.py). Then the closed courses of the discharged clients and of the maintenance
        client (iptcare/demo/closures.py)."""
        if Episode.objects.filter(organization=org).exists():
            return
        rng = random.Random(4)
        today = timezone.localdate()
        related = Client.objects.select_related("site").prefetch_related("people", "care_team__user")
        clients = list(related.filter(organization=org, status=ClientStatus.ACTIVE).order_by("identifier"))
        diary = Diary(staff, today, random.Random(8))
        specials = Specials(demo_therapist_id=staff["therapist"].pk, counsellor_id=staff["counsellor"].pk)
        # The first client answered item 9 with "several days" this week, after their episode reached the middle
        # phase: the open alert waits for a C-SSRS screener (and, until then, holds the episode where it is).
        item9_client = clients[0] if clients else None
        maintenance = maintenance_client(clients)
        stories: Counter[str] = Counter()
        for index, client in enumerate(clients):
            if client == maintenance:
                continue
            episode = _DemoEpisode(rng, client, index, stories, staff, today, diary)
            episode.build()
            if client == item9_client:
                self._item9_answer(client, staff)
            SessionHistory(episode.story_for_notes(item9=client == item9_client), specials).build()
        discharged = related.filter(organization=org, status=ClientStatus.DISCHARGED).order_by("identifier")
        courses = list(zip(discharged, data_sessions.CLOSED_COURSES, strict=False))
        if maintenance is not None:
            courses.append((maintenance, data_sessions.MAINTENANCE_COURSE))
        closed_stories: Counter[str] = Counter()
        for index, (client, course) in enumerate(courses):
            episode = _DemoEpisode(rng, client, index, closed_stories, staff, today, diary, course=course)
            episode.build()
            close_course(episode.story_for_notes(item9=False), course, specials)

    @staticmethod
    def _item9_answer(client: Client, staff: dict[str, User]) -> None:
        answers = answers_for(9, 9) | {"9": 1}
        do_record_administration(client, "PHQ-9", answers, acting_user=staff["therapist"], notify=False)

    def _group_cycle(self, org: Organization, staff: dict[str, User]) -> None:
        """One running group IPT cycle (iptcare/groups/demo.py) at the weekly time no individual session uses;
        it does nothing when the organization already has a group, so the command stays idempotent."""
        weekday, start, minutes = data_sessions.GROUP_SESSION
        build_group_cycle(org, staff, weekday=weekday, start_time=dt.time.fromisoformat(start), minutes=minutes)

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


# ---------------------------------------------------------------------------------------------------- IPT episodes

# The story behind each demo episode, in turn; a story the client's people do not fit is skipped for the next.
STORY_ROTATION = ["dispute", "recovery", "grief", "job", "dispute", "separation", "grief", "recovery", "job"]
# Clients with few people and no partner or child are good examples of interpersonal deficits: at most one in
# assessment and one in treatment.
MAX_DEFICITS_PER_PHASE = 1
# Inventories cover at least this many people; people are added up to the demo's six per client at most.
MIN_PEOPLE, MAX_PEOPLE = 3, 6
# The second problem area some episodes add beside a dispute or grief: entering treatment, a role transition
# (IPT-DOMAIN §2).
SECOND_AREA = "recovery"


class _DemoEpisode:
    """One active client's episode, built the way a therapist would through the actions (so the audit trail reads
    like real use): the history, the inventory, the timeline and triggers, and for episodes in treatment the
    formulation, goals and a signed contract; finally the later inventory entries that show the circle changing.

    With `course` (data_sessions.CLOSED_COURSES), a whole course that ended in the last weeks: built as an episode
    in treatment whose "today" is its last session; iptcare/demo/closures.py then holds its sessions and closes it."""

    def __init__(
        self,
        rng: random.Random,
        client: Client,
        index: int,
        stories: Counter[str],
        staff: dict[str, User],
        today: dt.date,
        diary: Diary,
        *,
        course: dict[str, Any] | None = None,
    ) -> None:
        self.rng, self.client, self.staff, self.today = rng, client, staff, today
        # `today` is the day the episode is built as of (a closed course's last session); this is the real one.
        self.real_today = today
        self.index, self.course = index, course
        team = {member.team_role: member.user for member in client.care_team.all()}
        self.therapist = team[TeamRole.PRIMARY_THERAPIST]
        self.in_treatment = course is not None or index % 2 == 0
        # An episode reaches the middle phase only after a physician's medication assessment; the program's
        # physician does it when none is on the client's team.
        self.physician = team.get(TeamRole.PHYSICIAN) or (staff.get(Role.PHYSICIAN) if self.in_treatment else None)
        # The second and sixth episodes in assessment are past their initial phase with tasks still open.
        self.overdue = not self.in_treatment and (index // 2) % 4 == 1
        self.format = Format.BRIEF if index % 5 == 2 else Format.INDIVIDUAL
        if course is not None:
            self.format = Format(course["format"])
        # The weekday and time of the sessions. A brief episode in assessment started less than a week ago, so
        # it cannot meet today.
        in_first_week = self.format == Format.BRIEF and not self.in_treatment and not self.overdue
        self.slot: Slot = diary.slot_for(
            self.therapist,
            in_treatment=self.in_treatment,
            may_meet_today=course is None and not in_first_week,
        )
        self.people = sorted(client.people.all(), key=lambda p: p.pk)
        self.story = self._choose_story(index, stories)
        # The disputes of the episodes in treatment take the three stages in turn, so the demo shows each.
        disputes = stories[f"dispute-{self.in_treatment}"]
        self.stage = [DisputeStage.IMPASSE, DisputeStage.RENEGOTIATION, DisputeStage.DISSOLUTION][disputes % 3]
        stories[f"{self.story}-{self.in_treatment}"] += 1
        substance = next((s for s in client.primary_substances if s in data.USE_WORDS), "alcohol")
        use, offer, noun = data.USE_WORDS[substance]
        deceased = rng.choice(data.DECEASED)
        self.words = {
            "name": client.preferred_name or client.given_name,
            "use": use,
            "use_title": use.capitalize(),
            "offer": offer,
            "substance": noun,
            "site": client.site.name,
            "deceased": deceased,
            # The same person in the client's own words, for what the client's plans say: "my stepfather".
            "my_deceased": deceased.replace("their ", "my ", 1),
        }
        self.entries: dict[int, InventoryEntry] = {}
        self.dispute_with: Person | None = None
        self.areas: list[ProblemArea] = []

    # ------------------------------------------------------------------------------------------------ choices

    def _kinds(self) -> Counter[str]:
        return Counter(person.relationship_type for person in self.people)

    def _fits(self, story: str, stories: Counter[str]) -> bool:
        kinds = self._kinds()
        if story == "dispute":
            return bool(kinds["partner"] or kinds["parent"] or kinds["sibling"])
        if story == "recovery":
            return bool(kinds["sponsor"]) or len(self.people) < MAX_PEOPLE
        if story == "separation":
            return not kinds["partner"]
        if story == "grief":
            # The formulation records who died among the client's people, which keeps to the demo's six.
            return not self.in_treatment or len(self.people) < MAX_PEOPLE
        if story == "deficits":
            few = len(self.people) <= MIN_PEOPLE and not kinds["partner"] and not kinds["child"]
            return few and stories[f"deficits-{self.in_treatment}"] < MAX_DEFICITS_PER_PHASE
        return True

    def _choose_story(self, index: int, stories: Counter[str]) -> str:
        if self._fits("deficits", stories):
            return "deficits"
        for step in range(len(STORY_ROTATION)):
            story = STORY_ROTATION[(index + step) % len(STORY_ROTATION)]
            if self._fits(story, stories):
                return story
        return "job"

    def _first(self, *kinds: str) -> Person | None:
        return next((p for kind in kinds for p in self.people if p.relationship_type == kind), None)

    def _role(self, role: str) -> Person | None:
        """The person who plays a part in the story: the dispute's other side, family, the sponsor, a using
        associate, or the first support contact."""
        if role == "dispute":
            return self.dispute_with
        if role == "family":
            return self._first("sibling", "parent", "other_family", "child")
        if role == "sponsor":
            return self._first("sponsor")
        if role == "using":
            return self._first("using_associate")
        if role == "support":
            # Someone to call on a bad evening: never a child, a using associate or the other side of the dispute.
            kinds = ("sponsor", "friend", "sibling", "parent", "other_family", "partner")
            candidates = [p for kind in kinds for p in self.people if p.relationship_type == kind]
            candidates = [p for p in candidates if p != self.dispute_with]
            contacts = [p for p in candidates if p.is_support_contact]
            return (contacts or candidates or [None])[0]
        if role == "other":
            # A housemate or a friend: someone at the edge of the circle, for the notes of interpersonal deficits.
            kinds = ("other", "friend")
            return next((p for kind in kinds for p in self.people if p.relationship_type == kind), None)
        return None

    def story_for_notes(self, *, item9: bool) -> EpisodeStory:
        """What iptcare/demo/sessions.py writes the episode's session notes from."""
        roles = {role: self._role(role) for role in ("dispute", "family", "sponsor", "using", "support", "other")}
        family, other = roles["family"], roles["other"]
        substance = next((s for s in self.client.primary_substances if s in data_sessions.HABIT_WORDS), "alcohol")
        words = self.words | {
            "family": family.name if family else "the family",
            "other": other.name if other else "a neighbour",
            "habit": data_sessions.HABIT_WORDS[substance],
        }
        # Closest first, as the inventory recorded them.
        people = sorted(self.people, key=lambda p: self.entries[p.pk].ring if p.pk in self.entries else 5)
        course = self.course["mood"] if self.course else MOOD_COURSES[self.index % len(MOOD_COURSES)]
        return EpisodeStory(
            episode=self.episode,
            therapist=self.therapist,
            story=self.story,
            words=words,
            roles=roles,
            areas=self.areas,
            slot=self.slot,
            mood_course=course,
            meets_today=self.slot.days_ago(self.real_today) == 0,
            people=people,
            item9=item9,
            closing=self.course is not None,
        )

    # ------------------------------------------------------------------------------------------------ building

    def build(self) -> None:
        self._complete_people()
        self.dispute_with = self._first("partner", "parent", "sibling") if self.story == "dispute" else None
        for role in ("dispute", "sponsor", "using", "support"):
            person = self._role(role)
            self.words[role] = person.name if person else "the 24-hour helpline"
        if self.course is not None:
            planned = self.course["sessions"]
            # The course's last session came 2 to 24 days ago, on its weekday; the episode is built as of then.
            self.today -= dt.timedelta(days=self._days_on(2, 24))
            start = self.today - dt.timedelta(weeks=planned - 1)
        else:
            planned = 8 if self.format == Format.BRIEF else self.rng.choice([12, 12, 14, 16])
            start = self.today - dt.timedelta(days=self._days_since_start())
        self.episode = do_open_episode(
            self.client,
            format_=self.format,
            primary_therapist=self.therapist,
            acting_user=self.therapist,
            planned_sessions=planned,
            start_date=start,
        )
        self.start = self.episode.start_date
        self._screening()
        self._assessment()
        self._inventory()
        events = self._timeline()
        triggers = self._triggers()
        if self.in_treatment:
            self._formulation_and_contract(events, triggers)
        self._ring_changes()

    def _screening(self) -> None:
        """An AUDIT at the first session (the weekly PHQ-9 of the measures section covers mood)."""
        answers = {str(n): (1 if n <= 3 else 0) for n in range(1, 11)}
        when = timezone.make_aware(dt.datetime.combine(self.start, dt.time(10, 0)))
        do_record_administration(
            self.client, "AUDIT", answers, acting_user=self.therapist, administered_at=when, notify=False
        )

    def _days_since_start(self) -> int:
        """In treatment: well into the middle phase. In assessment: within the initial phase (one or two sessions
        held, or for brief IPT one), or just past it when overdue. Always on the weekday of the episode's slot."""
        brief = self.format == Format.BRIEF
        if self.in_treatment:
            return self._days_on(21, 35) if brief else self._days_on(28, 63)
        if self.overdue:
            return self._days_on(14, 20) if brief else self._days_on(21, 27)
        return self._days_on(1, 6) if brief else self._days_on(1, 13)

    def _days_on(self, low: int, high: int) -> int:
        """A number of days back, between `low` and `high`, that lands on the weekday of the episode's slot."""
        back = self.slot.days_ago(self.today)
        return self.rng.choice([days for days in range(low, high + 1) if days % 7 == back])

    def _complete_people(self) -> None:
        """At least three people for the inventory; a sponsor for a client whose story is entering recovery."""
        wanted: list[tuple[str, str]] = []
        if self.story == "recovery" and not self._kinds()["sponsor"]:
            wanted.append(data.EXTRA_SPONSOR)
        wanted += data.EXTRA_PEOPLE
        names = {p.name.casefold() for p in self.people}
        for relationship, name in wanted:
            missing_sponsor = relationship == "sponsor" and not self._kinds()["sponsor"]
            if len(self.people) >= MAX_PEOPLE or (len(self.people) >= MIN_PEOPLE and not missing_sponsor):
                break
            if name.casefold() in names:
                continue
            support = relationship == "sponsor"
            person = do_add_person(
                self.client,
                {
                    "name": name,
                    "relationship_type": relationship,
                    "phone": f"555 013 {self.rng.randint(1000, 9999)}" if support else "",
                    "is_support_contact": support,
                    "notes": "Named at the interpersonal inventory.",
                },
                acting_user=self.therapist,
            )
            self.people.append(person)
            names.add(name.casefold())

    def _assessment(self) -> None:
        """The history, the diagnosis given at the first session, the physician's medication assessment in the
        first week, and each primary substance's history — through the actions the assessment page uses."""
        facts = self.client
        child = self._first("child")
        values: dict[str, Any] = {
            "mental_health_history": " ".join(
                data.MENTAL_HEALTH[c] for c in facts.co_occurring_conditions if c in data.MENTAL_HEALTH
            ),
            "medical_conditions": self.rng.choice(data.MEDICAL),
            "housing": self.rng.choice(data.HOUSING),
            "work": "Out of work since losing a warehouse job." if self.story == "job" else self.rng.choice(data.WORK),
            "legal": self.rng.choice(data.LEGAL),
            "children": f"One child ({child.name}); sees them regularly." if child else "No children.",
            "strengths": self.rng.choice(data.STRENGTHS),
            "diagnosis_explained_on": self.start,
        }
        do_save_assessment(self.episode, values, acting_user=self.therapist, may_record_medications=False)
        if self.physician is not None:
            keys = [*facts.primary_substances, *facts.co_occurring_conditions]
            medications = " ".join(data.MEDICATIONS[k] for k in keys if k in data.MEDICATIONS) or "None prescribed."
            assessed_on = min(self.start + dt.timedelta(days=self.rng.randint(1, 6)), self.today)
            do_save_assessment(
                self.episode,
                {"medications": medications, "medication_assessed_on": assessed_on},
                acting_user=self.physician,
                may_record_medications=True,
            )
        age = (self.today - facts.date_of_birth).days // 365
        for substance in facts.primary_substances:
            (low, high), pattern, route, most_overdoses = data.SUBSTANCE_HISTORY[substance]
            history = {
                "substance": substance,
                "age_at_first_use": min(self.rng.randint(low, high), age - 2),
                "pattern": pattern,
                "last_use": self.start - dt.timedelta(days=self.rng.randint(2, 30)),
                "route": route,
                "prior_treatment": self.rng.choice(data.PRIOR_TREATMENT),
                "overdoses": self.rng.randint(0, most_overdoses),
            }
            do_save_substance_history(self.episode, history, acting_user=self.therapist)

    def _audit(self, obj: Any, changes: dict[str, list[Any]] | None, actor: User, **extra: Any) -> None:
        record_event(
            AuditEventType.EPISODE_CHANGED, actor=actor, client=self.client, obj=obj, changes=changes, extra=extra
        )

    def _entry_data(self, person: Person, ring: int, recorded_on: dt.date) -> dict[str, Any]:
        template = data.INVENTORY[person.relationship_type]
        values: dict[str, Any] = {
            name: self.rng.choice(template[name])
            for name in (
                "contact_frequency",
                "good_things",
                "not_so_good",
                "can_talk_about",
                "cannot_talk_about",
                "client_expects",
                "they_expect",
                "expectations_met",
                "conflict_pattern",
                "change_since_onset",
            )
        }
        values |= {
            "recorded_on": recorded_on,
            "ring": ring,
            "knows_about_problems": template["knows_about_problems"],
            "uses_with_client": template.get("uses_with_client", False),
            "supports_recovery": template.get("supports_recovery", False),
            "part_in_triggers": template.get("part_in_triggers", ""),
        }
        if person == self.dispute_with:
            values["not_so_good"] = "Rows about money and {use}".format(**self.words)
            values["conflict_pattern"] = data.DISPUTE_CONFLICT[self.stage]
            values["expectations_met"] = "partly" if self.stage == DisputeStage.RENEGOTIATION else "not_met"
            values["part_in_triggers"] = "Rows come before most of the heavy days"
        return values

    def _inventory(self) -> None:
        """Everyone the client named, as of the first sessions."""
        last_initial = self.episode.initial_phase_last_session
        for person in self.people:
            ring = self.rng.choice(data.INVENTORY[person.relationship_type]["rings"])
            # In treatment the inventory was taken over the first two sessions; in assessment, at the first.
            week = self.rng.randint(0, min(1, last_initial - 1)) if self.in_treatment else 0
            values = self._entry_data(person, ring, self.start + dt.timedelta(weeks=week))
            self.entries[person.pk] = do_record_inventory_entry(
                self.episode, person, values, acting_user=self.therapist
            )

    def _ring_changes(self) -> None:
        """About half the people get a later entry in another ring: those central to the story first."""
        key = [self._role(role) for role in ("dispute", "sponsor", "using")]
        if self.story == "deficits":
            key.append(self.people[-1])
        others = [p for p in self.people if p not in key]
        self.rng.shuffle(others)
        chosen = [p for p in dict.fromkeys([*key, *others]) if p is not None][: max(1, round(len(self.people) / 2))]
        accepted = self.start + dt.timedelta(weeks=self.episode.initial_phase_last_session - 1)
        earliest = accepted + dt.timedelta(weeks=1) if self.in_treatment else self.start + dt.timedelta(weeks=1)
        for person in chosen:
            first = self.entries[person.pk]
            template = data.INVENTORY[person.relationship_type]
            ring = template["moves"][first.ring]
            if person == self.dispute_with and self.stage == DisputeStage.DISSOLUTION:
                ring = min(first.ring + 2, 4)
            # The same person, seen again later: only the ring, the date and what changed are new.
            values = {name: getattr(first, name) for name in ENTRY_FIELDS}
            values |= {
                "recorded_on": self._date_between(earliest, self.today),
                "ring": ring,
                "change_since_onset": template["closer" if ring < first.ring else "further"],
            }
            do_record_inventory_entry(self.episode, person, values, acting_user=self.therapist)

    def _date_between(self, low: dt.date, high: dt.date) -> dt.date:
        return low + dt.timedelta(days=self.rng.randint(0, max((high - low).days, 0)))

    def _add_event(self, spec: tuple[Any, ...], when: dt.date) -> TimelineEvent:
        event_type, title, _days, (mood_low, mood_high), use_change, note, role = spec
        approximate = (self.start - when).days > 365 and self.rng.random() < 0.6
        person = self._role(role) if role else None
        return do_add_timeline_event(
            self.episode,
            {
                # A remembered "spring 2024": the middle of the month stands for it.
                "date": when.replace(day=15) if approximate else when,
                "date_is_approximate": approximate,
                "event_type": event_type,
                "title": title.format(**self.words),
                "people": [person] if person else [],
                "mood": self.rng.randint(mood_low, mood_high),
                "use_change": use_change,
                "note": note,
            },
            acting_user=self.therapist,
        )

    def _before_start(self, days: tuple[int, int]) -> dt.date:
        return min(self.start - dt.timedelta(days=self.rng.randint(*days)), self.today)

    def _timeline(self) -> dict[str, list[TimelineEvent]]:
        """3–6 events: the story's, entering treatment, and others up to the drawn number. Returns the events
        each problem area will point at."""
        story = list(data.STORY_EVENTS[self.story])
        wanted = self.rng.randint(3, 6)
        used_types = {spec[0] for spec in story}
        extras = [spec for spec in data.EXTRA_EVENTS if spec[0] not in used_types]
        self.rng.shuffle(extras)
        extras = extras[: max(wanted - len(story) - 1, 0)]
        story_events = []
        death: dt.date | None = None
        for spec in story:
            if spec[2] is None and death is not None:
                # The last anniversary of the death at least two weeks before the episode began.
                years = max(1, (self.start - dt.timedelta(days=14) - death).days // 365)
                when = death + dt.timedelta(days=365 * years)
            else:
                when = self._before_start(spec[2])
            event = self._add_event(spec, when)
            death = event.date if event.event_type == "death" else death
            story_events.append(event)
        entry_spec = (*data.TREATMENT_ENTRY[:4], self.rng.choice(["less", "stopped"]), *data.TREATMENT_ENTRY[5:])
        entry = self._add_event(entry_spec, self._before_start(data.TREATMENT_ENTRY[2]))
        for spec in extras:
            self._add_event(spec, self._before_start(spec[2]))
        return {"story": story_events, "entry": [entry]}

    def _add_trigger(self, spec: tuple[str, ...]) -> Trigger:
        trigger_type, description, places, feelings, risk, coping, role = spec
        person = self._role(role) if role else None
        return do_add_trigger(
            self.episode,
            {
                "trigger_type": trigger_type,
                "description": description.format(**self.words),
                "people": [person] if person else [],
                "places": places,
                "feelings": feelings,
                "risk_level": risk,
                "coping_response": coping.format(**self.words),
            },
            acting_user=self.therapist,
        )

    def _triggers(self) -> list[Trigger]:
        """2–4 triggers: the story's, being offered by a using associate, and everyday ones (IPT-DOMAIN §8)."""
        specs = [data.TRIGGERS[self.story]]
        if self._role("using") is not None and self.story != "recovery":
            specs.append(data.TRIGGERS["using"])
        extras = list(data.EXTRA_TRIGGERS)
        self.rng.shuffle(extras)
        specs += extras[: max(self.rng.randint(2, 4) - len(specs), 0)]
        return [self._add_trigger(spec) for spec in specs]

    def _formulation_and_contract(self, events: dict[str, list[TimelineEvent]], triggers: list[Trigger]) -> None:
        """The sick role at session 1, one or two problem areas with their goals, the formulation accepted at the
        last initial session, the contract signed by both, and the move to the middle phase."""
        therapist, episode = self.therapist, self.episode
        do_save_formulation(
            episode,
            {"text": data.FORMULATION[self.story].format(**self.words), "sick_role_given_on": self.start},
            acting_user=therapist,
        )
        people = {"dispute": [self.dispute_with], "grief": [self._role("family")], "recovery": [self._role("sponsor")]}
        stories = [self.story]
        if self.story in ("dispute", "grief") and self._role("sponsor") is not None and self.rng.random() < 0.6:
            stories.append(SECOND_AREA)
        areas = []
        for number, story in enumerate(stories):
            kind, rationale = data.AREAS[story]
            linked = [self.entries[p.pk] for p in people.get(story, self.people[:2]) if p is not None]
            area_data: dict[str, Any] = {
                "kind": kind,
                "rationale": rationale.format(**self.words),
                "inventory_entries": linked,
                "timeline_events": events["entry"] if number else self._story_events(story, events),
                "triggers": triggers[:1] if number == 0 else [],
            }
            if story == "dispute":
                area_data |= {"dispute_stage": self.stage, "dispute_with": self.dispute_with}
            if story == "deficits":
                area_data["why_not_other_areas"] = data.WHY_NOT_OTHER_AREAS
            if story == "grief":
                area_data |= self._deceased(events)
            if story in data.TRANSITION_ROLES:
                area_data["old_role"], area_data["new_role"] = data.TRANSITION_ROLES[story]
            area = do_add_problem_area(episode, area_data, acting_user=therapist)
            self._goals(area, story)
            areas.append(area)
        self.areas = areas
        accepted = self.start + dt.timedelta(weeks=episode.initial_phase_last_session - 1)
        do_save_formulation(episode, {"accepted_on": accepted}, acting_user=therapist)
        contract = do_save_contract(
            episode,
            {
                "sessions": episode.planned_sessions,
                "session_minutes": episode.session_minutes,
                "frequency": Frequency.WEEKLY,
                "start_date": self.start,
                "end_date": suggested_end_date(self.start, episode.planned_sessions, Frequency.WEEKLY),
                "focus": suggested_focus(areas) + "\nMood and use reviewed at every session.",
            },
            modalities=self._modalities(),
            acting_user=therapist,
        )
        do_sign_contract(
            contract,
            therapist_signature=therapist.full_name,
            client_signature=self.client.legal_name,
            acting_user=therapist,
        )
        do_change_episode_status(
            episode,
            EpisodeStatus.TREATMENT,
            acting_user=therapist,
            note="Formulation accepted and contract signed: the middle phase begins.",
        )

    def _deceased(self, events: dict[str, list[TimelineEvent]]) -> dict[str, Any]:
        """Who died and when, for the grief area: the relative of the story's death, recorded among the client's
        people only now (after the inventory, which holds the living), as the grief area names a recorded person. The
        person is named as the client calls them ("Stepfather"); the date of the death is the grief area's."""
        died = next(event.date for event in events["story"] if event.event_type == "death")
        relative = str(self.words["deceased"]).removeprefix("their ").capitalize()
        person = do_add_person(
            self.client,
            {
                "name": relative,
                "relationship_type": "other_family",
                "notes": f"Died on {died.isoformat()}; the loss the grief work is about.",
            },
            acting_user=self.therapist,
        )
        return {"deceased": person, "death_date": died}

    @staticmethod
    def _story_events(story: str, events: dict[str, list[TimelineEvent]]) -> list[TimelineEvent]:
        """The events a problem area points at: the story's, and entering treatment when that is the change."""
        return events["story"] + (events["entry"] if story == "recovery" else [])

    def _goals(self, area: ProblemArea, story: str) -> None:
        goals = list(data.GOALS[story])
        if story == "dispute":
            description, detail = data.DISPUTE_GOALS[self.stage]
            goals.insert(0, (description, "dispute_stage", detail))
        for description, evidence, detail in goals:
            do_add_goal(
                area,
                {
                    "description": description.format(**self.words),
                    "evidence_kind": evidence,
                    "evidence_detail": detail.format(**self.words),
                    "status": self.rng.choice(["open", "progressing", "progressing"]),
                },
                acting_user=self.therapist,
            )

    def _modalities(self) -> list[tuple[str, str]]:
        """Other treatments beside IPT: medication from the demo physician when on the team, the mutual-help
        group for clients with a sponsor or in recovery, and motivational interviewing for some."""
        modalities = []
        if self.physician is not None:
            modalities.append((ModalityKind.MEDICATION, self.physician.full_name))
        if self._role("sponsor") is not None or self.rng.random() < 0.4:
            modalities.append((ModalityKind.MUTUAL_HELP, data.MUTUAL_HELP.format(site=self.client.site.name)))
        if self.therapist != self.staff["counsellor"] and self.rng.random() < 0.3:
            modalities.append((ModalityKind.MI, self.staff["counsellor"].full_name))
        return [(str(kind), provider) for kind, provider in modalities]
