"""Clients, their care teams, and the people in their lives."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iptcare.accounts.models import ORGANIZATION_WIDE_ROLES, Role, Site, SupervisionLink
from iptcare.encryption.fields import EncryptedCharField, EncryptedEmailField, EncryptedTextField

if TYPE_CHECKING:
    from iptcare.accounts.models import User


class ClientStatus(models.TextChoices):
    REFERRED = "referred", _("Referred")
    ACTIVE = "active", _("Active")
    ON_HOLD = "on_hold", _("On hold")
    DISCHARGED = "discharged", _("Discharged")


class SexAtBirth(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    INTERSEX = "intersex", _("Intersex")
    UNKNOWN = "unknown", _("Not known or not disclosed")


class GenderIdentity(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")
    TRANSGENDER_WOMAN = "transgender_woman", _("Transgender woman")
    TRANSGENDER_MAN = "transgender_man", _("Transgender man")
    OTHER = "other", _("Another identity")
    UNDISCLOSED = "undisclosed", _("Prefers not to say")


class Substance(models.TextChoices):
    ALCOHOL = "alcohol", _("Alcohol")
    OPIOIDS = "opioids", _("Opioids")
    COCAINE = "cocaine", _("Cocaine")
    METHAMPHETAMINE = "methamphetamine", _("Methamphetamine and other stimulants")
    CANNABIS = "cannabis", _("Cannabis")
    SEDATIVES = "sedatives", _("Sedatives, hypnotics or anxiolytics")
    HALLUCINOGENS = "hallucinogens", _("Hallucinogens")
    INHALANTS = "inhalants", _("Inhalants")
    TOBACCO = "tobacco", _("Tobacco or nicotine")
    OTHER = "other", _("Other")


class Condition(models.TextChoices):
    DEPRESSION = "depression", _("Depression")
    ANXIETY = "anxiety", _("Anxiety disorder")
    PTSD = "ptsd", _("Post-traumatic stress disorder")
    BIPOLAR = "bipolar", _("Bipolar disorder")
    PSYCHOSIS = "psychosis", _("Psychotic disorder")
    ADHD = "adhd", _("ADHD")
    CHRONIC_PAIN = "chronic_pain", _("Chronic pain")
    OTHER = "other", _("Other")


class ClientQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ClientQuerySet:
        """The clients that appear in `user`'s lists. The one rule for lists; see docs/access.md.

        Directors and admins list the whole organization; everyone else lists the clients whose care team
        they are on, and supervisors also their supervisees' clients.
        """
        if not _is_staff_in_an_organization(user):
            return self.none()
        in_organization = self.filter(organization_id=user.organization_id)
        if user.has_role(*ORGANIZATION_WIDE_ROLES):
            return in_organization
        return in_organization.filter(on_care_team_of(team_user_ids(user)))

    def openable_by(self, user: User, *, write: bool = False) -> ClientQuerySet:
        """The clients whose record `user` may open (write=False) or change (write=True).

        Opening a record needs care-team membership, supervising someone on the team, or an active emergency
        ("break the glass") access of the user's own (iptcare/emergency/). Changing it needs membership itself:
        emergency access is read-only. Organization-wide roles get no exception here.
        """
        if not _is_staff_in_an_organization(user):
            return self.none()
        in_organization = self.filter(organization_id=user.organization_id)
        if write:
            return in_organization.filter(on_care_team_of([user.pk]))
        return in_organization.filter(on_care_team_of(team_user_ids(user)) | has_active_emergency_access(user))


def _is_staff_in_an_organization(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.organization_id)


def team_user_ids(user: User) -> list[int]:
    """The user and, for a supervisor, everyone they supervise: whose care teams count as theirs."""
    ids = [user.pk]
    if user.has_role(Role.SUPERVISOR):
        ids += list(SupervisionLink.objects.filter(supervisor=user).values_list("supervisee_id", flat=True))
    return ids


def on_care_team_of(user_ids: list[int]) -> Exists:
    return Exists(CareTeamMember.objects.filter(client=OuterRef("pk"), user_id__in=user_ids))


def has_active_emergency_access(user: User) -> Exists:
    """The client is open to `user` through an emergency access that has neither ended nor expired."""
    from iptcare.emergency.models import EmergencyAccess  # the emergency app builds on clients

    return Exists(EmergencyAccess.objects.active().filter(client=OuterRef("pk"), user_id=user.pk))


class Client(models.Model):
    """A person in treatment at one organization."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="clients")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="clients", verbose_name=_("site"))
    # The program's own record number, unique within the organization.
    identifier = models.CharField(_("client identifier"), max_length=40)
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    sex_at_birth = models.CharField(_("sex assigned at birth"), max_length=10, choices=SexAtBirth.choices)
    gender_identity = models.CharField(_("gender identity"), max_length=20, choices=GenderIdentity.choices, blank=True)
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    # Contact details are encrypted at rest (docs/encryption.md).
    email = EncryptedEmailField(_("e-mail"), max_length=254, blank=True)
    phone = EncryptedCharField(_("phone"), max_length=40, blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ClientStatus.choices, default=ClientStatus.REFERRED)
    # The date the current status took effect; earlier ones are in ClientStatusChange.
    status_since = models.DateField(_("status since"), default=timezone.localdate)
    # Lists of Substance and Condition values.
    primary_substances = models.JSONField(_("primary substances"), default=list, blank=True)
    co_occurring_conditions = models.JSONField(_("co-occurring conditions"), default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        constraints = [
            # Case-insensitive, like the form's check: "n-0001" and "N-0001" are the same record number.
            models.UniqueConstraint(
                F("organization"),
                Lower("identifier"),
                name="client_identifier_unique_per_organization",
                violation_error_message=_("Another client in this organization has this identifier."),
            )
        ]
        indexes = [
            models.Index(fields=["organization", "status"], name="client_org_status_idx"),
            models.Index(fields=["organization", "site"], name="client_org_site_idx"),
            models.Index(fields=["organization", "family_name", "given_name"], name="client_org_name_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.given_name
        return f"{first} {self.family_name}"

    @property
    def legal_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def substance_labels(self) -> list[str]:
        return [str(Substance(v).label) for v in self.primary_substances if v in Substance.values]

    def condition_labels(self) -> list[str]:
        return [str(Condition(v).label) for v in self.co_occurring_conditions if v in Condition.values]


class ClientStatusChange(models.Model):
    """Each status a client has had, with the date it took effect: referral, admission, holds, discharge."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=12, choices=ClientStatus.choices)
    effective_on = models.DateField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-effective_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} from {self.effective_on}"


class TeamRole(models.TextChoices):
    PRIMARY_THERAPIST = "primary_therapist", _("Primary therapist")
    THERAPIST = "therapist", _("Therapist")
    COUNSELLOR = "counsellor", _("Counsellor")
    PHYSICIAN = "physician", _("Physician")
    SUPERVISOR = "supervisor", _("Supervisor")
    OTHER = "other", _("Other team member")


class CareTeamMember(models.Model):
    """A staff member on a client's care team, with their part in it. Exactly one is the primary therapist."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="care_team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_teams")
    team_role = models.CharField(_("role on the team"), max_length=20, choices=TeamRole.choices)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["client", "team_role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "user"],
                name="care_team_member_unique",
                violation_error_message=_("This person is already on the care team."),
            ),
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(team_role="primary_therapist"),
                name="care_team_one_primary_therapist",
                violation_error_message=_("A client has exactly one primary therapist."),
            ),
        ]
        indexes = [models.Index(fields=["user", "client"], name="care_team_user_client_idx")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_team_role_display()})"


class RelationshipType(models.TextChoices):
    """Relationship types of the interpersonal inventory (IPT-DOMAIN §4)."""

    PARTNER = "partner", _("Partner or spouse")
    PARENT = "parent", _("Parent")
    CHILD = "child", _("Child")
    SIBLING = "sibling", _("Sibling")
    OTHER_FAMILY = "other_family", _("Other family")
    FRIEND = "friend", _("Friend")
    COWORKER = "coworker", _("Co-worker")
    SPONSOR = "sponsor", _("Sponsor or peer in recovery")
    USING_ASSOCIATE = "using_associate", _("Using associate")
    OTHER = "other", _("Other")


class Person(models.Model):
    """Someone in the client's life. The inventory, triggers and plans of later phases point at these."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="people")
    # Clients often prefer an alias ("my sister", "J.") to a full name.
    name = models.CharField(_("name or alias"), max_length=120)
    relationship_type = models.CharField(_("relationship"), max_length=20, choices=RelationshipType.choices)
    phone = EncryptedCharField(_("phone"), max_length=40, blank=True)
    email = EncryptedEmailField(_("e-mail"), max_length=254, blank=True)
    is_support_contact = models.BooleanField(_("support contact"), default=False)
    notes = EncryptedTextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["client", "name", "id"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                F("client"),
                Lower("name"),
                name="person_name_unique_per_client",
                violation_error_message=_("This client already has someone recorded with that name."),
            )
        ]

    def __str__(self) -> str:
        return self.name
