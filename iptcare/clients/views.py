"""Client pages: the caseload, a client's record, and the forms that change it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.accounts.access import require_staff
from iptcare.accounts.models import ORGANIZATION_WIDE_ROLES, Site
from iptcare.audit.events import record_event, record_list_view
from iptcare.audit.models import EventType
from iptcare.clients import actions
from iptcare.clients.access import (
    CARE_TEAM_ROLES,
    access_care_team_member_by_id,
    access_client_by_id,
    access_person_by_id,
    can_create_clients,
)
from iptcare.clients.forms import (
    CareTeamMemberForm,
    CareTeamRoleForm,
    ClientCreateForm,
    ClientForm,
    PersonForm,
)
from iptcare.clients.models import Client, ClientStatus, Person, TeamRole
from iptcare.clients.selectors import SORTS, care_team_in_role_order, caseload_queryset
from iptcare.lib.paging import paginate, query_without_page
from iptcare.measures.schedules import due_by_client
from iptcare.substance_use.selectors import percent_days_abstinent_by_client

# The caseload's use column covers the last 28 days, today included.
USE_WINDOW = dt.timedelta(days=27)


@require_staff
def caseload(request: HttpRequest) -> HttpResponse:
    user = request.user
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    site = request.GET.get("site", "")
    sort = request.GET.get("sort", "name") if request.GET.get("sort") in SORTS else "name"
    page = paginate(
        request, caseload_queryset(user, query=query, status=status, site=site, sort=sort), settings.PAGE_SIZE
    )
    record_list_view(actor=user, clients=list(page.object_list), extra={"query": query, "page": page.number})
    due = due_by_client(list(page.object_list))
    today = timezone.localdate()
    abstinent = percent_days_abstinent_by_client([c.pk for c in page.object_list], today - USE_WINDOW, today)
    for client in page.object_list:
        client.due_items = due.get(client.pk, [])
        client.percent_days_abstinent = abstinent.get(client.pk)
    context = {
        "page": page,
        "query": query,
        "status": status,
        "site": site,
        "sort": sort,
        "sorts": [(key, label) for key, (label, _order) in SORTS.items()],
        "statuses": ClientStatus.choices,
        "sites": Site.objects.filter(organization_id=user.organization_id),
        "page_query": query_without_page(request),
        "can_create": can_create_clients(user),
        "lists_own_teams": not user.has_role(*ORGANIZATION_WIDE_ROLES) or user.has_role(*CARE_TEAM_ROLES),
    }
    return render(request, "clients/caseload.html", context)


@require_staff
def client_detail(request: HttpRequest, client_id: int) -> HttpResponse:
    client = access_client_by_id(request.user, client_id)
    actions.record_client_read(EventType.CLIENT_VIEWED, client, acting_user=request.user)
    care_team = care_team_in_role_order(client)
    context = {
        "client": client,
        "care_team": care_team,
        "people": client.people.order_by("name"),
        "status_changes": client.status_changes.select_related("changed_by")[:10],
        "can_write": _can_write(request, client),
        "open_alerts": list(client.alerts.open().select_related("administration").order_by("-raised_at")),
        "due": due_by_client([client]).get(client.pk, []),
        "timeline": latest_care(client),
    }
    return render(request, "clients/detail.html", context)


def latest_care(client: Client, count: int = 12) -> list:
    """The newest entries of the client timeline (the whole of it is on the history page)."""
    from iptcare.ipt.care_timeline import care_timeline, window_ending  # the episode apps build on clients

    until, since = window_ending(None)
    return care_timeline(client, until=until, since=since)[:count]


def _can_write(request: HttpRequest, client: Client) -> bool:
    return Client.objects.openable_by(request.user, write=True).filter(pk=client.pk).exists()


@require_staff
def client_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_create_clients(user):
        raise PermissionDenied
    form = ClientCreateForm(request.POST or None, organization=user.organization, acting_user=user)
    if request.method == "POST" and form.is_valid():
        client = actions.do_create_client(
            organization=user.organization,
            data=form.cleaned_data,
            primary_therapist=form.cleaned_data["primary_therapist"],
            acting_user=user,
        )
        messages.success(request, _("Created the record for %(name)s.") % {"name": client.display_name})
        if Client.objects.openable_by(user).filter(pk=client.pk).exists():
            return redirect("client_detail", client_id=client.pk)
        return redirect("caseload")
    return render(request, "clients/client_form.html", {"form": form, "client": None})


@require_staff
def client_edit(request: HttpRequest, client_id: int) -> HttpResponse:
    client = access_client_by_id(request.user, client_id, write=True)
    form = ClientForm(request.POST or None, instance=client, organization=client.organization)
    if request.method == "POST" and form.is_valid():
        actions.do_update_client(client, form.cleaned_data, acting_user=request.user)
        messages.success(request, _("Saved the changes."))
        return redirect("client_detail", client_id=client.pk)
    actions.record_client_read(EventType.CLIENT_VIEWED, client, acting_user=request.user)
    return render(request, "clients/client_form.html", {"form": form, "client": client})


@require_staff
def care_team(request: HttpRequest, client_id: int) -> HttpResponse:
    """The care team with a form to add someone; only team members can change it."""
    client = access_client_by_id(request.user, client_id, write=True)
    form = CareTeamMemberForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        member = actions.do_add_care_team_member(
            client, form.cleaned_data["user"], form.cleaned_data["team_role"], acting_user=request.user
        )
        messages.success(request, _("Added %(name)s to the care team.") % {"name": member.user.full_name})
        return redirect("care_team", client_id=client.pk)
    actions.record_client_read(EventType.CARE_TEAM_VIEWED, client, acting_user=request.user)
    members = care_team_in_role_order(client)
    context = {"client": client, "members": members, "form": form, "team_roles": TeamRole.choices}
    return render(request, "clients/care_team.html", context)


@require_staff
def care_team_member_edit(request: HttpRequest, client_id: int, member_id: int) -> HttpResponse:
    member = access_care_team_member_by_id(request.user, client_id, member_id, write=True)
    form = CareTeamRoleForm(request.POST or None, member=member, initial={"team_role": member.team_role})
    if request.method == "POST" and form.is_valid():
        actions.do_change_care_team_role(member, form.cleaned_data["team_role"], acting_user=request.user)
        messages.success(
            request,
            _("%(name)s is now %(role)s on the team.")
            % {"name": member.user.full_name, "role": member.get_team_role_display().lower()},
        )
        return redirect("care_team", client_id=client_id)
    actions.record_client_read(EventType.CARE_TEAM_VIEWED, member.client, acting_user=request.user)
    return render(
        request,
        "clients/care_team_member_form.html",
        {"client": member.client, "member": member, "form": form},
    )


@require_staff
def care_team_member_remove(request: HttpRequest, client_id: int, member_id: int) -> HttpResponse:
    """GET asks for confirmation; POST removes the member."""
    member = access_care_team_member_by_id(request.user, client_id, member_id, write=True)
    error = None
    if request.method == "POST":
        try:
            actions.do_remove_care_team_member(member, acting_user=request.user)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, _("Removed %(name)s from the care team.") % {"name": member.user.full_name})
            if Client.objects.openable_by(request.user).filter(pk=client_id).exists():
                return redirect("care_team", client_id=client_id)
            return redirect("caseload")
    actions.record_client_read(EventType.CARE_TEAM_VIEWED, member.client, acting_user=request.user)
    return render(
        request,
        "clients/care_team_member_remove.html",
        {"client": member.client, "member": member, "error": error},
    )


@require_staff
def person_create(request: HttpRequest, client_id: int) -> HttpResponse:
    client = access_client_by_id(request.user, client_id, write=True)
    form = PersonForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        person = actions.do_add_person(client, form.cleaned_data, acting_user=request.user)
        messages.success(request, _("Added %(name)s.") % {"name": person.name})
        return redirect("client_detail", client_id=client.pk)
    return render(request, "clients/person_form.html", {"form": form, "client": client, "person": None})


@require_staff
def person_edit(request: HttpRequest, client_id: int, person_id: int) -> HttpResponse:
    person: Person = access_person_by_id(request.user, client_id, person_id, write=True)
    client = person.client
    form = PersonForm(request.POST or None, instance=person, client=client)
    if request.method == "POST" and form.is_valid():
        actions.do_update_person(person, form.cleaned_data, acting_user=request.user)
        messages.success(request, _("Saved the changes to %(name)s.") % {"name": person.name})
        return redirect("client_detail", client_id=client.pk)
    record_event(EventType.PEOPLE_VIEWED, actor=request.user, client=client, obj=person)
    return render(request, "clients/person_form.html", {"form": form, "client": client, "person": person})
