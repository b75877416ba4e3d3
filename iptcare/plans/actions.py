"""Every change to a plan: starting a version, writing a section, adding picked suggestions, replacing the whole
draft (the API), and finalising. Each function is one audited transaction (PLAN_CHANGED, with the old and new value
of each changed section).

A final version is never changed: the functions here refuse with PlanIsFinal, and a database trigger refuses any
UPDATE of a final row (migration 0002), so no other path can change it either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pydantic
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.accounts.models import Organization
from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.ipt.models import Episode
from iptcare.plans.content import (
    MAX_ITEMS,
    LapsePlan,
    PlanContent,
    RelapsePlanContent,
    SafetyPlanContent,
    finalise_problems,
    section_of,
)
from iptcare.plans.crisis_lines import crisis_lines_for
from iptcare.plans.models import PLAN_MODELS, PlanStatus, SafetyPlan, VersionedPlan
from iptcare.plans.selectors import last_final_of_client
from iptcare.plans.suggestions import suggestions_for_section

if TYPE_CHECKING:
    from iptcare.accounts.models import User

# "How to come back" in a new plan. The section itself always opens with "A lapse is not a failure." (IPT-DOMAIN
# §8), on the page and in print, so these words need not repeat it.
COMING_BACK = (
    "Stop, get somewhere safe, and call someone on this plan. Come to the next session, or call the clinic to bring "
    "it forward: we will look at what happened and what to do differently."
)


class PlanIsFinal(ValidationError):
    """Raised on any attempt to change a finalised version."""

    def __init__(self) -> None:
        super().__init__(
            _("This version is final and can no longer be changed. Start a new version: it begins as a copy."),
            code="final",
        )


def record_plan_read(
    kind: str, episode: Episode, *, acting_user: User, plan: VersionedPlan | None = None, view: str = "page"
) -> None:
    """Every read of a plan or a closure is audited (HIPAA audit controls)."""
    record_event(
        EventType.PLAN_VIEWED,
        actor=acting_user,
        client=episode.client,
        obj=plan if plan is not None else episode,
        extra={"plan": kind, "episode_id": episode.pk, "view": view, **({"version": plan.version} if plan else {})},
    )


def initial_content(kind: str, episode: Episode) -> PlanContent:
    """The first version of a plan: the crisis lines (and, in a relapse-prevention plan, the words on lapses)."""
    slug = Organization.objects.filter(pk=episode.client.organization_id).values_list("slug", flat=True).get()
    lines = crisis_lines_for(slug)
    if kind == SafetyPlan.kind:
        return SafetyPlanContent(professionals=lines)
    return RelapsePlanContent(crisis_lines=lines, after_lapse=LapsePlan(how_to_come_back=COMING_BACK))


# ---------------------------------------------------------------------------------------------------- versions


@transaction.atomic
def do_start_plan_version(kind: str, episode: Episode, *, acting_user: User) -> VersionedPlan:
    """A new draft: a copy of the episode's last version, else of the client's last final plan from an earlier
    episode, else the initial content."""
    episode = _lock_episode(episode)
    model = PLAN_MODELS[kind]
    versions = model.objects.filter(episode=episode)
    if versions.filter(status=PlanStatus.DRAFT).exists():
        raise ValidationError(_("There is already a draft: finish or finalise it first."), code="draft_exists")
    last = versions.order_by("-version").first()
    source = last or last_final_of_client(kind, episode.client)
    content = source.parsed() if source else initial_content(kind, episode)
    plan = model.objects.create(
        episode=episode,
        client=episode.client,
        version=last.version + 1 if last else 1,
        content=content.model_dump(mode="json"),
        copied_from=source,
        created_by=acting_user,
        updated_by=acting_user,
    )
    copied = {"copied_from": {"episode_id": source.episode_id, "version": source.version}} if source else {}
    _record(plan, acting_user, None, started=True, **copied)
    return plan


@transaction.atomic
def do_save_plan_section(plan: VersionedPlan, section_key: str, value: Any, *, acting_user: User) -> VersionedPlan:
    """Replace one section of the draft. `value` is the section's JSON-able value (a list, or a dict)."""
    plan = _lock_draft(plan)
    if section_of(plan.kind, section_key) is None:
        raise ValidationError({NON_FIELD_ERRORS: _("The plan has no section %(key)s.") % {"key": section_key}})
    data = plan.parsed().model_dump(mode="json") | {section_key: value}
    return _save_content(plan, _validated(plan, data), acting_user, section=section_key)


@transaction.atomic
def do_add_plan_suggestions(
    plan: VersionedPlan, section_key: str, keys: list[str], *, acting_user: User
) -> VersionedPlan:
    """Append the picked suggestions to a section of the draft, so their wording can be edited next."""
    plan = _lock_draft(plan)
    content = plan.parsed()
    offered = suggestions_for_section(plan.kind, plan.episode, section_key, content)
    picked = [suggestion.item for suggestion in offered if suggestion.key in keys]
    if not picked:
        raise ValidationError({"pick": _("Choose at least one suggestion that is not in the plan yet.")})
    current = getattr(content, section_key)
    if len(current) + len(picked) > MAX_ITEMS:
        raise ValidationError({"pick": _("A section holds at most %(count)d items.") % {"count": MAX_ITEMS}})
    data = content.model_dump(mode="json")
    data[section_key] = data[section_key] + [_jsonable(item) for item in picked]
    return _save_content(plan, _validated(plan, data), acting_user, section=section_key, picked=keys)


@transaction.atomic
def do_replace_plan_content(plan: VersionedPlan, data: dict[str, Any], *, acting_user: User) -> VersionedPlan:
    """Replace the whole draft with a document of the plan's schema (the API's PUT)."""
    plan = _lock_draft(plan)
    return _save_content(plan, _validated(plan, data), acting_user)


@transaction.atomic
def do_finalise_plan(plan: VersionedPlan, *, acting_user: User) -> VersionedPlan:
    """Freeze the draft: from now on it is the version the client holds, and it never changes."""
    plan = _lock_draft(plan)
    problems = finalise_problems(plan.kind, plan.parsed())
    if problems:
        raise ValidationError(problems, code="incomplete")
    plan.status = PlanStatus.FINAL
    plan.finalised_by = acting_user
    plan.finalised_at = timezone.now()
    plan.save(update_fields=["status", "finalised_by", "finalised_at"])
    _record(plan, acting_user, {"status": [PlanStatus.DRAFT.value, PlanStatus.FINAL.value]}, finalised=True)
    return plan


# ---------------------------------------------------------------------------------------------------- helpers


def _lock_episode(episode: Episode) -> Episode:
    locked = Episode.objects.select_for_update().select_related("client").get(pk=episode.pk)
    if not locked.is_open:
        raise ValidationError(_("The episode is closed: its plans no longer change. Continue in the next episode."))
    return locked


def _lock_draft(plan: VersionedPlan) -> VersionedPlan:
    """The plan's row, locked, when it is a draft of an open episode."""
    episode = _lock_episode(plan.episode)
    locked = type(plan).objects.select_for_update().get(pk=plan.pk)
    if locked.is_final:
        raise PlanIsFinal
    locked.episode = episode
    return locked


def _validated(plan: VersionedPlan, data: dict[str, Any]) -> PlanContent:
    """The document checked against its schema; problems are named by section."""
    try:
        return plan.content_schema.model_validate(data)
    except pydantic.ValidationError as error:
        problems: dict[str, list[str]] = {}
        for issue in error.errors():
            where = [str(part) for part in issue["loc"]]
            problems.setdefault(where[0] if where else NON_FIELD_ERRORS, []).append(
                f"{' → '.join(where[1:])}: {issue['msg']}" if len(where) > 1 else issue["msg"]
            )
        raise ValidationError(problems) from None


def _jsonable(item: Any) -> Any:
    return item.model_dump(mode="json") if isinstance(item, pydantic.BaseModel) else item


def _save_content(plan: VersionedPlan, content: PlanContent, acting_user: User, **extra: Any) -> VersionedPlan:
    before = plan.content
    after = content.model_dump(mode="json")
    changes = {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}
    if not changes:
        return plan
    plan.content = after
    plan.updated_by = acting_user
    plan.updated_at = timezone.now()
    plan.save(update_fields=["content", "updated_by", "updated_at"])
    _record(plan, acting_user, changes, **extra)
    return plan


def _record(plan: VersionedPlan, acting_user: User, changes: dict[str, list[Any]] | None, **extra: Any) -> None:
    record_event(
        EventType.PLAN_CHANGED,
        actor=acting_user,
        client=plan.episode.client,
        obj=plan,
        changes=changes,
        extra={"plan": plan.kind, "episode_id": plan.episode_id, "version": plan.version, **extra},
    )
