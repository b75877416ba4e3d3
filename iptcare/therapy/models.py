"""The sessions of an IPT episode and their notes (IPT-DOMAIN §1, §3).

A session is scheduled, then attended, cancelled or missed. An attended session has one note: a draft until the
therapist signs it, then locked (a database trigger refuses changes, see triggers.py); corrections are amendments
that keep the original. Sessions are numbered by numbering.py, never stored: the number follows from the others.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iptcare.encryption.fields import EncryptedCharField, EncryptedTextField
from iptcare.ipt.models import DisputeStage

# The same bounds as an episode's and a contract's session length.
MINUTES_RANGE = (15, 180)


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    ATTENDED = "attended", _("Attended")
    CANCELLED = "cancelled", _("Cancelled")
    MISSED = "missed", _("Missed (no-show)")


class SessionKind(models.TextChoices):
    """The kinds of session that are scheduled one by one, on the therapy pages and through its API."""

    SESSION = "session", _("IPT session")
    PRE_GROUP_MEETING = "pre_group_meeting", _("Pre-group individual meeting")
    BOOSTER = "booster", _("Booster session")


# A member's place in one session of their IPT group (iptcare/groups). It is not a SessionKind, so the therapy pages
# and API never schedule one: recording the group's attendance creates it, pointing at the group session.
GROUP_SESSION = "group_session"
KIND_CHOICES = [*SessionKind.choices, (GROUP_SESSION, _("Group IPT session"))]
# The sessions of the contracted course: numbered, and counted as held (numbering.py). A group-format episode's
# course is its group sessions (IPT-DOMAIN §1: pre-group meeting + 8 group sessions).
NUMBERED_KINDS = (SessionKind.SESSION, GROUP_SESSION)


class CancelledBy(models.TextChoices):
    CLIENT = "client", _("The client")
    THERAPIST = "therapist", _("The therapist")
    PROGRAM = "program", _("The program")


class TherapySessionQuerySet(models.QuerySet):
    def with_numbers(self) -> TherapySessionQuerySet:
        from iptcare.therapy.numbering import annotate_numbers

        return annotate_numbers(self)


class TherapySession(models.Model):
    """One appointment of an episode: when, with whom, how long, and what became of it."""

    episode = models.ForeignKey("ipt.Episode", on_delete=models.PROTECT, related_name="sessions")
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("therapist")
    )
    scheduled_start = models.DateTimeField(_("starts at"))
    minutes = models.PositiveSmallIntegerField(
        _("length (minutes)"), validators=[MinValueValidator(MINUTES_RANGE[0]), MaxValueValidator(MINUTES_RANGE[1])]
    )
    status = models.CharField(
        _("status"), max_length=12, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    kind = models.CharField(_("kind"), max_length=20, choices=KIND_CHOICES, default=SessionKind.SESSION)
    # Only for a group session: the session of the group this row records the member's attendance of.
    group_session = models.ForeignKey(
        "ipt_groups.GroupSession", on_delete=models.PROTECT, null=True, blank=True, related_name="member_sessions"
    )
    # Only for a cancelled session: who called it off, and why.
    cancelled_by = models.CharField(_("cancelled by"), max_length=12, choices=CancelledBy.choices, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = TherapySessionQuerySet.as_manager()

    class Meta:
        ordering = ["scheduled_start", "id"]
        verbose_name = _("session")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="cancelled") | (~Q(cancelled_by="") & ~Q(cancel_reason="")),
                name="session_cancelled_by_whom_and_why",
                violation_error_message=_("A cancelled session says who cancelled it and why."),
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled") | (Q(cancelled_by="") & Q(cancel_reason="")),
                name="session_cancellation_only_when_cancelled",
                violation_error_message=_("Only a cancelled session has a cancellation."),
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=MINUTES_RANGE[0], minutes__lte=MINUTES_RANGE[1]),
                name="session_minutes_in_range",
                violation_error_message=_("A session lasts 15 to 180 minutes."),
            ),
            models.CheckConstraint(
                condition=(Q(kind=GROUP_SESSION) & Q(group_session__isnull=False))
                | (~Q(kind=GROUP_SESSION) & Q(group_session__isnull=True)),
                name="session_group_kind_has_group_session",
                violation_error_message=_("A group session names the session of the group, and only it does."),
            ),
            models.UniqueConstraint(
                fields=["episode", "group_session"],
                condition=Q(group_session__isnull=False),
                name="session_once_per_group_session",
                violation_error_message=_("The member's attendance of this group session is already recorded."),
            ),
        ]
        indexes = [
            # The therapist's day and week views, and the calendar feed.
            models.Index(fields=["therapist", "scheduled_start"], name="session_therapist_start_idx"),
            # The episode's list, its numbering and the missed-in-a-row check.
            models.Index(fields=["episode", "scheduled_start"], name="session_episode_start_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {timezone.localtime(self.scheduled_start):%Y-%m-%d %H:%M}"

    @property
    def ends_at(self) -> dt.datetime:
        return self.scheduled_start + dt.timedelta(minutes=self.minutes)

    @property
    def is_scheduled(self) -> bool:
        return self.status == SessionStatus.SCHEDULED

    @property
    def has_started(self) -> bool:
        return self.scheduled_start <= timezone.now()


# ---------------------------------------------------------------------------------------------------- notes


class Technique(models.TextChoices):
    """The techniques of IPT-DOMAIN §3, then the three that are not IPT (recorded, and flagged for supervision)."""

    EXPLORATORY = "exploratory", _("Exploratory techniques")
    ENCOURAGEMENT_OF_AFFECT = "encouragement_of_affect", _("Encouragement of affect")
    CLARIFICATION = "clarification", _("Clarification")
    COMMUNICATION_ANALYSIS = "communication_analysis", _("Communication analysis")
    THERAPEUTIC_RELATIONSHIP = "therapeutic_relationship", _("Use of the therapeutic relationship")
    DECISION_ANALYSIS = "decision_analysis", _("Decision analysis")
    ROLE_PLAY = "role_play", _("Role play")
    HOMEWORK = "homework", _("Homework (work at home)")
    TRANSFERENCE_INTERPRETATION = "transference_interpretation", _("Transference interpretation (not IPT)")
    DREAM_INTERPRETATION = "dream_interpretation", _("Dream interpretation (not IPT)")
    COGNITIVE_RESTRUCTURING = "cognitive_restructuring", _("Cognitive restructuring as the main target (not IPT)")


# Not IPT (IPT-DOMAIN §3, §9 "no non-IPT techniques"): a note recording one is flagged for supervision.
NON_IPT_TECHNIQUES = frozenset(
    {Technique.TRANSFERENCE_INTERPRETATION, Technique.DREAM_INTERPRETATION, Technique.COGNITIVE_RESTRUCTURING}
)


class RiskReview(models.TextChoices):
    NONE = "none", _("No risk indicators")
    LOW = "low", _("Reviewed: low risk")
    MODERATE = "moderate", _("Reviewed: moderate risk")
    HIGH = "high", _("Reviewed: high risk")


# A risk level that needs its reasons written down.
RISK_NEEDING_NOTES = frozenset({RiskReview.MODERATE, RiskReview.HIGH})


class SessionNoteQuerySet(models.QuerySet):
    def flagged_for_supervision(self) -> SessionNoteQuerySet:
        return self.filter(flagged_for_supervision=True)


class SessionNote(models.Model):
    """The note of one attended session. Signing locks it: the database refuses any change of its content, and
    refuses deleting it at all. Later corrections are NoteAmendment rows."""

    session = models.OneToOneField(TherapySession, on_delete=models.PROTECT, related_name="note")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # "Since we last met": events since the last session, linked to mood and use (IPT-DOMAIN §3).
    # The free text of a note is encrypted at rest (docs/encryption.md).
    interval_history = EncryptedTextField(_("since we last met"), blank=True)
    mood = models.PositiveSmallIntegerField(
        _("mood since the last session (0–10)"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    use_days = models.PositiveSmallIntegerField(_("days of use since the last session"), null=True, blank=True)
    use_summary = EncryptedCharField(_("use since the last session"), max_length=300, blank=True)
    # Where the starting values of mood and use came from (check-ins, the use calendar), in words; "" when typed.
    prefill_source = models.CharField(max_length=300, blank=True)
    problem_area = models.ForeignKey(
        "ipt.ProblemArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("problem-area focus"),
    )
    # Only when the focus is a role dispute.
    dispute_stage = models.CharField(_("dispute stage"), max_length=20, choices=DisputeStage.choices, blank=True)
    # Technique values.
    techniques = models.JSONField(_("techniques used"), default=list, blank=True)
    # Set from `techniques` by the actions, so supervisors can filter on it.
    flagged_for_supervision = models.BooleanField(default=False)
    homework_reviewed = EncryptedTextField(_("homework reviewed"), blank=True)
    homework_set = EncryptedTextField(_("homework set"), blank=True)
    risk_review = models.CharField(_("risk review"), max_length=10, choices=RiskReview.choices, blank=True)
    risk_notes = EncryptedTextField(_("risk: what was found and done"), blank=True)
    next_session_plan = EncryptedTextField(_("plan for the next session"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # The typed signature, like the contract's, and who gave it when.
    signature = models.CharField(_("signature"), max_length=200, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    # Decided when the note is signed, from the organization's setting and the author's supervision: a later
    # change of the setting does not change what an existing note needed.
    cosign_required = models.BooleanField(default=False)
    cosignature = models.CharField(_("co-signature"), max_length=200, blank=True)
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cosigned_at = models.DateTimeField(null=True, blank=True)

    objects = SessionNoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("session note")
        constraints = [
            models.CheckConstraint(
                condition=Q(mood__isnull=True) | Q(mood__lte=10),
                name="session_note_mood_0_to_10",
                violation_error_message=_("Mood is 0 to 10."),
            ),
            models.CheckConstraint(
                condition=~Q(risk_review__in=["moderate", "high"]) | ~Q(risk_notes=""),
                name="session_note_risk_has_notes",
                violation_error_message=_("A moderate or high risk needs a note of what was found and done."),
            ),
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True) | (~Q(signature="") & Q(signed_by__isnull=False)),
                name="session_note_signed_with_name",
                violation_error_message=_("A signed note carries the typed name of who signed it."),
            ),
            models.CheckConstraint(
                condition=Q(cosigned_at__isnull=True) | Q(signed_at__isnull=False),
                name="session_note_cosigned_after_signing",
                violation_error_message=_("A note is co-signed only after it is signed."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["flagged_for_supervision", "signed_at"],
                condition=Q(flagged_for_supervision=True),
                name="session_note_flagged_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Note of session {self.session_id}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def awaiting_cosignature(self) -> bool:
        return self.is_signed and self.cosign_required and self.cosigned_at is None

    def technique_labels(self) -> list[tuple[str, bool]]:
        """(label, is it IPT) of each recorded technique, in the order of the list."""
        return [(str(t.label), t not in NON_IPT_TECHNIQUES) for t in Technique if t.value in self.techniques]


class InterpersonalIncident(models.Model):
    """An interpersonal incident discussed in the session, with the person it involved. Part of the note: the
    database refuses adding, changing or removing one once the note is signed."""

    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="incidents")
    person = models.ForeignKey(
        "clients.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person involved")
    )
    what_happened = EncryptedTextField(_("what happened"))
    affect = models.CharField(_("feelings (affect)"), max_length=300, blank=True)
    communication_analysis = EncryptedTextField(
        _("communication analysis"),
        blank=True,
        help_text=_("What was said and meant on each side, what was hoped for, what could be said differently."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["note", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(what_happened=""),
                name="incident_says_what_happened",
                violation_error_message=_("Say what happened."),
            )
        ]

    def __str__(self) -> str:
        return f"Incident with {self.person}"


class AmendableField(models.TextChoices):
    """The parts of a signed note that an amendment can add to."""

    INTERVAL_HISTORY = "interval_history", _("Since we last met")
    MOOD = "mood", _("Mood since the last session")
    USE = "use", _("Use since the last session")
    PROBLEM_AREA = "problem_area", _("Problem-area focus and dispute stage")
    TECHNIQUES = "techniques", _("Techniques used")
    INCIDENTS = "incidents", _("Interpersonal incidents")
    HOMEWORK = "homework", _("Homework")
    RISK = "risk", _("Risk review")
    NEXT_SESSION_PLAN = "next_session_plan", _("Plan for the next session")


class NoteAmendment(models.Model):
    """A correction or addition to a signed note, with its reason. The original stays as signed; amendments are
    kept as written (no UPDATE, no DELETE in the database)."""

    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="amendments")
    field = models.CharField(_("part of the note"), max_length=30, choices=AmendableField.choices)
    text = EncryptedTextField(_("amendment"))
    reason = EncryptedTextField(_("reason"))
    amended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amended_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["note", "amended_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(text="") & ~Q(reason=""),
                name="amendment_has_text_and_reason",
                violation_error_message=_("An amendment says what changes and why."),
            )
        ]

    def __str__(self) -> str:
        return f"Amendment of {self.get_field_display()} ({self.amended_at:%Y-%m-%d})"


# ---------------------------------------------------------------------------------------------------- settings


class NoteSettings(models.Model):
    """An organization's rules for session notes."""

    organization = models.OneToOneField("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    # A note by a therapist who has a clinical supervisor needs that supervisor's co-signature.
    require_cosign_for_supervised = models.BooleanField(
        _("Supervised therapists' notes need their supervisor's co-signature"), default=False
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("note settings")
        verbose_name_plural = _("note settings")

    def __str__(self) -> str:
        return f"Note settings of organization {self.organization_id}"

    @classmethod
    def for_organization(cls, organization_id: int) -> NoteSettings:
        """The stored settings, or the defaults (unsaved) when the organization never changed them."""
        return cls.objects.filter(organization_id=organization_id).first() or cls(organization_id=organization_id)


# ---------------------------------------------------------------------------------------------------- calendar feed


class CalendarFeedQuerySet(models.QuerySet):
    def active(self) -> CalendarFeedQuerySet:
        return self.filter(revoked_at__isnull=True)


class CalendarFeed(models.Model):
    """A therapist's secret calendar address (iCalendar). Like an API token, only its SHA-256 digest is stored and
    the address is shown once; revoking it makes the address answer 404."""

    PREFIX = "cal_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    # SHA-256 is enough: the token is 256 random bits, so there is nothing to brute-force.
    token_digest = models.CharField(max_length=64, unique=True)
    # The first characters, so a person can tell which address is which.
    token_hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="calendar_feed_one_active_per_user",
                violation_error_message=_("You already have a calendar address; revoke it first."),
            )
        ]

    def __str__(self) -> str:
        return f"Calendar feed {self.token_hint}…"

    @staticmethod
    def digest(raw_token: str) -> str:
        return hashlib.sha256(raw_token.encode()).hexdigest()

    @classmethod
    def new_raw_token(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)
