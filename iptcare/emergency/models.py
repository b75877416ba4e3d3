"""Emergency ("break the glass") access: a clinician outside a client's care team reads the record for a limited
time after stating why; the care team and the admins are told and an admin reviews it (see docs/emergency-access.md).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# How long one emergency access lasts, in minutes, unless the organization chose otherwise.
DEFAULT_DURATION_MINUTES = 240
MIN_DURATION_MINUTES = 15
MAX_DURATION_MINUTES = 1440


class EmergencyReason(models.TextChoices):
    SAFETY = "safety", _("Risk to the client's life or safety")
    CRISIS = "crisis", _("Client in crisis and the care team cannot be reached")
    ON_CALL = "on_call", _("On-call cover")
    OTHER = "other", _("Other (say what in the justification)")


class ReviewOutcome(models.TextChoices):
    APPROPRIATE = "appropriate", _("Appropriate")
    NOT_APPROPRIATE = "not_appropriate", _("Not appropriate — follow up")


class EmergencyAccessQuerySet(models.QuerySet):
    def active(self, at: dt.datetime | None = None) -> EmergencyAccessQuerySet:
        """Grants that open a record now (or at `at`): not ended early and not yet expired."""
        return self.filter(ended_at__isnull=True, expires_at__gt=at or timezone.now())


class EmergencyAccess(models.Model):
    """One emergency access: who opened which client's record, why, from when until when, and its review.

    The record is read-only for the person while it lasts; `ClientQuerySet.openable_by` honours it for reads.
    """

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="emergency_accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emergency_accesses")
    reason = models.CharField(_("reason"), max_length=20, choices=EmergencyReason.choices)
    justification = models.TextField(_("justification"))
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # Set when the person (or an admin) ends the access before it expires.
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_outcome = models.CharField(_("outcome"), max_length=20, choices=ReviewOutcome.choices, blank=True)
    review_note = models.TextField(_("note"), blank=True)

    objects = EmergencyAccessQuerySet.as_manager()

    class Meta:
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        ordering = ["-started_at", "-id"]
        indexes = [
            # openable_by() and the banner: an active grant of this user for this client.
            models.Index(fields=["client", "expires_at"], name="emergency_client_expiry_idx"),
            models.Index(fields=["user", "expires_at"], name="emergency_user_expiry_idx"),
            # The admins' review queue: unreviewed first, per organization.
            models.Index(fields=["organization", "reviewed_at"], name="emergency_org_review_idx"),
            # The care team's notice: the client's accesses of the last 30 days.
            models.Index(fields=["client", "started_at"], name="emergency_client_start_idx"),
        ]

    def __str__(self) -> str:
        return f"Emergency access #{self.pk}"

    @property
    def ends_at(self) -> dt.datetime:
        """When the access ended or will end: early if it was ended, else at expiry."""
        if self.ended_at is not None and self.ended_at < self.expires_at:
            return self.ended_at
        return self.expires_at

    @property
    def is_active(self) -> bool:
        return self.ended_at is None and self.expires_at > timezone.now()

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None

    @property
    def duration_minutes(self) -> int:
        """How long it lasted (so far, while active), in whole minutes."""
        end = min(self.ends_at, timezone.now())
        return max(0, int((end - self.started_at).total_seconds() // 60))


class EmergencyAccessSettings(models.Model):
    """An organization's choice of how long one emergency access lasts. Org admins change it."""

    organization = models.OneToOneField("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    duration_minutes = models.PositiveIntegerField(
        _("How long an emergency access lasts (minutes)"),
        default=DEFAULT_DURATION_MINUTES,
        validators=[MinValueValidator(MIN_DURATION_MINUTES), MaxValueValidator(MAX_DURATION_MINUTES)],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("emergency access settings")
        verbose_name_plural = _("emergency access settings")

    def __str__(self) -> str:
        return f"Emergency access settings of organization {self.organization_id}"

    @classmethod
    def for_organization(cls, organization_id: int) -> EmergencyAccessSettings:
        """The stored settings, or the defaults (unsaved) when the organization never changed them."""
        return cls.objects.filter(organization_id=organization_id).first() or cls(organization_id=organization_id)

    @property
    def duration(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.duration_minutes)
