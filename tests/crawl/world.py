"""One organization's worth of client data, built through the apps' actions, with a marker in every text.

Every string that a page or the API could show about the organization's clients, staff, sites and groups contains
the organization's marker ("Zqxsouth…", "Zqxnorth…"), so a response that shows another organization's data is found
by searching its body for that marker, case-insensitively.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.utils import timezone

from iptcare.accounts.actions import do_create_token
from iptcare.accounts.models import Organization, PersonalAccessToken, Role, Site, User
from iptcare.clients.actions import do_add_care_team_member, do_add_person, do_create_client
from iptcare.clients.models import CareTeamMember, Client, Person, TeamRole
from iptcare.consent.actions import do_record_consent, do_record_disclosure
from iptcare.consent.gate import Recipient
from iptcare.consent.models import Consent, Disclosure
from iptcare.counselling.models import CounsellingNote
from iptcare.emergency.models import EmergencyAccess
from iptcare.groups.actions import do_add_member, do_create_group, do_generate_group_sessions, do_record_attendance
from iptcare.groups.actions_notes import do_save_group_note_draft, do_save_member_note
from iptcare.groups.models import GroupMember, GroupSession, TherapyGroup
from iptcare.ipt.actions import do_open_episode
from iptcare.ipt.actions_assessment import do_save_assessment
from iptcare.ipt.actions_formulation import do_add_goal, do_add_problem_area, do_save_contract, do_save_formulation
from iptcare.ipt.actions_inventory import do_record_inventory_entry
from iptcare.ipt.actions_timeline import do_add_timeline_event, do_add_trigger
from iptcare.ipt.models import Episode, Goal, InventoryEntry, ProblemArea, TimelineEvent, Trigger
from iptcare.measures.actions import do_record_administration
from iptcare.measures.links import do_create_link
from iptcare.measures.models import Administration, Alert, SelfReportLink
from iptcare.plans.actions import do_save_plan_section, do_start_plan_version
from iptcare.substance_use.actions import DayEntry, SubstanceEntry, do_record_check_in, do_record_use_days
from iptcare.substance_use.models import DayStatus
from iptcare.therapy.actions_notes import do_add_incident, do_save_note_draft, do_sign_note
from iptcare.therapy.models import InterpersonalIncident, SessionKind, SessionStatus, TherapySession
from tests.conftest import make_staff


@dataclass
class OrgData:
    """The objects of one organization whose ids fill the URL patterns."""

    marker: str
    organization: Organization
    site: Site
    staffer: User
    token: PersonalAccessToken
    client: Client
    member: CareTeamMember
    person: Person
    episode: Episode
    entry: InventoryEntry
    event: TimelineEvent
    trigger: Trigger
    area: ProblemArea
    goal: Goal
    session: TherapySession
    pre_group_session: TherapySession
    incident: InterpersonalIncident
    administration: Administration
    alert: Alert
    link: SelfReportLink
    consent: Consent
    disclosure: Disclosure
    group: TherapyGroup
    group_member: GroupMember
    group_session: GroupSession
    counselling_note: CounsellingNote
    grant: EmergencyAccess
    # An outside recipient's token for the client (the release app), when the app is installed.
    recipient_token: Any = None


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def build_org_data(
    marker: str,
    organization: Organization,
    therapist: User,
    *,
    client: Client | None = None,
    domain: str,
) -> OrgData:
    """Build a client record with everything a page can show, a group, consents and a disclosure.

    `client` is an existing client of `therapist` (Fern, for North); otherwise one is created. Every text carries
    `marker`.
    """
    today = timezone.localdate()
    site = Site.objects.create(organization=organization, name=f"{marker} Site", address=f"1 {marker} Road")
    staffer = make_staff(
        organization, f"{marker.lower()}.staffer@{domain}", f"{marker} Staffer", Role.THERAPIST, site=site
    )
    token, _raw = do_create_token(staffer, name=f"{marker} token", acting_user=staffer)
    if client is None:
        client = do_create_client(
            organization=organization,
            data={
                "identifier": f"{marker.upper()}-0001",
                "given_name": f"{marker}given",
                "family_name": f"{marker}family",
                "preferred_name": f"{marker}preferred",
                "date_of_birth": dt.date(1980, 4, 2),
                "sex_at_birth": "female",
                "pronouns": "she/her",
                "email": f"{marker.lower()}client@example.invalid",
                "phone": "555 777 0001",
                "address": f"9 {marker} Street",
                "site": site,
                "status": "active",
                "status_since": today - dt.timedelta(days=60),
                "primary_substances": ["alcohol"],
                "co_occurring_conditions": ["depression"],
            },
            primary_therapist=therapist,
            acting_user=therapist,
        )
    member = do_add_care_team_member(client, staffer, TeamRole.THERAPIST, acting_user=therapist)
    person = do_add_person(
        client,
        {
            "name": f"{marker}pal",
            "relationship_type": "sibling",
            "phone": "555 777 0002",
            "email": "",
            "is_support_contact": True,
            "notes": f"{marker} person notes",
        },
        acting_user=therapist,
    )
    episode = do_open_episode(
        client,
        format_="individual",
        primary_therapist=therapist,
        acting_user=therapist,
        start_date=today - dt.timedelta(days=28),
    )
    do_save_assessment(
        episode,
        {"mental_health_history": f"{marker} history", "strengths": f"{marker} strengths"},
        acting_user=therapist,
        may_record_medications=False,
    )
    entry = do_record_inventory_entry(
        episode, person, {"ring": 1, "good_things": f"{marker} good things"}, acting_user=therapist
    )
    event = do_add_timeline_event(
        episode,
        {"date": today - dt.timedelta(days=400), "event_type": "death", "title": f"{marker} event", "mood": 3},
        acting_user=therapist,
    )
    trigger = do_add_trigger(
        episode,
        {
            "trigger_type": "emotional",
            "description": f"{marker} trigger",
            "places": f"{marker} pub",
            "risk_level": "moderate",
            "coping_response": f"{marker} coping",
        },
        acting_user=therapist,
    )
    do_save_formulation(episode, {"text": f"{marker} formulation"}, acting_user=therapist)
    area = do_add_problem_area(
        episode,
        {"kind": "role_dispute", "dispute_stage": "impasse", "dispute_with": person, "rationale": f"{marker} why"},
        acting_user=therapist,
    )
    goal = do_add_goal(area, {"description": f"{marker} goal", "evidence_kind": "behaviour"}, acting_user=therapist)
    do_save_contract(
        episode,
        {
            "sessions": 16,
            "session_minutes": 50,
            "frequency": "weekly",
            "start_date": today - dt.timedelta(days=21),
            "focus": f"{marker} focus",
        },
        modalities=[],
        acting_user=therapist,
    )
    session = TherapySession.objects.create(
        episode=episode,
        therapist=therapist,
        scheduled_start=at(today - dt.timedelta(days=2)),
        minutes=50,
        status=SessionStatus.ATTENDED,
        created_by=therapist,
    )
    TherapySession.objects.create(
        episode=episode,
        therapist=therapist,
        scheduled_start=at(today + dt.timedelta(days=5)),
        minutes=50,
        status=SessionStatus.SCHEDULED,
        created_by=therapist,
    )
    do_save_note_draft(
        session,
        {"interval_history": f"{marker}secret note", "mood": 4, "risk_review": "none"},
        acting_user=therapist,
    )
    incident = do_add_incident(
        session,
        {"person": person, "what_happened": f"{marker} incident", "affect": "angry", "communication_analysis": ""},
        acting_user=therapist,
    )
    do_sign_note(session, signature=therapist.full_name, acting_user=therapist)
    phq9 = {str(n): 2 for n in range(1, 9)} | {"9": 1}
    administration = do_record_administration(client, "PHQ-9", phq9, acting_user=therapist, notify=False)
    alert = Alert.objects.filter(client=client).first()
    assert alert is not None, "an item-9 answer raises a safety alert"
    link, _url = do_create_link(client, "GAD-7", acting_user=therapist, base_url="http://testserver")
    no_use = (SubstanceEntry("alcohol", used=False),)
    do_record_use_days(
        client,
        [DayEntry(today - dt.timedelta(days=n), DayStatus.NO_USE, no_use) for n in range(3, 10)],
        acting_user=therapist,
        notify=False,
    )
    do_record_check_in(
        client, {"date": today - dt.timedelta(days=1), "used": False, "mood": 6}, acting_user=therapist, notify=False
    )
    relapse = do_start_plan_version("relapse_prevention", episode, acting_user=therapist)
    do_save_plan_section(relapse, "reasons", [f"{marker} reason"], acting_user=therapist)
    safety = do_start_plan_version("safety", episode, acting_user=therapist)
    do_save_plan_section(safety, "warning_signs", [f"{marker} warning sign"], acting_user=therapist)
    consent = do_record_consent(
        client, consent_values(marker, client), consent_recipients(marker), acting_user=therapist
    )
    disclosure = do_record_disclosure(
        client,
        recipient=Recipient(name=f"{marker}recipient Reyes", organization=f"{marker} Valley Clinic"),
        purpose="treatment",
        categories=["treatment_plan"],
        document=f"{marker} plan, version 1",
        channel=Disclosure.Channel.PRINT,
        acting_user=therapist,
    )
    group, group_member, group_session, pre_group = _group(marker, organization, site, therapist, today)
    counselling_note = CounsellingNote.objects.create(
        client=client, author=therapist, held_on=today - dt.timedelta(days=2), text=f"{marker} counselling words"
    )
    # An emergency access that has ended: the ids exist, but it opens nothing any more.
    grant = EmergencyAccess.objects.create(
        organization=organization,
        client=client,
        user=staffer,
        reason="safety",
        justification=f"{marker} justification",
        started_at=timezone.now() - dt.timedelta(days=3),
        expires_at=timezone.now() - dt.timedelta(days=3) + dt.timedelta(hours=4),
        ended_at=timezone.now() - dt.timedelta(days=3) + dt.timedelta(hours=1),
        ended_by=staffer,
    )
    data = OrgData(
        marker=marker,
        organization=organization,
        site=site,
        staffer=staffer,
        token=token,
        client=client,
        member=member,
        person=person,
        episode=episode,
        entry=entry,
        event=event,
        trigger=trigger,
        area=area,
        goal=goal,
        session=session,
        pre_group_session=pre_group,
        incident=incident,
        administration=administration,
        alert=alert,
        link=link,
        consent=consent,
        disclosure=disclosure,
        group=group,
        group_member=group_member,
        group_session=group_session,
        counselling_note=counselling_note,
        grant=grant,
    )
    data.recipient_token = _recipient_token(marker, client, therapist)
    return data


def _recipient_token(marker: str, client: Client, therapist: User) -> Any:
    """A token for the consent's recipient, made directly: the release app is new and its actions still change."""
    if not apps.is_installed("iptcare.release"):
        return None
    model = apps.get_model("release", "RecipientToken")
    raw = f"rcp_{marker}-token-for-the-crawl"
    return model.objects.create(
        organization_id=client.organization_id,
        client=client,
        recipient_name=f"{marker}recipient Reyes",
        recipient_organization=f"{marker} Valley Clinic",
        purpose="treatment",
        categories=["treatment_plan"],
        token_digest=model.digest(raw),
        token_hint=raw[:8],
        created_by=therapist,
        expires_at=timezone.now() + dt.timedelta(days=7),
    )


def consent_values(marker: str, client: Client) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "kind": "single",
        "discloser_kind": "program",
        "named_disclosers": [],
        "categories": ["treatment_plan", "attendance"],
        "information_description": f"{marker} information about my plan",
        "recipient_classes": [],
        "purposes": ["treatment"],
        "purpose_other": "",
        "court_order_reference": "",
        "effective_from": None,
        "expiry_kind": "date",
        "expires_on": today + dt.timedelta(days=180),
        "signer_kind": "client",
        "signer_name": client.legal_name,
        "representative_relationship": "",
        "signed_on": today,
        "acknowledged_statements": [],
    }


def consent_recipients(marker: str) -> list[dict[str, Any]]:
    return [
        {
            "kind": "person",
            "name": f"{marker}recipient Reyes",
            "organization": f"{marker} Valley Clinic",
            "participants": [],
            "participants_are_treating_providers": False,
        }
    ]


def _group(
    marker: str, organization: Organization, site: Site, therapist: User, today: dt.date
) -> tuple[TherapyGroup, GroupMember, GroupSession, TherapySession]:
    """A group that met twice; a member with notes. The member is a second client of the therapist."""
    first = today - dt.timedelta(days=14)
    group = do_create_group(
        organization.pk,
        {
            "name": f"{marker} group",
            "site": site,
            "facilitator": therapist,
            "co_facilitator": None,
            "weekday": first.weekday(),
            "start_time": dt.time(15, 0),
            "session_minutes": 90,
            "capacity": 8,
            "start_date": first,
        },
        acting_user=therapist,
    )
    member_client = do_create_client(
        organization=organization,
        data={
            # No marker in this identifier: the crawl types it into search and filter boxes, which show it back.
            "identifier": f"{marker[3:].upper()}-0002",
            "given_name": f"{marker}groupgiven",
            "family_name": f"{marker}groupfamily",
            "date_of_birth": dt.date(1991, 1, 1),
            "sex_at_birth": "male",
            "site": site,
            "status": "active",
            "status_since": today - dt.timedelta(days=30),
        },
        primary_therapist=therapist,
        acting_user=therapist,
    )
    member = do_add_member(
        group,
        member_client,
        problem_area="role_transition",
        goal=f"{marker} group goal",
        joined_on=first - dt.timedelta(days=7),
        acting_user=therapist,
    )
    do_generate_group_sessions(group, acting_user=therapist)
    session = GroupSession.objects.filter(group=group).order_by("scheduled_start").first()
    assert session is not None and session.scheduled_start < timezone.now()
    do_record_attendance(session, {member.pk: "attended"}, acting_user=therapist)
    do_save_group_note_draft(session, {"worked_on": f"{marker} group work"}, acting_user=therapist)
    do_save_member_note(session, member, {"worked_on": f"{marker} member work", "mood": 5}, acting_user=therapist)
    pre_group = TherapySession.objects.create(
        episode=member.episode,
        therapist=therapist,
        scheduled_start=at(first - dt.timedelta(days=3)),
        minutes=50,
        status=SessionStatus.SCHEDULED,
        kind=SessionKind.PRE_GROUP_MEETING,
        created_by=therapist,
    )
    return group, member, session, pre_group
