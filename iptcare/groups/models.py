"""Group IPT (WHO *Group Interpersonal Therapy (IPT) for Depression*, 2016; IPT-DOMAIN §1): a group with one or two
facilitators, its members with their pre-group individual meeting, problem area and goal, eight weekly sessions
with attendance, and for each session a group note and a short note per member.

A member's group sessions count in their own episode: recording attendance writes a TherapySession of kind
"group_session" in the member's group-format episode (iptcare/therapy), so that episode's numbering, held count and
missed-sessions alert include them. A signed group note is kept as signed by the database (triggers.py).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iptcare.accounts.models import ORGANIZATION_WIDE_ROLES
from iptcare.clients.models import Client, team_user_ids
from iptcare.encryption.fields import EncryptedTextField
from iptcare.therapy.models import MINUTES_RANGE

if TYPE_CHECKING:
    from iptcare.accounts.models import User

# WHO Group IPT: about 6 to 10 members (verify: IPT-DOMAIN §1 has it from a secondary source; check the WHO manual,
# 2016). Outside this range the pages warn; a group's own capacity is a hard limit on adding members.
RECOMMENDED_SIZE = (6, 10)
# What a program may set as a group's capacity.
CAPACITY_RANGE = (2, 16)
# WHO Group IPT: eight group sessions after the pre-group meeting (ipt.models.DEFAULT_SESSIONS[Format.GROUP]).
GROUP_SESSIONS = 8
# WHO Group IPT sessions last about 90 minutes (verify against the WHO manual, 2016).
DEFAULT_MINUTES = 90


class Weekday(models.IntegerChoices):
    """Numbered like Python's date.weekday(), so a date's weekday compares directly."""

    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class GroupStatus(models.TextChoices):
    FORMING = "forming", _("Forming")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# A group that still takes members and sessions.
ACTIVE_GROUP_STATUSES = (GroupStatus.FORMING, GroupStatus.RUNNING)


class TherapyGroupQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> TherapyGroupQuerySet:
        """The groups in `user`'s list. Directors and admins list the whole organization's groups (as they list
        its clients), without their members; everyone else lists the groups they may open."""
        if not _is_staff_in_an_organization(user):
            return self.none()
        if user.has_role(*ORGANIZATION_WIDE_ROLES):
            return self.filter(organization_id=user.organization_id)
        return self.openable_by(user)

    def openable_by(self, user: User) -> TherapyGroupQuerySet:
        """The groups `user` may open: those they facilitate, those a supervisee of theirs facilitates, and those
        with a member whose record they may open (iptcare/clients/access.py)."""
        if not _is_staff_in_an_organization(user):
            return self.none()
        team = team_user_ids(user)
        openable_member = GroupMember.objects.filter(
            group=OuterRef("pk"), client__in=Client.objects.openable_by(user).values("pk")
        )
        return self.filter(organization_id=user.organization_id).filter(
            Q(facilitator_id__in=team) | Q(co_facilitator_id__in=team) | Exists(openable_member)
        )

    def with_member_count(self) -> TherapyGroupQuerySet:
        """Each group with `member_count`: its members who have not left."""
        return self.annotate(member_count=Count("members", filter=Q(members__left_on__isnull=True)))


def _is_staff_in_an_organization(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.organization_id)


class TherapyGroup(models.Model):
    """An IPT group at one site: its facilitators, weekly day and time, session length, capacity and first date."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=120)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("facilitator")
    )
    co_facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("co-facilitator"),
    )
    weekday = models.PositiveSmallIntegerField(_("day of the week"), choices=Weekday.choices)
    start_time = models.TimeField(_("starts at"))
    session_minutes = models.PositiveSmallIntegerField(
        _("session length (minutes)"),
        default=DEFAULT_MINUTES,
        validators=[MinValueValidator(MINUTES_RANGE[0]), MaxValueValidator(MINUTES_RANGE[1])],
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        default=8,
        validators=[MinValueValidator(CAPACITY_RANGE[0]), MaxValueValidator(CAPACITY_RANGE[1])],
    )
    # The date of the first group session; it falls on `weekday`.
    start_date = models.DateField(_("first session"))
    status = models.CharField(_("status"), max_length=12, choices=GroupStatus.choices, default=GroupStatus.FORMING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = TherapyGroupQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "name", "id"]
        verbose_name = _("IPT group")
        constraints = [
            models.UniqueConstraint(
                models.F("organization"),
                Lower("name"),
                name="group_name_unique_per_organization",
                violation_error_message=_("This organization already has a group with that name."),
            ),
            models.CheckConstraint(
                condition=Q(co_facilitator__isnull=True) | ~Q(co_facilitator=models.F("facilitator")),
                name="group_co_facilitator_is_someone_else",
                violation_error_message=_("The co-facilitator is someone other than the facilitator."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=CAPACITY_RANGE[0], capacity__lte=CAPACITY_RANGE[1]),
                name="group_capacity_in_range",
                violation_error_message=_("A group takes 2 to 16 members."),
            ),
            models.CheckConstraint(
                condition=Q(session_minutes__gte=MINUTES_RANGE[0], session_minutes__lte=MINUTES_RANGE[1]),
                name="group_minutes_in_range",
                violation_error_message=_("A session lasts 15 to 180 minutes."),
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6),
                name="group_weekday_valid",
                violation_error_message=_("Choose a day of the week."),
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="group_org_status_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def facilitator_ids(self) -> set[int]:
        return {i for i in (self.facilitator_id, self.co_facilitator_id) if i is not None}

    @property
    def facilitators(self) -> list[User]:
        return [u for u in (self.facilitator, self.co_facilitator) if u is not None]

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_GROUP_STATUSES


class GroupMemberQuerySet(models.QuerySet):
    def current(self) -> GroupMemberQuerySet:
        """Members who have not left."""
        return self.filter(left_on__isnull=True)

    def present_on(self, day: dt.date) -> GroupMemberQuerySet:
        """Members of the group on `day`: joined by then, and not yet left (a member who left that day is gone)."""
        return self.filter(joined_on__lte=day).filter(Q(left_on__isnull=True) | Q(left_on__gt=day))


class GroupMember(models.Model):
    """A client in a group, through their group-format episode, with their problem area and goal for the group."""

    group = models.ForeignKey(TherapyGroup, on_delete=models.PROTECT, related_name="members")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    # The client's episode with format "group": the pre-group meeting and their group sessions are its sessions.
    episode = models.ForeignKey("ipt.Episode", on_delete=models.PROTECT, related_name="+")
    # Short text, pre-filled from the episode's formulation when it has one.
    problem_area = models.CharField(_("problem area for the group"), max_length=200, blank=True)
    goal = models.CharField(_("goal for the group"), max_length=300, blank=True)
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    leave_reason = models.TextField(_("reason for leaving"), blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = GroupMemberQuerySet.as_manager()

    class Meta:
        ordering = ["group", "joined_on", "id"]
        verbose_name = _("group member")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "client"],
                condition=Q(left_on__isnull=True),
                name="group_member_once_per_group",
                violation_error_message=_("This client is already a member of the group."),
            ),
            # One episode, one group at a time: otherwise two groups' sessions would be counted in one course.
            models.UniqueConstraint(
                fields=["episode"],
                condition=Q(left_on__isnull=True),
                name="group_member_episode_in_one_group",
                violation_error_message=_("This episode is already in another group."),
            ),
            models.CheckConstraint(
                condition=(Q(left_on__isnull=True) & Q(leave_reason=""))
                | (Q(left_on__isnull=False) & ~Q(leave_reason="")),
                name="group_member_left_with_reason",
                violation_error_message=_("A member who left has the date and the reason."),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="group_member_leaves_after_joining",
                violation_error_message=_("A member leaves on or after the day they joined."),
            ),
        ]

    def __str__(self) -> str:
        return f"Member {self.pk} of group {self.group_id}"

    @property
    def has_left(self) -> bool:
        return self.left_on is not None


class GroupSessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class GroupCancelledBy(models.TextChoices):
    FACILITATOR = "facilitator", _("The facilitator")
    PROGRAM = "program", _("The program")


class GroupSession(models.Model):
    """One meeting of the group. Its number (1–8) and phase follow from the others, as an episode's sessions do:
    cancelled sessions have no number (selectors.numbered_sessions)."""

    group = models.ForeignKey(TherapyGroup, on_delete=models.PROTECT, related_name="sessions")
    scheduled_start = models.DateTimeField(_("starts at"))
    minutes = models.PositiveSmallIntegerField(
        _("length (minutes)"), validators=[MinValueValidator(MINUTES_RANGE[0]), MaxValueValidator(MINUTES_RANGE[1])]
    )
    # Held once its attendance is recorded.
    status = models.CharField(
        _("status"), max_length=12, choices=GroupSessionStatus.choices, default=GroupSessionStatus.SCHEDULED
    )
    # Only for a cancelled session: who called it off, and why.
    cancelled_by = models.CharField(_("cancelled by"), max_length=12, choices=GroupCancelledBy.choices, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["group", "scheduled_start", "id"]
        verbose_name = _("group session")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="cancelled") | (~Q(cancelled_by="") & ~Q(cancel_reason="")),
                name="group_session_cancelled_by_whom_and_why",
                violation_error_message=_("A cancelled session says who cancelled it and why."),
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled") | (Q(cancelled_by="") & Q(cancel_reason="")),
                name="group_session_cancellation_only_when_cancelled",
                violation_error_message=_("Only a cancelled session has a cancellation."),
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=MINUTES_RANGE[0], minutes__lte=MINUTES_RANGE[1]),
                name="group_session_minutes_in_range",
                violation_error_message=_("A session lasts 15 to 180 minutes."),
            ),
        ]
        indexes = [models.Index(fields=["group", "scheduled_start"], name="group_session_start_idx")]

    def __str__(self) -> str:
        return f"Group session at {timezone.localtime(self.scheduled_start):%Y-%m-%d %H:%M}"

    @property
    def ends_at(self) -> dt.datetime:
        return self.scheduled_start + dt.timedelta(minutes=self.minutes)

    @property
    def local_date(self) -> dt.date:
        return timezone.localdate(self.scheduled_start)

    @property
    def is_scheduled(self) -> bool:
        return self.status == GroupSessionStatus.SCHEDULED

    @property
    def has_started(self) -> bool:
        return self.scheduled_start <= timezone.now()


class AttendanceStatus(models.TextChoices):
    ATTENDED = "attended", _("Attended")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


class Attendance(models.Model):
    """Whether one member came to one group session. The member's episode holds the same fact as a session of
    kind "group_session": attended, missed (absent) or cancelled by the client (excused)."""

    session = models.ForeignKey(GroupSession, on_delete=models.PROTECT, related_name="attendance")
    member = models.ForeignKey(GroupMember, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "member"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member"],
                name="attendance_once_per_member_and_session",
                violation_error_message=_("This member's attendance is already recorded."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} (member {self.member_id}, session {self.session_id})"


class GroupNote(models.Model):
    """The note of one held group session: what the group worked on, its themes, the techniques used and the
    facilitator's observations. Signing locks it, with its member notes (triggers.py)."""

    session = models.OneToOneField(GroupSession, on_delete=models.PROTECT, related_name="note")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The free text of notes is encrypted at rest (docs/encryption.md).
    worked_on = EncryptedTextField(_("what the group worked on"), blank=True)
    themes = EncryptedTextField(_("themes"), blank=True)
    # therapy.models.Technique values: the same list as an individual session's note.
    techniques = models.JSONField(_("techniques used"), default=list, blank=True)
    # Set from `techniques` by the actions: a non-IPT technique flags the note for supervision.
    flagged_for_supervision = models.BooleanField(default=False)
    observations = EncryptedTextField(_("facilitator's observations"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # The typed signature, like a session note's, and who gave it when.
    signature = models.CharField(_("signature"), max_length=200, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("group note")
        constraints = [
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True) | (~Q(signature="") & Q(signed_by__isnull=False)),
                name="group_note_signed_with_name",
                violation_error_message=_("A signed note carries the typed name of who signed it."),
            )
        ]

    def __str__(self) -> str:
        return f"Note of group session {self.session_id}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    def technique_labels(self) -> list[tuple[str, bool]]:
        """(label, is it IPT) of each recorded technique, in the order of the list."""
        from iptcare.therapy.models import NON_IPT_TECHNIQUES, Technique

        return [(str(t.label), t not in NON_IPT_TECHNIQUES) for t in Technique if t.value in self.techniques]


class MemberNote(models.Model):
    """A short note about one member who attended: what they worked on, their mood and whether risk was noticed.
    Part of the group note: the database refuses adding, changing or removing one once that note is signed."""

    note = models.ForeignKey(GroupNote, on_delete=models.PROTECT, related_name="member_notes")
    member = models.ForeignKey(GroupMember, on_delete=models.PROTECT, related_name="+")
    worked_on = EncryptedTextField(_("what they worked on"), blank=True)
    mood = models.PositiveSmallIntegerField(_("mood (0–10)"), null=True, blank=True, validators=[MaxValueValidator(10)])
    risk_flag = models.BooleanField(_("risk noticed"), default=False)
    risk_notes = EncryptedTextField(_("risk: what was noticed and done"), blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["note", "member"]
        verbose_name = _("member note")
        constraints = [
            models.UniqueConstraint(
                fields=["note", "member"],
                name="member_note_once_per_member",
                violation_error_message=_("This member already has a note for this session."),
            ),
            models.CheckConstraint(
                condition=Q(mood__isnull=True) | Q(mood__lte=10),
                name="member_note_mood_0_to_10",
                violation_error_message=_("Mood is 0 to 10."),
            ),
            models.CheckConstraint(
                condition=Q(risk_flag=False) | ~Q(risk_notes=""),
                name="member_note_risk_has_notes",
                violation_error_message=_("A risk noticed needs a note of what was noticed and done."),
            ),
        ]

    def __str__(self) -> str:
        return f"Note of member {self.member_id} in group note {self.note_id}"
