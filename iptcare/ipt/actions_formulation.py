"""The formulation with its problem areas and goals, the treatment contract and its signatures, and the
renegotiation of the number of sessions (IPT-DOMAIN §1–2).

Each do_* function is one audited transaction. It locks the episode row first, so that two writes to the same
episode's formulation or contract never interleave (the two-area limit is counted under that lock). The rules that
need no database (the *_errors functions) are shared with the forms, which show them next to their fields.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.audit.events import diff_fields, record_event
from iptcare.audit.models import EventType
from iptcare.ipt.actions import check_session_count
from iptcare.ipt.models import (
    Contract,
    DisputeStage,
    DisputeStageChange,
    Episode,
    EvidenceKind,
    Format,
    Formulation,
    Frequency,
    Goal,
    Modality,
    ModalityKind,
    ProblemArea,
    ProblemAreaKind,
    Renegotiation,
)

if TYPE_CHECKING:
    from iptcare.accounts.models import User

# "One, at most two, problem areas" (IPT-DOMAIN §1).
MAX_PROBLEM_AREAS = 2
# Other treatments beside IPT on one contract: one of each kind, with room for a second "other".
MAX_MODALITIES = 6
# The same bounds as an episode's session length (Episode.session_minutes).
SESSION_MINUTES_RANGE = (15, 180)
# Days between sessions, for the suggested date of the last session.
FREQUENCY_DAYS = {Frequency.WEEKLY: 7, Frequency.FORTNIGHTLY: 14, Frequency.MONTHLY: 28}

FORMULATION_FIELDS = ("text", "sick_role_given_on", "accepted_on", "declined_reason")
PROBLEM_AREA_FIELDS = (
    "kind",
    "dispute_stage",
    "dispute_with",
    "deceased",
    "death_date",
    "old_role",
    "new_role",
    "rationale",
    "why_not_other_areas",
)
# The links to a person, kept in the audit trail by the person's id.
PROBLEM_AREA_PEOPLE = ("dispute_with", "deceased")
PROBLEM_AREA_LINKS = ("inventory_entries", "timeline_events", "triggers")
GOAL_FIELDS = ("description", "evidence_kind", "evidence_detail", "status")
CONTRACT_FIELDS = ("sessions", "session_minutes", "frequency", "start_date", "end_date", "focus")
SIGNATURE_FIELDS = ("therapist_signature", "therapist_signed_at", "client_signature", "client_signed_at")
UNSIGNED = {"therapist_signature": "", "therapist_signed_at": None, "client_signature": "", "client_signed_at": None}


# The fields that belong to one kind of problem area only (IPT-DOMAIN §2); the other kinds leave them empty.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    ProblemAreaKind.GRIEF: ("deceased", "death_date"),
    ProblemAreaKind.ROLE_DISPUTE: ("dispute_with", "dispute_stage"),
    ProblemAreaKind.ROLE_TRANSITION: ("old_role", "new_role"),
    ProblemAreaKind.INTERPERSONAL_DEFICITS: ("why_not_other_areas",),
}


def fields_not_for(kind: str) -> tuple[str, ...]:
    """The kind-specific fields of the other three kinds."""
    return tuple(name for other, names in KIND_FIELDS.items() if other != kind for name in names)


def too_many_areas_message() -> str:
    return _("A formulation has one, at most two, problem areas: change one of the two instead of adding a third.")


def contract_locked_message() -> str:
    return _(
        "The contract is signed by the therapist and the client, so it no longer changes. To change the number "
        "of sessions, record a renegotiation."
    )


def area_locked_message() -> str:
    return _(
        "The contract is signed by the therapist and the client, so its focus no longer changes: the problem "
        "area and its goals stay."
    )


def goal_locked_message() -> str:
    return _(
        "The contract is signed by the therapist and the client, so the goals agreed with it stay. Change the "
        "goal's status instead, for example to “not met”."
    )


def deceased_missing_message() -> str:
    return _("Name who died. If they are not among the client's people yet, add them on the client's record first.")


def only_for_message(field: str) -> str:
    """The refusal of a kind-specific field given for another kind of problem area."""
    messages = {
        "dispute_stage": _("Only a role dispute has a stage."),
        "dispute_with": _("Only a role dispute names the person the dispute is with."),
        "deceased": _("Only grief names who died."),
        "death_date": _("Only grief has the date of a death."),
        "old_role": _("Only a role transition has an old role."),
        "new_role": _("Only a role transition has a new role."),
        "why_not_other_areas": _("Only interpersonal deficits says why none of the other areas applies."),
    }
    return str(messages[field])


# ---------------------------------------------------------------------------------------------------- rules


def formulation_errors(*, accepted_on: dt.date | None, declined_reason: str, text: str = "x") -> dict[str, str]:
    if accepted_on and declined_reason.strip():
        return {"declined_reason": _("A formulation is either accepted or declined, not both.")}
    if accepted_on and not text.strip():
        return {"accepted_on": _("The client accepts a written formulation: write it in plain words first.")}
    return {}


def formulation_date_errors(
    *, sick_role_given_on: dt.date | None, accepted_on: dt.date | None, episode_start: dt.date
) -> dict[str, str]:
    """Both dates fall in the episode: not before it began, and not in the future."""
    errors: dict[str, str] = {}
    dates = {
        "sick_role_given_on": (
            sick_role_given_on,
            _("The sick role is explained during this episode, so not before it began on %(date)s."),
        ),
        "accepted_on": (
            accepted_on,
            _("The client accepts the formulation during this episode, so not before it began on %(date)s."),
        ),
    }
    for name, (value, before_start) in dates.items():
        if value and value > timezone.localdate():
            errors[name] = _("This date cannot be in the future.")
        elif value and value < episode_start:
            errors[name] = before_start % {"date": episode_start.isoformat()}
    return errors


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def problem_area_errors(values: dict[str, Any]) -> dict[str, str]:
    """The rules of one problem area, from its fields by name (a linked person as an object, an id or None).

    Each kind has its own fields (KIND_FIELDS), needed for that kind and refused for the others.
    """
    kind = values.get("kind") or ""
    errors: dict[str, str] = {}
    for name in fields_not_for(kind):
        if not _blank(values.get(name)):
            errors[name] = only_for_message(name)
    # The date of the death may be unknown; everything else of the area's kind is needed.
    required = {
        "dispute_with": _("Name the person the dispute is with."),
        "dispute_stage": _("Give the stage of the dispute: renegotiation, impasse or dissolution."),
        "deceased": deceased_missing_message(),
        "old_role": _("Name the role the client is leaving or has lost, such as “working” or “using with friends”."),
        "new_role": _("Name the role the client is taking up, such as “looking for work” or “in recovery”."),
        "why_not_other_areas": _("Say why none of the other three problem areas applies."),
    }
    for name in KIND_FIELDS.get(kind, ()):
        if name in required and _blank(values.get(name)):
            errors[name] = str(required[name])
    death_date = values.get("death_date")
    if kind == ProblemAreaKind.GRIEF and death_date and death_date > timezone.localdate():
        errors["death_date"] = _("The date of the death cannot be in the future.")
    if _blank(values.get("rationale")):
        errors["rationale"] = _("Say why this problem area fits: link the symptoms and the use to it.")
    return errors


def stage_change_errors(
    *,
    current_stage: str,
    stage: str,
    changed_on: dt.date | None,
    episode_start: dt.date,
    current_since: dt.date | None,
) -> dict[str, str]:
    """A new stage of a role dispute: another stage than the current one, as of a date in the episode that is
    not before the current stage began (so the history stays in order)."""
    errors: dict[str, str] = {}
    if stage not in DisputeStage.values:
        errors["stage"] = _("Choose renegotiation, impasse or dissolution.")
    elif stage == current_stage:
        errors["stage"] = _("The dispute is at this stage already.")
    if changed_on is None:
        errors["changed_on"] = _("This field is required.")
    elif changed_on > timezone.localdate():
        errors["changed_on"] = _("This date cannot be in the future.")
    elif changed_on < episode_start:
        errors["changed_on"] = _("Give a date in this episode, which began on %(date)s.") % {
            "date": episode_start.isoformat()
        }
    elif current_since and changed_on < current_since:
        errors["changed_on"] = _(
            "The dispute is at the current stage since %(date)s: give that date or a later one."
        ) % {"date": current_since.isoformat()}
    return errors


def goal_errors(*, area_kind: str, description: str, evidence_kind: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not description.strip():
        errors["description"] = _("Say what will change.")
    if evidence_kind == EvidenceKind.DISPUTE_STAGE and area_kind != ProblemAreaKind.ROLE_DISPUTE:
        errors["evidence_kind"] = _("A change of dispute stage is evidence only in a role dispute.")
    return errors


def contract_errors(
    *,
    format_: str,
    sessions: int | None,
    session_minutes: int | None,
    start_date: dt.date | None,
    end_date: dt.date | None,
    focus: str,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if sessions is not None:
        try:
            check_session_count(format_, sessions)
        except ValidationError as error:
            errors["sessions"] = " ".join(error.messages)
    low, high = SESSION_MINUTES_RANGE
    if session_minutes is not None and not low <= session_minutes <= high:
        errors["session_minutes"] = _("A session lasts %(low)d to %(high)d minutes.") % {"low": low, "high": high}
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = _("The last session comes after the first.")
    if not focus.strip():
        errors["focus"] = _("Name the focus: the problem areas and what the work will be about.")
    return errors


def suggested_focus(areas: list[ProblemArea]) -> str:
    """The contract's focus as first offered: one line per problem area, with whom and at which stage."""
    lines = []
    for area in areas:
        line = str(area.get_kind_display())
        if area.deceased_id:
            line += ": " + _("the death of %(person)s") % {"person": area.deceased}
        if area.old_role and area.new_role:
            line += ": " + _("from %(old)s to %(new)s") % {"old": area.old_role, "new": area.new_role}
        if area.dispute_with_id:
            line += " " + _("with %(person)s") % {"person": area.dispute_with}
        if area.dispute_stage:
            line += f" ({area.get_dispute_stage_display().lower()})"
        lines.append(line)
    return "\n".join(lines)


def suggested_end_date(start_date: dt.date, sessions: int, frequency: str) -> dt.date:
    return start_date + dt.timedelta(days=FREQUENCY_DAYS[Frequency(frequency)] * max(sessions - 1, 0))


def _raise(errors: dict[str, Any]) -> None:
    if errors:
        raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------------- formulation


@transaction.atomic
def do_save_formulation(episode: Episode, data: dict[str, Any], *, acting_user: User) -> Formulation:
    locked = _lock(episode)
    formulation = Formulation.objects.filter(episode=episode).first()
    created = formulation is None
    if formulation is None:
        formulation = Formulation(episode=episode, updated_by=acting_user)
    before = {} if created else _values(formulation, FORMULATION_FIELDS)
    _apply(formulation, data, FORMULATION_FIELDS)
    rewritten = not created and before["text"] != formulation.text and before["accepted_on"] == formulation.accepted_on
    if rewritten and formulation.accepted_on:
        # The client accepted the earlier words; a rewritten formulation is offered to them again.
        formulation.accepted_on = None
    # Only a date that changes is checked, so a later change of the episode's start keeps what is stored.
    date_errors = formulation_date_errors(
        sick_role_given_on=formulation.sick_role_given_on,
        accepted_on=formulation.accepted_on,
        episode_start=locked.start_date,
    )
    errors = {name: message for name, message in date_errors.items() if getattr(formulation, name) != before.get(name)}
    _raise(
        errors
        | formulation_errors(
            accepted_on=formulation.accepted_on, declined_reason=formulation.declined_reason, text=formulation.text
        )
    )
    if formulation.accepted_on and (created or not formulation.problem_areas.exists()):
        _raise({"accepted_on": _("Choose the problem area first: the client accepts a formulation that names it.")})
    after = _values(formulation, FORMULATION_FIELDS)
    changes = diff_fields(before, _without_blanks(after) if created else after)
    if not changes and not created:
        return formulation
    formulation.updated_by = acting_user
    formulation.updated_at = timezone.now()
    if created:
        formulation.save()
    else:
        formulation.save(update_fields=[*changes, "updated_by", "updated_at"])
    _record(episode, formulation, "formulation", acting_user, changes)
    return formulation


def _formulation_of(episode: Episode, acting_user: User) -> tuple[Formulation, bool]:
    """The episode's formulation, created empty (and audited) the first time anything is written to it."""
    formulation = Formulation.objects.filter(episode=episode).first()
    if formulation is not None:
        return formulation, False
    formulation = Formulation.objects.create(episode=episode, updated_by=acting_user)
    _record(episode, formulation, "formulation", acting_user, None, created=True)
    return formulation, True


# ---------------------------------------------------------------------------------------------------- problem areas


@transaction.atomic
def do_add_problem_area(episode: Episode, data: dict[str, Any], *, acting_user: User) -> ProblemArea:
    _lock(episode)
    formulation, _created = _formulation_of(episode, acting_user)
    # Counted inside the transaction, under the episode's lock, so two tabs cannot each add a second area.
    if formulation.problem_areas.count() >= MAX_PROBLEM_AREAS:
        raise ValidationError(too_many_areas_message(), code="too_many_areas")
    area = ProblemArea(formulation=formulation)
    _apply(area, data, PROBLEM_AREA_FIELDS)
    links = {name: list(data.get(name) or []) for name in PROBLEM_AREA_LINKS}
    _check_problem_area(area, episode, links)
    area.save()
    for name, objects in links.items():
        getattr(area, name).set(objects)
    if area.dispute_stage:
        _add_stage_change(area, acting_user)
    changes = diff_fields({}, _without_blanks(_area_values(area, links)))
    _record(episode, area, "problem_area", acting_user, changes, problem_area=area.kind)
    return area


@transaction.atomic
def do_update_problem_area(area: ProblemArea, data: dict[str, Any], *, acting_user: User) -> ProblemArea:
    episode = area.formulation.episode
    _lock(episode)
    # A fresh copy: a bound ModelForm has already written the new values onto the instance it was given.
    area = ProblemArea.objects.select_related("formulation", "dispute_with", "deceased").get(pk=area.pk)
    area.formulation.episode = episode
    old_links = {name: list(getattr(area, name).all()) for name in PROBLEM_AREA_LINKS}
    before = _area_values(area, old_links)
    _apply(area, data, PROBLEM_AREA_FIELDS)
    links = {name: list(data[name]) if name in data else old_links[name] for name in PROBLEM_AREA_LINKS}
    _check_problem_area(area, episode, links)
    changes = diff_fields(before, _area_values(area, links))
    if not changes:
        return area
    fields = [name for name in PROBLEM_AREA_FIELDS if name in changes]
    if fields:
        area.save(update_fields=fields)
    for name in PROBLEM_AREA_LINKS:
        if name in changes:
            getattr(area, name).set(links[name])
    if "dispute_stage" in changes and area.dispute_stage:
        # The stage of a dispute is an outcome (IPT-DOMAIN §2): each stage is kept with the date it began.
        _add_stage_change(area, acting_user)
    _record(episode, area, "problem_area", acting_user, changes, problem_area=area.kind)
    return area


def _check_problem_area(area: ProblemArea, episode: Episode, links: dict[str, list[Any]]) -> None:
    errors: dict[str, Any] = dict(problem_area_errors(_area_values(area, links)))
    if area.kind not in ProblemAreaKind.values:
        errors["kind"] = _("Choose one of the four problem areas.")
    for name in PROBLEM_AREA_PEOPLE:
        if getattr(area, f"{name}_id") is not None and getattr(area, name).client_id != episode.client_id:
            errors[name] = _("Choose one of the client's people.")
    others = list(area.formulation.problem_areas.exclude(pk=area.pk).values_list("kind", flat=True))
    if area.kind in others:
        errors["kind"] = _("This problem area is already chosen.")
    elif others and ProblemAreaKind.INTERPERSONAL_DEFICITS in [area.kind, *others]:
        # Deficits is chosen only when none of the other three applies, so it never sits beside one of them.
        errors["kind"] = _(
            "Interpersonal deficits is chosen only when none of the other three areas applies, so it is not "
            "combined with another problem area."
        )
    if any(entry.episode_id != episode.pk for entry in links["inventory_entries"]):
        errors["inventory_entries"] = _("Link only entries of this episode's inventory.")
    if any(event.client_id != episode.client_id for event in links["timeline_events"]):
        errors["timeline_events"] = _("Link only events of this client's timeline.")
    if any(trigger.client_id != episode.client_id for trigger in links["triggers"]):
        errors["triggers"] = _("Link only this client's triggers.")
    _raise(errors)


def _area_values(area: ProblemArea, links: dict[str, list[Any]]) -> dict[str, Any]:
    values = _values(area, tuple(name for name in PROBLEM_AREA_FIELDS if name not in PROBLEM_AREA_PEOPLE))
    values |= {name: getattr(area, f"{name}_id") for name in PROBLEM_AREA_PEOPLE}
    values |= {name: sorted(obj.pk for obj in objects) for name, objects in links.items()}
    return values


def _add_stage_change(
    area: ProblemArea, acting_user: User, *, changed_on: dt.date | None = None, note: str = ""
) -> DisputeStageChange:
    return DisputeStageChange.objects.create(
        problem_area=area,
        stage=area.dispute_stage,
        changed_on=changed_on or timezone.localdate(),
        note=note,
        recorded_by=acting_user,
    )


@transaction.atomic
def do_change_dispute_stage(
    area: ProblemArea, *, stage: str, changed_on: dt.date, note: str = "", acting_user: User
) -> DisputeStageChange:
    """A role dispute moves to another stage as of a date, with an optional note; the history keeps each stage."""
    episode = _lock(area.formulation.episode)
    area = ProblemArea.objects.get(pk=area.pk)
    if area.kind != ProblemAreaKind.ROLE_DISPUTE:
        raise ValidationError(only_for_message("dispute_stage"), code="not_a_dispute")
    latest = area.stage_changes.order_by("-changed_on", "-id").first()
    _raise(
        stage_change_errors(
            current_stage=area.dispute_stage,
            stage=stage,
            changed_on=changed_on,
            episode_start=episode.start_date,
            current_since=latest.changed_on if latest else None,
        )
    )
    old_stage = area.dispute_stage
    area.dispute_stage = stage
    area.save(update_fields=["dispute_stage"])
    change = _add_stage_change(area, acting_user, changed_on=changed_on, note=note.strip())
    _record(
        episode,
        area,
        "problem_area",
        acting_user,
        {"dispute_stage": [old_stage or None, stage]},
        problem_area=area.kind,
        stage_changed_on=changed_on.isoformat(),
    )
    return change


@transaction.atomic
def do_delete_problem_area(area: ProblemArea, *, acting_user: User) -> None:
    """Remove a problem area with its goals, while the contract is not signed. The client accepted a formulation
    that named it, so an acceptance is cleared: the changed formulation is offered to them again."""
    episode = _lock(area.formulation.episode)
    area = ProblemArea.objects.select_related("formulation").get(pk=area.pk)
    _refuse_when_signed(episode, area_locked_message())
    from iptcare.therapy.models import SessionNote  # the therapy app builds on this one

    if SessionNote.objects.filter(problem_area=area).exists():
        raise ValidationError(_("Session notes name this problem area as their focus, so it stays."))
    links = {name: list(getattr(area, name).all()) for name in PROBLEM_AREA_LINKS}
    goals = list(area.goals.values_list("description", flat=True))
    values = _without_blanks(_area_values(area, links))
    changes = diff_fields(values, dict.fromkeys(values))
    _record(episode, area, "problem_area", acting_user, changes, problem_area=area.kind, deleted=True, goals=goals)
    formulation = area.formulation
    area.delete()
    if formulation.accepted_on:
        accepted_on = formulation.accepted_on
        formulation.accepted_on = None
        formulation.updated_by = acting_user
        formulation.updated_at = timezone.now()
        formulation.save(update_fields=["accepted_on", "updated_by", "updated_at"])
        _record(
            episode,
            formulation,
            "formulation",
            acting_user,
            {"accepted_on": [accepted_on.isoformat(), None]},
            because="problem_area_deleted",
        )


def _refuse_when_signed(episode: Episode, message: str) -> None:
    """A contract signed by both fixes the focus it names (do_save_contract refuses changes to it too)."""
    contract = Contract.objects.filter(episode=episode).first()
    if contract is not None and contract.is_signed:
        raise ValidationError(message, code="locked")


# ---------------------------------------------------------------------------------------------------- goals


@transaction.atomic
def do_add_goal(area: ProblemArea, data: dict[str, Any], *, acting_user: User) -> Goal:
    episode = area.formulation.episode
    _lock(episode)
    goal = Goal(problem_area=area)
    _apply(goal, data, GOAL_FIELDS)
    _raise(goal_errors(area_kind=area.kind, description=goal.description, evidence_kind=goal.evidence_kind))
    goal.save()
    changes = diff_fields({}, _without_blanks(_values(goal, GOAL_FIELDS)))
    _record(episode, goal, "goal", acting_user, changes, problem_area=area.kind)
    return goal


@transaction.atomic
def do_update_goal(goal: Goal, data: dict[str, Any], *, acting_user: User) -> Goal:
    episode = goal.problem_area.formulation.episode
    _lock(episode)
    goal = Goal.objects.select_related("problem_area__formulation").get(pk=goal.pk)
    goal.problem_area.formulation.episode = episode
    before = _values(goal, GOAL_FIELDS)
    _apply(goal, data, GOAL_FIELDS)
    area_kind = goal.problem_area.kind
    _raise(goal_errors(area_kind=area_kind, description=goal.description, evidence_kind=goal.evidence_kind))
    changes = diff_fields(before, _values(goal, GOAL_FIELDS))
    if not changes:
        return goal
    goal.save(update_fields=list(changes))
    _record(episode, goal, "goal", acting_user, changes, problem_area=area_kind)
    return goal


@transaction.atomic
def do_delete_goal(goal: Goal, *, acting_user: User) -> None:
    """Remove a goal, while the contract is not signed."""
    episode = _lock(goal.problem_area.formulation.episode)
    goal = Goal.objects.select_related("problem_area").get(pk=goal.pk)
    _refuse_when_signed(episode, goal_locked_message())
    values = _without_blanks(_values(goal, GOAL_FIELDS))
    _record(
        episode,
        goal,
        "goal",
        acting_user,
        diff_fields(values, dict.fromkeys(values)),
        problem_area=goal.problem_area.kind,
        deleted=True,
    )
    goal.delete()


# ---------------------------------------------------------------------------------------------------- contract


@transaction.atomic
def do_save_contract(
    episode: Episode,
    data: dict[str, Any],
    *,
    modalities: list[tuple[str, str]] | None = None,
    acting_user: User,
) -> Contract:
    """Create or change the contract. `modalities` replaces the other treatments; None keeps them."""
    episode = _lock(episode)
    contract = Contract.objects.filter(episode=episode).first()
    if contract is not None and contract.is_signed:
        raise ValidationError(contract_locked_message(), code="locked")
    created = contract is None
    if contract is None:
        contract = Contract(episode=episode, updated_by=acting_user)
    before = {} if created else _contract_values(contract)
    was_suggested_end = not created and contract.end_date == suggested_end_date(
        contract.start_date, contract.sessions, contract.frequency
    )
    _apply(contract, data, CONTRACT_FIELDS)
    if _end_date_follows(contract, data, was_suggested_end):
        # The end date was the suggested one (or none was given): it follows the sessions, start and frequency.
        contract.end_date = suggested_end_date(contract.start_date, contract.sessions, contract.frequency)
    old_modalities = before.get("modalities", [])
    new_modalities = old_modalities if modalities is None else [f"{kind}: {provider}" for kind, provider in modalities]
    errors: dict[str, Any] = dict(
        contract_errors(
            format_=episode.format,
            sessions=contract.sessions,
            session_minutes=contract.session_minutes,
            start_date=contract.start_date,
            end_date=contract.end_date,
            focus=contract.focus or "",
        )
    )
    for name in ("sessions", "session_minutes", "start_date", "end_date"):
        if getattr(contract, name) is None:
            errors[name] = _("This field is required.")
    if contract.frequency not in Frequency.values:
        errors["frequency"] = _("Choose weekly, every two weeks or monthly.")
    if modalities is not None:
        errors |= _modality_errors(modalities)
    _raise(errors)
    after = _contract_values(contract) | {"modalities": new_modalities}
    changes = diff_fields(before, _without_blanks(after) if created else after)
    if not changes:
        return contract
    if not created and (contract.therapist_signed_at or contract.client_signed_at):
        # A signature covers what was on the page when it was given: a changed contract is signed again.
        changes |= diff_fields(_values(contract, SIGNATURE_FIELDS), UNSIGNED)
        _apply(contract, UNSIGNED, SIGNATURE_FIELDS)
    contract.updated_by = acting_user
    contract.updated_at = timezone.now()
    if created:
        contract.save()
    else:
        changed = [name for name in (*CONTRACT_FIELDS, *SIGNATURE_FIELDS) if name in changes]
        contract.save(update_fields=[*changed, "updated_by", "updated_at"])
    if modalities is not None and (created or "modalities" in changes):
        contract.modalities.all().delete()
        Modality.objects.bulk_create(
            [Modality(contract=contract, kind=kind, provider=provider) for kind, provider in modalities]
        )
    if contract.sessions != episode.planned_sessions:
        # The contract is where the number of sessions is fixed (IPT-DOMAIN §1): until it is signed, the episode's
        # plan follows it; afterwards only a renegotiation changes it.
        changes["planned_sessions"] = [episode.planned_sessions, contract.sessions]
        episode.planned_sessions = contract.sessions
        episode.save(update_fields=["planned_sessions"])
    _record(episode, contract, "contract", acting_user, changes)
    return contract


def _end_date_follows(contract: Contract, data: dict[str, Any], was_suggested: bool) -> bool:
    if contract.start_date is None or contract.sessions is None or contract.frequency not in Frequency.values:
        return False
    if contract.end_date is None:
        return True
    given = data.get("end_date")
    return (
        was_suggested
        and (given is None or given == contract.end_date)
        and any(name in data for name in ("sessions", "start_date", "frequency"))
    )


def _modality_errors(modalities: list[tuple[str, str]]) -> dict[str, str]:
    if len(modalities) > MAX_MODALITIES:
        return {"modalities": _("List at most %(count)d other treatments.") % {"count": MAX_MODALITIES}}
    for kind, provider in modalities:
        if kind not in ModalityKind.values:
            return {"modalities": _("%(kind)s is not one of the treatments offered.") % {"kind": kind}}
        if not provider.strip():
            return {"modalities": _("Say who provides each other treatment.")}
    return {}


def _contract_values(contract: Contract) -> dict[str, Any]:
    values = _values(contract, CONTRACT_FIELDS)
    if contract.pk:
        values["modalities"] = [f"{m.kind}: {m.provider}" for m in contract.modalities.order_by("kind", "id")]
    return values


@transaction.atomic
def do_sign_contract(
    contract: Contract, *, therapist_signature: str = "", client_signature: str = "", acting_user: User
) -> Contract:
    """Record the typed signature of the therapist, the client or both, each with its time. Once both have signed,
    the contract is locked."""
    episode = _lock(contract.episode)
    contract = Contract.objects.get(pk=contract.pk)
    if contract.is_signed:
        raise ValidationError(_("The contract is already signed by both."), code="locked")
    therapist_signature = " ".join(therapist_signature.split())
    client_signature = " ".join(client_signature.split())
    errors: dict[str, str] = {}
    if contract.sessions != episode.planned_sessions:
        errors[NON_FIELD_ERRORS] = _(
            "The contract says %(contract)d sessions but the episode plans %(planned)d. Change the contract, or "
            "record a renegotiation of the episode's sessions, before signing."
        ) % {"contract": contract.sessions, "planned": episode.planned_sessions}
    if not therapist_signature and not client_signature:
        errors.setdefault(NON_FIELD_ERRORS, _("Type a full name to sign."))
    if therapist_signature:
        if contract.therapist_signed_at:
            errors["therapist_signature"] = _("The therapist has already signed.")
        elif acting_user.full_name and not _same_name(therapist_signature, acting_user.full_name):
            # The typed name stands for the person signed in: it has to be theirs.
            errors["therapist_signature"] = _("Type your own full name as it is on your account: %(name)s.") % {
                "name": acting_user.full_name
            }
    if client_signature and contract.client_signed_at:
        errors["client_signature"] = _("The client has already signed.")
    elif client_signature and not any(
        _same_name(client_signature, name) for name in (episode.client.legal_name, episode.client.display_name)
    ):
        errors["client_signature"] = _("The client types their own full name: %(name)s.") % {
            "name": episode.client.legal_name
        }
    _raise(errors)
    before = _values(contract, SIGNATURE_FIELDS)
    now = timezone.now()
    signed_by = []
    if therapist_signature:
        contract.therapist_signature, contract.therapist_signed_at = therapist_signature, now
        signed_by.append("therapist")
    if client_signature:
        contract.client_signature, contract.client_signed_at = client_signature, now
        signed_by.append("client")
    changes = diff_fields(before, _values(contract, SIGNATURE_FIELDS))
    contract.save(update_fields=list(changes))
    _record(episode, contract, "contract", acting_user, changes, signed_by=signed_by, locked=contract.is_signed)
    return contract


# ---------------------------------------------------------------------------------------------------- renegotiation


@transaction.atomic
def do_renegotiate_sessions(
    episode: Episode,
    *,
    new_sessions: int,
    reason: str,
    agreed_on: dt.date | None = None,
    acting_user: User,
) -> Renegotiation:
    """Change the number of sessions, with its reason: the episode's plan and the contract (its sessions and its
    expected last session) change together."""
    locked = _lock(episode)
    agreed_on = agreed_on or timezone.localdate()
    old_sessions = locked.planned_sessions
    if not locked.is_open:
        raise ValidationError(_("The episode is closed: its sessions are no longer renegotiated."), code="closed")
    errors: dict[str, str] = {}
    try:
        check_session_count(locked.format, new_sessions)
    except ValidationError as error:
        errors["new_sessions"] = " ".join(error.messages)
    if new_sessions == old_sessions:
        errors["new_sessions"] = _("The episode already plans %(count)d sessions.") % {"count": old_sessions}
    if not reason.strip():
        errors["reason"] = _("Give the reason.")
    if agreed_on > timezone.localdate():
        errors["agreed_on"] = _("The date the change was agreed cannot be in the future.")
    _raise(errors)
    renegotiation = Renegotiation.objects.create(
        episode=locked,
        old_sessions=old_sessions,
        new_sessions=new_sessions,
        reason=reason.strip(),
        agreed_on=agreed_on,
        recorded_by=acting_user,
    )
    locked.planned_sessions = episode.planned_sessions = new_sessions
    locked.save(update_fields=["planned_sessions"])
    changes: dict[str, list[Any]] = {"planned_sessions": [old_sessions, new_sessions]}
    contract = Contract.objects.filter(episode=locked).first()
    if contract is not None:
        changes |= _follow_renegotiation(contract, new_sessions, acting_user)
    _record(
        locked,
        renegotiation,
        "renegotiation",
        acting_user,
        changes,
        reason=renegotiation.reason,
        agreed_on=agreed_on.isoformat(),
    )
    return renegotiation


def _follow_renegotiation(contract: Contract, new_sessions: int, acting_user: User) -> dict[str, list[Any]]:
    """The contract takes the renegotiated number of sessions, and its last session moves with it. A contract
    signed by both stays signed: the renegotiation is the agreed change. A single signature covered the old
    terms, so it is cleared, as for any change before both have signed."""
    before = _values(contract, ("sessions", "end_date", *SIGNATURE_FIELDS))
    contract.sessions = new_sessions
    contract.end_date = renegotiated_end_date(contract, new_sessions)
    if not contract.is_signed:
        _apply(contract, UNSIGNED, SIGNATURE_FIELDS)
    changes = diff_fields(before, _values(contract, ("sessions", "end_date", *SIGNATURE_FIELDS)))
    if not changes:
        return {}
    contract.updated_by = acting_user
    contract.updated_at = timezone.now()
    contract.save(update_fields=[*changes, "updated_by", "updated_at"])
    return {f"contract_{name}": values for name, values in changes.items()}


def renegotiated_end_date(contract: Contract, sessions: int) -> dt.date:
    """The contract's expected last session for another number of sessions, from its start and frequency."""
    return suggested_end_date(contract.start_date, sessions, contract.frequency)


# ---------------------------------------------------------------------------------------------------- helpers


def _lock(episode: Episode) -> Episode:
    """The episode's row, locked until the transaction ends (its client comes along for the audit event)."""
    return Episode.objects.select_for_update().select_related("client").get(pk=episode.pk)


def _apply(obj: Any, data: dict[str, Any], fields: tuple[str, ...]) -> None:
    for name in fields:
        if name in data:
            value = data[name]
            # Text fields store "" for nothing; only dates, numbers and links store None.
            if value is None and isinstance(obj._meta.get_field(name), models.CharField | models.TextField):
                value = ""
            setattr(obj, name, value)


def _same_name(typed: str, name: str) -> bool:
    return " ".join(typed.split()).casefold() == " ".join(name.split()).casefold()


def _values(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def _without_blanks(values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value not in ("", None, [])}


def _record(
    episode: Episode,
    obj: Any,
    kind: str,
    acting_user: User,
    changes: dict[str, list[Any]] | None,
    *,
    reason: str = "",
    **extra: Any,
) -> None:
    record_event(
        EventType.EPISODE_CHANGED,
        actor=acting_user,
        client=episode.client,
        obj=obj,
        reason=reason,
        changes=changes,
        extra={"kind": kind, "episode_id": episode.pk, **extra},
    )


def default_frequency(episode: Episode) -> str:
    return Frequency.MONTHLY if episode.format == Format.MAINTENANCE else Frequency.WEEKLY
