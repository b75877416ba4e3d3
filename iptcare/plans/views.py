"""Plan pages, for the relapse-prevention plan and the safety plan alike (the URL names the kind): the current plan,
starting a version, editing a section of the draft from suggestions, finalising with confirmation, the versions and
their differences, and the one-page print.

Reading needs a record the user may open (care team and supervisors); changing needs care-team membership. Anything
else answers 404 (iptcare/ipt/access.py). Every page read is audited as PLAN_VIEWED.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from iptcare.accounts.access import require_staff
from iptcare.clients.models import Client
from iptcare.consent.models import DataCategory
from iptcare.consent.printing import handle_print_disclosure, print_stamp_context
from iptcare.ipt.access import access_episode_by_id
from iptcare.ipt.models import Episode
from iptcare.plans.actions import (
    do_add_plan_suggestions,
    do_finalise_plan,
    do_save_plan_section,
    do_start_plan_version,
    record_plan_read,
)
from iptcare.plans.content import LIST_KINDS, compare, finalise_problems, is_filled, section_of
from iptcare.plans.forms import FinaliseForm, PickSuggestionsForm, editor_for
from iptcare.plans.models import RelapsePreventionPlan, SafetyPlan, VersionedPlan
from iptcare.plans.selectors import PlanState, SectionView, plan_state, risk_signals, section_views
from iptcare.plans.suggestions import (
    Suggestion,
    offers_suggestions,
    read_record,
    suggestions_for,
    suggestions_for_section,
)

# URL name prefix and page title of each kind of plan.
URL_PREFIX = {RelapsePreventionPlan.kind: "plan", SafetyPlan.kind: "safety_plan"}
TITLES = {
    RelapsePreventionPlan.kind: gettext_lazy("Relapse-prevention plan"),
    SafetyPlan.kind: gettext_lazy("Safety plan"),
}


def _can_write(request: HttpRequest, client: Client) -> bool:
    return Client.objects.openable_by(request.user, write=True).filter(pk=client.pk).exists()


def plan_url(kind: str, page: str, episode: Episode, **kwargs: Any) -> str:
    name = URL_PREFIX[kind] + ("" if page == "overview" else f"_{page}")
    return reverse(name, kwargs={"client_id": episode.client_id, "episode_id": episode.pk, **kwargs})


def _urls(kind: str, episode: Episode) -> dict[str, str]:
    pages = ("overview", "start", "finalise", "versions", "print")
    return {page: plan_url(kind, page, episode) for page in pages}


def _context(kind: str, episode: Episode, **extra: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "title": TITLES[kind],
        "is_safety": kind == SafetyPlan.kind,
        "client": episode.client,
        "episode": episode,
        "urls": _urls(kind, episode),
        **extra,
    }


def _redirect_to_plan(kind: str, episode: Episode) -> HttpResponse:
    return redirect(plan_url(kind, "overview", episode))


def _show_refusal(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# ---------------------------------------------------------------------------------------------------- the plan


@require_staff
def plan_overview(request: HttpRequest, client_id: int, episode_id: int, kind: str) -> HttpResponse:
    episode = access_episode_by_id(request.user, client_id, episode_id)
    state = plan_state(kind, episode)
    can_write = _can_write(request, episode.client) and episode.is_open
    current = state.current
    record_plan_read(kind, episode, acting_user=request.user, plan=current)
    sections = section_views(kind, current.parsed()) if current else []
    counts = _suggestion_counts(kind, episode, state.draft) if can_write and state.draft else {}
    for view in sections:
        view.edit_url = plan_url(kind, "section", episode, section=view.section.key)
        view.suggestions = counts.get(view.section.key, 0)
    other_kind = SafetyPlan.kind if kind == RelapsePreventionPlan.kind else RelapsePreventionPlan.kind
    other = plan_state(other_kind, episode)
    context = _context(
        kind,
        episode,
        state=state,
        current=current,
        sections=sections,
        can_write=can_write,
        risk=risk_signals(episode.client),
        other=other,
        other_urls=_urls(other_kind, episode),
    )
    return render(request, "plans/plan.html", context)


def _suggestion_counts(kind: str, episode: Episode, draft: VersionedPlan) -> dict[str, int]:
    """How many suggestions wait for each section of the draft: the record is read once for all of them."""
    found = suggestions_for(kind, read_record(episode), draft.parsed())
    return {key: len(items) for key, items in found.items()}


@require_staff
@require_POST
def plan_start(request: HttpRequest, client_id: int, episode_id: int, kind: str) -> HttpResponse:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    try:
        plan = do_start_plan_version(kind, episode, acting_user=request.user)
    except ValidationError as error:
        _show_refusal(request, error)
    else:
        if plan.copied_from_id:
            messages.success(
                request,
                _("Version %(version)d started as a copy of version %(source)d.")
                % {"version": plan.version, "source": plan.copied_from.version},
            )
        else:
            messages.success(request, _("Version 1 started. Build each section from the suggestions."))
    return _redirect_to_plan(kind, episode)


# ---------------------------------------------------------------------------------------------------- a section


def _editable_draft(request: HttpRequest, state: PlanState, episode: Episode) -> VersionedPlan | None:
    """The draft, when there is one and the episode is open; otherwise None, with a message saying why."""
    if not episode.is_open:
        messages.error(request, _("The episode is closed: its plans no longer change."))
        return None
    if state.draft is None:
        messages.error(request, _("There is no draft to change: start a new version first."))
    return state.draft


@require_staff
def plan_section(request: HttpRequest, client_id: int, episode_id: int, kind: str, section: str) -> HttpResponse:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    spec = section_of(kind, section)
    if spec is None:
        raise Http404("No such section.")
    draft = _editable_draft(request, plan_state(kind, episode), episode)
    if draft is None:
        return _redirect_to_plan(kind, episode)
    content = draft.parsed()
    offered = suggestions_for_section(kind, episode, spec.key, content)
    action = request.POST.get("action") if request.method == "POST" else None
    pick_form = PickSuggestionsForm(request.POST if action == "pick" else None, suggestions=offered)
    editor = editor_for(spec, getattr(content, spec.key), request.POST if action == "save" else None)
    if action == "pick" and pick_form.is_valid():
        try:
            do_add_plan_suggestions(draft, spec.key, pick_form.cleaned_data["pick"], acting_user=request.user)
        except ValidationError as error:
            pick_form.add_error("pick", error.messages)
        else:
            messages.success(request, _("Added to the plan. Change the wording below if needed, then save."))
            return redirect(request.path)
    if action == "save" and editor.is_valid():
        try:
            do_save_plan_section(draft, spec.key, editor.value(), acting_user=request.user)
        except ValidationError as error:
            for message in error.messages:
                editor.add_error(message)
        else:
            messages.success(request, _("“%(section)s” is saved.") % {"section": spec.label})
            return _redirect_to_plan(kind, episode)
    if action is None:
        record_plan_read(kind, episode, acting_user=request.user, plan=draft, view=f"section:{spec.key}")
    context = _context(
        kind,
        episode,
        plan=draft,
        section=spec,
        editor=editor,
        pick_form=pick_form,
        groups=_grouped(offered),
        is_list=spec.kind in LIST_KINDS,
        has_suggestions=offers_suggestions(kind, spec.key),
    )
    return render(request, "plans/section_form.html", context)


def _grouped(suggestions: list[Suggestion]) -> list[tuple[str, list[tuple[int, Suggestion]]]]:
    """Suggestions by group, in the order the groups first appear, each numbered for its checkbox id."""
    groups: dict[str, list[tuple[int, Suggestion]]] = {}
    for number, suggestion in enumerate(suggestions):
        groups.setdefault(suggestion.group, []).append((number, suggestion))
    return list(groups.items())


# ---------------------------------------------------------------------------------------------------- finalise


@require_staff
def plan_finalise(request: HttpRequest, client_id: int, episode_id: int, kind: str) -> HttpResponse:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    state = plan_state(kind, episode)
    draft = _editable_draft(request, state, episode)
    if draft is None:
        return _redirect_to_plan(kind, episode)
    form = FinaliseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            do_finalise_plan(draft, acting_user=request.user)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Version %(version)d is final.") % {"version": draft.version})
            return _redirect_to_plan(kind, episode)
    content = draft.parsed()
    if request.method != "POST":
        record_plan_read(kind, episode, acting_user=request.user, plan=draft, view="finalise")
    context = _context(
        kind,
        episode,
        plan=draft,
        state=state,
        form=form,
        problems=finalise_problems(kind, content),
        sections=section_views(kind, content),
    )
    return render(request, "plans/finalise.html", context)


# ---------------------------------------------------------------------------------------------------- versions


@require_staff
def plan_versions(request: HttpRequest, client_id: int, episode_id: int, kind: str) -> HttpResponse:
    episode = access_episode_by_id(request.user, client_id, episode_id)
    state = plan_state(kind, episode)
    record_plan_read(kind, episode, acting_user=request.user, view="versions")
    rows = []
    for plan in reversed(state.versions):
        previous = state.previous(plan)
        rows.append(
            {
                "plan": plan,
                "url": plan_url(kind, "version", episode, version=plan.version),
                "print_url": plan_url(kind, "print", episode) + f"?version={plan.version}",
                "previous": previous,
                "changes": compare(kind, previous.parsed(), plan.parsed()) if previous else [],
            }
        )
    return render(request, "plans/versions.html", _context(kind, episode, state=state, rows=rows))


@require_staff
def plan_version(request: HttpRequest, client_id: int, episode_id: int, kind: str, version: int) -> HttpResponse:
    episode = access_episode_by_id(request.user, client_id, episode_id)
    state = plan_state(kind, episode)
    plan = state.get(version)
    if plan is None:
        raise Http404("No such version.")
    record_plan_read(kind, episode, acting_user=request.user, plan=plan, view="version")
    context = _context(
        kind,
        episode,
        state=state,
        plan=plan,
        sections=section_views(kind, plan.parsed()),
        print_url=plan_url(kind, "print", episode) + f"?version={plan.version}",
    )
    return render(request, "plans/version.html", context)


@require_staff
def plan_print(request: HttpRequest, client_id: int, episode_id: int, kind: str) -> HttpResponse:
    """One printable page of a version: the latest final one unless ?version= names another."""
    episode = access_episode_by_id(request.user, client_id, episode_id)
    state = plan_state(kind, episode)
    wanted = request.GET.get("version", "")
    plan = state.get(int(wanted)) if wanted.isdigit() else (state.latest_final or state.draft)
    if plan is None:
        raise Http404("No such version.")
    # A printout for someone outside the program is a disclosure: the gate decides, and it is recorded.
    form, response = handle_print_disclosure(
        request,
        episode.client,
        # The plan names the client's support contacts, so it discloses the people in the client's life too.
        categories=[DataCategory.TREATMENT_PLAN, DataCategory.RELATIONSHIPS],
        document=f"{TITLES[kind]}, version {plan.version}",
    )
    if response is not None:
        return response
    record_plan_read(kind, episode, acting_user=request.user, plan=plan, view="print")
    context = _context(
        kind,
        episode,
        plan=plan,
        state=state,
        sections=_printed_sections(kind, plan),
        printed_on=timezone.localdate(),
        **print_stamp_context(request, episode.client, form),
    )
    return render(request, "plans/print.html", context)


def _printed_sections(kind: str, plan: VersionedPlan) -> list[SectionView]:
    """Sections with something in them: the print keeps to one page."""
    return [view for view in section_views(kind, plan.parsed()) if is_filled(view.value)]
