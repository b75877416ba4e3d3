"""Episode pages: the client's episodes, opening one, the overview with phase guidance, status, assessment."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iptcare.accounts.access import require_staff
from iptcare.accounts.models import Role
from iptcare.audit.events import diff_fields, record_event
from iptcare.audit.models import EventType
from iptcare.clients.access import PRIMARY_THERAPIST_ROLES, access_client_by_id
from iptcare.clients.models import Client
from iptcare.ipt.access import access_episode_by_id
from iptcare.ipt.actions import do_change_episode_status, do_open_episode
from iptcare.ipt.forms import AssessmentForm, EpisodeOpenForm, EpisodeStatusForm, SubstanceHistoryForm
from iptcare.ipt.guidance import guidance_for
from iptcare.ipt.models import Assessment, Episode, SubstanceHistory


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
        "measures": episode.administrations.order_by("-administered_at")[:10],
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
def assessment_edit(request: HttpRequest, client_id: int, episode_id: int) -> HttpResponse:
    """The history: shown to everyone who may open the record, changed by the care team."""
    episode = access_episode_by_id(request.user, client_id, episode_id)
    client = episode.client
    can_write = _can_write(request, client)
    assessment = Assessment.objects.filter(episode=episode).first() or Assessment(episode=episode)
    form = AssessmentForm(
        request.POST or None, instance=assessment, may_record_medications=request.user.has_role(Role.PHYSICIAN)
    )
    if request.method == "POST":
        if not can_write:
            episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
        if form.is_valid():
            _save_assessment(episode, form, acting_user=request.user)
            messages.success(request, _("The assessment is saved."))
            return redirect("assessment_edit", client_id=client.pk, episode_id=episode.pk)
    record_event(EventType.EPISODE_VIEWED, actor=request.user, client=client, obj=episode, extra={"kind": "assessment"})
    context = {
        "client": client,
        "episode": episode,
        "form": form,
        "histories": episode.substance_histories.all(),
        "history_form": SubstanceHistoryForm(initial={"overdoses": 0}),
        "can_write": can_write,
    }
    return render(request, "ipt/assessment.html", context)


@transaction.atomic
def _save_assessment(episode: Episode, form: AssessmentForm, *, acting_user) -> Assessment:
    stored = Assessment.objects.select_for_update().filter(episode=episode).first()
    before = {name: getattr(stored, name) for name in AssessmentForm.Meta.fields} if stored else {}
    assessment = form.save(commit=False)
    assessment.episode = episode
    assessment.updated_by = acting_user
    assessment.updated_at = timezone.now()
    assessment.save()
    after = {name: getattr(assessment, name) for name in AssessmentForm.Meta.fields}
    record_event(
        EventType.EPISODE_CHANGED,
        actor=acting_user,
        client=episode.client,
        obj=assessment,
        changes=diff_fields(before, after),
        extra={"kind": "assessment"},
    )
    return assessment


@require_staff
@require_POST
def substance_history_edit(request: HttpRequest, client_id: int, episode_id: int) -> HttpResponse:
    """Add a substance's history, or replace it when the substance is already recorded."""
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    existing = SubstanceHistory.objects.filter(episode=episode, substance=request.POST.get("substance", "")).first()
    form = SubstanceHistoryForm(request.POST, instance=existing)
    if form.is_valid():
        with transaction.atomic():
            history = form.save(commit=False)
            history.episode = episode
            history.save()
            record_event(
                EventType.EPISODE_CHANGED,
                actor=request.user,
                client=episode.client,
                obj=history,
                extra={"kind": "substance_history", "substance": history.substance, "replaced": bool(existing)},
            )
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
