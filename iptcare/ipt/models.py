"""The IPT episode: its format and contract, the assessment, the interpersonal inventory, the timeline, triggers,
the formulation with its problem areas and goals (IPT-DOMAIN §1–4).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iptcare.encryption.fields import EncryptedTextField


class Format(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual (12–16 sessions)")
    BRIEF = "brief", _("Brief (8 sessions)")
    GROUP = "group", _("Group (pre-group meeting + 8 sessions)")
    MAINTENANCE = "maintenance", _("Maintenance (monthly)")


# Sessions planned by default, and the last session of the initial phase (IPT-DOMAIN §1: Weissman/Markowitz/
# Klerman for individual IPT, 1–3; Swartz IPT-B, 1–2; WHO Group IPT, session 1; maintenance has no initial phase).
DEFAULT_SESSIONS = {Format.INDIVIDUAL: 12, Format.BRIEF: 8, Format.GROUP: 8, Format.MAINTENANCE: 12}
INITIAL_PHASE_LAST_SESSION = {Format.INDIVIDUAL: 3, Format.BRIEF: 2, Format.GROUP: 1, Format.MAINTENANCE: 0}
SESSION_RANGE = {Format.INDIVIDUAL: (12, 16), Format.BRIEF: (8, 9), Format.GROUP: (8, 8), Format.MAINTENANCE: (1, 52)}


class EpisodeStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ASSESSMENT = "assessment", _("Assessment (initial phase)")
    TREATMENT = "treatment", _("Treatment (middle phase)")
    CLOSURE = "closure", _("Closure (termination phase)")
    COMPLETED = "completed", _("Completed")
    DROPPED_OUT = "dropped_out", _("Dropped out")
    TRANSFERRED = "transferred", _("Transferred")


OPEN_STATUSES = (EpisodeStatus.PLANNED, EpisodeStatus.ASSESSMENT, EpisodeStatus.TREATMENT, EpisodeStatus.CLOSURE)


class Episode(models.Model):
    """One course of IPT for one client."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="episodes")
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    primary_therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("primary therapist")
    )
    # Fixed in the contract; changed only through a recorded Renegotiation.
    planned_sessions = models.PositiveSmallIntegerField(_("planned sessions"))
    session_minutes = models.PositiveSmallIntegerField(
        _("session length (minutes)"), default=50, validators=[MinValueValidator(15), MaxValueValidator(180)]
    )
    start_date = models.DateField(_("start date"), default=timezone.localdate)
    status = models.CharField(
        _("status"), max_length=20, choices=EpisodeStatus.choices, default=EpisodeStatus.ASSESSMENT
    )
    # The end of treatment raised with the client: prompted from session N−4, due by N−2 (IPT-DOMAIN §1).
    termination_raised_on = models.DateField(_("termination raised with the client on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "format"],
                condition=Q(status__in=["planned", "assessment", "treatment", "closure"]),
                name="episode_one_open_per_client_and_format",
                violation_error_message=_("This client already has an open episode in this format."),
            ),
            models.CheckConstraint(
                condition=Q(planned_sessions__gte=1),
                name="episode_planned_sessions_positive",
                violation_error_message=_("An episode plans at least one session."),
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="episode_org_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_format_display()} from {self.start_date}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def initial_phase_last_session(self) -> int:
        return INITIAL_PHASE_LAST_SESSION[Format(self.format)]


class EpisodeStatusChange(models.Model):
    """Each status the episode has had."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=20, choices=EpisodeStatus.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} at {self.changed_at:%Y-%m-%d}"


class Renegotiation(models.Model):
    """A change to the number of sessions, agreed with the client and recorded with its reason (IPT-DOMAIN §1)."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="renegotiations")
    old_sessions = models.PositiveSmallIntegerField()
    new_sessions = models.PositiveSmallIntegerField()
    reason = models.TextField(_("reason"))
    agreed_on = models.DateField(_("agreed on"), default=timezone.localdate)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""), name="renegotiation_has_reason", violation_error_message=_("Give the reason.")
            )
        ]

    def __str__(self) -> str:
        return f"{self.old_sessions} → {self.new_sessions} sessions"


# ---------------------------------------------------------------------------------------------------- assessment


class Route(models.TextChoices):
    ORAL = "oral", _("Oral")
    SMOKED = "smoked", _("Smoked or vaped")
    INTRANASAL = "intranasal", _("Intranasal")
    INJECTED = "injected", _("Injected")
    OTHER = "other", _("Other")


class SubstanceHistory(models.Model):
    """The use history of one substance, taken at assessment."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="substance_histories")
    substance = models.CharField(_("substance"), max_length=20)  # a clients.models.Substance value
    age_at_first_use = models.PositiveSmallIntegerField(
        _("age at first use"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    pattern = EncryptedTextField(_("pattern of use"), blank=True)
    last_use = models.DateField(_("last use"), null=True, blank=True)
    route = models.CharField(_("route"), max_length=20, choices=Route.choices, blank=True)
    prior_treatment = EncryptedTextField(_("prior treatment"), blank=True)
    overdoses = models.PositiveSmallIntegerField(_("overdoses"), default=0)

    class Meta:
        ordering = ["episode", "substance"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "substance"],
                name="substance_history_one_per_substance",
                violation_error_message=_("This substance already has a history in this episode."),
            )
        ]

    def __str__(self) -> str:
        return self.substance_label

    @property
    def substance_label(self) -> str:
        from iptcare.clients.models import Substance

        return str(Substance(self.substance).label) if self.substance in Substance.values else self.substance


class Assessment(models.Model):
    """The rest of the history taken in the initial phase."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="assessment")
    mental_health_history = EncryptedTextField(_("mental health history"), blank=True)
    medical_conditions = EncryptedTextField(_("medical conditions"), blank=True)
    # Recorded by a physician (the form offers the field to physicians only).
    medications = EncryptedTextField(_("medications"), blank=True)
    housing = EncryptedTextField(_("housing"), blank=True)
    work = EncryptedTextField(_("work"), blank=True)
    legal = EncryptedTextField(_("legal"), blank=True)
    children = EncryptedTextField(_("children"), blank=True)
    strengths = EncryptedTextField(_("strengths"), blank=True)
    # Initial-phase tasks (IPT-DOMAIN §1): the diagnosis given with psychoeducation and a severity measure (PHQ-9),
    # and the medication assessment, which is the physician's.
    diagnosis_explained_on = models.DateField(_("diagnosis and psychoeducation given on"), null=True, blank=True)
    medication_assessed_on = models.DateField(_("medication assessed on"), null=True, blank=True)
    medication_assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("medication assessed by"),
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Assessment of episode {self.episode_id}"

    @property
    def is_started(self) -> bool:
        return bool(self.mental_health_history or self.housing or self.work or self.strengths)


# ---------------------------------------------------------------------------------------------------- inventory


class Expectations(models.TextChoices):
    MET = "met", _("Met")
    PARTLY = "partly", _("Partly met")
    NOT_MET = "not_met", _("Not met")


class InventoryEntry(models.Model):
    """One important person in the interpersonal inventory, as of one date. A later entry for the same person
    supersedes it; earlier ones stay, so the closeness circle can be compared between dates (IPT-DOMAIN §4)."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="inventory")
    person = models.ForeignKey("clients.Person", on_delete=models.PROTECT, related_name="inventory_entries")
    recorded_on = models.DateField(_("as of"), default=timezone.localdate)
    # 1 = innermost ring.
    ring = models.PositiveSmallIntegerField(
        _("closeness ring"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    contact_frequency = models.CharField(_("how often in contact"), max_length=100, blank=True)
    good_things = EncryptedTextField(_("what is good"), blank=True)
    not_so_good = EncryptedTextField(_("what is not so good"), blank=True)
    can_talk_about = EncryptedTextField(_("what can be talked about"), blank=True)
    cannot_talk_about = EncryptedTextField(_("what cannot be talked about"), blank=True)
    client_expects = EncryptedTextField(_("what the client expects of them"), blank=True)
    they_expect = EncryptedTextField(_("what they expect of the client"), blank=True)
    expectations_met = models.CharField(_("expectations met"), max_length=10, choices=Expectations.choices, blank=True)
    conflict_pattern = EncryptedTextField(_("conflict pattern"), blank=True)
    knows_about_problems = models.BooleanField(_("knows about the client's problems"), null=True, blank=True)
    change_since_onset = EncryptedTextField(_("change since the problems began"), blank=True)
    uses_with_client = models.BooleanField(_("uses substances with the client"), default=False)
    supports_recovery = models.BooleanField(_("supports recovery"), default=False)
    part_in_triggers = EncryptedTextField(_("part in triggers"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["episode", "person", "-recorded_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "person", "recorded_on"],
                name="inventory_entry_one_per_person_per_date",
                violation_error_message=_("This person already has an entry on that date; edit it instead."),
            ),
            models.CheckConstraint(
                condition=Q(ring__gte=1, ring__lte=4),
                name="inventory_ring_1_to_4",
                violation_error_message=_("The ring is 1 (closest) to 4."),
            ),
        ]
        indexes = [models.Index(fields=["episode", "recorded_on"], name="inventory_episode_date_idx")]

    def __str__(self) -> str:
        return f"{self.person} (ring {self.ring}, {self.recorded_on})"


# ---------------------------------------------------------------------------------------------------- timeline


class EventType(models.TextChoices):
    ONSET = "onset", _("Problems began (onset)")
    DEATH = "death", _("Death")
    DISPUTE = "dispute", _("Dispute")
    ROLE_CHANGE = "role_change", _("Role change")
    MOVE = "move", _("Move")
    JOB = "job", _("Job")
    RELATIONSHIP_START = "relationship_start", _("Relationship began")
    RELATIONSHIP_END = "relationship_end", _("Relationship ended")
    USE_EPISODE = "use_episode", _("Episode of use")
    TREATMENT_ENTRY = "treatment_entry", _("Entered treatment")
    OTHER = "other", _("Other")


class UseChange(models.TextChoices):
    STARTED = "started", _("Started")
    MORE = "more", _("More")
    SAME = "same", _("No change")
    LESS = "less", _("Less")
    STOPPED = "stopped", _("Stopped")


class TimelineEvent(models.Model):
    """A life event on the client's timeline, against mood and use (IPT-DOMAIN §4)."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="timeline_events")
    episode = models.ForeignKey(
        Episode, on_delete=models.SET_NULL, null=True, blank=True, related_name="timeline_events"
    )
    date = models.DateField(_("date"))
    # The client remembers "summer 2019": the date is then the best guess.
    date_is_approximate = models.BooleanField(_("approximate date"), default=False)
    event_type = models.CharField(_("type"), max_length=20, choices=EventType.choices)
    title = models.CharField(_("what happened"), max_length=200)
    people = models.ManyToManyField("clients.Person", blank=True, related_name="timeline_events")
    mood = models.PositiveSmallIntegerField(_("mood (0–10)"), null=True, blank=True, validators=[MaxValueValidator(10)])
    use_change = models.CharField(_("change in use"), max_length=10, choices=UseChange.choices, blank=True)
    # Which substance the change was in; blank means use in general.
    substance = models.CharField(_("substance"), max_length=20, blank=True)  # a clients.models.Substance value
    note = EncryptedTextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["client", "date", "id"]
        indexes = [models.Index(fields=["client", "date"], name="timeline_client_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(mood__isnull=True) | Q(mood__lte=10),
                name="timeline_mood_0_to_10",
                violation_error_message=_("Mood is 0 to 10."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.title}"


# ---------------------------------------------------------------------------------------------------- triggers


class TriggerType(models.TextChoices):
    INTERPERSONAL = "interpersonal", _("Interpersonal")
    EMOTIONAL = "emotional", _("Emotional")
    ENVIRONMENTAL = "environmental", _("Environmental")
    PHYSICAL = "physical", _("Physical")
    HALT = "halt", _("HALT (hungry, angry, lonely, tired)")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MODERATE = "moderate", _("Moderate")
    HIGH = "high", _("High")


class Trigger(models.Model):
    """Something that raises the risk of use, linked to people, places and feelings; the relapse-prevention plan
    reuses it later."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="triggers")
    episode = models.ForeignKey(Episode, on_delete=models.SET_NULL, null=True, blank=True, related_name="triggers")
    trigger_type = models.CharField(_("type"), max_length=20, choices=TriggerType.choices)
    description = models.CharField(_("description"), max_length=300)
    people = models.ManyToManyField("clients.Person", blank=True, related_name="triggers")
    places = models.CharField(_("places"), max_length=300, blank=True)
    feelings = models.CharField(_("feelings"), max_length=300, blank=True)
    risk_level = models.CharField(_("risk"), max_length=10, choices=RiskLevel.choices)
    coping_response = EncryptedTextField(_("coping response"), blank=True)
    is_active = models.BooleanField(_("still a trigger"), default=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["client", "-is_active", "trigger_type", "id"]
        indexes = [models.Index(fields=["client", "is_active"], name="trigger_client_active_idx")]

    def __str__(self) -> str:
        return self.description


# ---------------------------------------------------------------------------------------------------- formulation


class ProblemAreaKind(models.TextChoices):
    GRIEF = "grief", _("Grief")
    ROLE_DISPUTE = "role_dispute", _("Role dispute")
    ROLE_TRANSITION = "role_transition", _("Role transition")
    INTERPERSONAL_DEFICITS = "interpersonal_deficits", _("Interpersonal deficits")


class DisputeStage(models.TextChoices):
    RENEGOTIATION = "renegotiation", _("Renegotiation")
    IMPASSE = "impasse", _("Impasse")
    DISSOLUTION = "dissolution", _("Dissolution")


class Formulation(models.Model):
    """The IPT formulation: the client's symptoms and use linked to one or two problem areas, in plain words,
    with the sick role explained and the client's acceptance recorded (IPT-DOMAIN §1)."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="formulation")
    text = EncryptedTextField(_("formulation, in plain words"), blank=True)
    sick_role_given_on = models.DateField(_("sick role explained on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted by the client on"), null=True, blank=True)
    declined_reason = EncryptedTextField(_("declined, because"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_on__isnull=True) | Q(declined_reason=""),
                name="formulation_accepted_or_declined",
                violation_error_message=_("A formulation is either accepted or declined, not both."),
            )
        ]

    def __str__(self) -> str:
        return f"Formulation of episode {self.episode_id}"

    @property
    def is_accepted(self) -> bool:
        return self.accepted_on is not None


class ProblemArea(models.Model):
    """One of the one or two problem areas the work focuses on."""

    formulation = models.ForeignKey(Formulation, on_delete=models.CASCADE, related_name="problem_areas")
    kind = models.CharField(_("problem area"), max_length=30, choices=ProblemAreaKind.choices)
    # Only for role disputes; its changes are kept in the audit trail.
    dispute_stage = models.CharField(_("dispute stage"), max_length=20, choices=DisputeStage.choices, blank=True)
    dispute_with = models.ForeignKey(
        "clients.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dispute with"),
    )
    # Grief: who died, and when (IPT-DOMAIN §2).
    deceased = models.ForeignKey(
        "clients.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who died"),
    )
    death_date = models.DateField(_("date of the death"), null=True, blank=True)
    # Role transition: the role left and the role taken up (IPT-DOMAIN §2).
    old_role = models.CharField(_("the old role"), max_length=200, blank=True)
    new_role = models.CharField(_("the new role"), max_length=200, blank=True)
    rationale = EncryptedTextField(_("why this area"))
    # Interpersonal deficits is chosen only when none of the other three applies, and says why (IPT-DOMAIN §2).
    why_not_other_areas = EncryptedTextField(_("why none of the other areas applies"), blank=True)
    inventory_entries = models.ManyToManyField(InventoryEntry, blank=True, related_name="+")
    timeline_events = models.ManyToManyField(TimelineEvent, blank=True, related_name="+")
    triggers = models.ManyToManyField(Trigger, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["formulation", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["formulation", "kind"],
                name="problem_area_once_per_formulation",
                violation_error_message=_("This problem area is already chosen."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="interpersonal_deficits") | ~Q(why_not_other_areas=""),
                name="problem_area_deficits_needs_reason",
                violation_error_message=_("Say why none of the other three problem areas applies."),
            ),
            models.CheckConstraint(
                condition=Q(kind="role_dispute") | Q(dispute_stage=""),
                name="problem_area_stage_only_for_disputes",
                violation_error_message=_("Only a role dispute has a stage."),
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class DisputeStageChange(models.Model):
    """Each stage a role dispute has been in: the stage's change is part of the work (IPT-DOMAIN §2)."""

    problem_area = models.ForeignKey(ProblemArea, on_delete=models.CASCADE, related_name="stage_changes")
    stage = models.CharField(_("dispute stage"), max_length=20, choices=DisputeStage.choices)
    changed_on = models.DateField(_("as of"), default=timezone.localdate)
    note = EncryptedTextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["problem_area", "-changed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} from {self.changed_on}"


class EvidenceKind(models.TextChoices):
    MEASURE = "measure", _("A questionnaire score")
    RING_CHANGE = "ring_change", _("A change in the closeness circle")
    DISPUTE_STAGE = "dispute_stage", _("A change of dispute stage")
    BEHAVIOUR = "behaviour", _("Something the client reports doing")


class GoalStatus(models.TextChoices):
    OPEN = "open", _("Not started")
    PROGRESSING = "progressing", _("Progressing")
    MET = "met", _("Met")
    PARTLY = "partly", _("Partly met")
    NOT_MET = "not_met", _("Not met")


class Goal(models.Model):
    """What will change in a problem area, and how it will be seen."""

    problem_area = models.ForeignKey(ProblemArea, on_delete=models.CASCADE, related_name="goals")
    description = models.TextField(_("what will change"))
    evidence_kind = models.CharField(_("how it will be seen"), max_length=20, choices=EvidenceKind.choices)
    evidence_detail = models.CharField(
        _("detail"), max_length=300, blank=True, help_text=_("e.g. PHQ-9 below 10; sister moves to ring 1.")
    )
    status = models.CharField(_("status"), max_length=20, choices=GoalStatus.choices, default=GoalStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["problem_area", "id"]

    def __str__(self) -> str:
        return self.description[:60]


# ---------------------------------------------------------------------------------------------------- contract


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")


class ModalityKind(models.TextChoices):
    CBT = "cbt", _("Cognitive behavioural therapy")
    MI = "mi", _("Motivational interviewing")
    MEDICATION = "medication", _("Medication")
    MUTUAL_HELP = "mutual_help", _("Mutual-help groups")
    FAMILY = "family", _("Family sessions")
    OTHER = "other", _("Other")


class Contract(models.Model):
    """The treatment contract: format, sessions, length, frequency, dates and focus, signed by both."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="contract")
    sessions = models.PositiveSmallIntegerField(_("number of sessions"))
    session_minutes = models.PositiveSmallIntegerField(_("session length (minutes)"))
    frequency = models.CharField(_("frequency"), max_length=20, choices=Frequency.choices, default=Frequency.WEEKLY)
    start_date = models.DateField(_("first session"))
    end_date = models.DateField(_("last session (expected)"))
    focus = models.TextField(_("focus"), help_text=_("The problem areas and what the work will be about."))
    # Typed signatures with the time they were given.
    therapist_signature = models.CharField(_("therapist's signature (type the full name)"), max_length=200, blank=True)
    therapist_signed_at = models.DateTimeField(null=True, blank=True)
    client_signature = models.CharField(_("client's signature (type the full name)"), max_length=200, blank=True)
    client_signed_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="contract_ends_after_it_starts",
                violation_error_message=_("The last session comes after the first."),
            )
        ]

    def __str__(self) -> str:
        return f"Contract of episode {self.episode_id}"

    @property
    def is_signed(self) -> bool:
        return bool(self.therapist_signed_at and self.client_signed_at)


class Modality(models.Model):
    """Another treatment on the plan beside IPT, and who provides it."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="modalities")
    kind = models.CharField(_("treatment"), max_length=20, choices=ModalityKind.choices)
    provider = models.CharField(_("provided by"), max_length=200)

    class Meta:
        ordering = ["contract", "kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.provider})"
