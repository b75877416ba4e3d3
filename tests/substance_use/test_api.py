"""The JSON API at /api/v1/use/: use days, check-ins and metrics, with the access rules, error shape and audit of
the rest of the API."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client, Person
from iptcare.measures.models import Alert, AlertRule
from iptcare.substance_use.actions import DayEntry, SubstanceEntry, do_record_check_in, do_record_use_days
from iptcare.substance_use.models import CheckIn, UseDay
from tests.conftest import bearer, make_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC), tick=False):
        yield


def march(n: int) -> dt.date:
    return dt.date(2026, 3, n)


def call(method: str, url: str, user: User, body: Any = None) -> Any:
    kwargs: dict[str, Any] = dict(bearer(user))
    if body is not None:
        kwargs["data"] = json.dumps(body)
        kwargs["content_type"] = "application/json"
    return getattr(HttpClient(), method.lower())(url, **kwargs)


def api(client: Client, path: str) -> str:
    return f"/api/v1/use/clients/{client.pk}/{path}"


class TestUseDays:
    def test_it_lists_every_day_of_the_window_with_missing_days(self, fern: Client, alice: User) -> None:
        do_record_use_days(
            fern,
            [
                DayEntry(march(28), "no_use"),
                DayEntry(march(30), "used", (SubstanceEntry("alcohol", True, Decimal("4.5")),)),
            ],
            acting_user=alice,
        )
        response = call("GET", api(fern, "days?start=2026-03-28&end=2026-03-31"), alice)
        assert response.status_code == 200
        assert response.json() == {
            "start": "2026-03-28",
            "end": "2026-03-31",
            "days": [
                {"date": "2026-03-28", "status": "no_use", "source": "tlfb", "substances": []},
                {"date": "2026-03-29", "status": "missing", "source": "", "substances": []},
                {
                    "date": "2026-03-30",
                    "status": "used",
                    "source": "tlfb",
                    "substances": [{"substance": "alcohol", "used": True, "amount": 4.5, "unit": "standard_drinks"}],
                },
                {"date": "2026-03-31", "status": "missing", "source": "", "substances": []},
            ],
        }
        event = AuditEvent.objects.get(event_type=EventType.MEASURES_VIEWED)
        assert (event.actor, event.client, event.channel, event.extra["kind"]) == (alice, fern, "api", "use_day")

    def test_it_records_days_and_answers_with_them(self, fern: Client, alice: User) -> None:
        body = {
            "days": [
                {"date": "2026-03-29", "status": "no_use"},
                {
                    "date": "2026-03-30",
                    "status": "used",
                    "substances": [
                        {"substance": "alcohol", "amount": 6},
                        {"substance": "cannabis", "used": False},
                    ],
                },
            ]
        }
        response = call("PUT", api(fern, "days"), alice, body)
        assert response.status_code == 200
        assert [d["status"] for d in response.json()["days"]] == ["no_use", "used"]
        rows = {(r.date.day, r.substance): (r.used, r.amount, r.unit) for r in UseDay.objects.all()}
        assert rows == {
            (29, "any"): (False, None, ""),
            (30, "any"): (True, None, ""),
            (30, "alcohol"): (True, Decimal(6), "standard_drinks"),
            (30, "cannabis"): (False, None, ""),
        }
        events = AuditEvent.objects.filter(event_type=EventType.MEASURE_RECORDED)
        assert {(e.channel, e.actor_id, e.extra["kind"]) for e in events} == {("api", alice.pk, "use_day")}
        assert events.count() == 2

    @pytest.mark.parametrize(
        ("day", "field"),
        [
            ({"date": "2026-03-30", "status": "no_use", "substances": [{"substance": "alcohol"}]}, "days.0.status"),
            ({"date": "2026-03-30", "status": "used"}, "days.0.status"),
            ({"date": "2026-03-30", "status": "sober"}, "days.0.status"),
            ({"date": "2026-04-01", "status": "no_use"}, "days.0.date"),
            (
                {"date": "2026-03-30", "status": "used", "substances": [{"substance": "alcohol", "amount": -1}]},
                "days.0.substances.0.amount",
            ),
            (
                {"date": "2026-03-30", "status": "used", "substances": [{"substance": "beer"}]},
                "days.0.substances.0.substance",
            ),
            (
                {
                    "date": "2026-03-30",
                    "status": "used",
                    "substances": [{"substance": "alcohol"}, {"substance": "cocaine", "amount": 1}],
                },
                "days.0.substances.1.unit",
            ),
            (
                {
                    "date": "2026-03-30",
                    "status": "used",
                    "substances": [{"substance": "alcohol", "amount": 2, "unit": "grams"}],
                },
                "days.0.substances.0.unit",
            ),
        ],
    )
    def test_it_refuses_an_invalid_day_in_the_error_shape(
        self, fern: Client, alice: User, day: dict[str, Any], field: str
    ) -> None:
        response = call("PUT", api(fern, "days"), alice, {"days": [day]})
        assert response.status_code == 422
        body = response.json()
        assert body["detail"] == "The request has invalid fields."
        assert field in body["errors"], body
        assert not UseDay.objects.exists()

    def test_it_refuses_a_day_given_twice_and_unknown_fields(self, fern: Client, alice: User) -> None:
        twice = {"days": [{"date": "2026-03-30", "status": "no_use"}, {"date": "2026-03-30", "status": "no_use"}]}
        assert "days.1.date" in call("PUT", api(fern, "days"), alice, twice).json()["errors"]
        unknown = {"days": [{"date": "2026-03-30", "status": "no_use", "mood": 3}]}
        assert call("PUT", api(fern, "days"), alice, unknown).status_code == 422
        assert not UseDay.objects.exists()

    def test_it_refuses_days_spread_over_more_than_a_year(self, fern: Client, alice: User) -> None:
        body = {"days": [{"date": "2025-03-01", "status": "no_use"}, {"date": "2026-03-30", "status": "no_use"}]}
        response = call("PUT", api(fern, "days"), alice, body)
        assert response.status_code == 422
        assert "days" in response.json()["errors"]
        assert not UseDay.objects.exists()

    def test_a_put_after_an_abstinent_week_raises_the_lapse_alert(self, fern: Client, alice: User) -> None:
        week = [{"date": f"2026-03-{n:02d}", "status": "no_use"} for n in range(20, 27)]
        call("PUT", api(fern, "days"), alice, {"days": week})
        lapse = {"date": "2026-03-27", "status": "used", "substances": [{"substance": "cocaine"}]}
        assert call("PUT", api(fern, "days"), alice, {"days": [lapse]}).status_code == 200
        assert list(Alert.objects.values_list("rule", flat=True)) == [AlertRule.LAPSE]

    def test_a_supervisor_reads_but_cannot_write(self, fern: Client, bob: User) -> None:
        assert call("GET", api(fern, "days"), bob).status_code == 200
        response = call("PUT", api(fern, "days"), bob, {"days": [{"date": "2026-03-30", "status": "no_use"}]})
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
        assert not UseDay.objects.exists()

    @pytest.mark.parametrize("persona", ["tom", "carol"])
    def test_others_get_404(self, request: pytest.FixtureRequest, fern: Client, persona: str) -> None:
        user = request.getfixturevalue(persona)
        assert call("GET", api(fern, "days"), user).status_code == 404
        assert (
            call("PUT", api(fern, "days"), user, {"days": [{"date": "2026-03-30", "status": "no_use"}]}).status_code
            == 404
        )
        assert call("GET", api(fern, "metrics"), user).status_code == 404
        assert call("GET", api(fern, "check-ins"), user).status_code == 404
        assert not UseDay.objects.exists()

    def test_a_missing_client_answers_404_too(self, alice: User) -> None:
        assert call("GET", "/api/v1/use/clients/999999/days", alice).status_code == 404

    def test_it_needs_a_token(self, fern: Client) -> None:
        assert HttpClient().get(api(fern, "days")).status_code == 401


class TestCheckIns:
    def test_it_records_a_check_in_then_changes_it(self, fern: Client, alice: User) -> None:
        sister = Person.objects.get(client=fern)
        body = {
            "date": "2026-03-30",
            "mood": 4,
            "craving": 6,
            "used": True,
            "substances": ["alcohol"],
            "interpersonal_event": "Row with sister",
            "person_id": sister.pk,
        }
        created = call("POST", api(fern, "check-ins"), alice, body)
        assert created.status_code == 201
        assert created.json()["person"] == {"id": sister.pk, "name": "Big sister"}
        assert created.json()["substances"] == ["alcohol"]
        changed = call("POST", api(fern, "check-ins"), alice, {**body, "mood": 5})
        assert changed.status_code == 200
        assert changed.json()["id"] == created.json()["id"]
        assert CheckIn.objects.get().mood == 5
        assert UseDay.objects.get(date=march(30), substance="alcohol").used
        listed = call("GET", api(fern, "check-ins"), alice).json()
        assert listed["count"] == 1
        assert listed["items"][0]["mood"] == 5

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"mood": 11}, "mood"),
            ({"used": True, "substances": []}, "substances"),
            ({"substances": ["wine"]}, "substances"),
            ({"date": "2026-04-01"}, "date"),
        ],
    )
    def test_it_refuses_an_invalid_check_in(self, fern: Client, alice: User, change: dict, field: str) -> None:
        body = {"date": "2026-03-30", "used": False, **change}
        response = call("POST", api(fern, "check-ins"), alice, body)
        assert response.status_code == 422
        assert field in response.json()["errors"]
        assert not CheckIn.objects.exists()

    def test_it_refuses_a_person_of_another_client(self, north, north_site, fern: Client, alice: User) -> None:
        other = make_client(north, north_site, primary=alice)
        stranger = Person.objects.create(client=other, name="Neighbour", relationship_type="other")
        body = {"date": "2026-03-30", "used": False, "person_id": stranger.pk}
        response = call("POST", api(fern, "check-ins"), alice, body)
        assert response.status_code == 422
        assert "person" in response.json()["errors"]

    def test_a_supervisor_cannot_record_one(self, fern: Client, bob: User) -> None:
        response = call("POST", api(fern, "check-ins"), bob, {"date": "2026-03-30", "used": False})
        assert response.status_code == 404
        assert not CheckIn.objects.exists()

    def test_it_lists_with_a_constant_number_of_queries(self, fern: Client, alice: User) -> None:
        sister = Person.objects.get(client=fern)
        headers = bearer(alice)

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert HttpClient().get(api(fern, "check-ins"), **headers).status_code == 200
            return len(captured)

        do_record_check_in(fern, {"date": march(1), "used": False, "person": sister}, acting_user=alice)
        queries()  # the token's first use writes its last-used time once
        one = queries()
        for n in range(2, 12):
            do_record_check_in(fern, {"date": march(n), "used": False, "person": sister}, acting_user=alice)
        assert queries() == one


class TestMetrics:
    def test_it_gives_the_metrics_of_a_window(self, fern: Client, alice: User) -> None:
        do_record_use_days(
            fern,
            [
                DayEntry(march(25), "no_use"),
                DayEntry(march(26), "used", (SubstanceEntry("alcohol", True, Decimal(4)),)),
                DayEntry(march(27), "used", (SubstanceEntry("alcohol", True, Decimal(2)),)),
                DayEntry(march(29), "no_use"),
                DayEntry(march(30), "no_use"),
            ],
            acting_user=alice,
        )
        response = call("GET", api(fern, "metrics?start=2026-03-25&end=2026-03-31"), alice)
        assert response.status_code == 200
        body = response.json()
        # 7 days, 5 recorded, 3 abstinent: 3 ÷ 7 × 100 = 42.9; 3 ÷ 5 × 100 = 60.0.
        assert body["days_in_window"] == 7
        assert (body["days_recorded"], body["days_missing"], body["abstinent_days"]) == (5, 2, 3)
        assert (body["percent_days_abstinent"], body["percent_recorded_days_abstinent"]) == (42.9, 60.0)
        # Fern is female: 4 drinks is heavy, 2 is not; (4 + 2) ÷ 2 = 3 drinks per drinking day.
        assert (body["heavy_drinking_days"], body["heavy_drinking_threshold"]) == (1, 4)
        assert body["drinks_per_drinking_day"] == 3.0
        assert body["days_of_use"] == [{"substance": "alcohol", "days": 2}]
        # 29 and 30 March abstinent, 28 missing: a streak of 2 as of the 30th.
        assert body["current_streak"] == {"days": 2, "as_of": "2026-03-30"}
        event = AuditEvent.objects.get(event_type=EventType.MEASURES_VIEWED)
        assert event.extra["kind"] == "use_metrics"

    def test_a_window_with_nothing_recorded_has_no_percent_rather_than_zero(self, fern: Client, alice: User) -> None:
        body = call("GET", api(fern, "metrics?start=2026-03-25&end=2026-03-31"), alice).json()
        assert (body["days_recorded"], body["days_missing"]) == (0, 7)
        assert (body["percent_days_abstinent"], body["percent_recorded_days_abstinent"]) == (None, None)

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("start=2025-01-01&end=2026-03-31", "start"),
            ("end=2026-04-02", "end"),
            ("start=2026-03-20&end=2026-03-10", "start"),
        ],
    )
    def test_it_refuses_an_invalid_window(self, fern: Client, alice: User, query: str, field: str) -> None:
        response = call("GET", api(fern, f"metrics?{query}"), alice)
        assert response.status_code == 422
        assert field in response.json()["errors"]

    def test_it_defaults_to_the_last_28_days(self, fern: Client, alice: User) -> None:
        body = call("GET", api(fern, "metrics"), alice).json()
        assert (body["start"], body["end"], body["days_in_window"]) == ("2026-03-04", "2026-03-31", 28)
        assert body["current_streak"] == {"days": 0, "as_of": None}
