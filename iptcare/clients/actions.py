"""Every change to clients, care teams and people goes through these functions.

Each runs in one transaction and writes its audit event in it, so a change and its record stand or fall together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.accounts.models import Role
from iptcare.audit.events import diff_fields, record_event
from iptcare.audit.models import EventType
from iptcare.clients.models import (
    CareTeamMember,
    Client,
    ClientStatusChange,
    Person,
    TeamRole,
)

if TYPE_CHECKING:
    from iptcare.accounts.models import Organization, User

CLIENT_FIELDS = (
    "identifier",
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "sex_at_birth",
    "gender_identity",
    "pronouns",
    "email",
    "phone",
    "address",
    "site",
    "status",
    "status_since",
    "primary_substances",
    "co_occurring_conditions",
)
PERSON_FIELDS = ("name", "relationship_type", "phone", "email", "is_support_contact", "notes")

# What a staff member is on a care team by profession. A person with several roles takes the first that
# applies in this order (a therapist who also supervises is the team's therapist).
_TEAM_ROLE_FOR_STAFF_ROLE = {
    Role.THERAPIST: TeamRole.THERAPIST,
    Role.COUNSELLOR: TeamRole.COUNSELLOR,
    Role.PHYSICIAN: TeamRole.PHYSICIAN,
    Role.SUPERVISOR: TeamRole.SUPERVISOR,
}


def _team_role_for(user: User) -> TeamRole | None:
    return next((team_role for role, team_role in _TEAM_ROLE_FOR_STAFF_ROLE.items() if role in user.roles), None)


def _values(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, f"{name}_id" if name == "site" else name) for name in fields}


@transaction.atomic
def do_create_client(
    *, organization: Organization, data: dict[str, Any], primary_therapist: User, acting_user: User
) -> Client:
    client = Client(organization=organization, **{k: data[k] for k in CLIENT_FIELDS if k in data})
    client.full_clean(exclude=["organization"])
    client.save()
    ClientStatusChange.objects.create(
        client=client, status=client.status, effective_on=client.status_since, changed_by=acting_user
    )
    CareTeamMember.objects.create(client=client, user=primary_therapist, team_role=TeamRole.PRIMARY_THERAPIST)
    creator_role = _team_role_for(acting_user)
    # A clinician who opens a record joins its care team; an admin doing intake does not.
    if creator_role and acting_user.pk != primary_therapist.pk:
        CareTeamMember.objects.create(client=client, user=acting_user, team_role=creator_role)
    record_event(
        EventType.CLIENT_CREATED,
        actor=acting_user,
        client=client,
        obj=client,
        changes=diff_fields({}, _values(client, CLIENT_FIELDS)),
        extra={"primary_therapist": primary_therapist.email},
    )
    return client


@transaction.atomic
def do_update_client(client: Client, data: dict[str, Any], *, acting_user: User) -> Client:
    # Read the stored row: a ModelForm has already copied the new values onto `client`.
    before = _values(Client.objects.select_for_update().get(pk=client.pk), CLIENT_FIELDS)
    for name in CLIENT_FIELDS:
        if name in data:
            setattr(client, name, data[name])
    if client.status != before["status"] and client.status_since == before["status_since"]:
        # A new status with the old status's date would misdate the history: it takes effect today.
        client.status_since = timezone.localdate()
    changes = diff_fields(before, _values(client, CLIENT_FIELDS))
    if not changes:
        return client
    client.updated_at = timezone.now()
    client.save(update_fields=[*(f for f in CLIENT_FIELDS if f in changes), "updated_at"])
    if "status" in changes:
        ClientStatusChange.objects.create(
            client=client, status=client.status, effective_on=client.status_since, changed_by=acting_user
        )
    elif "status_since" in changes:
        # Only the date of the current status was corrected: correct its history entry, do not add one.
        latest = client.status_changes.order_by("-id").first()
        if latest is not None and latest.status == client.status:
            latest.effective_on = client.status_since
            latest.save(update_fields=["effective_on"])
    record_event(EventType.CLIENT_UPDATED, actor=acting_user, client=client, obj=client, changes=changes)
    return client


@transaction.atomic
def do_add_care_team_member(client: Client, user: User, team_role: str, *, acting_user: User) -> CareTeamMember:
    if team_role == TeamRole.PRIMARY_THERAPIST:
        _demote_current_primary(client, acting_user=acting_user)
    member = CareTeamMember.objects.create(client=client, user=user, team_role=team_role)
    record_event(
        EventType.CARE_TEAM_MEMBER_ADDED,
        actor=acting_user,
        client=client,
        obj=member,
        extra={"member": user.email, "team_role": team_role},
    )
    return member


@transaction.atomic
def do_change_care_team_role(member: CareTeamMember, team_role: str, *, acting_user: User) -> CareTeamMember:
    old_role = member.team_role
    if old_role == team_role:
        return member
    if team_role == TeamRole.PRIMARY_THERAPIST:
        _demote_current_primary(member.client, acting_user=acting_user)
    member.team_role = team_role
    member.save(update_fields=["team_role"])
    record_event(
        EventType.CARE_TEAM_MEMBER_UPDATED,
        actor=acting_user,
        client=member.client,
        obj=member,
        changes={"team_role": [old_role, team_role]},
        extra={"member": member.user.email},
    )
    return member


def _demote_current_primary(client: Client, *, acting_user: User) -> None:
    """A client has one primary therapist: naming a new one makes the previous one a therapist."""
    current = (
        CareTeamMember.objects.filter(client=client, team_role=TeamRole.PRIMARY_THERAPIST)
        .select_related("user")
        .first()
    )
    if current is None:
        return
    # They stay on the team in their own profession's role: a counsellor becomes the team's counsellor.
    current.team_role = _team_role_for(current.user) or TeamRole.THERAPIST
    current.save(update_fields=["team_role"])
    record_event(
        EventType.CARE_TEAM_MEMBER_UPDATED,
        actor=acting_user,
        client=client,
        obj=current,
        changes={"team_role": [TeamRole.PRIMARY_THERAPIST.value, current.team_role]},
        extra={"member": current.user.email},
    )


@transaction.atomic
def do_remove_care_team_member(member: CareTeamMember, *, acting_user: User) -> None:
    if member.team_role == TeamRole.PRIMARY_THERAPIST:
        raise ValidationError(_("Make someone else the primary therapist before removing this one."))
    record_event(
        EventType.CARE_TEAM_MEMBER_REMOVED,
        actor=acting_user,
        client=member.client,
        obj=member,
        extra={"member": member.user.email, "team_role": member.team_role},
    )
    member.delete()


@transaction.atomic
def do_add_person(client: Client, data: dict[str, Any], *, acting_user: User) -> Person:
    person = Person(client=client, **{k: data[k] for k in PERSON_FIELDS if k in data})
    person.full_clean()
    person.save()
    record_event(
        EventType.PERSON_ADDED,
        actor=acting_user,
        client=client,
        obj=person,
        changes=diff_fields({}, _values(person, PERSON_FIELDS)),
    )
    return person


@transaction.atomic
def do_update_person(person: Person, data: dict[str, Any], *, acting_user: User) -> Person:
    before = _values(Person.objects.select_for_update().get(pk=person.pk), PERSON_FIELDS)
    for name in PERSON_FIELDS:
        if name in data:
            setattr(person, name, data[name])
    changes = diff_fields(before, _values(person, PERSON_FIELDS))
    if not changes:
        return person
    person.updated_at = timezone.now()
    person.save(update_fields=[*changes, "updated_at"])
    record_event(EventType.PERSON_UPDATED, actor=acting_user, client=person.client, obj=person, changes=changes)
    return person


def record_client_read(event_type: EventType, client: Client, *, acting_user: User) -> None:
    """Reads of client data are audited too (HIPAA audit controls)."""
    record_event(event_type, actor=acting_user, client=client, obj=client)
