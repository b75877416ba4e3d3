"""Episode pages: the client's episodes, opening one, the overview with phase guidance, status, assessment."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iptcare.accounts.access import require_staff
from iptcare.accounts.models import Role
from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.clients.access import PRIMARY_THERAPIST_ROLES, access_client_by_id
from iptcare.clients.models import Client
from iptcare.groups.selectors import membership_of_episode
from iptcare.ipt.access import access_episode_by_id
from iptcare.ipt.actions import (
    do_change_episode_status,
    do_open_episode,
    do_record_termination_raised,
    do_update_episode,
)
from iptcare.ipt.actions_assessment import do_save_assessment, do_save_substance_history
from iptcare.ipt.forms import (
    AssessmentForm,
    EpisodeEditForm,
    EpisodeOpenForm,
    EpisodeStatusForm,
    SubstanceHistoryForm,
    TerminationRaisedForm,
)
from iptcare.ipt.guidance import guidance_for, next_session_of
from iptcare.ipt.models import Assessment, Episode
from iptcare.measures.selectors import latest_by_instrument, progress


def _can_write(request: HttpRequest, client: Client) -> bool:
    return Client.objects.openable_by(request.user, write=True).filter(pk=client.pk).exists()


@require_staff
def episode_list(request: HttpRequest, client_id: int) -> HttpResponse:
    client = access_client_by_id(request.user, client_id)
    record_event(EventType.EPISODE_VIEWED, actor=request.user, client=client, obj=client)
    episodes = Episode.objects.filter(client=client).select_related("primary_therapist")
    context = {"client": client, "episodes": episodes, "can_write": _can_write(request, client)}
    return render(request, "ipt/episode_list.html", context)


@require_staff
def episode_open(request: HttpRequest, client_id: int) -> HttpResponse:
    client = access_client_by_id(request.user, client_id, write=True)
    if not request.user.has_role(*PRIMARY_THERAPIST_ROLES, Role.SUPERVISOR):
        raise PermissionDenied
    form = EpisodeOpenForm(request.POST or None, client=client, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            episode = do_open_episode(
                client,
                format_=data["format"],
                primary_therapist=data["primary_therapist"],
                acting_user=request.user,
                planned_sessions=data["planned_sessions"],
                session_minutes=data["session_minutes"],
                start_date=data["start_date"],
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("The episode is open, in its initial (assessment) phase."))
            return redirect("episode_detail", client_id=client.pk, episode_id=episode.pk)
    return render(request, "ipt/episode_open.html", {"client": client, "form": form})


@require_staff
def episode_detail(request: HttpRequest, client_id: int, episode_id: int) -> HttpResponse:
    episode = access_episode_by_id(request.user, client_id, episode_id)
    client = episode.client
    record_event(EventType.EPISODE_VIEWED, actor=request.user, client=client, obj=episode)
    context = {
        "client": client,
        "episode": episode,
        "guidance": guidance_for(episode),
        "status_form": EpisodeStatusForm(initial={"status": episode.status}),
        "status_changes": episode.status_changes.select_related("changed_by")[:10],
        "renegotiations": episode.renegotiations.select_related("recorded_by"),
        "latest_measures": latest_by_instrument(client),
        "mood_progress": [p for p in (progress(client, "PHQ-9"), progress(client, "GAD-7")) if p is not None],
        "next_session": next_session_of(episode),
        "group_membership": membership_of_episode(episode),
        "termination_form": TerminationRaisedForm(initial={"termination_raised_on": timezone.localdate()}),
        "can_write": _can_write(request, client),
    }
    return render(request, "ipt/episode_detail.html", context)


@require_staff
@require_POST
def episode_status(request: HttpRequest, client_id: int, episode_id: int) -> HttpResponse:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    form = EpisodeStatusForm(request.POST)
    if form.is_valid():
        try:
            do_change_episode_status(
                episode, form.cleaned_data["status"], acting_user=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The episode is now: %(status)s.") % {"status": episode.get_status_display()})
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("episode_detail", client_id=episode.client_id, episode_id=episode.pk)


@require_staff
def episode_edit(request: HttpRequest, client_id: int, episode_id: int) -> HttpResponse:
    """The therapist, session length and start date of an open episode."""
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    if not episode.is_open:
        messages.error(request, _("A closed episode is not changed."))
        return redirect("episode_detail", client_id=episode.client_id, episode_id=episode.pk)
    form = EpisodeEditForm(request.POST or None, episode=episode)
    if request.method == "POST" and form.is_valid():
        try:
            do_update_episode(episode, form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("The episode is saved."))
            return redirect("episode_detail", client_id=episode.client_id, episode_id=episode.pk)
    return render(request, "ipt/episode_edit.html", {"client": episode.client, "episode": episode, "form": form})


@require_staff
@require_POST
def episode_termination(request: HttpRequest, client_id: int, episode_id: int) -> HttpResponse:
    """Record the day the end of treatment was raised with the client."""
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    form = TerminationRaisedForm(request.POST)
    if form.is_valid():
        try:
            do_record_termination_raised(episode, form.cleaned_data["termination_raised_on"], acting_user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Recorded: the end of treatment was raised with the client."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("episode_detail", client_id=episode.client_id, episode_id=episode.pk)


@require_staff
def assessment_edit(request: HttpRequest, client_id: int, episode_id: int) -> HttpResponse:
    """The history: shown to everyone who may open the record, changed by the care team."""
    episode = access_episode_by_id(request.user, client_id, episode_id)
    client = episode.client
    can_write = _can_write(request, client)
    assessment = Assessment.objects.select_related("medication_assessed_by").filter(
        episode=episode
    ).first() or Assessment(episode=episode)
    may_record_medications = request.user.has_role(Role.PHYSICIAN)
    form = AssessmentForm(
        request.POST or None, instance=assessment, episode=episode, may_record_medications=may_record_medications
    )
    if request.method == "POST":
        if not can_write:
            episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
        if form.is_valid():
            do_save_assessment(
                episode,
                form.changed_values(),
                acting_user=request.user,
                may_record_medications=may_record_medications,
            )
            messages.success(request, _("The assessment is saved."))
            return redirect("assessment_edit", client_id=client.pk, episode_id=episode.pk)
    record_event(EventType.EPISODE_VIEWED, actor=request.user, client=client, obj=episode, extra={"kind": "assessment"})
    context = {
        "client": client,
        "episode": episode,
        "assessment": assessment,
        "form": form,
        "histories": episode.substance_histories.all(),
        "history_form": SubstanceHistoryForm(initial={"overdoses": 0}, client=client),
        "can_write": can_write,
    }
    return render(request, "ipt/assessment.html", context)


@require_staff
@require_POST
def substance_history_edit(request: HttpRequest, client_id: int, episode_id: int) -> HttpResponse:
    """Add a substance's history, or replace it when the substance is already recorded."""
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    form = SubstanceHistoryForm(request.POST, client=episode.client)
    if form.is_valid():
        history = do_save_substance_history(episode, form.cleaned_data, acting_user=request.user)
        messages.success(request, _("Saved the history of %(substance)s.") % {"substance": history.substance_label})
    else:
        # Name the field each problem belongs to: the form is shown again empty after the redirect.
        problems = [
            f"{form.fields[name].label}: {' '.join(errors)}"
            for name, errors in form.errors.items()
            if name in form.fields
        ]
        messages.error(request, _("The substance history was not saved. ") + " ".join(problems))
    return redirect("assessment_edit", client_id=episode.client_id, episode_id=episode.pk)
