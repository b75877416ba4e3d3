"""Recording the assessment: the history, each substance's use history, the diagnosis and the medication review.
Each function is one audited transaction; pages and the API both call them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.audit.events import diff_fields, record_event
from iptcare.audit.models import EventType
from iptcare.ipt.models import Assessment, Episode, SubstanceHistory

if TYPE_CHECKING:
    from iptcare.accounts.models import User

HISTORY_FIELDS = (
    "mental_health_history",
    "medical_conditions",
    "housing",
    "work",
    "legal",
    "children",
    "strengths",
    "diagnosis_explained_on",
)
# The physician's part of the assessment (PRODUCT.md 2.2; IPT-DOMAIN §1 "medication assessment (physician)").
PHYSICIAN_FIELDS = ("medications", "medication_assessed_on")
SUBSTANCE_FIELDS = ("age_at_first_use", "pattern", "last_use", "route", "prior_treatment", "overdoses")


@transaction.atomic
def do_save_assessment(
    episode: Episode, data: dict[str, Any], *, acting_user: User, may_record_medications: bool
) -> Assessment:
    """Saves the fields given in data. The physician's fields are refused to anyone else."""
    refused = [name for name in PHYSICIAN_FIELDS if name in data] if not may_record_medications else []
    if refused:
        raise ValidationError({name: _("Only a physician records this.") for name in refused})
    stored = Assessment.objects.select_for_update().filter(episode=episode).first()
    assessment = stored or Assessment(episode=episode, updated_by=acting_user)
    fields = HISTORY_FIELDS + PHYSICIAN_FIELDS
    before = {name: getattr(assessment, name) for name in fields} if stored else {}
    for name in fields:
        if name in data:
            setattr(assessment, name, data[name])
    if "medication_assessed_on" in data:
        assessment.medication_assessed_by = acting_user if data["medication_assessed_on"] else None
    assessment.updated_by = acting_user
    assessment.updated_at = timezone.now()
    assessment.save()
    after = {name: getattr(assessment, name) for name in fields}
    record_event(
        EventType.EPISODE_CHANGED,
        actor=acting_user,
        client=episode.client,
        obj=assessment,
        changes=diff_fields(before, after),
        extra={"kind": "assessment"},
    )
    return assessment


@transaction.atomic
def do_save_substance_history(episode: Episode, data: dict[str, Any], *, acting_user: User) -> SubstanceHistory:
    """Adds a substance's history, or replaces it when the substance is already recorded."""
    existing = SubstanceHistory.objects.select_for_update().filter(episode=episode, substance=data["substance"]).first()
    history = existing or SubstanceHistory(episode=episode, substance=data["substance"])
    before = {name: getattr(history, name) for name in SUBSTANCE_FIELDS} if existing else {}
    for name in SUBSTANCE_FIELDS:
        if name in data:
            setattr(history, name, data[name])
    history.full_clean(exclude=["episode"])
    history.save()
    record_event(
        EventType.EPISODE_CHANGED,
        actor=acting_user,
        client=episode.client,
        obj=history,
        changes=diff_fields(before, {name: getattr(history, name) for name in SUBSTANCE_FIELDS}),
        extra={"kind": "substance_history", "substance": history.substance, "replaced": bool(existing)},
    )
    return history
