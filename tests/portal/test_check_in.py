"""The daily check-in from the portal: it records a CheckIn through the check-in's own action, and a reported use
shows a supportive message with the crisis line at once (the lapse alert goes to the team as usual)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.measures.models import Alert, AlertRule
from iptcare.portal.models import ClientAccount
from iptcare.substance_use.actions import DayEntry, do_record_use_days
from iptcare.substance_use.models import CheckIn, UseDay

pytestmark = pytest.mark.django_db


def abstinent_week(client: Client) -> None:
    today = timezone.localdate()
    days = [DayEntry(today - dt.timedelta(days=n), "no_use") for n in range(1, 8)]
    do_record_use_days(client, days, acting_user=None, notify=False)


def test_it_records_the_check_in_and_thanks_the_client(
    fern_http: HttpClient, fern: Client, fern_account: ClientAccount
) -> None:
    sister = fern.people.get()
    response = fern_http.post(
        "/me/check-in/",
        {
            "mood": "6",
            "craving": "3",
            "used": "no",
            "interpersonal_event": "Coffee with my sister.",
            "person": sister.pk,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Thank you. Your care team will see your check-in." in html
    assert 'role="alert"' not in html
    check_in = CheckIn.objects.get(client=fern)
    assert (check_in.date, check_in.mood, check_in.craving, check_in.used, check_in.person) == (
        timezone.localdate(),
        6,
        3,
        False,
        sister,
    )
    assert check_in.recorded_by is None
    assert UseDay.objects.get(client=fern, substance="any").used is False
    event = AuditEvent.objects.get(event_type=EventType.PORTAL_CHECK_IN)
    assert (event.client, event.actor, event.actor_label) == (fern, None, "client:N-0001")
    assert "done" in fern_http.get("/me/").content.decode()


def test_a_reported_lapse_shows_the_supportive_message_and_raises_the_lapse_alert(
    fern_http: HttpClient, fern: Client
) -> None:
    abstinent_week(fern)
    response = fern_http.post("/me/check-in/", {"mood": "2", "used": "yes", "substances": ["alcohol"]})
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "A lapse is not a failure" in html
    assert 'href="tel:988"' in html and 'href="sms:988"' in html
    assert "Your care team will be in touch with you soon." in html
    alert = Alert.objects.get(client=fern)
    assert alert.rule == AlertRule.LAPSE
    assert CheckIn.objects.get(client=fern).substances == ["alcohol"]
    assert AuditEvent.objects.filter(event_type=EventType.PORTAL_SUPPORT_SHOWN, client=fern).exists()


def test_use_without_a_lapse_still_gets_kind_words_but_no_promise_of_a_call(
    fern_http: HttpClient, fern: Client
) -> None:
    html = fern_http.post("/me/check-in/", {"used": "yes", "substances": ["cannabis"]}).content.decode()
    assert "A lapse is not a failure" in html and 'href="tel:988"' in html
    assert "Your care team will see your check-in." in html
    assert "will be in touch" not in html
    assert not Alert.objects.exists()


def test_it_asks_what_was_used_and_never_assumes_no_use(fern_http: HttpClient, fern: Client) -> None:
    unanswered = fern_http.post("/me/check-in/", {"mood": "5"})
    assert "Please answer yes or no." in unanswered.content.decode()
    nothing_named = fern_http.post("/me/check-in/", {"used": "yes"})
    assert "Please choose what you used." in nothing_named.content.decode()
    assert not CheckIn.objects.exists()


def test_a_second_check_in_the_same_day_changes_the_first(fern_http: HttpClient, fern: Client) -> None:
    fern_http.post("/me/check-in/", {"mood": "4", "used": "no"})
    form = fern_http.get("/me/check-in/").content.decode()
    assert "You already checked in today" in form
    assert 'value="4" class="scale" id="id_mood_4" checked' in form
    fern_http.post("/me/check-in/", {"mood": "7", "used": "no"})
    assert CheckIn.objects.get(client=fern).mood == 7


def test_the_form_labels_every_field_and_lists_the_client_s_own_substances_first(
    fern_http: HttpClient, fern: Client
) -> None:
    fern.primary_substances = ["opioids"]
    fern.save()
    html = fern_http.get("/me/check-in/").content.decode()
    for legend in ("How is your mood today?", "How strong is your craving today?", "Have you used alcohol or drugs"):
        assert f"<legend>{legend}" in html
    assert '<label for="id_interpersonal_event">' in html and '<label for="id_person">' in html
    assert html.index("Opioids") < html.index("Alcohol")
    assert "<script" not in html and "style=" not in html
