"""The audit trail: append-only in the database, complete about where an action came from, and readable and
downloadable by the organization's admin only."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from iptcare.accounts.models import Role
from iptcare.audit.events import record_event
from iptcare.audit.models import AuditEvent, EventType
from iptcare.audit.views import CSV_COLUMNS
from iptcare.clients.models import CareTeamMember, Client
from tests.conftest import confirm_password, make_client, make_staff, sign_in

AUDIT = "/manage/audit/"
EXPORT = "/manage/audit/export.csv"


def at(year: int, month: int, day: int, hour: int = 12) -> dt.datetime:
    """An aware time in the site's time zone."""
    return dt.datetime(year, month, day, hour, tzinfo=timezone.get_current_timezone())


def event(**fields: Any) -> AuditEvent:
    values: dict[str, Any] = {"event_type": EventType.CLIENT_VIEWED, "channel": "web"}
    values.update(fields)
    if "actor" in values and "actor_label" not in values:
        values["actor_label"] = values["actor"].email
    return AuditEvent.objects.create(**values)


def row_values(pk: int) -> dict[str, Any]:
    return AuditEvent.objects.filter(pk=pk).values().get()


def listed(response: Any) -> list[AuditEvent]:
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def csv_rows(response: Any) -> list[list[str]]:
    """The rows after the first, which must be the organization's Part 2 notice (short form by default)."""
    content = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == ["42 CFR part 2 prohibits unauthorized use or disclosure of these records."]
    return rows[1:]


@pytest.fixture
def trail(north, alice, tom, fern):
    """Three events about Fern by Alice over three months of 2020, and one by Tom about another client."""
    toms_client = make_client(north, fern.site, primary=tom, identifier="N-0002")
    return {
        "january": event(organization=north, actor=alice, client=fern, created_at=at(2020, 1, 10)),
        "february": event(
            organization=north,
            actor=alice,
            client=fern,
            event_type=EventType.CLIENT_UPDATED,
            created_at=at(2020, 2, 10),
        ),
        "march": event(organization=north, actor=alice, client=fern, created_at=at(2020, 3, 10)),
        "tom": event(organization=north, actor=tom, client=toms_client, created_at=at(2020, 2, 20)),
    }


# ---------------------------------------------------------------------------------------------------- append-only


@pytest.fixture
def stored_event(north, alice, fern) -> AuditEvent:
    return record_event(EventType.CLIENT_VIEWED, actor=alice, client=fern, obj=fern, reason="treatment")


@pytest.mark.django_db
def test_it_refuses_an_orm_update_of_an_audit_event(stored_event):
    before = row_values(stored_event.pk)

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=stored_event.pk).update(reason="tampered", actor_label="nobody")

    assert row_values(stored_event.pk) == before


@pytest.mark.django_db
def test_it_refuses_saving_a_changed_audit_event(stored_event):
    before = row_values(stored_event.pk)
    stored_event.reason = "tampered"

    with pytest.raises(DatabaseError), transaction.atomic():
        stored_event.save()

    assert row_values(stored_event.pk) == before


@pytest.mark.django_db
def test_it_refuses_an_orm_delete_of_an_audit_event(stored_event):
    before = row_values(stored_event.pk)

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=stored_event.pk).delete()

    assert row_values(stored_event.pk) == before


@pytest.mark.django_db
def test_it_refuses_deleting_an_audit_event_instance(stored_event):
    with pytest.raises(DatabaseError), transaction.atomic():
        stored_event.delete()

    assert AuditEvent.objects.filter(pk=stored_event.pk).exists()


@pytest.mark.django_db
def test_it_refuses_a_raw_sql_update_of_an_audit_event(stored_event):
    before = row_values(stored_event.pk)

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["tampered", stored_event.pk])

    assert row_values(stored_event.pk) == before


@pytest.mark.django_db
def test_it_refuses_a_raw_sql_delete_of_audit_events(stored_event):
    before = row_values(stored_event.pk)

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")

    assert AuditEvent.objects.count() >= 1
    assert row_values(stored_event.pk) == before


@pytest.mark.django_db
def test_it_still_accepts_new_audit_events_after_a_refused_change(alice, fern, stored_event):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=stored_event.pk).update(reason="tampered")

    later = record_event(EventType.CLIENT_VIEWED, actor=alice, client=fern)

    assert AuditEvent.objects.filter(pk=later.pk).exists()
    assert AuditEvent.objects.get(pk=stored_event.pk).reason == "treatment"


# ---------------------------------------------------------------------------------------------------- record_event


@pytest.mark.django_db
def test_it_takes_the_organization_from_the_client(north, fern):
    recorded = record_event(EventType.CLIENT_VIEWED, client=fern)

    stored = AuditEvent.objects.get(pk=recorded.pk)
    assert stored.organization_id == north.pk
    assert stored.client_id == fern.pk
    assert stored.actor_id is None
    # Outside a request the action came from the console.
    assert (stored.channel, stored.ip_address, stored.user_agent) == ("console", None, "")


@pytest.mark.django_db
def test_it_prefers_the_clients_organization_to_the_actors(north, fern, sam):
    recorded = record_event(EventType.CLIENT_VIEWED, actor=sam, client=fern)

    assert AuditEvent.objects.get(pk=recorded.pk).organization_id == north.pk


@pytest.mark.django_db
def test_it_takes_the_organization_from_the_actor_without_a_client(south, sam):
    recorded = record_event(EventType.AUDIT_VIEWED, actor=sam, extra={"a": 1})

    stored = AuditEvent.objects.get(pk=recorded.pk)
    assert stored.organization_id == south.pk
    assert stored.actor_label == "sam@south.test"
    assert stored.extra == {"a": 1}


@pytest.mark.django_db
def test_it_records_where_a_page_request_came_from(north, alice, fern):
    http = sign_in(alice)

    response = http.get(f"/clients/{fern.pk}/", REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Mozilla/5.0 (ClinicPC)")

    assert response.status_code == 200
    viewed = AuditEvent.objects.get(event_type=EventType.CLIENT_VIEWED)
    assert viewed.actor_id == alice.pk
    assert viewed.client_id == fern.pk
    assert viewed.organization_id == north.pk
    assert viewed.ip_address == "203.0.113.7"
    assert viewed.user_agent == "Mozilla/5.0 (ClinicPC)"
    assert viewed.channel == "web"


@pytest.mark.django_db
def test_it_cuts_a_long_user_agent(alice, fern):
    sign_in(alice).get(f"/api/v1/clients/{fern.pk}", HTTP_USER_AGENT="x" * 1000, REMOTE_ADDR="2001:db8::1")

    viewed = AuditEvent.objects.get(event_type=EventType.CLIENT_VIEWED)
    assert viewed.user_agent == "x" * 300
    assert viewed.ip_address == "2001:db8::1"
    assert viewed.channel == "api"


# ---------------------------------------------------------------------------------------------------- audit page


@pytest.mark.django_db
def test_it_shows_the_organizations_events_to_the_admin(eve, trail):
    rows = listed(sign_in(eve).get(AUDIT))

    ids = {e.pk for e in rows}
    assert {trail[k].pk for k in trail} <= ids


@pytest.mark.django_db
def test_it_filters_by_client_identifier(eve, trail):
    rows = listed(sign_in(eve).get(AUDIT, {"client": " n-0001 "}))

    assert [e.pk for e in rows] == [trail["march"].pk, trail["february"].pk, trail["january"].pk]


@pytest.mark.django_db
def test_it_filters_by_actor(eve, tom, trail):
    rows = listed(sign_in(eve).get(AUDIT, {"actor": tom.pk}))

    assert [e.pk for e in rows] == [trail["tom"].pk]


@pytest.mark.django_db
def test_it_filters_by_event_type(eve, trail):
    rows = listed(sign_in(eve).get(AUDIT, {"event_type": int(EventType.CLIENT_UPDATED)}))

    assert [e.pk for e in rows] == [trail["february"].pk]


@pytest.mark.django_db
def test_it_filters_by_date_range(eve, trail):
    rows = listed(sign_in(eve).get(AUDIT, {"date_from": "2020-02-01", "date_to": "2020-02-20"}))

    # The end date counts in full: Tom's event at noon on the 20th is in.
    assert [e.pk for e in rows] == [trail["tom"].pk, trail["february"].pk]


@pytest.mark.django_db
def test_it_combines_filters(eve, alice, trail):
    rows = listed(sign_in(eve).get(AUDIT, {"actor": alice.pk, "date_from": "2020-02-01", "date_to": "2020-03-31"}))

    assert [e.pk for e in rows] == [trail["march"].pk, trail["february"].pk]


@pytest.mark.django_db
def test_it_refuses_an_end_date_before_the_start_date(eve, trail):
    response = sign_in(eve).get(AUDIT, {"date_from": "2020-03-01", "date_to": "2020-01-01"})

    assert listed(response) == []
    assert "date_to" in response.context["form"].errors


@pytest.mark.django_db
def test_it_never_shows_another_organizations_events(north, south, sam, trail):
    http = sign_in(sam)

    everything = listed(http.get(AUDIT))
    by_identifier = listed(http.get(AUDIT, {"client": "N-0001"}))

    assert everything
    assert {e.organization_id for e in everything} == {south.pk}
    assert not {trail[k].pk for k in trail} & {e.pk for e in everything}
    assert by_identifier == []


@pytest.mark.django_db
def test_it_lists_only_its_own_staff_as_actors(sam, alice, trail):
    response = sign_in(sam).get(AUDIT, {"actor": alice.pk})

    assert listed(response) == []
    assert "actor" in response.context["form"].errors


@pytest.mark.django_db
@pytest.mark.parametrize("url", [AUDIT, EXPORT])
def test_it_forbids_the_audit_trail_to_non_admins(alice, dan, trail, url):
    for user in (alice, dan):
        response = sign_in(user).get(url)

        assert response.status_code == 403
    assert not AuditEvent.objects.filter(event_type__in=[EventType.AUDIT_VIEWED, EventType.AUDIT_EXPORTED]).exists()


@pytest.mark.django_db
def test_it_audits_viewing_the_audit_trail(north, eve, trail):
    sign_in(eve).get(AUDIT, {"client": "N-0001"}, REMOTE_ADDR="198.51.100.4")

    viewed = AuditEvent.objects.get(event_type=EventType.AUDIT_VIEWED)
    assert viewed.actor_id == eve.pk
    assert viewed.organization_id == north.pk
    assert viewed.channel == "web"
    assert viewed.ip_address == "198.51.100.4"
    assert viewed.extra["filters"] == {"client": "N-0001"}


@pytest.mark.django_db
def test_it_shows_the_filtered_events_on_the_page(eve, trail):
    response = sign_in(eve).get(AUDIT, {"client": "N-0002"})

    assert response.status_code == 200
    assert b"tom@north.test" in response.content
    assert b"alice@north.test" not in response.content


@pytest.mark.django_db
def test_it_pages_the_events_and_keeps_the_filters(north, eve, alice, fern):
    for day in range(1, 56):
        event(organization=north, actor=alice, client=fern, created_at=at(2020, 1, 1) + dt.timedelta(hours=day))
    http = sign_in(eve)

    first = http.get(AUDIT, {"client": "N-0001"})
    second = http.get(AUDIT, {"client": "N-0001", "page": 2})

    assert len(listed(first)) == 50
    assert len(listed(second)) == 5
    assert first.context["page"].paginator.count == 55
    assert not {e.pk for e in listed(first)} & {e.pk for e in listed(second)}
    assert b"client=N-0001&amp;page=2" in first.content
    assert b'export.csv?client=N-0001"' in first.content


@pytest.mark.django_db
def test_it_shows_the_page_with_a_constant_number_of_queries(north, north_site, eve):
    def queries_for_page() -> int:
        http = sign_in(eve)
        with CaptureQueriesContext(connection) as captured:
            response = http.get(AUDIT, {"date_to": "2020-12-31"})
        assert len(listed(response)) == AuditEvent.objects.filter(created_at__year=2020).count()
        return len(captured.captured_queries)

    def add_events(count: int, start: int) -> None:
        for i in range(start, start + count):
            actor = make_staff(north, f"t{i}@north.test", f"T{i}", Role.THERAPIST)
            client = make_client(north, north_site, primary=actor)
            event(organization=north, actor=actor, client=client, object_id=str(i), created_at=at(2020, 5, 1))

    add_events(3, 0)
    with_three = queries_for_page()
    add_events(12, 3)
    with_fifteen = queries_for_page()

    assert with_fifteen == with_three


# ---------------------------------------------------------------------------------------------------- CSV download


@pytest.mark.django_db
def test_it_downloads_the_filtered_events_as_csv(eve, trail):
    response = confirm_password(sign_in(eve)).get(EXPORT, {"client": "N-0001"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == CSV_COLUMNS
    body = rows[1:]
    assert len(body) == 3
    column = CSV_COLUMNS.index
    assert [r[column("event")] for r in body] == ["Client record viewed", "Client updated", "Client record viewed"]
    assert {r[column("actor")] for r in body} == {"alice@north.test"}
    assert {r[column("client")] for r in body} == {"N-0001"}
    assert [r[column("time")][:10] for r in body] == ["2020-03-10", "2020-02-10", "2020-01-10"]


@pytest.mark.django_db
def test_it_downloads_only_the_organizations_events(sam, trail):
    rows = csv_rows(confirm_password(sign_in(sam)).get(EXPORT))

    actors = {r[CSV_COLUMNS.index("actor")] for r in rows[1:]}
    assert "alice@north.test" not in actors
    assert "tom@north.test" not in actors


@pytest.mark.django_db
def test_it_downloads_nothing_for_an_invalid_filter(eve, trail):
    rows = csv_rows(confirm_password(sign_in(eve)).get(EXPORT, {"date_from": "2020-03-01", "date_to": "2020-01-01"}))

    assert rows == [CSV_COLUMNS]


@pytest.mark.django_db
def test_it_defuses_formulas_in_the_csv(north, eve, fern):
    event(
        organization=north,
        client=fern,
        event_type=EventType.LOGIN_FAILED,
        actor_label='=HYPERLINK("http://evil.test","x")',
        user_agent="=cmd|' /C calc'!A0",
        reason="@SUM(1+1)",
        extra={"note": "x"},
    )

    rows = csv_rows(confirm_password(sign_in(eve)).get(EXPORT, {"client": "N-0001"}))

    assert len(rows) == 2
    row = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert row["actor"] == '\'=HYPERLINK("http://evil.test","x")'
    assert row["user_agent"] == "'=cmd|' /C calc'!A0"
    assert row["reason"] == "'@SUM(1+1)"
    for value in rows[1]:
        assert value[:1] not in ("=", "+", "-", "@")


@pytest.mark.django_db
def test_it_audits_the_download(north, eve, trail):
    response = confirm_password(sign_in(eve)).get(EXPORT, {"event_type": int(EventType.CLIENT_UPDATED)})
    csv_rows(response)

    exported = AuditEvent.objects.get(event_type=EventType.AUDIT_EXPORTED)
    assert exported.actor_id == eve.pk
    assert exported.organization_id == north.pk
    assert exported.channel == "web"
    assert exported.extra["filters"] == {"event_type": str(int(EventType.CLIENT_UPDATED))}


@pytest.mark.django_db
def test_it_keeps_clients_and_events_apart_between_organizations(south, south_site, sam, carol, trail):
    south_client = make_client(south, south_site, primary=carol, identifier="N-0001")
    theirs = event(organization=south, actor=carol, client=south_client, created_at=at(2020, 1, 5))

    rows = listed(sign_in(sam).get(AUDIT, {"client": "N-0001"}))

    assert [e.pk for e in rows] == [theirs.pk]
    assert Client.objects.filter(identifier="N-0001").count() == 2


@pytest.mark.django_db
def test_it_shows_what_changed_in_words_on_the_audit_page(eve, alice, fern):
    from iptcare.clients.actions import do_update_client

    do_update_client(fern, {"pronouns": "she/they", "address": "9 Hidden Road"}, acting_user=alice)
    html = sign_in(eve).get("/manage/audit/", {"client": fern.identifier}).content.decode()

    # Eve is not on Fern's care team: she sees which fields changed, never their values.
    assert f"Client #{fern.pk}" in html
    assert "<strong>pronouns</strong>" in html
    assert "she/they" not in html
    assert "9 Hidden Road" not in html
    csv_text = b"".join(
        confirm_password(sign_in(eve)).get("/manage/audit/export.csv", {"client": fern.identifier}).streaming_content
    )
    assert "9 Hidden Road" not in csv_text.decode()
    assert '""changed_fields"": [""address"", ""pronouns""]' in csv_text.decode()

    # An admin who is also on the care team sees the values.
    ada = make_staff(fern.organization, "ada@north.test", "Ada", "admin", "physician")
    CareTeamMember.objects.create(client=fern, user=ada, team_role="physician")
    TOTPDevice.objects.create(user=ada, name="phone", confirmed=True)
    html = sign_in(ada).get("/manage/audit/", {"client": fern.identifier}).content.decode()
    assert "<strong>pronouns</strong>: — → she/they" in html
