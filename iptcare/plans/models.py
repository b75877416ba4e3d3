"""Closure of an IPT episode and the plans that go with it (IPT-DOMAIN §8): the relapse-prevention plan and the
suicide safety plan (Stanley–Brown).

Both plans are versioned documents. A version is a draft until it is finalised; a finalised version never changes
again (the action refuses, and a database trigger refuses any UPDATE of a final row), and the next version starts
as a copy of the last one. Each version keeps its whole content as one JSON document, validated by the schema in
iptcare/plans/content.py, so that a version is exactly what the client was given.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iptcare.encryption.fields import EncryptedTextField
from iptcare.plans.content import PlanContent, RelapsePlanContent, SafetyPlanContent


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Final")


class VersionedPlan(models.Model):
    """One version of a plan of one episode: a draft being written with the client, or a final, frozen version."""

    # The content schema and the URL and audit name of each kind of plan.
    content_schema: ClassVar[type[PlanContent]]
    kind: ClassVar[str]

    episode = models.ForeignKey("ipt.Episode", on_delete=models.PROTECT, related_name="%(class)ss")
    # The episode's client, kept on the row so that "the client's current plan" needs no join (the portal).
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    # 1, 2, 3… within the episode.
    version = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    # The whole plan as one document (see content.py); replaced whole on each save of a draft.
    content = models.JSONField(default=dict)
    # The version this one was copied from: the previous version, or the last final one of an earlier episode.
    copied_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finalised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["episode", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "version"],
                name="%(class)s_version_unique",
                violation_error_message=_("This episode already has a plan with that version number."),
            ),
            models.UniqueConstraint(
                fields=["episode"],
                condition=Q(status="draft"),
                name="%(class)s_one_draft",
                violation_error_message=_("This episode already has a draft: finish it before starting another."),
            ),
            models.CheckConstraint(
                condition=(Q(status="draft") & Q(finalised_at__isnull=True) & Q(finalised_by__isnull=True))
                | (Q(status="final") & Q(finalised_at__isnull=False) & Q(finalised_by__isnull=False)),
                name="%(class)s_final_has_who_and_when",
                violation_error_message=_("A final version records who finalised it and when; a draft does not."),
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1),
                name="%(class)s_version_positive",
                violation_error_message=_("Versions are numbered from 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} v{self.version} ({self.get_status_display()})"

    @property
    def is_final(self) -> bool:
        return self.status == PlanStatus.FINAL

    def parsed(self) -> PlanContent:
        """The content as its schema's object (the stored JSON was validated by it when saved)."""
        return self.content_schema.model_validate(self.content)


class RelapsePreventionPlan(VersionedPlan):
    """The relapse-prevention plan built with the client at closure (IPT-DOMAIN §8)."""

    content_schema = RelapsePlanContent
    kind = "relapse_prevention"

    class Meta(VersionedPlan.Meta):
        verbose_name = _("relapse-prevention plan")
        # The client's current final plan (the portal) is looked up by client, not by episode.
        indexes = [models.Index(fields=["client", "status", "finalised_at"], name="rp_plan_client_final_idx")]


class SafetyPlan(VersionedPlan):
    """The suicide safety plan (Stanley & Brown 2012), six ordered steps; expected when risk was recorded."""

    content_schema = SafetyPlanContent
    kind = "safety"

    class Meta(VersionedPlan.Meta):
        verbose_name = _("safety plan")
        indexes = [models.Index(fields=["client", "status", "finalised_at"], name="safety_plan_client_final_idx")]


PLAN_MODELS: dict[str, type[VersionedPlan]] = {
    RelapsePreventionPlan.kind: RelapsePreventionPlan,
    SafetyPlan.kind: SafetyPlan,
}


class ClosureDecision(models.TextChoices):
    COMPLETED = "completed", _("Completed: the course ends here")
    NEW_CONTRACT = "new_contract", _("Continue with a new contract (the episode stays open)")
    MAINTENANCE = "maintenance", _("Maintenance: this course ends and monthly maintenance IPT follows")
    REFER = "refer", _("Refer elsewhere (for example, for non-response)")


# Decisions that end the episode: it moves to "completed" when the closure is recorded.
ENDING_DECISIONS = (ClosureDecision.COMPLETED, ClosureDecision.MAINTENANCE, ClosureDecision.REFER)


class EpisodeClosure(models.Model):
    """The end of a course of IPT: progress against goals and measures, the client's view, and the decision."""

    episode = models.OneToOneField("ipt.Episode", on_delete=models.PROTECT, related_name="closure")
    decision = models.CharField(_("decision"), max_length=20, choices=ClosureDecision.choices)
    feelings_about_ending = EncryptedTextField(_("the client's feelings about ending"), blank=True)
    what_helped = EncryptedTextField(_("what helped, in the client's own words"), blank=True)
    # Where the client is referred to, and why (decision "refer").
    referral_to = EncryptedTextField(_("referred to"), blank=True)
    aftercare = EncryptedTextField(_("aftercare"), blank=True)
    # ISO dates of the booster or follow-up sessions agreed at closure.
    booster_dates = models.JSONField(_("booster dates"), default=list, blank=True)
    # Why the episode closes without a final relapse-prevention plan (e.g. the client left before it was written).
    no_plan_reason = EncryptedTextField(_("why there is no final relapse-prevention plan"), blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)
    # What was seen when the closure was recorded, kept as it was: each goal's review, and the measures at
    # baseline and now (see outcomes.py). Later questionnaires do not rewrite the closure.
    goal_reviews = models.JSONField(default=list, blank=True)
    outcomes = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="refer") | ~Q(referral_to=""),
                name="closure_referral_named",
                violation_error_message=_("Say where the client is referred to."),
            )
        ]

    def __str__(self) -> str:
        return f"Closure of episode {self.episode_id}: {self.decision}"

    @property
    def ends_episode(self) -> bool:
        return self.decision in ENDING_DECISIONS

    def booster_dates_parsed(self) -> list[dt.date]:
        return [dt.date.fromisoformat(value) for value in self.booster_dates]
