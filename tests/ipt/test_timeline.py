"""The timeline of life events: the form's rules, the pages, who may read and change it, and the API."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from iptcare.accounts.models import Organization, Site, User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client, Person, Substance
from iptcare.ipt.actions import do_open_episode
from iptcare.ipt.actions_timeline import do_add_timeline_event
from iptcare.ipt.forms_timeline import TimelineEventForm
from iptcare.ipt.models import Episode, TimelineEvent
from tests.conftest import bearer, make_client, sign_in

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC), tick=False):
        yield


def url(episode: Episode, suffix: str = "") -> str:
    return f"/clients/{episode.client_id}/episodes/{episode.pk}/timeline/{suffix}"


def api_url(episode: Episode, suffix: str = "") -> str:
    return f"/api/v1/ipt/clients/{episode.client_id}/episodes/{episode.pk}/timeline{suffix}"


def form_data(**fields: Any) -> dict[str, Any]:
    return {
        "date": "2019-06-15",
        "event_type": "death",
        "title": "Grandmother died",
        "mood": "3",
        "use_change": "more",
        "note": "",
    } | fields


def add_event(episode: Episode, user: User, **fields: Any) -> TimelineEvent:
    data = {
        "date": dt.date(2020, 1, 1),
        "date_is_approximate": False,
        "event_type": "other",
        "title": "Something",
        "mood": 5,
        "use_change": "",
        "note": "",
    } | fields
    return do_add_timeline_event(episode, data, acting_user=user)


def call(method: str, path: str, user: User, body: Any = None) -> Any:
    kwargs: dict[str, Any] = dict(bearer(user))
    if body is not None:
        kwargs |= {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(HttpClient(), method.lower())(path, **kwargs)


class TestTheForm:
    def test_it_refuses_a_date_in_the_future(self, fern: Client) -> None:
        form = TimelineEventForm(data=form_data(date="2026-03-03"), client=fern)
        assert "cannot be in the future" in str(form.errors["date"])
        assert TimelineEventForm(data=form_data(date="2026-03-02"), client=fern).is_valid()

    def test_it_refuses_people_from_another_client(
        self, fern: Client, sister: Person, north: Organization, north_site: Site, alice: User
    ) -> None:
        other = make_client(north, north_site, primary=alice)
        stranger = Person.objects.create(client=other, name="Neighbour", relationship_type="friend")
        form = TimelineEventForm(data=form_data(people=[stranger.pk]), client=fern)
        assert "not one of the available choices" in str(form.errors["people"])
        form = TimelineEventForm(data=form_data(people=[sister.pk]), client=fern)
        assert form.is_valid() and list(form.cleaned_data["people"]) == [sister]

    @pytest.mark.parametrize(("mood", "valid"), [("-1", False), ("0", True), ("10", True), ("11", False), ("", True)])
    def test_it_keeps_mood_between_0_and_10(self, fern: Client, mood: str, valid: bool) -> None:
        assert TimelineEventForm(data=form_data(mood=mood), client=fern).is_valid() is valid

    def test_it_refuses_a_date_before_the_client_was_born(self, fern: Client) -> None:
        form = TimelineEventForm(data=form_data(date="1980-01-01"), client=fern)
        assert "before the client was born" in str(form.errors["date"])

    def test_it_offers_the_onset_first_among_the_event_types(self, fern: Client) -> None:
        choices = [value for value, _label in TimelineEventForm(client=fern).fields["event_type"].choices if value]
        assert choices[0] == "onset"
        assert TimelineEventForm(data=form_data(event_type="onset", use_change=""), client=fern).is_valid()

    def test_it_names_the_substance_of_a_change_in_use_or_use_in_general(self, fern: Client) -> None:
        field = TimelineEventForm(client=fern).fields["substance"]
        assert field.choices[0] == ("", "Use in general")
        assert [value for value, _label in field.choices[1:]] == list(Substance.values)
        form = TimelineEventForm(data=form_data(substance="alcohol"), client=fern)
        assert form.is_valid() and form.cleaned_data["substance"] == "alcohol"
        assert TimelineEventForm(data=form_data(substance=""), client=fern).is_valid()
        unknown = TimelineEventForm(data=form_data(substance="coffee"), client=fern)
        assert "not one of the available choices" in str(unknown.errors["substance"])

    def test_it_refuses_a_substance_without_a_change_in_use(self, fern: Client) -> None:
        form = TimelineEventForm(data=form_data(use_change="", substance="opioids"), client=fern)
        assert form.errors == {"substance": ["Choose the change in use first: the substance says which use changed."]}

    def test_it_takes_the_day_of_birth_but_not_the_day_before(self, fern: Client) -> None:
        assert TimelineEventForm(data=form_data(date="1985-05-17"), client=fern).is_valid()
        form = TimelineEventForm(data=form_data(date="1985-05-16"), client=fern)
        assert form.errors["date"] == ["The date is before the client was born."]
        widget = TimelineEventForm(client=fern).fields["date"].widget
        assert (widget.attrs["min"], widget.attrs["max"]) == ("1985-05-17", "2026-03-02")

    def test_the_action_refuses_people_from_another_client_too(
        self, episode: Episode, alice: User, north: Organization, north_site: Site
    ) -> None:
        stranger = Person.objects.create(
            client=make_client(north, north_site, primary=alice), name="Neighbour", relationship_type="friend"
        )
        with pytest.raises(Exception, match="Only people from this client"):
            add_event(episode, alice, people=[stranger])
        assert not TimelineEvent.objects.exists()


class TestThePages:
    def test_it_adds_an_event_from_the_episode_and_audits_it(
        self, episode: Episode, fern: Client, alice: User, sister: Person
    ) -> None:
        http = sign_in(alice)
        assert http.get(url(episode, "new/")).status_code == 200
        response = http.post(
            url(episode, "new/"), form_data(date_is_approximate="on", people=[sister.pk], note="Summer, not sure.")
        )
        assert response.status_code == 302 and response["Location"] == url(episode)
        event = TimelineEvent.objects.get()
        assert (event.client, event.episode, event.recorded_by) == (fern, episode, alice)
        assert (event.date, event.date_is_approximate, event.event_type, event.mood, event.use_change) == (
            dt.date(2019, 6, 15),
            True,
            "death",
            3,
            "more",
        )
        assert list(event.people.all()) == [sister]
        audit = AuditEvent.objects.filter(
            event_type=EventType.EPISODE_CHANGED, object_type="ipt.timelineevent", object_id=str(event.pk)
        ).get()
        assert (audit.actor, audit.client, audit.extra["kind"]) == (alice, fern, "timeline")
        assert audit.extra["changes"]["title"] == [None, "Grandmother died"]
        assert audit.extra["changes"]["people"] == [None, [sister.pk]]

    def test_it_shows_the_chart_and_the_events_in_date_order(self, episode: Episode, alice: User) -> None:
        add_event(episode, alice, date=dt.date(2022, 4, 1), title="Started the new job", event_type="job")
        add_event(episode, alice, date=dt.date(2019, 6, 15), title="Grandmother died", date_is_approximate=True)
        response = sign_in(alice).get(url(episode))
        html = response.content.decode()
        assert response.status_code == 200
        assert '<svg class="chart timeline-chart timeline-size-' in html
        assert html.index("Grandmother died") < html.index("Started the new job")
        assert [e.title for e in response.context["events"]] == ["Grandmother died", "Started the new job"]
        assert "≈ 2019-06-15" in html
        read = AuditEvent.objects.get(event_type=EventType.EPISODE_VIEWED)
        assert (read.actor, read.extra["kind"]) == (alice, "timeline")

    def test_it_records_the_onset_and_the_substance_and_shows_them(
        self, episode: Episode, fern: Client, alice: User
    ) -> None:
        http = sign_in(alice)
        onset = form_data(date="2018-09-01", event_type="onset", title="Low mood and drinking began", mood="2")
        assert (
            http.post(url(episode, "new/"), onset | {"use_change": "started", "substance": "alcohol"}).status_code
            == 302
        )
        assert http.post(url(episode, "new/"), form_data(date="2021-02-01", title="Lost the job")).status_code == 302
        first, second = TimelineEvent.objects.order_by("date")
        assert (first.event_type, first.use_change, first.substance) == ("onset", "started", "alcohol")
        assert (second.use_change, second.substance) == ("more", "")
        audit = AuditEvent.objects.filter(object_type="ipt.timelineevent", object_id=str(first.pk)).get()
        assert audit.extra["changes"]["substance"] == [None, "alcohol"]
        html = http.get(url(episode)).content.decode()
        assert "<strong>Problems began (onset)</strong>" in html
        assert 'Started<br><span class="muted">Alcohol</span>' in html
        assert 'More<br><span class="muted">Use in general</span>' in html
        chart = html[html.index('<svg class="chart timeline-chart') : html.index("</svg>")]
        assert '<g class="timeline-event onset"' in chart and 'class="onset-marker"' in chart
        assert (
            "2018-09-01: Problems began (onset), Low mood and drinking began, mood 2 of 10, use started (alcohol)"
            in chart
        )
        # The chart scrolls sideways in its own region on a narrow screen.
        assert (
            '<div class="table-wrap chart-scroll" role="region" aria-labelledby="chart-heading" tabindex="0">' in html
        )

    def test_it_refuses_a_date_before_birth_on_the_page(self, episode: Episode, alice: User) -> None:
        response = sign_in(alice).post(url(episode, "new/"), form_data(date="1985-05-16"))
        assert response.context["form"].errors == {"date": ["The date is before the client was born."]}
        assert "The date is before the client was born." in response.content.decode()
        assert not TimelineEvent.objects.exists()

    def test_it_edits_in_place_and_audits_old_and_new_values(
        self, episode: Episode, alice: User, sister: Person
    ) -> None:
        event = add_event(episode, alice, mood=5, title="Fight")
        http = sign_in(alice)
        assert http.get(url(episode, f"{event.pk}/")).status_code == 200
        data = form_data(title="Fight with sister", event_type="dispute", mood="2", people=[sister.pk])
        assert http.post(url(episode, f"{event.pk}/"), data).status_code == 302
        event.refresh_from_db()
        assert (event.title, event.event_type, event.mood, list(event.people.all())) == (
            "Fight with sister",
            "dispute",
            2,
            [sister],
        )
        assert TimelineEvent.objects.count() == 1
        audit = AuditEvent.objects.filter(
            event_type=EventType.EPISODE_CHANGED, object_type="ipt.timelineevent", object_id=str(event.pk)
        ).latest("id")
        assert audit.extra["kind"] == "timeline"
        assert audit.extra["changes"]["mood"] == [5, 2]
        assert audit.extra["changes"]["title"] == ["Fight", "Fight with sister"]
        assert audit.extra["changes"]["people"] == [[], [sister.pk]]

    def test_it_shows_the_form_again_with_errors(self, episode: Episode, alice: User) -> None:
        response = sign_in(alice).post(url(episode, "new/"), form_data(date="2027-01-01", mood="12"))
        assert response.status_code == 200
        assert set(response.context["form"].errors) == {"date", "mood"}
        assert not TimelineEvent.objects.exists()

    def test_it_lets_the_supervisor_read_but_not_change(self, episode: Episode, alice: User, bob: User) -> None:
        event = add_event(episode, alice, title="Fight")
        http = sign_in(bob)
        response = http.get(url(episode))
        assert response.status_code == 200 and "Fight" in response.content.decode()
        assert response.context["can_write"] is False
        assert http.get(url(episode, "new/")).status_code == 404
        assert http.post(url(episode, "new/"), form_data()).status_code == 404
        assert http.get(url(episode, f"{event.pk}/")).status_code == 404
        assert http.post(url(episode, f"{event.pk}/"), form_data(title="Changed")).status_code == 404
        assert list(TimelineEvent.objects.values_list("title", flat=True)) == ["Fight"]

    def test_it_hides_everything_from_another_organization_and_from_off_team_staff(
        self, episode: Episode, alice: User, carol: User, tom: User
    ) -> None:
        event = add_event(episode, alice)
        for user in (carol, tom):
            http = sign_in(user)
            assert http.get(url(episode)).status_code == 404
            assert http.get(url(episode, "new/")).status_code == 404
            assert http.post(url(episode, "new/"), form_data()).status_code == 404
            assert http.post(url(episode, f"{event.pk}/"), form_data()).status_code == 404
        assert TimelineEvent.objects.count() == 1
        assert not AuditEvent.objects.filter(event_type=EventType.EPISODE_VIEWED).exists()

    def test_it_does_not_open_another_clients_event_through_this_episode(
        self, episode: Episode, alice: User, north: Organization, north_site: Site
    ) -> None:
        other_episode = do_open_episode(
            make_client(north, north_site, primary=alice),
            format_="individual",
            primary_therapist=alice,
            acting_user=alice,
        )
        other_event = add_event(other_episode, alice)
        assert sign_in(alice).get(url(episode, f"{other_event.pk}/")).status_code == 404

    def test_it_lists_the_timeline_in_constant_queries(self, episode: Episode, alice: User, sister: Person) -> None:
        http = sign_in(alice)

        def count_queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert http.get(url(episode)).status_code == 200
            return len(captured)

        def add_events(count: int) -> None:
            for n in range(count):
                add_event(episode, alice, date=dt.date(2020, 1, 1) + dt.timedelta(days=30 * n), people=[sister])

        add_events(2)
        few = count_queries()
        add_events(10)
        assert count_queries() == few


class TestTheApi:
    def test_it_creates_lists_reads_and_updates_events(
        self, episode: Episode, fern: Client, alice: User, sister: Person
    ) -> None:
        body = {
            "date": "2019-06-15",
            "date_is_approximate": True,
            "event_type": "death",
            "title": "Grandmother died",
            "people_ids": [sister.pk],
            "mood": 3,
            "use_change": "more",
        }
        created = call("POST", api_url(episode), alice, body)
        assert created.status_code == 201, created.content
        out = created.json()
        assert out["people"] == [{"id": sister.pk, "name": "Big sister"}]
        assert (out["episode_id"], out["mood"], out["date_is_approximate"]) == (episode.pk, 3, True)
        event = TimelineEvent.objects.get()
        assert (event.client, event.recorded_by) == (fern, alice)

        listed = call("GET", api_url(episode), alice).json()
        assert listed["count"] == 1 and listed["items"][0]["title"] == "Grandmother died"
        assert call("GET", api_url(episode, f"/{event.pk}"), alice).json()["id"] == event.pk

        patched = call("PATCH", api_url(episode, f"/{event.pk}"), alice, {"mood": None, "people_ids": []})
        assert patched.status_code == 200, patched.content
        assert (patched.json()["mood"], patched.json()["people"], patched.json()["title"]) == (
            None,
            [],
            "Grandmother died",
        )
        event.refresh_from_db()
        assert (event.mood, list(event.people.all())) == (None, [])
        audit = AuditEvent.objects.filter(
            event_type=EventType.EPISODE_CHANGED, object_type="ipt.timelineevent", object_id=str(event.pk)
        ).latest("id")
        assert audit.channel == "api" and audit.extra["changes"]["mood"] == [3, None]

    def test_it_answers_422_with_the_fields_at_fault(
        self, episode: Episode, alice: User, north: Organization, north_site: Site
    ) -> None:
        stranger = Person.objects.create(
            client=make_client(north, north_site, primary=alice), name="Neighbour", relationship_type="friend"
        )
        base = {"date": "2019-06-15", "event_type": "death", "title": "Grandmother died"}
        future = call("POST", api_url(episode), alice, base | {"date": "2026-03-03"})
        assert future.status_code == 422 and "date" in future.json()["errors"]
        assert call("POST", api_url(episode), alice, base | {"mood": 11}).json()["errors"].keys() == {"mood"}
        foreign = call("POST", api_url(episode), alice, base | {"people_ids": [stranger.pk]})
        assert foreign.status_code == 422 and "people_ids" in foreign.json()["errors"]
        unknown = call("POST", api_url(episode), alice, base | {"client_id": 1})
        assert unknown.status_code == 422
        assert not TimelineEvent.objects.exists()
        event = add_event(episode, alice)
        null_title = call("PATCH", api_url(episode, f"/{event.pk}"), alice, {"title": None})
        assert null_title.status_code == 422

    def test_it_takes_and_returns_the_onset_and_the_substance(self, episode: Episode, alice: User) -> None:
        body = {"date": "2018-09-01", "event_type": "onset", "title": "Began", "use_change": "started"}
        created = call("POST", api_url(episode), alice, body | {"substance": "opioids"})
        assert created.status_code == 201, created.content
        assert (created.json()["event_type"], created.json()["substance"]) == ("onset", "opioids")
        event = TimelineEvent.objects.get()
        assert event.substance == "opioids"
        general = call("PATCH", api_url(episode, f"/{event.pk}"), alice, {"substance": ""})
        assert general.status_code == 200 and general.json()["substance"] == ""
        without_change = call(
            "PATCH", api_url(episode, f"/{event.pk}"), alice, {"use_change": "", "substance": "alcohol"}
        )
        assert without_change.status_code == 422 and set(without_change.json()["errors"]) == {"substance"}
        unknown = call("POST", api_url(episode), alice, body | {"substance": "coffee"})
        assert unknown.status_code == 422 and set(unknown.json()["errors"]) == {"substance"}
        event.refresh_from_db()
        assert (event.use_change, event.substance) == ("started", "")
        listed = call("GET", api_url(episode), alice).json()["items"]
        assert [(item["event_type"], item["substance"]) for item in listed] == [("onset", "")]

    def test_it_names_a_date_before_birth(self, episode: Episode, alice: User) -> None:
        body = {"date": "1985-05-16", "event_type": "death", "title": "Grandmother died"}
        response = call("POST", api_url(episode), alice, body)
        assert (response.status_code, response.json()["errors"]) == (
            422,
            {"date": ["The date is before the client was born."]},
        )
        event = add_event(episode, alice)
        patched = call("PATCH", api_url(episode, f"/{event.pk}"), alice, {"date": "1985-01-01"})
        assert patched.json()["errors"] == {"date": ["The date is before the client was born."]}
        event.refresh_from_db()
        assert event.date == dt.date(2020, 1, 1)

    def test_it_answers_404_to_those_who_may_not(self, episode: Episode, alice: User, bob: User, carol: User) -> None:
        event = add_event(episode, alice, title="Fight")
        body = {"date": "2019-06-15", "event_type": "death", "title": "x"}
        assert call("GET", api_url(episode), bob).status_code == 200
        assert call("POST", api_url(episode), bob, body).status_code == 404
        assert call("PATCH", api_url(episode, f"/{event.pk}"), bob, {"title": "x"}).status_code == 404
        assert call("GET", api_url(episode), carol).status_code == 404
        assert call("GET", api_url(episode, f"/{event.pk}"), carol).status_code == 404
        assert call("POST", api_url(episode), carol, body).json() == {"detail": "Not found."}
        assert call("GET", api_url(episode, "/999999"), alice).status_code == 404
        assert list(TimelineEvent.objects.values_list("title", flat=True)) == ["Fight"]

    def test_it_lists_in_constant_queries(self, episode: Episode, alice: User, sister: Person) -> None:
        headers = bearer(alice)

        def count_queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert HttpClient().get(api_url(episode), **headers).status_code == 200
            return len(captured)

        for n in range(2):
            add_event(episode, alice, date=dt.date(2020, 1, 1 + n), people=[sister])
        count_queries()  # The token's first use is recorded once; count from the second call.
        few = count_queries()
        for n in range(10):
            add_event(episode, alice, date=dt.date(2021, 1, 1 + n), people=[sister])
        assert count_queries() == few
