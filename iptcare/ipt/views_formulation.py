"""Formulation pages: the formulation with its problem areas and goals, the treatment contract, signing it, and
renegotiating the number of sessions. Everyone who may open the record reads them; the care team changes them."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.accounts.access import require_staff
from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.clients.models import Client
from iptcare.ipt.access import access_episode_by_id, access_goal_by_id, access_problem_area_by_id
from iptcare.ipt.actions_formulation import (
    MAX_PROBLEM_AREAS,
    area_locked_message,
    contract_locked_message,
    default_frequency,
    do_add_goal,
    do_add_problem_area,
    do_change_dispute_stage,
    do_delete_goal,
    do_delete_problem_area,
    do_renegotiate_sessions,
    do_save_contract,
    do_save_formulation,
    do_sign_contract,
    do_update_goal,
    do_update_problem_area,
    goal_locked_message,
    renegotiated_end_date,
    suggested_end_date,
    suggested_focus,
    too_many_areas_message,
)
from iptcare.ipt.forms_formulation import (
    ContractForm,
    ContractSignForm,
    DisputeStageForm,
    FormulationForm,
    GoalForm,
    ProblemAreaForm,
    RenegotiationForm,
    modality_formset,
)
from iptcare.ipt.models import (
    SESSION_RANGE,
    Contract,
    DisputeStageChange,
    Episode,
    Format,
    Formulation,
    InventoryEntry,
    Modality,
    ProblemArea,
    ProblemAreaKind,
)

# The stage form's field names carry this prefix, apart from the formulation form's on the same page.
STAGE_PREFIX = "stage"
# The renegotiation page shows where the contract's last session moves for this many counts either side.
RENEGOTIATION_PREVIEW = 4


def _can_write(request: HttpRequest, client: Client) -> bool:
    return Client.objects.openable_by(request.user, write=True).filter(pk=client.pk).exists()


def _record_view(request: HttpRequest, episode: Episode, kind: str) -> None:
    record_event(EventType.EPISODE_VIEWED, actor=request.user, client=episode.client, obj=episode, extra={"kind": kind})


def _posted(request: HttpRequest) -> Any:
    """The submitted data on a POST, even an empty one (which `request.POST or None` would take for a GET)."""
    return request.POST if request.method == "POST" else None


def _add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """An action's refusal, shown next to the field it names (or at the top of the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


def problem_areas_of(episode: Episode) -> list[ProblemArea]:
    """The areas with their goals, links and stage history, in a fixed number of queries whatever their count."""
    return list(
        ProblemArea.objects.filter(formulation__episode=episode)
        .select_related("dispute_with", "deceased")
        .prefetch_related(
            "goals",
            Prefetch("inventory_entries", queryset=InventoryEntry.objects.select_related("person")),
            "timeline_events",
            "triggers",
            Prefetch(
                "stage_changes",
                queryset=DisputeStageChange.objects.select_related("recorded_by").order_by("changed_on", "id"),
            ),
        )
    )


def _contract_signed(episode: Episode) -> bool:
    """A contract signed by both fixes the focus: no problem area or goal is deleted then."""
    return Contract.objects.filter(
        episode=episode, therapist_signed_at__isnull=False, client_signed_at__isnull=False
    ).exists()


def _ignored_message(request: HttpRequest, form: ProblemAreaForm) -> None:
    if form.ignored:
        messages.info(
            request,
            _("Left out, as they do not apply to %(area)s: %(fields)s.")
            % {"area": ProblemAreaKind(form.cleaned_data["kind"]).label, "fields": "; ".join(form.ignored_labels())},
        )


def _redirect_to_formulation(episode: Episode) -> HttpResponse:
    return redirect("formulation", client_id=episode.client_id, episode_id=episode.pk)


def _redirect_to_contract(episode: Episode) -> HttpResponse:
    return redirect("contract", client_id=episode.client_id, episode_id=episode.pk)


# ---------------------------------------------------------------------------------------------------- formulation


@require_staff
def formulation(request: HttpRequest, client_id: int, episode_id: int) -> HttpResponse:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=request.method == "POST")
    current = Formulation.objects.filter(episode=episode).select_related("updated_by").first()
    # The form gets its own copy: a bound ModelForm writes the submitted values onto its instance.
    form = FormulationForm(_posted(request), instance=copy.copy(current), episode=episode)
    if request.method == "POST" and form.is_valid():
        try:
            do_save_formulation(episode, form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The formulation is saved."))
            return _redirect_to_formulation(episode)
    _record_view(request, episode, "formulation")
    areas = problem_areas_of(episode)
    can_write = _can_write(request, episode.client)
    for area in areas:
        area.stage_notes = [change for change in area.stage_changes.all() if change.note]  # type: ignore[attr-defined]
        if can_write and area.kind == ProblemAreaKind.ROLE_DISPUTE:
            area.stage_form = DisputeStageForm(area=area, episode=episode, prefix=STAGE_PREFIX)  # type: ignore[attr-defined]
    context = {
        "client": episode.client,
        "episode": episode,
        "formulation": current,
        "form": form,
        "areas": areas,
        "can_add_area": len(areas) < MAX_PROBLEM_AREAS,
        "can_write": can_write,
        "contract_signed": _contract_signed(episode),
    }
    return render(request, "ipt/formulation.html", context)


@require_staff
def problem_area_new(request: HttpRequest, client_id: int, episode_id: int) -> HttpResponse:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    if (
        request.method == "GET"
        and ProblemArea.objects.filter(formulation__episode=episode).count() >= MAX_PROBLEM_AREAS
    ):
        messages.error(request, too_many_areas_message())
        return _redirect_to_formulation(episode)
    form = ProblemAreaForm(_posted(request), episode=episode)
    if request.method == "POST" and form.is_valid():
        try:
            area = do_add_problem_area(episode, form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Problem area added: %(area)s.") % {"area": area.get_kind_display()})
            _ignored_message(request, form)
            return _redirect_to_formulation(episode)
    _record_view(request, episode, "problem_area")
    context = {"client": episode.client, "episode": episode, "form": form, "area": None}
    return render(request, "ipt/formulation_area_form.html", context)


@require_staff
def problem_area_edit(request: HttpRequest, client_id: int, episode_id: int, area_id: int) -> HttpResponse:
    area = access_problem_area_by_id(request.user, client_id, episode_id, area_id, write=True)
    episode = area.formulation.episode
    form = ProblemAreaForm(_posted(request), instance=copy.copy(area), episode=episode)
    if request.method == "POST" and form.is_valid():
        try:
            do_update_problem_area(area, form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The problem area is saved."))
            _ignored_message(request, form)
            return _redirect_to_formulation(episode)
    _record_view(request, episode, "problem_area")
    context = {"client": episode.client, "episode": episode, "form": form, "area": area}
    return render(request, "ipt/formulation_area_form.html", context)


@require_staff
def problem_area_delete(request: HttpRequest, client_id: int, episode_id: int, area_id: int) -> HttpResponse:
    """GET shows what will be deleted; POST deletes the area with its goals."""
    area = access_problem_area_by_id(request.user, client_id, episode_id, area_id, write=True)
    episode = area.formulation.episode
    error = None
    if request.method == "POST":
        try:
            do_delete_problem_area(area, acting_user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Problem area deleted: %(area)s.") % {"area": area.get_kind_display()})
            return _redirect_to_formulation(episode)
    _record_view(request, episode, "problem_area")
    locked = _contract_signed(episode)
    context = {
        "client": episode.client,
        "episode": episode,
        "area": area,
        "goals": list(area.goals.all()),
        "formulation": area.formulation,
        "locked": locked,
        "locked_message": area_locked_message() if locked else "",
        "error": error,
    }
    return render(request, "ipt/problem_area_delete.html", context)


@require_staff
def dispute_stage_change(request: HttpRequest, client_id: int, episode_id: int, area_id: int) -> HttpResponse:
    """The role dispute's next stage, as of a date; the formulation page offers the same small form."""
    area = access_problem_area_by_id(request.user, client_id, episode_id, area_id, write=True)
    episode = area.formulation.episode
    if area.kind != ProblemAreaKind.ROLE_DISPUTE:
        messages.error(request, _("Only a role dispute has a stage."))
        return _redirect_to_formulation(episode)
    form = DisputeStageForm(_posted(request), area=area, episode=episode, prefix=STAGE_PREFIX)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = do_change_dispute_stage(
                area,
                stage=data["stage"],
                changed_on=data["changed_on"],
                note=data.get("note") or "",
                acting_user=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("The dispute is at %(stage)s from %(date)s.")
                % {"stage": change.get_stage_display().lower(), "date": change.changed_on.isoformat()},
            )
            return _redirect_to_formulation(episode)
    _record_view(request, episode, "problem_area")
    history = list(area.stage_changes.select_related("recorded_by").order_by("changed_on", "id"))
    context = {"client": episode.client, "episode": episode, "form": form, "area": area, "history": history}
    return render(request, "ipt/dispute_stage_form.html", context)


# ---------------------------------------------------------------------------------------------------- goals


@require_staff
def goal_new(request: HttpRequest, client_id: int, episode_id: int, area_id: int) -> HttpResponse:
    area = access_problem_area_by_id(request.user, client_id, episode_id, area_id, write=True)
    episode = area.formulation.episode
    form = GoalForm(_posted(request), problem_area=area)
    if request.method == "POST" and form.is_valid():
        try:
            do_add_goal(area, form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Goal added to %(area)s.") % {"area": area.get_kind_display()})
            return _redirect_to_formulation(episode)
    _record_view(request, episode, "goal")
    context = {"client": episode.client, "episode": episode, "form": form, "area": area, "goal": None}
    return render(request, "ipt/goal_form.html", context)


@require_staff
def goal_edit(request: HttpRequest, client_id: int, episode_id: int, goal_id: int) -> HttpResponse:
    goal = access_goal_by_id(request.user, client_id, episode_id, goal_id, write=True)
    area = goal.problem_area
    episode = area.formulation.episode
    form = GoalForm(_posted(request), instance=copy.copy(goal), problem_area=area)
    if request.method == "POST" and form.is_valid():
        try:
            do_update_goal(goal, form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The goal is saved."))
            return _redirect_to_formulation(episode)
    _record_view(request, episode, "goal")
    context = {"client": episode.client, "episode": episode, "form": form, "area": area, "goal": goal}
    return render(request, "ipt/goal_form.html", context)


@require_staff
def goal_delete(request: HttpRequest, client_id: int, episode_id: int, goal_id: int) -> HttpResponse:
    """GET shows the goal that will be deleted; POST deletes it."""
    goal = access_goal_by_id(request.user, client_id, episode_id, goal_id, write=True)
    area = goal.problem_area
    episode = area.formulation.episode
    error = None
    if request.method == "POST":
        try:
            do_delete_goal(goal, acting_user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Goal deleted from %(area)s.") % {"area": area.get_kind_display()})
            return _redirect_to_formulation(episode)
    _record_view(request, episode, "goal")
    locked = _contract_signed(episode)
    context = {
        "client": episode.client,
        "episode": episode,
        "area": area,
        "goal": goal,
        "locked": locked,
        "locked_message": goal_locked_message() if locked else "",
        "error": error,
    }
    return render(request, "ipt/goal_delete.html", context)


# ---------------------------------------------------------------------------------------------------- contract


def contract_of(episode: Episode) -> Contract | None:
    return (
        Contract.objects.filter(episode=episode)
        .select_related("updated_by")
        .prefetch_related(Prefetch("modalities", queryset=Modality.objects.order_by("kind", "id")))
        .first()
    )


def _contract_initial(episode: Episode) -> dict[str, Any]:
    """A new contract starts from the episode's plan and the chosen problem areas."""
    frequency = default_frequency(episode)
    start = max(episode.start_date, timezone.localdate())
    return {
        "sessions": episode.planned_sessions,
        "session_minutes": episode.session_minutes,
        "frequency": frequency,
        "start_date": start,
        "end_date": suggested_end_date(start, episode.planned_sessions, frequency),
        "focus": suggested_focus(problem_areas_of(episode)),
    }


@require_staff
def contract(request: HttpRequest, client_id: int, episode_id: int) -> HttpResponse:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=request.method == "POST")
    current = contract_of(episode)
    locked = current is not None and current.is_signed
    if request.method == "POST" and locked:
        messages.error(request, contract_locked_message())
        return _redirect_to_contract(episode)
    data = _posted(request)
    form = ContractForm(
        data,
        instance=copy.copy(current),
        episode=episode,
        initial=None if current else _contract_initial(episode),
    )
    formset = modality_formset(data, modalities=list(current.modalities.all()) if current else None)
    if request.method == "POST" and all([form.is_valid(), formset.is_valid()]):
        try:
            do_save_contract(episode, form.cleaned_data, modalities=formset.modalities(), acting_user=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The contract is saved."))
            return _redirect_to_contract(episode)
    _record_view(request, episode, "contract")
    formulation_accepted = Formulation.objects.filter(episode=episode, accepted_on__isnull=False).exists()
    context = {
        "client": episode.client,
        "episode": episode,
        "contract": current,
        "locked": locked,
        "form": form,
        "formset": formset,
        "formulation_accepted": formulation_accepted,
        "renegotiations": episode.renegotiations.select_related("recorded_by"),
        "can_write": _can_write(request, episode.client),
    }
    return render(request, "ipt/contract.html", context)


@require_staff
def contract_sign(request: HttpRequest, client_id: int, episode_id: int) -> HttpResponse:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    current = contract_of(episode)
    if current is None:
        messages.error(request, _("Save the contract before it is signed."))
        return _redirect_to_contract(episode)
    if current.is_signed:
        messages.info(request, _("The contract is already signed by both."))
        return _redirect_to_contract(episode)
    form = ContractSignForm(_posted(request), contract=current)
    if request.method == "POST" and form.is_valid():
        try:
            signed = do_sign_contract(
                current,
                therapist_signature=form.cleaned_data.get("therapist_signature", ""),
                client_signature=form.cleaned_data.get("client_signature", ""),
                acting_user=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if signed.is_signed:
                messages.success(request, _("Signed by both: the contract is now locked."))
            else:
                messages.success(request, _("Signature recorded. The contract is locked once both have signed."))
            return _redirect_to_contract(episode)
    _record_view(request, episode, "contract")
    context = {
        "client": episode.client,
        "episode": episode,
        "contract": current,
        "form": form,
        "sessions_match": current.sessions == episode.planned_sessions,
    }
    return render(request, "ipt/contract_sign.html", context)


@require_staff
def renegotiate(request: HttpRequest, client_id: int, episode_id: int) -> HttpResponse:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    form = RenegotiationForm(
        _posted(request),
        episode=episode,
        initial={"new_sessions": episode.planned_sessions, "agreed_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            renegotiation = do_renegotiate_sessions(
                episode,
                new_sessions=data["new_sessions"],
                reason=data["reason"],
                agreed_on=data.get("agreed_on") or timezone.localdate(),
                acting_user=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            message = _("Renegotiated: %(old)d → %(new)d sessions.") % {
                "old": renegotiation.old_sessions,
                "new": renegotiation.new_sessions,
            }
            contract = Contract.objects.filter(episode=episode).first()
            if contract is not None:
                message += " " + _("The contract's last session is now expected on %(date)s.") % {
                    "date": contract.end_date.isoformat()
                }
            messages.success(request, message)
            return _redirect_to_contract(episode)
    _record_view(request, episode, "renegotiation")
    current = Contract.objects.filter(episode=episode).first()
    context = {
        "client": episode.client,
        "episode": episode,
        "form": form,
        "contract": current,
        "end_dates": _renegotiated_end_dates(episode, current),
        "entered_end_date": _entered_end_date(form, current),
        "renegotiations": episode.renegotiations.select_related("recorded_by"),
    }
    return render(request, "ipt/renegotiation_form.html", context)


def _renegotiated_end_dates(episode: Episode, contract: Contract | None) -> list[tuple[int, Any]]:
    """Where the contract's last session moves for each number of sessions the format allows near the plan."""
    if contract is None:
        return []
    fewest, most = SESSION_RANGE[Format(episode.format)]
    low = max(fewest, episode.planned_sessions - RENEGOTIATION_PREVIEW)
    high = min(most, episode.planned_sessions + RENEGOTIATION_PREVIEW)
    return [
        (count, renegotiated_end_date(contract, count))
        for count in range(low, high + 1)
        if count != episode.planned_sessions
    ]


def _entered_end_date(form: RenegotiationForm, contract: Contract | None) -> Any:
    """The contract's new last session for the number typed in a form shown again with a problem."""
    if contract is None or not form.is_bound:
        return None
    count = form.cleaned_data.get("new_sessions") if hasattr(form, "cleaned_data") else None
    return renegotiated_end_date(contract, count) if isinstance(count, int) and count > 0 else None
