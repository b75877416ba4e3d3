"""/api/v1/clients/: clients, their care teams and the people in their lives.

The same access functions, forms and actions as the pages, so the rules and the audit trail are the same.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from iptcare.audit.events import record_event, record_list_view
from iptcare.audit.models import EventType
from iptcare.clients import actions
from iptcare.clients.access import (
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
    form_values,
)
from iptcare.clients.models import Client
from iptcare.clients.schemas import (
    CareTeamMemberIn,
    CareTeamMemberOut,
    CareTeamMemberPage,
    CareTeamMemberUpdateIn,
    ClientCreateIn,
    ClientOut,
    ClientPage,
    ClientUpdateIn,
    PersonIn,
    PersonOut,
    PersonPage,
    PersonUpdateIn,
)
from iptcare.clients.selectors import care_team_in_role_order, caseload_queryset
from iptcare.lib.api_errors import FormInvalid, form_data_from_api, validate_form

router = Router(tags=["clients"])


class PageParams(Schema):
    limit: int = Field(25, ge=1, le=100, description="Page size, at most 100.")
    offset: int = Field(0, ge=0)


class ClientListParams(PageParams):
    q: str = Field("", max_length=100, description="Search in names and identifiers.")
    status: str = ""
    site_id: int | None = None
    sort: str = "name"


@router.get("", response=ClientPage, summary="List the clients you can see")
def list_clients(request: HttpRequest, params: Query[ClientListParams]) -> dict[str, Any]:
    clients = caseload_queryset(
        request.user, query=params.q, status=params.status, site=params.site_id or "", sort=params.sort
    )
    items = list(clients[params.offset : params.offset + params.limit])
    record_list_view(actor=request.user, clients=items, extra={"query": params.q, "offset": params.offset})
    return {"count": clients.count(), "items": items}


@router.post("", response={201: ClientOut}, summary="Create a client")
def create_client(request: HttpRequest, payload: ClientCreateIn) -> Status:
    user = request.user
    if not can_create_clients(user):
        raise PermissionDenied("Your role does not allow creating clients.")
    data = form_data_from_api(payload.dict())
    if data.get("status_since") is None:
        data["status_since"] = timezone.localdate()
    form = ClientCreateForm(data=data, organization=user.organization, acting_user=user)
    cleaned = validate_form(form)
    client = actions.do_create_client(
        organization=user.organization,
        data=cleaned,
        primary_therapist=cleaned["primary_therapist"],
        acting_user=user,
    )
    return Status(201, Client.objects.prefetch_related("care_team__user").select_related("site").get(pk=client.pk))


@router.get("{client_id}", response=ClientOut, summary="Read one client")
def read_client(request: HttpRequest, client_id: int) -> Client:
    client = access_client_by_id(request.user, client_id)
    actions.record_client_read(EventType.CLIENT_VIEWED, client, acting_user=request.user)
    return client


@router.patch("{client_id}", response=ClientOut, summary="Change a client; send only the fields to change")
def update_client(request: HttpRequest, client_id: int, payload: ClientUpdateIn) -> Client:
    client = access_client_by_id(request.user, client_id, write=True)
    data = form_values(client, ClientForm) | form_data_from_api(payload.dict(exclude_unset=True))
    cleaned = validate_form(ClientForm(data=data, instance=client, organization=client.organization))
    actions.do_update_client(client, cleaned, acting_user=request.user)
    return access_client_by_id(request.user, client_id)


def _page(items: list, params: PageParams) -> dict[str, Any]:
    return {"count": len(items), "items": items[params.offset : params.offset + params.limit]}


@router.get("{client_id}/care-team", response=CareTeamMemberPage, summary="List the care team")
def list_care_team(request: HttpRequest, client_id: int, params: Query[PageParams]) -> dict[str, Any]:
    client = access_client_by_id(request.user, client_id)
    actions.record_client_read(EventType.CARE_TEAM_VIEWED, client, acting_user=request.user)
    # A care team is a handful of people: order it in Python the way people read it, then page it.
    return _page(care_team_in_role_order(client), params)


@router.get("{client_id}/care-team/{member_id}", response=CareTeamMemberOut, summary="Read one care team member")
def read_care_team_member(request: HttpRequest, client_id: int, member_id: int) -> Any:
    member = access_care_team_member_by_id(request.user, client_id, member_id)
    record_event(EventType.CARE_TEAM_VIEWED, actor=request.user, client=member.client, obj=member)
    return member


@router.post("{client_id}/care-team", response={201: CareTeamMemberOut}, summary="Add a care team member")
def add_care_team_member(request: HttpRequest, client_id: int, payload: CareTeamMemberIn) -> Status:
    client = access_client_by_id(request.user, client_id, write=True)
    cleaned = validate_form(CareTeamMemberForm(data=form_data_from_api(payload.dict()), client=client))
    member = actions.do_add_care_team_member(client, cleaned["user"], cleaned["team_role"], acting_user=request.user)
    return Status(201, member)


@router.patch(
    "{client_id}/care-team/{member_id}",
    response=CareTeamMemberOut,
    summary="Change a member's role on the team",
)
def update_care_team_member(
    request: HttpRequest, client_id: int, member_id: int, payload: CareTeamMemberUpdateIn
) -> Any:
    member = access_care_team_member_by_id(request.user, client_id, member_id, write=True)
    cleaned = validate_form(CareTeamRoleForm(data=payload.dict(), member=member))
    return actions.do_change_care_team_role(member, cleaned["team_role"], acting_user=request.user)


@router.delete("{client_id}/care-team/{member_id}", response={204: None}, summary="Remove a care team member")
def remove_care_team_member(request: HttpRequest, client_id: int, member_id: int) -> Status:
    member = access_care_team_member_by_id(request.user, client_id, member_id, write=True)
    try:
        actions.do_remove_care_team_member(member, acting_user=request.user)
    except ValidationError as error:
        raise FormInvalid({"team_role": list(error.messages)}) from None
    return Status(204, None)


@router.get("{client_id}/people", response=PersonPage, summary="List the people in the client's life")
def list_people(request: HttpRequest, client_id: int, params: Query[PageParams]) -> dict[str, Any]:
    client = access_client_by_id(request.user, client_id)
    actions.record_client_read(EventType.PEOPLE_VIEWED, client, acting_user=request.user)
    people = client.people.order_by("name", "id")
    return {"count": people.count(), "items": list(people[params.offset : params.offset + params.limit])}


@router.post("{client_id}/people", response={201: PersonOut}, summary="Add a person")
def add_person(request: HttpRequest, client_id: int, payload: PersonIn) -> Status:
    client = access_client_by_id(request.user, client_id, write=True)
    cleaned = validate_form(PersonForm(data=payload.dict(), client=client))
    return Status(201, actions.do_add_person(client, cleaned, acting_user=request.user))


@router.get("{client_id}/people/{person_id}", response=PersonOut, summary="Read one person")
def read_person(request: HttpRequest, client_id: int, person_id: int) -> Any:
    person = access_person_by_id(request.user, client_id, person_id)
    record_event(EventType.PEOPLE_VIEWED, actor=request.user, client=person.client, obj=person)
    return person


@router.patch("{client_id}/people/{person_id}", response=PersonOut, summary="Change a person")
def update_person(request: HttpRequest, client_id: int, person_id: int, payload: PersonUpdateIn) -> Any:
    person = access_person_by_id(request.user, client_id, person_id, write=True)
    data = form_values(person, PersonForm) | payload.dict(exclude_unset=True)
    cleaned = validate_form(PersonForm(data=data, instance=person, client=person.client))
    return actions.do_update_person(person, cleaned, acting_user=request.user)
