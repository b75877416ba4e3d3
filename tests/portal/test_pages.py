"""The client's pages: Today (what is waiting, the next session, contacts), homework, the plan, contacts, progress
and settings; Spanish; the weight of the Today page; a fixed number of queries; every read audited."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client, Person
from iptcare.ipt.models import Episode
from iptcare.measures.actions import do_add_schedule, do_record_administration
from iptcare.portal.models import ClientAccount, HomeworkAnswer, PortalSettings
from iptcare.substance_use.actions import DayEntry, do_record_check_in, do_record_use_days
from tests.portal.conftest import final_relapse_plan, signed_note, upcoming_session

pytestmark = pytest.mark.django_db

# The Today page and its stylesheet together, uncompressed (a 2G connection moves about 30 kB in a few seconds).
PAGE_WEIGHT_LIMIT = 30_000


def test_today_shows_what_is_waiting_the_next_session_and_people_to_call(
    fern_http: HttpClient, fern: Client, episode: Episode, phq9_due: None
) -> None:
    signed_note(episode, homework="Call your sister twice this week.")
    upcoming_session(episode)
    html = fern_http.get("/me/").content.decode()
    assert "Hello, Fern" in html
    assert "3 things are waiting for you today." in html
    assert 'href="/me/check-in/"' in html
    assert 'href="/me/questionnaires/PHQ-9/"' in html
    assert "Call your sister twice this week." in html
    assert "50 minutes, with Alice Ashby" in html
    assert 'href="tel:5550101234"' in html and 'href="sms:5550101234"' in html
    assert 'href="tel:988"' in html and 'href="sms:988"' in html
    assert 'href="/me/plan/"' in html
    assert "Fairweather" not in html and fern.identifier not in html
    event = AuditEvent.objects.get(event_type=EventType.PORTAL_VIEWED)
    assert (event.client, event.actor_label, event.extra) == (fern, "client:N-0001", {"page": "today"})


def test_today_with_nothing_waiting(fern_http: HttpClient, fern: Client) -> None:
    do_record_check_in(fern, {"date": fern.status_since, "used": False}, acting_user=None)
    from django.utils import timezone

    do_record_check_in(fern, {"date": timezone.localdate(), "used": False}, acting_user=None)
    html = fern_http.get("/me/").content.decode()
    assert "Nothing is waiting for you. Thank you!" in html
    assert "Your check-in for today is done." in html
    assert "No session is booked yet" in html


def test_only_the_homework_of_the_latest_signed_note_is_shown(
    fern_http: HttpClient, fern: Client, episode: Episode
) -> None:
    signed_note(episode, homework="Old homework.", days_ago=9)
    signed_note(episode, homework="", days_ago=2)
    html = fern_http.get("/me/").content.decode()
    assert "Old homework." not in html
    assert fern_http.get("/me/homework/")["Location"] == "/me/"


def test_the_client_answers_their_homework(fern_http: HttpClient, fern: Client, episode: Episode, alice: User) -> None:
    note = signed_note(episode, homework="Walk each morning.")
    page = fern_http.get("/me/homework/").content.decode()
    assert "Walk each morning." in page and "<legend>Did you do it?" in page
    response = fern_http.post("/me/homework/", {"done": "yes", "comment": "Four mornings out of seven."}, follow=True)
    assert "Your therapist will see your answer." in response.content.decode()
    answer = HomeworkAnswer.objects.get()
    assert (answer.note, answer.done, answer.comment) == (note, True, "Four mornings out of seven.")
    assert "You said you did it." in fern_http.get("/me/").content.decode()
    fern_http.post("/me/homework/", {"done": "no", "comment": ""})
    assert HomeworkAnswer.objects.get().done is False
    assert AuditEvent.objects.filter(event_type=EventType.PORTAL_HOMEWORK, client=fern).count() == 2
    # The care team sees it on the portal access page.
    from tests.conftest import sign_in

    staff_page = sign_in(alice).get(f"/clients/{fern.pk}/portal/").content.decode()
    assert "Homework answers from the portal" in staff_page and "Not yet" in staff_page


def test_the_plan_page_shows_the_agreed_plan_read_only(
    fern_http: HttpClient, fern: Client, episode: Episode, alice: User
) -> None:
    assert "Your plan is not ready yet" in fern_http.get("/me/plan/").content.decode()
    final_relapse_plan(episode, alice)
    html = fern_http.get("/me/plan/").content.decode()
    assert "My relapse-prevention plan" in html
    assert "Lonely Sunday evenings" in html and "Call my sister." in html and "My daughter" in html
    assert "A lapse is not a failure." in html
    assert 'href="tel:988"' in html
    assert "<form" not in html.split("<main")[1].split("</main>")[0]
    assert AuditEvent.objects.filter(event_type=EventType.PORTAL_VIEWED, extra__page="plan").count() == 2


def test_a_draft_plan_is_never_shown(fern_http: HttpClient, episode: Episode, alice: User) -> None:
    from iptcare.plans.actions import do_save_plan_section, do_start_plan_version

    plan = do_start_plan_version("relapse_prevention", episode, acting_user=alice)
    do_save_plan_section(plan, "reasons", ["A draft reason"], acting_user=alice)
    assert "A draft reason" not in fern_http.get("/me/plan/").content.decode()


def test_contacts_lists_support_people_the_clinic_and_crisis_lines(
    fern_http: HttpClient, fern: Client, north_site: object
) -> None:
    Person.objects.create(client=fern, name="Dave", relationship_type="using_associate", phone="555 010 7777")
    north_site.phone = "(555) 010-2000"
    north_site.save()
    html = fern_http.get("/me/contacts/").content.decode()
    assert "Big sister" in html and 'href="tel:5550101234"' in html
    assert "Dave" not in html
    assert 'href="tel:5550102000"' in html
    assert "Veterans Crisis Line" in html and "Dial 988, then press 1" in html
    assert 'href="tel:911"' in html


def test_progress_is_shown_only_when_the_organization_allows_it_and_never_scores(
    fern_http: HttpClient, fern: Client, alice: User
) -> None:
    assert fern_http.get("/me/progress/")["Location"] == "/me/"
    assert 'href="/me/progress/"' not in fern_http.get("/me/").content.decode()
    PortalSettings.objects.create(organization=fern.organization, show_progress=True)
    from django.utils import timezone

    today = timezone.localdate()
    do_record_use_days(
        fern,
        [DayEntry(today - timezone.timedelta(days=n), "no_use") for n in range(1, 4)],
        acting_user=None,
    )
    do_record_check_in(fern, {"date": today, "used": False, "mood": 7}, acting_user=None)
    do_record_administration(fern, "PHQ-9", {str(n): 2 for n in range(1, 10)}, acting_user=alice, notify=False)
    html = fern_http.get("/me/progress/").content.decode()
    assert 'href="/me/progress/"' in html
    assert re.search(r'<span class="stat">4</span> days in a row without use', html)
    assert "Average mood: 7.0 out of 10." in html
    assert "<svg" in html and "7/10" in html
    assert "PHQ" not in html and "18" not in re.sub(r"<svg.*</svg>", "", html, flags=re.S)


def test_the_client_chooses_spanish_and_today_speaks_it(
    fern_http: HttpClient, fern: Client, episode: Episode, phq9_due: None
) -> None:
    signed_note(episode, homework="Caminar cada mañana.")
    upcoming_session(episode)
    response = fern_http.post("/me/settings/", {"language": "es", "wants_reminders": "on"}, follow=True)
    assert "Se guardó su configuración." in response.content.decode()
    assert ClientAccount.objects.get(client=fern).language == "es"
    response = fern_http.get("/me/")
    html = response.content.decode()
    assert response["Content-Language"] == "es"
    assert '<html lang="es">' in html
    for spanish in (
        "Hola, Fern",
        "Hoy tiene 3 cosas pendientes.",
        "¿Necesita ayuda ahora?",
        "Llamar al 988",
        "Mensaje al 988",
        "988 Línea de Prevención del Suicidio y Crisis",
        "Registro diario",
        "Su próxima sesión",
        "minutos, con Alice Ashby",
        "Personas a las que puede llamar",
        "Mi plan de prevención de recaídas",
        "Cerrar sesión",
    ):
        assert spanish in html, spanish
    assert re.search(r"(lunes|martes|miércoles|jueves|viernes|sábado|domingo) \d+ de \w+", html)
    for english in ("Need help now", "Daily check-in", "Your next session", "Sign out"):
        assert english not in html


def test_the_sign_in_page_follows_the_browser_or_the_chosen_language() -> None:
    browser = HttpClient(HTTP_ACCEPT_LANGUAGE="es")
    assert "Iniciar sesión" in browser.get("/me/login/").content.decode()
    english = browser.get("/me/login/?lang=en").content.decode()
    assert "Sign in" in english and "Iniciar sesión" not in english
    # The choice is kept for the pages before sign-in.
    assert "Use your code" in browser.get("/me/start/").content.decode()


def test_the_today_page_is_small(fern_http: HttpClient, fern: Client, episode: Episode, phq9_due: None) -> None:
    signed_note(episode, homework="Call your sister twice this week, and write down how it went.")
    upcoming_session(episode)
    html = fern_http.get("/me/").content
    css_urls = re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html)
    assert css_urls == [b"/static/portal/portal.css"]
    css = (Path(settings.BASE_DIR) / "static" / "portal" / "portal.css").read_bytes()
    weight = len(html) + len(css)
    print(f"\nToday page weight: HTML {len(html)} B + CSS {len(css)} B = {weight} B")
    assert weight < PAGE_WEIGHT_LIMIT
    assert b"<script" not in html and b"style=" not in html and b"<img" not in html


def test_today_takes_the_same_number_of_queries_however_much_is_waiting(
    fern_http: HttpClient, fern: Client, episode: Episode, alice: User
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert fern_http.get("/me/").status_code == 200
        return len(queries)

    # One of each (a questionnaire, a contact, homework, a session), then many of each.
    do_add_schedule(fern, "PHQ-9", "every_n_days", interval_days=7, acting_user=alice)
    signed_note(episode, homework="Homework 40", days_ago=40)
    upcoming_session(episode, days=20)
    fern_http.get("/me/")  # the welcome message is shown once
    few = count()
    for code in ("GAD-7", "PACS", "AUDIT"):
        do_add_schedule(fern, code, "every_n_days", interval_days=7, acting_user=alice)
    for n in range(6):
        Person.objects.create(
            client=fern, name=f"Friend {n}", relationship_type="friend", is_support_contact=True, phone="555 010 0000"
        )
    for days_ago in (30, 20, 10, 2):
        signed_note(episode, homework=f"Homework {days_ago}", days_ago=days_ago)
    upcoming_session(episode, days=2)
    upcoming_session(episode, days=9)
    many = count()
    assert many == few
    assert many <= 15


def test_every_page_carries_the_crisis_line_in_its_header(
    fern_http: HttpClient, phq9_due: None, progress_on: PortalSettings
) -> None:
    for url in (
        "/me/",
        "/me/check-in/",
        "/me/questionnaires/PHQ-9/",
        "/me/plan/",
        "/me/contacts/",
        "/me/progress/",
        "/me/settings/",
    ):
        response = fern_http.get(url)
        html = response.content.decode()
        header = html.split('<header class="crisis" role="banner">')[1].split("</header>")[0]
        assert 'href="tel:988"' in header and 'href="sms:988"' in header, url
        assert response["Cache-Control"] == "no-store", url
    for url in ("/me/login/", "/me/start/"):
        assert 'href="tel:988"' in HttpClient().get(url).content.decode()


def test_reminders_can_be_turned_off_by_the_client(fern_http: HttpClient, fern: Client) -> None:
    fern_http.post("/me/settings/", {"language": "en"})
    account = ClientAccount.objects.get(client=fern)
    assert account.wants_reminders is False
    event = AuditEvent.objects.get(event_type=EventType.PORTAL_PREFERENCES_CHANGED)
    assert event.extra["changes"] == {"wants_reminders": [True, False]}
