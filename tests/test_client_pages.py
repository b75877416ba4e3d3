"""The caseload, a client's record, and the forms that create and change clients, care teams and people."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from iptcare.accounts.models import Organization, Site, User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.forms import ClientForm, form_values
from iptcare.clients.models import CareTeamMember, Client, ClientStatusChange, Person, TeamRole
from iptcare.encryption.audit import open_changes
from tests.conftest import make_client, sign_in

pytestmark = pytest.mark.django_db


def client_form_data(client: Client, **changes: Any) -> dict[str, Any]:
    data = form_values(client, ClientForm)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def new_client_data(site_: Site, primary: User, **changes: Any) -> dict[str, Any]:
    data = {
        "identifier": "N-0100",
        "given_name": "Harper",
        "family_name": "Holloway",
        "preferred_name": "Harp",
        "date_of_birth": "1988-07-14",
        "sex_at_birth": "female",
        "gender_identity": "woman",
        "pronouns": "she/her",
        "email": "harper@example.invalid",
        "phone": "555 010 2222",
        "site": site_.pk,
        "status": "active",
        "status_since": "2026-02-01",
        "primary_substances": ["alcohol", "cannabis"],
        "co_occurring_conditions": ["depression"],
        "primary_therapist": primary.pk,
    }
    data.update(changes)
    return data


class TestCaseload:
    def test_it_lists_my_clients_first_then_the_rest_i_may_see(
        self, north: Organization, north_site: Site, alice: User, bob: User
    ) -> None:
        alices = make_client(north, north_site, primary=alice, family_name="Zeller")
        bobs = make_client(north, north_site, primary=alice, team={bob: TeamRole.SUPERVISOR}, family_name="Young")
        supervised_only = make_client(north, north_site, primary=alice, family_name="Abbot")
        response = sign_in(bob).get("/clients/")
        page = list(response.context["page"].object_list)
        assert page[0] == bobs
        assert set(page[1:]) == {alices, supervised_only}
        assert [c.family_name for c in page[1:]] == ["Abbot", "Zeller"]

    def test_it_searches_by_name_and_identifier(self, north: Organization, north_site: Site, alice: User) -> None:
        ada = make_client(north, north_site, primary=alice, given_name="Ada", identifier="X-77")
        make_client(north, north_site, primary=alice, given_name="Bea")
        http = sign_in(alice)
        assert list(http.get("/clients/", {"q": "ada"}).context["page"].object_list) == [ada]
        assert list(http.get("/clients/", {"q": "x-77"}).context["page"].object_list) == [ada]
        empty = http.get("/clients/", {"q": "nobody"})
        assert list(empty.context["page"].object_list) == []
        assert "No clients match" in empty.content.decode()

    def test_it_filters_by_status_and_site_and_sorts(
        self, north: Organization, north_site: Site, north_annex: Site, alice: User
    ) -> None:
        held = make_client(north, north_annex, primary=alice, status="on_hold", identifier="B-2")
        make_client(north, north_site, primary=alice, status="active", identifier="A-1")
        http = sign_in(alice)
        assert list(http.get("/clients/", {"status": "on_hold"}).context["page"].object_list) == [held]
        assert list(http.get("/clients/", {"site": north_annex.pk}).context["page"].object_list) == [held]
        by_identifier = http.get("/clients/", {"sort": "identifier"}).context["page"].object_list
        assert [c.identifier for c in by_identifier] == ["A-1", "B-2"]

    def test_it_paginates_25_a_page(self, north: Organization, north_site: Site, alice: User) -> None:
        for _ in range(30):
            make_client(north, north_site, primary=alice)
        http = sign_in(alice)
        first = http.get("/clients/").context["page"]
        second = http.get("/clients/", {"page": 2}).context["page"]
        assert len(first.object_list) == 25
        assert len(second.object_list) == 5
        assert http.get("/clients/", {"page": 99}).context["page"].number == 2

    def test_it_uses_the_same_number_of_queries_for_3_or_20_clients(
        self, north: Organization, north_site: Site, alice: User
    ) -> None:
        http = sign_in(alice)

        def count_queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert http.get("/clients/").status_code == 200
            return len(captured)

        for _ in range(3):
            make_client(north, north_site, primary=alice)
        few = count_queries()
        for _ in range(17):
            make_client(north, north_site, primary=alice)
        assert count_queries() == few

    def test_it_audits_which_clients_were_listed(self, fern: Client, alice: User) -> None:
        sign_in(alice).get("/clients/")
        event = AuditEvent.objects.get(event_type=EventType.CLIENT_LIST_VIEWED)
        assert (event.actor, event.client) == (alice, fern)
        assert event.extra == {"query": "", "page": 1}

    def test_it_records_one_list_event_per_listed_client_in_one_insert(
        self, north: Organization, north_site: Site, alice: User
    ) -> None:
        listed = [make_client(north, north_site, primary=alice) for _ in range(4)]
        http = sign_in(alice)
        with CaptureQueriesContext(connection) as captured:
            http.get("/clients/")
        inserts = [q for q in captured.captured_queries if q["sql"].startswith('INSERT INTO "audit_auditevent"')]
        assert len(inserts) == 1
        events = AuditEvent.objects.filter(event_type=EventType.CLIENT_LIST_VIEWED)
        assert sorted(e.client_id for e in events) == sorted(c.pk for c in listed)

    def test_it_records_a_search_that_found_nobody(self, alice: User) -> None:
        sign_in(alice).get("/clients/", {"q": "nobody"})
        event = AuditEvent.objects.get(event_type=EventType.CLIENT_LIST_VIEWED)
        assert (event.client, event.extra["query"]) == (None, "nobody")

    def test_it_shows_another_organization_nothing(self, fern: Client, carol: User) -> None:
        response = sign_in(carol).get("/clients/")
        assert fern.identifier not in response.content.decode()

    def test_it_sends_anonymous_visitors_to_the_login_page(self, db: Any) -> None:
        from django.test import Client as HttpClient

        response = HttpClient().get("/clients/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


class TestClientRecord:
    def test_it_shows_the_record_with_team_and_people_and_audits_the_read(self, fern: Client, alice: User) -> None:
        response = sign_in(alice).get(f"/clients/{fern.pk}/")
        html = response.content.decode()
        assert response.status_code == 200
        assert "Fern Fairweather" in html
        assert "Big sister" in html
        assert "Cody Clarke" in html
        event = AuditEvent.objects.get(event_type=EventType.CLIENT_VIEWED)
        assert (event.actor, event.client, event.channel) == (alice, fern, "web")

    def test_it_answers_404_for_another_organization_and_for_a_missing_record(self, fern: Client, carol: User) -> None:
        http = sign_in(carol)
        not_yours = http.get(f"/clients/{fern.pk}/")
        missing = http.get("/clients/999999/")
        assert not_yours.status_code == missing.status_code == 404
        assert not AuditEvent.objects.filter(event_type=EventType.CLIENT_VIEWED).exists()

    def test_it_creates_a_client_with_its_care_team_and_audit(self, north_site: Site, alice: User, pia: User) -> None:
        response = sign_in(pia).post("/clients/new/", new_client_data(north_site, alice))
        client = Client.objects.get(identifier="N-0100")
        assert response.status_code == 302
        assert response["Location"] == f"/clients/{client.pk}/"
        assert client.primary_substances == ["alcohol", "cannabis"]
        assert client.organization_id == alice.organization_id
        team = {m.user: m.team_role for m in client.care_team.all()}
        assert team == {alice: TeamRole.PRIMARY_THERAPIST, pia: TeamRole.PHYSICIAN}
        assert client.status_changes.get().status == "active"
        event = AuditEvent.objects.get(event_type=EventType.CLIENT_CREATED)
        assert event.client == client
        assert event.extra["changes"]["identifier"] == [None, "N-0100"]

    def test_it_lets_an_admin_do_intake_without_joining_the_team(
        self, north_site: Site, alice: User, eve: User
    ) -> None:
        response = sign_in(eve).post("/clients/new/", new_client_data(north_site, alice))
        assert response.status_code == 302
        assert response["Location"] == "/clients/"
        client = Client.objects.get(identifier="N-0100")
        assert list(client.care_team.values_list("user", flat=True)) == [alice.pk]

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"date_of_birth": "2999-01-01"}, "date_of_birth", "cannot be in the future"),
            ({"identifier": "N-0001"}, "identifier", "has this identifier"),
            ({"phone": "call me"}, "phone", "phone number"),
            ({"given_name": ""}, "given_name", "required"),
            ({"status": "retired"}, "status", "not one of the available choices"),
            ({"primary_substances": ["glue"]}, "primary_substances", "not one of the available choices"),
        ],
    )
    def test_it_rejects_bad_input_next_to_the_field_and_stores_nothing(
        self, fern: Client, north_site: Site, alice: User, changes: dict, field: str, message: str
    ) -> None:
        before = Client.objects.count()
        response = sign_in(alice).post("/clients/new/", new_client_data(north_site, alice, **changes))
        assert response.status_code == 200
        assert message in " ".join(response.context["form"].errors[field])
        assert f'id="id_{field}_error"' in response.content.decode()
        assert Client.objects.count() == before

    def test_it_refuses_a_site_of_another_organization(self, north_site: Site, alice: User, south_site: Site) -> None:
        response = sign_in(alice).post("/clients/new/", new_client_data(north_site, alice, site=south_site.pk))
        assert "site" in response.context["form"].errors
        assert not Client.objects.filter(identifier="N-0100").exists()

    def test_it_edits_a_client_and_records_the_status_history(self, fern: Client, alice: User) -> None:
        data = client_form_data(fern, status="discharged", status_since="2026-03-01", pronouns="she/they")
        response = sign_in(alice).post(f"/clients/{fern.pk}/edit/", data)
        assert response.status_code == 302
        fern.refresh_from_db()
        assert (fern.status, fern.pronouns) == ("discharged", "she/they")
        assert ClientStatusChange.objects.filter(
            client=fern, status="discharged", effective_on=dt.date(2026, 3, 1)
        ).exists()
        event = AuditEvent.objects.get(event_type=EventType.CLIENT_UPDATED)
        assert event.extra["changes"]["status"] == ["active", "discharged"]
        assert event.extra["changes"]["pronouns"] == ["", "she/they"]
        assert "given_name" not in event.extra["changes"]

    def test_it_keeps_the_record_unchanged_when_an_edit_is_invalid(self, fern: Client, alice: User) -> None:
        data = client_form_data(fern, family_name="Changed", date_of_birth="2999-01-01")
        response = sign_in(alice).post(f"/clients/{fern.pk}/edit/", data)
        assert response.status_code == 200
        fern.refresh_from_db()
        assert fern.family_name == "Fairweather"
        assert not AuditEvent.objects.filter(event_type=EventType.CLIENT_UPDATED).exists()

    def test_it_lets_a_supervisor_read_but_not_edit(self, fern: Client, bob: User) -> None:
        http = sign_in(bob)
        assert http.get(f"/clients/{fern.pk}/").status_code == 200
        assert http.get(f"/clients/{fern.pk}/edit/").status_code == 404
        detail = http.get(f"/clients/{fern.pk}/")
        assert detail.context["can_write"] is False
        assert f"/clients/{fern.pk}/edit/" not in detail.content.decode()

    def test_it_refuses_intake_to_a_director(self, dan: User) -> None:
        assert sign_in(dan).get("/clients/new/").status_code == 403


class TestCareTeam:
    def test_it_adds_a_member(self, fern: Client, alice: User, tom: User) -> None:
        response = sign_in(alice).post(f"/clients/{fern.pk}/care-team/", {"user": tom.pk, "team_role": "therapist"})
        assert response.status_code == 302
        assert CareTeamMember.objects.get(client=fern, user=tom).team_role == "therapist"
        event = AuditEvent.objects.get(event_type=EventType.CARE_TEAM_MEMBER_ADDED)
        assert (event.client, event.extra["member"]) == (fern, tom.email)

    def test_it_offers_only_clinical_staff_of_the_organization_not_yet_on_the_team(
        self, fern: Client, alice: User, tom: User, dan: User, carol: User
    ) -> None:
        choices = sign_in(alice).get(f"/clients/{fern.pk}/care-team/").context["form"].fields["user"].queryset
        assert list(choices) == [tom]

    def test_it_moves_the_primary_role_and_keeps_exactly_one(self, fern: Client, alice: User, cody: User) -> None:
        member = CareTeamMember.objects.get(client=fern, user=cody)
        response = sign_in(alice).post(f"/clients/{fern.pk}/care-team/{member.pk}/", {"team_role": "primary_therapist"})
        assert response.status_code == 302
        roles = dict(CareTeamMember.objects.filter(client=fern).values_list("user__email", "team_role"))
        assert roles[cody.email] == "primary_therapist"
        assert roles[alice.email] == "therapist"
        assert list(roles.values()).count("primary_therapist") == 1

    def test_it_refuses_a_physician_as_primary_therapist(self, fern: Client, alice: User, pia: User) -> None:
        member = CareTeamMember.objects.get(client=fern, user=pia)
        response = sign_in(alice).post(f"/clients/{fern.pk}/care-team/{member.pk}/", {"team_role": "primary_therapist"})
        assert response.status_code == 200
        assert "must be a therapist or a counsellor" in response.content.decode()
        assert CareTeamMember.objects.get(pk=member.pk).team_role == "physician"

    def test_it_asks_before_removing_and_then_removes(self, fern: Client, alice: User, pia: User) -> None:
        member = CareTeamMember.objects.get(client=fern, user=pia)
        http = sign_in(alice)
        confirm = http.get(f"/clients/{fern.pk}/care-team/{member.pk}/remove/")
        assert confirm.status_code == 200
        assert CareTeamMember.objects.filter(pk=member.pk).exists()
        http.post(f"/clients/{fern.pk}/care-team/{member.pk}/remove/")
        assert not CareTeamMember.objects.filter(pk=member.pk).exists()
        assert AuditEvent.objects.filter(event_type=EventType.CARE_TEAM_MEMBER_REMOVED, client=fern).exists()

    def test_it_never_removes_the_primary_therapist(self, fern: Client, alice: User) -> None:
        member = CareTeamMember.objects.get(client=fern, user=alice)
        response = sign_in(alice).post(f"/clients/{fern.pk}/care-team/{member.pk}/remove/")
        assert response.status_code == 200
        assert "primary therapist" in response.content.decode()
        assert CareTeamMember.objects.filter(pk=member.pk).exists()

    def test_it_answers_404_to_a_supervisor_and_to_another_organization(
        self, fern: Client, bob: User, carol: User, tom: User
    ) -> None:
        for user in (bob, carol):
            response = sign_in(user).post(f"/clients/{fern.pk}/care-team/", {"user": tom.pk, "team_role": "therapist"})
            assert response.status_code == 404
        assert not CareTeamMember.objects.filter(client=fern, user=tom).exists()


class TestPeople:
    def test_it_adds_a_person(self, fern: Client, alice: User) -> None:
        data = {
            "name": "Sponsor J.",
            "relationship_type": "sponsor",
            "phone": "555 010 3333",
            "is_support_contact": "on",
        }
        response = sign_in(alice).post(f"/clients/{fern.pk}/people/new/", data)
        assert response.status_code == 302
        person = Person.objects.get(client=fern, name="Sponsor J.")
        assert (person.relationship_type, person.is_support_contact) == ("sponsor", True)
        event = AuditEvent.objects.get(event_type=EventType.PERSON_ADDED)
        assert (event.client, event.object_id) == (fern, str(person.pk))

    def test_it_needs_a_way_to_reach_a_support_contact(self, fern: Client, alice: User) -> None:
        data = {"name": "Neighbour", "relationship_type": "friend", "is_support_contact": "on"}
        response = sign_in(alice).post(f"/clients/{fern.pk}/people/new/", data)
        assert "needs a phone number or an e-mail" in response.content.decode()
        assert not Person.objects.filter(name="Neighbour").exists()

    def test_it_refuses_a_second_person_with_the_same_name(self, fern: Client, alice: User) -> None:
        response = sign_in(alice).post(
            f"/clients/{fern.pk}/people/new/", {"name": "big SISTER", "relationship_type": "sibling"}
        )
        assert response.status_code == 200
        assert Person.objects.filter(client=fern).count() == 1

    def test_it_edits_a_person_and_audits_the_change(self, fern: Client, alice: User) -> None:
        person = fern.people.get()
        data = {
            "name": "Big sister",
            "relationship_type": "sibling",
            "phone": "555 010 9999",
            "is_support_contact": "on",
        }
        sign_in(alice).post(f"/clients/{fern.pk}/people/{person.pk}/", data)
        person.refresh_from_db()
        assert person.phone == "555 010 9999"
        event = AuditEvent.objects.get(event_type=EventType.PERSON_UPDATED)
        assert open_changes(event.extra["changes"]) == {"phone": ["555 010 1234", "555 010 9999"]}
        assert "enc1:" in str(event.extra["changes"])  # the stored values are sealed
        assert person.updated_at <= timezone.now()

    def test_it_hides_people_of_a_client_that_is_not_yours(self, fern: Client, tom: User, carol: User) -> None:
        person = fern.people.get()
        for user in (tom, carol):
            assert sign_in(user).get(f"/clients/{fern.pk}/people/{person.pk}/").status_code == 404


def test_it_shows_each_role_its_navigation(alice: User, eve: User) -> None:
    # Alice has no authenticator and needs none; Eve (admin) has given her code.
    therapist_page = sign_in(alice).get("/clients/").content.decode()
    assert 'href="/clients/"' in therapist_page
    assert 'href="/manage/staff/"' not in therapist_page
    assert 'href="/manage/staff/"' in sign_in(eve).get("/clients/").content.decode()


class TestCaseloadAndTeamRules:
    """Search, empty states, unlinked rows, refusals, the primary therapist and the status history."""

    def test_it_finds_a_client_by_full_name(self, fern: Client, alice: User) -> None:
        found = sign_in(alice).get("/clients/", {"q": "fern fairweather"}).context["page"].object_list
        assert list(found) == [fern]

    def test_it_tells_a_new_clinician_their_caseload_is_empty_rather_than_filtered(self, tom: User) -> None:
        html = sign_in(tom).get("/clients/").content.decode()
        assert "You have no clients yet" in html
        assert "No clients match" not in html

    def test_it_lists_but_does_not_link_records_a_director_may_not_open(self, fern: Client, dan: User) -> None:
        html = sign_in(dan).get("/clients/").content.decode()
        assert "Fern Fairweather" in html
        assert f'href="/clients/{fern.pk}/"' not in html
        assert "names without a link cannot be opened" in html

    def test_it_audits_a_refused_record_naming_the_client_only_within_the_organization(
        self, fern: Client, tom: User, carol: User
    ) -> None:
        sign_in(tom).get(f"/clients/{fern.pk}/")
        sign_in(carol).get(f"/clients/{fern.pk}/")
        refused = {e.actor: e for e in AuditEvent.objects.filter(event_type=EventType.CLIENT_ACCESS_REFUSED)}
        assert refused[tom].client == fern
        assert refused[carol].client is None
        assert refused[carol].organization_id == carol.organization_id
        assert refused[carol].extra["requested_client_id"] == str(fern.pk)

    def test_it_never_offers_primary_therapist_when_adding_to_the_team(
        self, fern: Client, alice: User, tom: User
    ) -> None:
        http = sign_in(alice)
        choices = dict(http.get(f"/clients/{fern.pk}/care-team/").context["form"].fields["team_role"].choices)
        assert "primary_therapist" not in choices
        assert choices[""] == "Choose a role"
        http.post(f"/clients/{fern.pk}/care-team/", {"user": tom.pk, "team_role": "primary_therapist"})
        assert not CareTeamMember.objects.filter(client=fern, user=tom).exists()
        assert CareTeamMember.objects.get(client=fern, team_role="primary_therapist").user == alice

    def test_it_keeps_a_demoted_counsellor_a_counsellor(self, fern: Client, alice: User, cody: User) -> None:
        http = sign_in(alice)
        cody_member = CareTeamMember.objects.get(client=fern, user=cody)
        alice_member = CareTeamMember.objects.get(client=fern, user=alice)
        http.post(f"/clients/{fern.pk}/care-team/{cody_member.pk}/", {"team_role": "primary_therapist"})
        response = http.post(
            f"/clients/{fern.pk}/care-team/{alice_member.pk}/", {"team_role": "primary_therapist"}, follow=True
        )
        assert "Alice Ashby is now primary therapist on the team." in response.content.decode()
        assert CareTeamMember.objects.get(pk=cody_member.pk).team_role == "counsellor"

    def test_it_shows_no_remove_button_for_the_primary_therapist(self, fern: Client, alice: User) -> None:
        member = CareTeamMember.objects.get(client=fern, user=alice)
        html = sign_in(alice).get(f"/clients/{fern.pk}/care-team/{member.pk}/remove/").content.decode()
        assert "cannot be removed" in html
        assert 'class="button danger"' not in html

    def test_it_lists_the_team_primary_therapist_first(self, fern: Client, alice: User) -> None:
        team = sign_in(alice).get(f"/clients/{fern.pk}/").context["care_team"]
        assert [m.team_role for m in team] == ["primary_therapist", "counsellor", "physician", "physician"]

    def test_it_refuses_a_status_date_before_birth(self, fern: Client, alice: User) -> None:
        response = sign_in(alice).post(f"/clients/{fern.pk}/edit/", client_form_data(fern, status_since="1950-01-01"))
        assert "before the date of birth" in " ".join(response.context["form"].errors["status_since"])
        fern.refresh_from_db()
        assert fern.status_since != dt.date(1950, 1, 1)

    def test_it_corrects_the_date_of_the_current_status_without_adding_history(self, fern: Client, alice: User) -> None:
        http = sign_in(alice)
        http.post(f"/clients/{fern.pk}/edit/", client_form_data(fern, status="on_hold", status_since="2026-04-01"))
        fern.refresh_from_db()
        http.post(f"/clients/{fern.pk}/edit/", client_form_data(fern, status_since="2026-04-03"))
        history = list(ClientStatusChange.objects.filter(client=fern).values_list("status", "effective_on"))
        assert history == [("on_hold", dt.date(2026, 4, 3))]

    def test_it_gives_one_message_for_an_invalid_support_contact_phone(self, fern: Client, alice: User) -> None:
        data = {"name": "Neighbour", "relationship_type": "friend", "phone": "call me", "is_support_contact": "on"}
        errors = sign_in(alice).post(f"/clients/{fern.pk}/people/new/", data).context["form"].errors
        assert len(errors["phone"]) == 1
        assert "7 to 15 digits" in errors["phone"][0]


class TestRecordKeeping:
    def test_it_audits_the_pages_that_show_the_care_team(self, fern: Client, alice: User) -> None:
        member = CareTeamMember.objects.get(client=fern, user__email="pia@north.test")
        http = sign_in(alice)
        http.get(f"/clients/{fern.pk}/care-team/{member.pk}/")
        http.get(f"/clients/{fern.pk}/care-team/{member.pk}/remove/")
        assert AuditEvent.objects.filter(event_type=EventType.CARE_TEAM_VIEWED, client=fern).count() == 2

    def test_it_audits_an_edit_page_shown_again_with_errors(self, fern: Client, alice: User) -> None:
        sign_in(alice).post(f"/clients/{fern.pk}/edit/", client_form_data(fern, date_of_birth="2999-01-01"))
        assert AuditEvent.objects.filter(event_type=EventType.CLIENT_VIEWED, client=fern).count() == 1

    def test_it_dates_a_new_status_today_when_no_date_is_given(self, fern: Client, alice: User) -> None:
        fern.status_since = dt.date(2025, 1, 1)
        fern.save()
        sign_in(alice).post(f"/clients/{fern.pk}/edit/", client_form_data(fern, status="discharged"))
        fern.refresh_from_db()
        assert fern.status_since == timezone.localdate()
        assert ClientStatusChange.objects.get(client=fern).effective_on == timezone.localdate()

    def test_it_keeps_a_client_editable_at_a_site_that_has_closed(self, fern: Client, alice: User) -> None:
        Site.objects.filter(pk=fern.site_id).update(is_active=False)
        response = sign_in(alice).post(f"/clients/{fern.pk}/edit/", client_form_data(fern, pronouns="she/her"))
        assert response.status_code == 302
        fern.refresh_from_db()
        assert fern.pronouns == "she/her"
        new_client_sites = sign_in(alice).get("/clients/new/").context["form"].fields["site"].queryset
        assert fern.site not in new_client_sites

    def test_it_refuses_an_identifier_that_differs_only_in_case_in_the_database(self, fern: Client) -> None:
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            make_client(fern.organization, fern.site, identifier="n-0001")
