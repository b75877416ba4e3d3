"""The use pages: summary and calendar, Timeline Followback entry, check-ins. Same access rules and audit as the
rest: reads need a record the person may open, writes need care-team membership, others get 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client, Person
from iptcare.substance_use.actions import DayEntry, SubstanceEntry, do_record_check_in, do_record_use_days
from iptcare.substance_use.models import CheckIn, UseDay
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 31)


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def fern_drinks(fern: Client) -> Client:
    fern.primary_substances = ["alcohol", "cannabis"]
    fern.save(update_fields=["primary_substances"])
    return fern


def march(n: int) -> dt.date:
    return dt.date(2026, 3, n)


def use_url(client: Client, page: str = "") -> str:
    return f"/clients/{client.pk}/use/{page}"


def calendar_post(statuses: dict[int, str], **fields: str) -> dict[str, str]:
    """POST data for the calendar of 25–31 March: a status for each day given, plus any other fields."""
    data = {f"d202603{n:02d}_status": status for n, status in statuses.items()}
    return {"unit_cannabis": "grams", **data, **fields}


WEEK = "calendar/?start=2026-03-25&end=2026-03-31"


class TestTheSummaryPage:
    def test_it_shows_the_metrics_the_calendar_and_recent_check_ins(self, fern_drinks: Client, alice: User) -> None:
        do_record_use_days(
            fern_drinks,
            [
                DayEntry(march(25), "no_use"),
                DayEntry(march(26), "used", (SubstanceEntry("alcohol", True, Decimal(5)),)),
                DayEntry(march(28), "no_use"),
                DayEntry(march(29), "no_use"),
            ],
            acting_user=alice,
        )
        do_record_check_in(fern_drinks, {"date": march(29), "used": False, "mood": 7, "craving": 2}, acting_user=alice)
        response = sign_in(alice).get(use_url(fern_drinks) + "?start=2026-03-25&end=2026-03-31")
        assert response.status_code == 200
        metrics = response.context["metrics"]
        # 7 days, 4 recorded, 3 abstinent: 3 ÷ 7 = 42.9 %; of recorded days 3 ÷ 4 = 75.0 %.
        assert (metrics.days_in_window, metrics.days_recorded, metrics.days_missing) == (7, 4, 3)
        assert (metrics.percent_days_abstinent, metrics.percent_recorded_days_abstinent) == (42.9, 75.0)
        # Fern is female: 5 drinks is a heavy drinking day.
        assert metrics.heavy_drinking_days == 1
        # 28 and 29 March without use, then nothing recorded: a streak of 2 as of the 29th.
        assert (response.context["streak"].days, response.context["streak"].as_of) == (2, march(29))
        html = response.content.decode()
        assert "42.9 %" in html and "75.0 %" in html
        assert "they are not counted as abstinent" in html
        assert '<svg class="use-month"' in html and "March 2026" in html
        assert "Thu 26 Mar 2026: Used: Alcohol (5 standard drinks) · heavy drinking day" in html
        assert "Not recorded (missing, not counted as abstinent)" in html
        assert "7/10" in html
        event = AuditEvent.objects.get(event_type=EventType.MEASURES_VIEWED)
        assert (event.actor, event.client) == (alice, fern_drinks)
        assert event.extra == {"kind": "use", "start": "2026-03-25", "end": "2026-03-31"}

    def test_it_defaults_to_the_last_28_days(self, fern: Client, alice: User) -> None:
        response = sign_in(alice).get(use_url(fern))
        assert (response.context["start"], response.context["end"]) == (march(4), march(31))

    @pytest.mark.parametrize(
        ("query", "message"),
        [
            ("?start=2026-03-01&end=2026-04-01", "cannot end in the future"),
            ("?start=2025-03-01&end=2026-03-31", "at most 366 days"),
            ("?start=2026-03-20&end=2026-03-10", "starts after it ends"),
            ("?start=yesterday", "Enter a valid date"),
        ],
    )
    def test_it_refuses_an_invalid_window_and_shows_the_default_one(
        self, fern: Client, alice: User, query: str, message: str
    ) -> None:
        response = sign_in(alice).get(use_url(fern) + query)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert (response.context["start"], response.context["end"]) == (march(4), march(31))

    def test_its_query_count_does_not_grow_with_the_days_recorded(self, fern_drinks: Client, alice: User) -> None:
        http = sign_in(alice)
        url = use_url(fern_drinks) + "?start=2026-03-04&end=2026-03-31"

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert http.get(url).status_code == 200
            return len(captured)

        do_record_use_days(fern_drinks, [DayEntry(march(4), "no_use")], acting_user=alice)
        do_record_check_in(fern_drinks, {"date": march(4), "used": False}, acting_user=alice)
        few = queries()
        entries = [
            DayEntry(
                march(n),
                "used",
                (SubstanceEntry("alcohol", True, Decimal(n % 7)), SubstanceEntry("cannabis", n % 2 == 0)),
            )
            for n in range(5, 32)
        ]
        do_record_use_days(fern_drinks, entries, acting_user=alice)
        for n in range(5, 12):
            do_record_check_in(
                fern_drinks, {"date": march(n), "used": True, "substances": ["alcohol"]}, acting_user=alice
            )
        assert queries() == few

    def test_it_is_linked_from_the_client_record(self, fern: Client, alice: User) -> None:
        html = sign_in(alice).get(f"/clients/{fern.pk}/").content.decode()
        assert f'href="/clients/{fern.pk}/use/"' in html


class TestTheCalendar:
    def test_it_records_a_week_of_days(self, fern_drinks: Client, alice: User) -> None:
        http = sign_in(alice)
        page = http.get(use_url(fern_drinks, WEEK))
        assert page.status_code == 200
        assert [column.substance for column in page.context["form"].columns()] == ["alcohol", "cannabis"]
        data = calendar_post(
            {25: "no_use", 26: "", 27: "used", 28: "", 29: "no_use", 30: "", 31: ""},
            d20260326_alcohol_used="on",
            d20260326_alcohol_amount="6",
            d20260327_cannabis_used="on",
            d20260327_cannabis_amount="1.5",
        )
        response = http.post(use_url(fern_drinks, WEEK), data)
        assert response.status_code == 302
        assert response["Location"] == use_url(fern_drinks, WEEK)
        rows = {
            (r.date.day, r.substance): (r.used, r.amount, r.unit) for r in UseDay.objects.filter(client=fern_drinks)
        }
        assert rows == {
            (25, "any"): (False, None, ""),
            (25, "alcohol"): (False, None, ""),
            (25, "cannabis"): (False, None, ""),
            # 26 March: "Not recorded" with alcohol ticked: a day of use.
            (26, "any"): (True, None, ""),
            (26, "alcohol"): (True, Decimal(6), "standard_drinks"),
            (26, "cannabis"): (False, None, ""),
            (27, "any"): (True, None, ""),
            (27, "alcohol"): (False, None, ""),
            (27, "cannabis"): (True, Decimal("1.5"), "grams"),
            (29, "any"): (False, None, ""),
            (29, "alcohol"): (False, None, ""),
            (29, "cannabis"): (False, None, ""),
        }
        events = AuditEvent.objects.filter(event_type=EventType.MEASURE_RECORDED).order_by("id")
        assert [e.extra["date"] for e in events] == ["2026-03-25", "2026-03-26", "2026-03-27", "2026-03-29"]
        assert all(e.actor == alice and e.extra["source"] == "tlfb" for e in events)
        assert "Saved 4 changed days." in http.get(use_url(fern_drinks, WEEK)).content.decode()

    def test_it_shows_what_was_recorded_and_changes_it(self, fern_drinks: Client, alice: User) -> None:
        do_record_use_days(
            fern_drinks,
            [DayEntry(march(26), "used", (SubstanceEntry("alcohol", True, Decimal(6)),))],
            acting_user=alice,
        )
        http = sign_in(alice)
        form = http.get(use_url(fern_drinks, WEEK)).context["form"]
        assert form["d20260326_status"].initial == "used"
        assert form["d20260326_alcohol_used"].initial is True
        assert form["d20260326_alcohol_amount"].initial == Decimal(6)
        http.post(
            use_url(fern_drinks, WEEK),
            calendar_post({26: "used"}, d20260326_alcohol_used="on", d20260326_alcohol_amount="3"),
        )
        assert UseDay.objects.get(date=march(26), substance="alcohol").amount == Decimal(3)
        event = AuditEvent.objects.filter(event_type=EventType.MEASURE_RECORDED).order_by("-id").first()
        assert event.extra["changes"]["alcohol"] == ["used (6 standard drinks)", "used (3 standard drinks)"]

    def test_a_day_left_out_of_the_post_is_left_as_it_was(self, fern_drinks: Client, alice: User) -> None:
        do_record_use_days(fern_drinks, [DayEntry(march(26), "no_use")], acting_user=alice)
        sign_in(alice).post(use_url(fern_drinks, WEEK), calendar_post({25: "no_use"}))
        assert UseDay.objects.filter(date=march(26), substance="any").exists()

    def test_not_recorded_removes_an_earlier_entry(self, fern_drinks: Client, alice: User) -> None:
        do_record_use_days(fern_drinks, [DayEntry(march(26), "no_use")], acting_user=alice)
        sign_in(alice).post(use_url(fern_drinks, WEEK), calendar_post({26: ""}))
        assert not UseDay.objects.filter(date=march(26)).exists()

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"d20260326_status": "", "d20260326_alcohol_amount": "4"}, "Tick “used”, or clear the amount."),
            ({"d20260326_status": "no_use", "d20260326_alcohol_used": "on"}, "marked as no use"),
            ({"d20260326_status": "used"}, "Say what was used on this day."),
            ({"d20260326_status": "used", "d20260326_alcohol_used": "on", "d20260326_alcohol_amount": "-1"}, "greater"),
        ],
    )
    def test_it_refuses_an_inconsistent_week_and_saves_none_of_it(
        self, fern_drinks: Client, alice: User, fields: dict[str, str], message: str
    ) -> None:
        data = calendar_post({25: "no_use"}, **fields)
        response = sign_in(alice).post(use_url(fern_drinks, WEEK), data)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not UseDay.objects.exists()

    def test_it_edits_at_most_31_days(self, fern: Client, alice: User) -> None:
        http = sign_in(alice)
        response = http.get(use_url(fern, "calendar/?start=2026-02-01&end=2026-03-31"))
        assert "at most 31 days" in response.content.decode()
        assert (response.context["start"], response.context["end"]) == (march(25), march(31))
        refused = http.post(use_url(fern, "calendar/?start=2026-02-01&end=2026-03-31"), calendar_post({25: "no_use"}))
        assert refused.status_code == 200
        assert not UseDay.objects.exists()

    def test_a_substance_column_can_be_added(self, fern: Client, alice: User) -> None:
        http = sign_in(alice)
        page = http.get(use_url(fern, WEEK + "&add=tobacco"))
        assert [column.substance for column in page.context["form"].columns()] == ["tobacco"]
        http.post(
            use_url(fern, WEEK + "&add=tobacco"),
            {
                "d20260330_status": "used",
                "d20260330_tobacco_used": "on",
                "d20260330_tobacco_amount": "10",
                "unit_tobacco": "cigarettes",
            },
        )
        row = UseDay.objects.get(date=march(30), substance="tobacco")
        assert (row.amount, row.unit) == (Decimal(10), "cigarettes")

    def test_it_links_to_earlier_and_later_weeks(self, fern: Client, alice: User) -> None:
        response = sign_in(alice).get(use_url(fern, "calendar/?start=2026-03-18&end=2026-03-24"))
        assert response.context["previous_url"].endswith("?start=2026-03-11&end=2026-03-17")
        assert response.context["next_url"].endswith("?start=2026-03-25&end=2026-03-31")
        assert sign_in(alice).get(use_url(fern, WEEK)).context["next_url"] == ""


class TestCheckInPages:
    def test_it_records_a_check_in_and_lists_it(self, fern: Client, alice: User) -> None:
        sister = Person.objects.get(client=fern)
        http = sign_in(alice)
        assert http.get(use_url(fern, "check-ins/record/")).context["form"].initial == {"date": TODAY}
        response = http.post(
            use_url(fern, "check-ins/record/"),
            {
                "date": "2026-03-30",
                "mood": "4",
                "craving": "7",
                "used": "True",
                "substances": ["alcohol"],
                "interpersonal_event": "Sister cancelled our visit",
                "person": str(sister.pk),
            },
        )
        assert response.status_code == 302
        check_in = CheckIn.objects.get(client=fern)
        assert (check_in.date, check_in.mood, check_in.craving, check_in.used) == (march(30), 4, 7, True)
        assert (check_in.substances, check_in.person, check_in.recorded_by) == (["alcohol"], sister, alice)
        assert UseDay.objects.get(client=fern, date=march(30), substance="any").used
        html = http.get(use_url(fern, "check-ins/")).content.decode()
        assert "Sister cancelled our visit" in html and "Big sister" in html and "4/10" in html
        kinds = set(
            AuditEvent.objects.filter(event_type=EventType.MEASURES_VIEWED).values_list("extra__kind", flat=True)
        )
        assert "check_in" in kinds

    def test_it_opens_the_days_check_in_for_a_change(self, fern: Client, alice: User) -> None:
        do_record_check_in(fern, {"date": march(30), "used": False, "mood": 6}, acting_user=alice)
        form = sign_in(alice).get(use_url(fern, "check-ins/record/?date=2026-03-30")).context["form"]
        assert (form.initial["mood"], form.initial["used"]) == (6, False)

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"used": ""}, "a day is never assumed to be without use"),
            ({"used": "True"}, "Say what was used."),
            ({"used": "False", "substances": ["alcohol"]}, "clear these, or answer yes"),
            ({"used": "False", "mood": "11"}, "less than or equal to 10"),
            ({"used": "False", "date": "2026-04-01"}, "cannot be for a day in the future"),
        ],
    )
    def test_it_refuses_an_incomplete_or_impossible_check_in(
        self, fern: Client, alice: User, fields: dict[str, str], message: str
    ) -> None:
        response = sign_in(alice).post(use_url(fern, "check-ins/record/"), {"date": "2026-03-30", **fields})
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not CheckIn.objects.exists()
        assert not UseDay.objects.exists()


class TestAccess:
    def test_a_supervisor_reads_but_cannot_record(self, fern_drinks: Client, alice: User, bob: User) -> None:
        do_record_use_days(fern_drinks, [DayEntry(march(30), "no_use")], acting_user=alice)
        http = sign_in(bob)
        overview = http.get(use_url(fern_drinks))
        assert overview.status_code == 200
        assert not overview.context["can_write"]
        assert "Enter days" not in overview.content.decode()
        assert http.get(use_url(fern_drinks, "check-ins/")).status_code == 200
        assert http.get(use_url(fern_drinks, WEEK)).status_code == 404
        assert (
            http.post(use_url(fern_drinks, WEEK), calendar_post({30: "used"}, d20260330_alcohol_used="on")).status_code
            == 404
        )
        assert http.get(use_url(fern_drinks, "check-ins/record/")).status_code == 404
        refused = http.post(use_url(fern_drinks, "check-ins/record/"), {"date": "2026-03-30", "used": "False"})
        assert refused.status_code == 404
        assert not UseDay.objects.filter(used=True).exists()
        assert not CheckIn.objects.exists()

    @pytest.mark.parametrize("persona", ["tom", "carol"])
    @pytest.mark.parametrize("page", ["", WEEK, "check-ins/", "check-ins/record/"])
    def test_others_get_404(self, request: pytest.FixtureRequest, fern: Client, persona: str, page: str) -> None:
        user = request.getfixturevalue(persona)
        assert sign_in(user).get(use_url(fern, page)).status_code == 404
        assert not AuditEvent.objects.filter(event_type=EventType.MEASURES_VIEWED).exists()

    def test_a_refused_write_is_audited(self, fern: Client, tom: User) -> None:
        sign_in(tom).post(use_url(fern, WEEK), calendar_post({30: "no_use"}))
        event = AuditEvent.objects.get(event_type=EventType.CLIENT_ACCESS_REFUSED)
        assert (event.actor, event.client, event.extra["write"]) == (tom, fern, True)
        assert not UseDay.objects.exists()


def test_it_shows_percent_days_abstinent_on_the_caseload_and_beside_mood(fern, alice) -> None:
    from iptcare.substance_use.actions import DayEntry, do_record_use_days
    from iptcare.substance_use.models import DayStatus
    from tests.conftest import sign_in as staff_session

    today = timezone.localdate()
    # 14 abstinent days recorded out of the last 28; the other 14 are missing and count against it: 50 %.
    do_record_use_days(
        fern, [DayEntry(today - dt.timedelta(days=n), DayStatus.NO_USE) for n in range(14)], acting_user=alice
    )
    http = staff_session(alice)
    row = http.get("/clients/").context["page"].object_list[0]
    assert row.percent_days_abstinent == 50.0
    measures = http.get(f"/clients/{fern.pk}/measures/").content.decode()
    assert "Percent days abstinent: <strong>50 %</strong>" in measures
    assert "14 of 28 days recorded" in measures


def test_it_shows_nothing_rather_than_zero_when_no_day_was_recorded(fern, alice) -> None:
    from tests.conftest import sign_in as staff_session

    row = staff_session(alice).get("/clients/").context["page"].object_list[0]
    assert row.percent_days_abstinent is None


def test_the_measures_and_use_pages_say_no_data_like_the_caseload_when_no_day_was_recorded(
    fern: Client, alice: User
) -> None:
    http = sign_in(alice)
    assert http.get("/clients/").context["page"].object_list[0].percent_days_abstinent is None
    measures = http.get(f"/clients/{fern.pk}/measures/").content.decode()
    assert 'Percent days abstinent: <strong class="not-recorded">no data</strong>' in measures
    assert "(0 of 28 days recorded)" in measures
    assert "0 %" not in measures
    response = http.get(use_url(fern))
    assert response.context["metrics"].percent_days_abstinent is None
    use = response.content.decode()
    assert '<strong class="use-figure not-recorded">No data</strong>' in use
    assert "0.0 %" not in use and "0 %" not in use


def test_one_recorded_day_gives_a_figure_with_the_missing_days_still_against_it(fern: Client, alice: User) -> None:
    do_record_use_days(fern, [DayEntry(march(31), "no_use")], acting_user=alice)
    http = sign_in(alice)
    # 1 abstinent day ÷ 28 days: 3.6 %; the 27 missing days are not abstinent.
    measures = http.get(f"/clients/{fern.pk}/measures/").content.decode()
    assert "Percent days abstinent: <strong>3.6 %</strong>" in measures
    assert "1 of 28 days recorded" in measures
    use = http.get(use_url(fern)).content.decode()
    assert '<strong class="use-figure">3.6 %</strong>' in use
